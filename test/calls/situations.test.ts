/**
 * Prompts that fit the situation (issue #10; voice-line.md "The caller's time and the situation"),
 * through the real app on a real database: what a reader with no loans, a blocked reader, a partly
 * refused renewal, "renew another item", the goodbye, key 7 and the Chinese words sound like; for
 * each, what is heard, what is NOT heard, and what the database holds where it matters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { parseOfficeHours } from "../../src/voice/office-hours.js";
import { DRIVERS } from "../support/database.js";
import { type CallOptions, call, DEFAULT_STAFF, startVoiceApp, type VoiceApp } from "../support/voice-app.js";
import {
  CATALOGUES,
  callRow,
  DEMO_NOW,
  detailsOf,
  heard,
  type Language,
  loansOf,
  login,
  NEW_DUE,
  prompt,
  STEPS_TO_SUMMARY,
  spokenTrn,
  stepsOf,
  timesHeard,
  transactions,
  useDemoLine,
  WRONG_PINS,
} from "./call-helpers.js";

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);

// No demo reader has this phone: the caller-ID shortcut never steps in (the simulator's default
// From is a demo reader's phone).
const UNKNOWN_CALLER = "+85220000000";

function dial(app: VoiceApp, script: readonly string[], options: CallOptions = {}): Promise<CallResult> {
  return call(app, script, { from: UNKNOWN_CALLER, ...options });
}

const READER_1 = login("2100000001", "135790"); // 3 loans, no charges, all renew
const READER_2 = login("2100000002", "0202"); // 2 loans, 1 overdue, HK$9.00 accrued
const READER_3 = login("2100000003", "0303"); // 三體 RESERVED (due 8 Dec), The Little Prince renews
const READER_29 = login("2100000029", "2929"); // no loans

interface Situation {
  canRenew?: boolean;
  blocked?: boolean;
  loans?: boolean;
  charges?: boolean;
}

/** The main menu as flow.json speaks it for a reader in this situation. */
function menu(s: Situation, language: Language = "en"): string {
  const keys = [
    s.canRenew && "menu.renewAll",
    s.canRenew && "menu.renewOne",
    s.blocked && "menu.staff",
    s.loans && "menu.loans",
    s.charges && "menu.charges",
    !s.blocked && "menu.staff",
    "menu.anotherCard",
    "menu.end",
  ];
  return keys
    .filter((k): k is string => typeof k === "string")
    .map((k) => prompt(language, k))
    .join(" ");
}

/** The short menu after an information key. */
function menuShort(canRenew: boolean, language: Language = "en"): string {
  return [canRenew && "menu.renewAll", "menu.more", "menu.end"]
    .filter((k): k is string => typeof k === "string")
    .map((k) => prompt(language, k))
    .join(" ");
}

const AFTER_RENEW_ALL = `${en("afterRenewal.repeat")} ${en("afterRenewal.moreOptions")}`;
const AFTER_RENEW_ALL_WHY = `${en("afterRenewAll.why")} ${AFTER_RENEW_ALL}`;
const AFTER_RENEW_ONE = `${en("afterRenewOne.another")} ${en("afterRenewal.repeat")} ${en("afterRenewal.moreOptions")}`;

const READER_1_MENU = menu({ canRenew: true, loans: true });

/**
 * A prompt with a title, as pieces: the words before the title, the title, the words after it,
 * without the punctuation that goes with the title. A title in another script is its own <Say>
 * (another voice), so the prompt need not be heard whole.
 */
function titled(key: string, params: Record<string, string>, language: Language = "en"): string[] {
  const title = params.title ?? "";
  const marker = "\u0000";
  const [before = "", after = ""] = prompt(language, key, { ...params, title: marker }).split(marker);
  return [
    before.replace(/[^\s\p{L}\p{N}]+\s*$/u, "").trim(),
    title,
    after.replace(/^[^\s\p{L}\p{N}]+/u, "").trim(),
  ].filter((piece) => piece !== "");
}

/** `pieces` are heard in this order (with anything between them). */
function expectInOrder(result: CallResult, pieces: string[]): void {
  const text = heard(result);
  let at = 0;
  for (const piece of pieces) {
    const found = text.indexOf(piece, at);
    expect(found, `"${piece}" heard after position ${at} in:\n${text}`).toBeGreaterThanOrEqual(0);
    at = found + piece.length;
  }
}

const ZH_PIN: Record<"yue" | "cmn", { word: string; bare: RegExp }> = {
  yue: { word: "個人密碼", bare: /(?<!個人)密碼/ },
  cmn: { word: "个人密码", bare: /(?<!个人)密码/ },
};

describe.each(DRIVERS)("prompts that fit the situation on %s", (driver) => {
  const line = useDemoLine(driver);

  describe("1. a reader with no loans (reader 29)", () => {
    it("0 says nothing is on loan: no counts, no reference number, no request, a plain goodbye", async () => {
      const result = await dial(line.app, [...READER_29, "0", "*"]);
      expect(heard(result)).toContain(
        `${en("summary.noLoans")} ${menu({})} ${en("loans.none")} ${menuShort(false)} ${en("goodbye")}`,
      );
      expect(heard(result).endsWith(en("goodbye"))).toBe(true);
      for (const key of ["renewAll.one", "renewAll.none", "afterRenewal.repeat", "goodbye.withReference"]) {
        expect(heard(result)).not.toContain(en(key));
      }
      expect(heard(result)).not.toMatch(/renewed/i);
      expect(heard(result)).not.toContain(en("renewal.reference", { trn: "" }).replace(/\.$/, "").trim());
      expect(heard(result)).not.toMatch(/\d \d \d \d \d, \d \d \d \d \d/);

      expect(await transactions(line.demo.db)).toEqual([]);
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "menuShort",
        "goodbye",
      ]);
      expect((await callRow(line.demo.db, result.callSid))?.outcome).not.toMatch(/renewed/);
    });

    it("1 says nothing is on loan, offers no item and makes no request", async () => {
      const result = await dial(line.app, [...READER_29, "1", "*"]);
      expect(heard(result)).toContain(`${menu({})} ${en("loans.none")} ${menuShort(false)} ${en("goodbye")}`);
      expect(heard(result)).not.toContain(en("itemOffer.options"));
      expect(heard(result)).not.toContain(en("itemOffer.noMore"));
      expect(heard(result)).not.toContain(en("goodbye.withReference"));
      expect(await stepsOf(line.demo.db, result.callSid)).not.toContain("itemOffer");
      expect(await transactions(line.demo.db)).toEqual([]);
    });
  });

  describe("2. 'to hear why' only when something was refused", () => {
    it("not offered when everything renewed (reader 1); 1 still answers that all were renewed", async () => {
      const result = await dial(line.app, [...READER_1, "0", "1", "*"]);
      const [transaction] = await transactions(line.demo.db);
      const reference = en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") });
      expect(heard(result)).toContain(
        `${en("renewAll.all", { count: "3" })} ${reference} ${en("renewal.newDueDate", { date: "Tuesday 15 December" })} ${AFTER_RENEW_ALL}`,
      );
      expect(heard(result)).not.toContain(en("afterRenewAll.why"));
      expect(heard(result)).toContain(`${en("refusals.none")} ${AFTER_RENEW_ALL}`);
    });

    it("offered when something was refused (reader 3: 三體 RESERVED, The Little Prince renewed)", async () => {
      const result = await dial(line.app, [...READER_3, "0", "*"]);
      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.primaryReason])).toEqual([
        ["34000000000007", "refused", "RESERVED"],
        ["34000000000010", "renewed", null],
      ]);
      const reference = en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") });
      expect(heard(result)).toContain(
        `${en("renewAll.some", { renewed: "1", count: "2" })} ${reference} ${en("renewal.newDueDate", { date: "Tuesday 15 December" })} ${AFTER_RENEW_ALL_WHY}`,
      );
      expect(timesHeard(result, en("afterRenewAll.why"))).toBe(1);
    });
  });

  describe("3. a blocked account", () => {
    const blocked = [
      {
        label: "suspended (reader 21)",
        card: "2100000021",
        pin: "2121",
        block: "ACCOUNT_SUSPENDED",
        summary: en("summary.oneLoan"),
        charges: false,
      },
      {
        label: "an item's charges at the ceiling (reader 17)",
        card: "2100000017",
        pin: "1717",
        block: "ITEM_CHARGE_CEILING",
        summary: en("summary.oneLoan"),
        charges: true,
      },
      {
        label: "the account's charges at the ceiling (reader 18)",
        card: "2100000018",
        pin: "1818",
        block: "ACCOUNT_CHARGE_CEILING",
        summary: en("summary.oneLoan"),
        charges: true,
      },
    ];

    it.each(blocked)(
      "$label: the block once with the way forward, then staff first and no renewing",
      async (reader) => {
        const result = await dial(line.app, [...login(reader.card, reader.pin), "9", "2", "9", "*"]);
        const blockedMenu = menu({ blocked: true, loans: true, charges: reader.charges });
        expect(heard(result)).toContain(
          `${reader.summary} ${en(`block.${reader.block}`)} ${en("block.help")} ${blockedMenu} ${blockedMenu}`,
        );
        // Staff first: the menu starts with it, and says it once.
        expect(blockedMenu.startsWith(en("menu.staff"))).toBe(true);
        expect(timesHeard(result, en("menu.staff"))).toBe(3);
        expect(timesHeard(result, en(`block.${reader.block}`))).toBe(1);
        expect(timesHeard(result, en("block.help"))).toBe(1);
        expect(heard(result)).not.toContain(en("menu.renewAll"));
        expect(heard(result)).not.toContain(en("menu.renewOne"));
        // The short menu after 2 offers no renewing either.
        expect(heard(result)).toContain(menuShort(false));
        expect(await transactions(line.demo.db)).toEqual([]);
      },
    );

    it("suspended, 0 anyway: a request recorded with its TRN, the block heard as the reason", async () => {
      const result = await dial(line.app, [...login("2100000021", "2121"), "0", "1", "*"]);
      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      if (!transaction) throw new Error("no renewal transaction");
      expect(transaction).toMatchObject({ selection: "all", accountBlocks: ["ACCOUNT_SUSPENDED"] });
      expect(transaction.trn).toMatch(/^\d{10}$/);
      expect(transaction.results).toEqual([
        expect.objectContaining({
          barcode: "34000000000041",
          outcome: "refused",
          primaryReason: "ACCOUNT_SUSPENDED",
        }),
      ]);
      expect(await loansOf(line.demo.db, "2100000021")).toEqual({
        "34000000000041": { dueOn: "2026-12-09", renewals: 0 },
      });
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([
        { trn: transaction.trn, selection: "all", renewed: 0, refused: 1 },
      ]);

      const reference = en("renewal.reference", { trn: spokenTrn(transaction.trn, "en") });
      const blockedMenu = menu({ blocked: true, loans: true });
      expect(heard(result)).toContain(
        `${blockedMenu} ${en("block.ACCOUNT_SUSPENDED")} ${reference} ${AFTER_RENEW_ALL_WHY}`,
      );
      // The block is the reason, not a count of nothing renewed; no new due date.
      expect(heard(result)).not.toContain(en("renewAll.none"));
      expect(heard(result)).not.toContain("New due date");
      expectInOrder(result, [
        AFTER_RENEW_ALL_WHY,
        ...titled("refusals.item", {
          title: "水滸傳",
          reason: en("reason.ACCOUNT_SUSPENDED"),
          date: "Wednesday 9 December",
        }),
        AFTER_RENEW_ALL_WHY,
        en("goodbye.withReference"),
      ]);
    });
  });

  describe("4. renew another item", () => {
    it("goes on with the next item; the refused one is not offered again; after the last, no more (reader 3)", async () => {
      const result = await dial(line.app, [...READER_3, "1", "1", "1", "1", "1", "*"]);
      const [refusedTx, renewedTx, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(refusedTx?.results.map((r) => [r.barcode, r.outcome, r.primaryReason])).toEqual([
        ["34000000000007", "refused", "RESERVED"],
      ]);
      expect(renewedTx?.results.map((r) => [r.barcode, r.outcome, r.newDueOn])).toEqual([
        ["34000000000010", "renewed", NEW_DUE],
      ]);
      const ref = (trn: string | undefined) => en("renewal.reference", { trn: spokenTrn(trn ?? "", "en") });

      expectInOrder(result, [
        ...titled("itemOffer.item", { title: "三體", date: "Tuesday 8 December" }),
        en("itemOffer.options"),
        `${en("renewOne.refused", { reason: en("reason.RESERVED"), date: "Tuesday 8 December" })} ${ref(refusedTx?.trn)} ${AFTER_RENEW_ONE}`,
        `${en("itemOffer.item", { title: "The Little Prince", date: "Thursday 10 December" })} ${en("itemOffer.options")}`,
        `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${ref(renewedTx?.trn)} ${AFTER_RENEW_ONE}`,
        `${en("itemOffer.noMore")} ${menuShort(true)} ${en("goodbye.withReference")}`,
      ]);
      // Offered once: "another item" did not go back to it.
      expect(timesHeard(result, "三體")).toBe(1);
      expect(timesHeard(result, "The Little Prince")).toBe(1);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "itemOffer",
        "afterRenewOne",
        "itemOffer",
        "afterRenewOne",
        "menuShort",
        "goodbye",
      ]);
    });

    it("continues after the item just tried, not from the first (reader 1: skip, renew the 2nd, then the 3rd)", async () => {
      const result = await dial(line.app, [...READER_1, "1", "2", "1", "1", "1", "1", "*"]);
      const offered = (title: string, date: string) =>
        `${en("itemOffer.item", { title, date })} ${en("itemOffer.options")}`;
      const first = offered("A Brief History of Time", "Tuesday 8 December");
      expectInOrder(result, [
        first,
        ...titled("itemOffer.item", { title: "紅樓夢", date: "Wednesday 9 December" }),
        en("renewOne.renewed", { date: "Tuesday 15 December" }),
        AFTER_RENEW_ONE,
        // The third, cut long title: its own words, then the date.
        "The Life and Strange",
        "due Friday 11 December.",
        en("renewOne.renewed", { date: "Tuesday 15 December" }),
        `${AFTER_RENEW_ONE} ${en("itemOffer.noMore")} ${menuShort(true)}`,
      ]);
      // The skipped first item is never offered again in "another item".
      expect(timesHeard(result, first)).toBe(1);
      expect(await loansOf(line.demo.db, "2100000001")).toEqual({
        "34000000000001": { dueOn: "2026-12-08", renewals: 0 },
        "34000000000003": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000004": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("an item tried earlier in the call is not offered again, even after the offer started over (reader 1)", async () => {
      // Renew the 3rd; no more; start again: renew the 1st, another: the 2nd, another: no more (the
      // 3rd was tried in this call).
      const result = await dial(line.app, [
        ...READER_1,
        "1",
        "2",
        "2",
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "*",
      ]);
      const txs = await transactions(line.demo.db);
      expect(txs.map((t) => t.results.map((r) => r.barcode))).toEqual([
        ["34000000000004"],
        ["34000000000001"],
        ["34000000000003"],
      ]);
      // Robinson Crusoe was renewed (tried) at the start of this call: offered once only.
      expect(timesHeard(result, "The Life and Strange"), "times Robinson Crusoe was offered").toBe(1);
      expect(timesHeard(result, en("itemOffer.noMore"))).toBe(2);
      expect(heard(result)).not.toContain(
        en("renewOne.refused", { reason: en("reason.NO_EXTENSION"), date: "Tuesday 15 December" }),
      );
      expect(
        heard(result).endsWith(`${en("itemOffer.noMore")} ${menuShort(true)} ${en("goodbye.withReference")}`),
      ).toBe(true);
    });
  });

  describe("5. a refused item's reason with the date it is still due", () => {
    it("after renew all, key 1 (reader 3): 'Please return it by' the old due date", async () => {
      const result = await dial(line.app, [...READER_3, "0", "1", "*"]);
      expectInOrder(result, [
        AFTER_RENEW_ALL_WHY,
        ...titled("refusals.item", {
          title: "三體",
          reason: en("reason.RESERVED"),
          date: "Tuesday 8 December",
        }),
        AFTER_RENEW_ALL_WHY,
      ]);
      expect(heard(result)).toContain("Please return it by Tuesday 8 December.");
      // Only the refused item is explained.
      expect(heard(result)).not.toContain("The Little Prince");
    });

    it("after renewing one (reader 11: RENEWAL_LIMIT), in English and in Cantonese", async () => {
      const english = await dial(line.app, [...login("2100000011", "1111"), "1", "1", "*"]);
      expect(heard(english)).toContain(
        en("renewOne.refused", { reason: en("reason.RENEWAL_LIMIT"), date: "Wednesday 9 December" }),
      );
      expect(heard(english)).toContain("Please return it by Wednesday 9 December.");

      const cantonese = await dial(line.app, [...login("2100000011", "1111", "yue"), "1", "1", "*"]);
      expect(heard(cantonese)).toContain(
        prompt("yue", "renewOne.refused", {
          reason: prompt("yue", "reason.RENEWAL_LIMIT"),
          date: "12月9日 星期三",
        }),
      );
    });
  });

  describe("6. the goodbye's reference reminder", () => {
    const reminder = en("goodbye.withReference");
    const plain = en("goodbye");

    it("not after three failed logins", async () => {
      const [a, b, c] = WRONG_PINS;
      const card = "2100000001";
      const result = await dial(line.app, [
        "3",
        `${card}#`,
        `${a}#`,
        `${card}#`,
        `${b}#`,
        `${card}#`,
        `${c}#`,
      ]);
      expect(timesHeard(result, en("login.failed"))).toBeGreaterThanOrEqual(2);
      expect(heard(result).endsWith(plain)).toBe(true);
      expect(heard(result)).not.toContain(reminder);
      expect(heard(result)).not.toMatch(/reference/i);
    });

    it("not after a call with no renewal", async () => {
      const result = await dial(line.app, [...READER_1, "2", "*"]);
      expect(heard(result).endsWith(`${menuShort(true)} ${plain}`)).toBe(true);
      expect(heard(result)).not.toContain(reminder);
    });

    it("after renew all", async () => {
      const result = await dial(line.app, [...READER_1, "0", "*"]);
      expect(heard(result).endsWith(`${AFTER_RENEW_ALL} ${reminder}`)).toBe(true);
      expect(heard(result)).not.toContain(plain);
    });

    it("still after 8 (another card) following a renewal", async () => {
      const result = await dial(line.app, [...READER_1, "0", "8", ...READER_2.slice(1), "*"]);
      expect(heard(result)).toContain(
        `${AFTER_RENEW_ALL} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.loansOverdue", { count: "2", overdue: "1" })}`,
      );
      expect(
        heard(result).endsWith(`${menu({ canRenew: true, loans: true, charges: true })} ${reminder}`),
      ).toBe(true);
      expect(heard(result)).not.toContain(plain);
    });
  });

  describe("7. key 7 and the office hours", () => {
    // Office hours that are not the default: Monday to Saturday, 10:00 to 19:00.
    const officeHours = parseOfficeHours("mon-sat 10:00-19:00");
    if (!officeHours) throw new Error("office hours do not parse");
    let custom: VoiceApp | undefined;
    let noStaffNumber: VoiceApp | undefined;
    const app = (which: VoiceApp | undefined) => {
      if (!which) throw new Error("the app starts in beforeAll");
      return which;
    };

    beforeAll(async () => {
      custom = await startVoiceApp({ db: line.demo.db, now: DEMO_NOW, staff: { officeHours } });
      noStaffNumber = await startVoiceApp({ db: line.demo.db, now: DEMO_NOW, staff: { phoneNumber: null } });
    });
    afterAll(async () => {
      await custom?.close();
      await noStaffNumber?.close();
    });

    it("outside the set hours (Tuesday 20:00), the hours spoken follow OFFICE_HOURS, in each language", async () => {
      app(custom).setNow("2026-12-01T20:00:00+08:00");
      const english = await dial(app(custom), [...READER_1, "7", "*"]);
      expect(heard(english)).toContain(
        `${READER_1_MENU} ${en("staff.closed", { hours: "Monday to Saturday, 10 a.m. to 7 p.m.", number: "2 9 2 1, 0 2 2 2" })} ${menuShort(true)}`,
      );
      expect(heard(english)).not.toContain("Monday to Friday");
      expect(heard(english)).not.toContain("9 a.m.");
      expect(english.transcript.some((e) => e.kind === "dial")).toBe(false);

      const cantonese = await dial(app(custom), [...login("2100000001", "135790", "yue"), "7", "*"]);
      expect(heard(cantonese)).toContain(
        prompt("yue", "staff.closed", {
          hours: "星期一至六上午10時至下午7時",
          number: "二 九 二 一，零 二 二 二",
        }),
      );
      expect(heard(cantonese)).not.toContain("星期一至五");
    });

    it("the set hours decide when staff are called: Tuesday 09:30 is closed, Saturday 12:00 is open", async () => {
      app(custom).setNow("2026-12-01T09:30:00+08:00");
      const early = await dial(app(custom), [...READER_1, "7", "*"]);
      expect(heard(early)).toContain(
        en("staff.closed", { hours: "Monday to Saturday, 10 a.m. to 7 p.m.", number: "2 9 2 1, 0 2 2 2" }),
      );
      expect(heard(early)).not.toContain(en("staff.connecting"));

      app(custom).setNow("2026-12-05T12:00:00+08:00");
      const dialled: string[][] = [];
      const saturday = await dial(app(custom), [...READER_1, "7", "*"], {
        dialOutcome: (attempt) => {
          dialled.push(attempt.numbers);
          return "no-answer";
        },
      });
      expect(dialled).toEqual([[DEFAULT_STAFF.phoneNumber]]);
      expect(heard(saturday)).toContain(`${en("staff.connecting")} ${en("staff.noAnswer")}`);
      expect(heard(saturday)).not.toContain("Library staff take calls");
    });

    it("with no staff number, 7 in office hours gives the enquiry line and its hours, and dials no one", async () => {
      const result = await dial(app(noStaffNumber), [...READER_1, "7", "*"]);
      expect(heard(result)).toContain(
        `${READER_1_MENU} ${en("staff.enquiryLine", { number: "2 9 2 1, 0 2 2 2", hours: "Monday to Friday, 9 a.m. to 6 p.m." })} ${menuShort(true)}`,
      );
      expect(heard(result)).not.toContain(en("staff.connecting"));
      expect(result.transcript.some((e) => e.kind === "dial")).toBe(false);
      expect(result.requests.some((r) => r.twiml.includes("<Dial"))).toBe(false);
      expect(await detailsOf(line.demo.db, result.callSid, "transfer")).toEqual([{ result: "closed" }]);
    });
  });

  describe("8. the PIN is 個人密碼 / 个人密码", () => {
    it.each(["yue", "cmn"] as const)(
      "%s: the PIN prompt and login.failed say it, never bare",
      async (language) => {
        const { word, bare } = ZH_PIN[language];
        const result = await dial(line.app, [...login("2100000001", WRONG_PINS[0], language), "(timeout)"]);
        expectInOrder(result, [prompt(language, "pin.prompt"), prompt(language, "login.failed")]);
        expect(prompt(language, "pin.prompt")).toContain(word);
        expect(prompt(language, "login.failed")).toContain(word);
        expect(timesHeard(result, word)).toBe(2);
        expect(heard(result)).not.toMatch(bare);
        // Nowhere in the catalogue either.
        expect(Object.values(CATALOGUES[language].prompts).join("\n")).not.toMatch(bare);
      },
    );
  });

  describe("9. a long title is cut at a word boundary, audibly (reader 1: Robinson Crusoe, 304 characters)", () => {
    const full =
      "The Life and Strange Surprizing Adventures of Robinson Crusoe, of York, Mariner: Who Lived Eight and Twenty Years, All Alone in an Un-inhabited Island on the Coast of America, near the Mouth of the Great River of Oroonoque; Having Been Cast on Shore by Shipwreck, Wherein All the Men Perished but Himself";

    /** What was heard of the title, from its first words to the cut marker. */
    function cutTitle(result: CallResult, marker: string): string {
      const text = heard(result);
      const start = text.indexOf("The Life and Strange");
      expect(start, text).toBeGreaterThanOrEqual(0);
      const end = text.indexOf(marker, start);
      expect(end, `the cut marker "${marker}" after the title in:\n${text}`).toBeGreaterThan(start);
      return text.slice(start, end).trim();
    }

    function expectWordBoundaryPrefix(spoken: string): void {
      expect(full.startsWith(spoken), spoken).toBe(true);
      expect(spoken.length).toBeLessThan(full.length);
      // The next character of the full title is not a letter: the cut falls between words.
      expect(full.charAt(spoken.length)).toMatch(/[\s,:;]/);
    }

    it("English: a whole-word prefix, then ', and so on', then the date", async () => {
      const result = await dial(line.app, [...READER_1, "2", "*"]);
      const spoken = cutTitle(result, ", and so on");
      expectWordBoundaryPrefix(spoken);
      expect(heard(result)).toContain(`${spoken}, and so on, due Friday 11 December.`);
      expect(heard(result)).not.toContain("Oroonoque");
      expect(heard(result)).not.toContain("Perished but Himself");
    });

    it("Cantonese: the cut is heard as 等", async () => {
      const result = await dial(line.app, [...login("2100000001", "135790", "yue"), "2", "*"]);
      const spoken = cutTitle(result, "等");
      expectWordBoundaryPrefix(spoken);
      expect(heard(result)).not.toContain("Oroonoque");
    });
  });

  describe("10. the main menu speaks only what does something", () => {
    it("no charges (reader 1): no 'Charges, press 3', yet 3 says there are none; 9 is unspoken but works", async () => {
      const result = await dial(line.app, [...READER_1, "3", "9", "9", "*"]);
      expect(heard(result)).toContain(
        `${READER_1_MENU} ${en("charges.none")} ${menuShort(true)} ${READER_1_MENU} ${READER_1_MENU} ${en("goodbye")}`,
      );
      expect(heard(result)).not.toContain(en("menu.charges"));
      expect(heard(result)).not.toContain(en("invalidChoice"));
      // The full menu never speaks 9; only the short menu offers it.
      expect(READER_1_MENU).not.toMatch(/press 9/);
      expect(timesHeard(result, "press 9")).toBe(1);
      expect(await transactions(line.demo.db)).toEqual([]);
    });

    it("charges (reader 2): 'Charges, press 3' is spoken", async () => {
      const result = await dial(line.app, [...READER_2, "*"]);
      expect(heard(result)).toContain(
        `${menu({ canRenew: true, loans: true, charges: true })} ${en("goodbye")}`,
      );
      expect(READER_1_MENU).not.toContain(en("menu.charges"));
    });

    it("no loans (reader 29): no renew or loans options, yet 2 answers that nothing is on loan", async () => {
      const result = await dial(line.app, [...READER_29, "2", "*"]);
      expect(heard(result)).toContain(`${menu({})} ${en("loans.none")} ${menuShort(false)}`);
      for (const key of ["menu.renewAll", "menu.renewOne", "menu.loans", "menu.charges"]) {
        expect(heard(result)).not.toContain(en(key));
      }
    });
  });

  describe("11. counts are sentences", () => {
    const formField = /(items on loan|overdue|renewed|not renewed)\s*:\s*\d/i;

    it.each([
      ["reader 1: 3 loans", READER_1, en("summary.loans", { count: "3" })],
      ["reader 2: 2 loans, 1 overdue", READER_2, en("summary.loansOverdue", { count: "2", overdue: "1" })],
      ["reader 21: 1 loan", login("2100000021", "2121"), en("summary.oneLoan")],
      ["reader 27: 1 loan, overdue", login("2100000027", "2727"), en("summary.oneLoanOverdue")],
      ["reader 29: none", READER_29, en("summary.noLoans")],
    ])("the summary, %s", async (_, script, sentence) => {
      const result = await dial(line.app, [...script, "*"]);
      expect(heard(result)).toContain(`${en("pin.prompt")} ${sentence}`);
      expect(heard(result)).not.toMatch(formField);
    });

    it("reader 2's summary is 'You have 2 items on loan, 1 of them overdue.'", async () => {
      const result = await dial(line.app, [...READER_2, "*"]);
      expect(heard(result)).toContain("You have 2 items on loan, 1 of them overdue.");
      const cantonese = await dial(line.app, [...login("2100000002", "0202", "yue"), "*"]);
      expect(heard(cantonese)).toContain(prompt("yue", "summary.loansOverdue", { count: "2", overdue: "1" }));
    });

    it.each([
      ["one item, renewed (reader 10)", login("2100000010", "1010"), en("renewAll.one")],
      ["all renewed (reader 1)", READER_1, en("renewAll.all", { count: "3" })],
      ["some renewed (reader 3)", READER_3, en("renewAll.some", { renewed: "1", count: "2" })],
      ["none renewed (reader 11)", login("2100000011", "1111"), en("renewAll.none")],
    ])("renew all, %s", async (_, script, sentence) => {
      const result = await dial(line.app, [...script, "0", "*"]);
      const [transaction] = await transactions(line.demo.db);
      expect(heard(result)).toContain(
        `${sentence} ${en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") })}`,
      );
      expect(heard(result)).not.toMatch(formField);
    });
  });
});
