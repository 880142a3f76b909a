/**
 * The main menu, the short menu and the miss rules, through the real app on a real database
 * (voice-line.md steps 5, 8, "Webhooks" and "The caller's time and the situation"): what the menu
 * speaks for each reader, hear loans (2), charges (3), library staff (7) in and out of office
 * hours, another card (8), the menu again (9), end (*); the short menu after an answer; no input
 * and wrong keys.
 */
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/database.js";
import { call, DEFAULT_STAFF, startVoiceApp } from "../support/voice-app.js";
import {
  callRow,
  DEMO_NOW,
  detailsOf,
  eventsOf,
  heard,
  heardUnspaced,
  login,
  mainMenu,
  patronIdOf,
  prompt,
  STEPS_TO_SUMMARY,
  shortMenu,
  stepsOf,
  timesHeard,
  unspaced,
  useDemoLine,
} from "./call-helpers.js";

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);

// Demo reader 1: three loans, no charges; reader 2: two loans, one overdue, HK$9.00 charges.
const READER_1 = login("2100000001", "135790");
const READER_2 = login("2100000002", "0202");
const MENU_1 = mainMenu({ loans: true });
const SHORT_MENU_1 = shortMenu({ loans: true });
const MENU_2 = mainMenu({ loans: true, charges: true });
const SHORT_MENU_2 = shortMenu({ loans: true, charges: true });

/** The default office hours (mon-fri 09:00-18:00) as the line speaks them, and the enquiry line. */
const OFFICE_HOURS = "Monday to Friday, 9 a.m. to 6 p.m.";
const ENQUIRY_LINE = "2 9 2 1, 0 2 2 2";

describe.each(DRIVERS)("the menu on %s", (driver) => {
  const line = useDemoLine(driver);

  describe("the main menu speaks only what helps this reader", () => {
    // card, PIN, what the reader is like, the options spoken in order
    const readers: [string, string, string, string[]][] = [
      [
        "2100000001",
        "135790",
        "loans, no charges",
        ["menu.renewAll", "menu.renewOne", "menu.loans", "menu.staff", "menu.anotherCard", "menu.end"],
      ],
      [
        "2100000002",
        "0202",
        "loans and charges",
        [
          "menu.renewAll",
          "menu.renewOne",
          "menu.loans",
          "menu.charges",
          "menu.staff",
          "menu.anotherCard",
          "menu.end",
        ],
      ],
      ["2100000029", "2929", "nothing on loan", ["menu.staff", "menu.anotherCard", "menu.end"]],
      [
        "2100000021",
        "2121",
        "suspended: staff first, no renewing",
        ["menu.staff", "menu.loans", "menu.anotherCard", "menu.end"],
      ],
      [
        "2100000018",
        "1818",
        "charges over the limit: staff first, no renewing",
        ["menu.staff", "menu.loans", "menu.charges", "menu.anotherCard", "menu.end"],
      ],
    ];
    it.each(readers)("reader %s (%s): %s", async (card, pin, _, options) => {
      const result = await call(line.app, [...login(card, pin), "*"]);
      const menu = options.map((key) => en(key)).join(" ");
      expect(heard(result).endsWith(`${menu} ${en("goodbye")}`)).toBe(true);
      expect(timesHeard(result, menu)).toBe(1);
      // Key 9 works, but is not spoken.
      expect(heard(result)).not.toContain(en("menu.more"));
    });
  });

  describe("2: the items on loan", () => {
    it("tells each title and due date, marking the overdue, then the short menu (reader 2)", async () => {
      const result = await call(line.app, [...READER_2, "2", "*"]);
      // 傾城之戀 is read by the Chinese voice, in a <Say> of its own.
      expect(heardUnspaced(result)).toContain(
        unspaced(
          `${MENU_2} ${en("loans.overdueItem", { title: "Sapiens: A Brief History of Humankind", date: "Wednesday 25 November" })} ${en("loans.item", { title: "傾城之戀", date: "Thursday 10 December" })} ${SHORT_MENU_2} ${en("goodbye")}`,
        ),
      );
      expect(await detailsOf(line.demo.db, result.callSid, "key")).toEqual([
        { key: "3" },
        { keyed: "masked" },
        { keyed: "masked" },
        { key: "2" },
        { key: "*" },
      ]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "menuShort",
        "goodbye",
      ]);
    });

    it("says when nothing is on loan, where 2 is not even offered (reader 29)", async () => {
      const result = await call(line.app, [...login("2100000029", "2929"), "2", "*"]);
      expect(heard(result)).toContain(
        `${mainMenu({ loans: false })} ${en("loans.none")} ${shortMenu({ loans: false })}`,
      );
    });
  });

  describe("3: outstanding charges", () => {
    it("the total and the item it comes from: HK$9.00 accrued (reader 2)", async () => {
      const result = await call(line.app, [...READER_2, "3", "*"]);
      expect(heard(result)).toContain(
        `${MENU_2} ${en("charges.total", { amount: "9 dollars" })} ${en("charges.item", { title: "Sapiens: A Brief History of Humankind", amount: "9 dollars" })} ${SHORT_MENU_2}`,
      );
    });

    it("a charge for no item is told as other charges; a blocked reader's short menu offers no renewing (reader 18)", async () => {
      const result = await call(line.app, [...login("2100000018", "1818"), "3", "*"]);
      // 我城 is read by the Chinese voice, in a <Say> of its own.
      expect(heardUnspaced(result)).toContain(
        unspaced(
          [
            en("charges.total", { amount: "200 dollars" }),
            en("charges.item", { title: "Nineteen Eighty-Four", amount: "80 dollars" }),
            en("charges.item", { title: "我城", amount: "70 dollars" }),
            en("charges.other", { amount: "50 dollars" }),
            shortMenu({ loans: true, charges: true, blocked: true }),
          ].join(" "),
        ),
      );
      expect(heard(result)).not.toContain(en("menu.renewAll"));
    });

    it("dollars and cents, on a returned item (reader 16); none at all, where 3 is not offered (reader 1)", async () => {
      const reader16 = await call(line.app, [...login("2100000016", "1616"), "3", "*"]);
      expect(heard(reader16)).toContain(
        `${en("charges.total", { amount: "129 dollars 99 cents" })} ${en("charges.item", { title: "Harry Potter and the Philosopher's Stone", amount: "129 dollars 99 cents" })} ${SHORT_MENU_1}`,
      );
      const reader1 = await call(line.app, [...READER_1, "3", "*"]);
      expect(heard(reader1)).not.toContain(en("menu.charges"));
      expect(heard(reader1)).toContain(`${MENU_1} ${en("charges.none")} ${SHORT_MENU_1}`);
    });
  });

  describe("7: library staff", () => {
    it("in office hours dials the staff number; no answer: the short menu", async () => {
      const attempts: { numbers: string[] }[] = [];
      const result = await call(line.app, [...READER_1, "7", "*"], {
        dialOutcome: (attempt) => {
          attempts.push(attempt);
          return "no-answer";
        },
      });

      expect(attempts.map((a) => a.numbers)).toEqual([[DEFAULT_STAFF.phoneNumber]]);
      const dialTwiml = result.requests.find((r) => r.twiml.includes("<Dial"))?.twiml ?? "";
      expect(dialTwiml).toMatch(
        /<Say [^>]*>Connecting you to library staff\. Please hold\.<\/Say><Dial action="http:\/\/127\.0\.0\.1:\d+\/voice\/dial\?seq=\d+&amp;lang=en" method="POST" timeout="20"><Number>\+85221234567<\/Number><\/Dial>/,
      );
      expect(result.transcript.find((e) => e.kind === "dial")).toMatchObject({
        numbers: ["+85221234567"],
        status: "no-answer",
      });
      expect(heard(result)).toContain(
        `${en("staff.connecting")} ${en("staff.noAnswer")} ${SHORT_MENU_1} ${en("goodbye")}`,
      );

      expect(await detailsOf(line.demo.db, result.callSid, "transfer")).toEqual([
        { result: "dialling" },
        { result: "unanswered", dialStatus: "no-answer" },
      ]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "staffCall",
        "menuShort",
        "goodbye",
      ]);
    });

    it("in office hours, an answered call ends the line's part with the goodbye", async () => {
      const result = await call(line.app, [...READER_1, "7", "9"], { dialOutcome: () => "completed" });
      expect(heard(result)).toContain(`${en("staff.connecting")} ${en("goodbye")}`);
      expect(heard(result).endsWith(en("goodbye"))).toBe(true);
      expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
      expect(await detailsOf(line.demo.db, result.callSid, "transfer")).toEqual([
        { result: "dialling" },
        { result: "answered", dialStatus: "completed" },
      ]);
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        outcome: "transferred",
        step: "goodbye",
      });
    });

    const closedAt = [
      ["on a Saturday", "2026-12-05T10:00:00+08:00"],
      ["at 20:00 on a weekday", "2026-12-01T20:00:00+08:00"],
      ["at 18:00, when the office closes", "2026-12-01T18:00:00+08:00"],
      ["on a closed day (Christmas, a Friday)", "2026-12-25T10:00:00+08:00"],
    ];
    it.each(closedAt)(
      "out of hours (%s): the office hours and the enquiry line, digit by digit, then the short menu",
      async (_, now) => {
        line.app.setNow(now);
        const dialled: string[][] = [];
        const result = await call(line.app, [...READER_1, "7", "*"], {
          dialOutcome: (attempt) => {
            dialled.push(attempt.numbers);
            return "completed";
          },
        });
        expect(dialled).toEqual([]);
        expect(result.requests.some((r) => r.twiml.includes("<Dial"))).toBe(false);
        // (By Christmas reader 1's loans are overdue and have charges: the main menu offers them.)
        expect(heard(result)).toContain(
          `${en("menu.end")} ${en("staff.closed", { hours: OFFICE_HOURS, number: ENQUIRY_LINE })} ${SHORT_MENU_1}`,
        );
        expect(await detailsOf(line.demo.db, result.callSid, "transfer")).toEqual([{ result: "closed" }]);
        expect(await stepsOf(line.demo.db, result.callSid)).not.toContain("staffCall");
      },
    );

    it("at 09:00 on a weekday the office is open", async () => {
      line.app.setNow("2026-12-04T09:00:00+08:00");
      const result = await call(line.app, [...READER_1, "7", "*"]);
      expect(heard(result)).toContain(en("staff.connecting"));
      expect(result.transcript.some((e) => e.kind === "dial")).toBe(true);
    });

    it("with no staff number set, 7 gives the enquiry line and its hours, even in office hours", async () => {
      const noStaffNumber = await startVoiceApp({
        db: line.demo.db,
        now: DEMO_NOW,
        staff: { phoneNumber: null },
      });
      try {
        const result = await call(noStaffNumber, [...READER_1, "7", "*"]);
        expect(result.transcript.some((e) => e.kind === "dial")).toBe(false);
        expect(heard(result)).toContain(
          `${MENU_1} ${en("staff.enquiryLine", { number: ENQUIRY_LINE, hours: OFFICE_HOURS })} ${SHORT_MENU_1}`,
        );
        expect(await detailsOf(line.demo.db, result.callSid, "transfer")).toEqual([{ result: "closed" }]);
      } finally {
        await noStaffNumber.close();
      }
    });
  });

  describe("8, 9 and *", () => {
    it("8 asks for another card and logs in as another reader, in the same call", async () => {
      const result = await call(line.app, [...READER_1, "8", "2100000002#", "0202#", "*"]);
      expect(heard(result)).toContain(
        `${MENU_1} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.loansOverdue", { count: "2", overdue: "1" })} ${MENU_2}`,
      );
      expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
        { result: "ok", cardLastFour: "0001" },
        { result: "ok", cardLastFour: "0002" },
      ]);
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        patronId: await patronIdOf(line.demo.db, "2100000002"),
        cardLastFour: "0002",
      });
    });

    it("8 forgets the reader: a failed login after it does not reach the first reader's menu", async () => {
      const result = await call(line.app, [...READER_1, "8", "2100000001#", "000000#", "(timeout)"]);
      expect(heard(result)).toContain(`${en("login.failed")} ${en("card.prompt")}`);
      expect(timesHeard(result, MENU_1)).toBe(1);
      expect((await callRow(line.demo.db, result.callSid))?.patronId).toBeNull();
    });

    it("a caller who knows the keys presses ahead: every prompt before a key is cut short", async () => {
      const result = await call(line.app, [...READER_1, "2", "*"], { bargeIn: true });
      const says = result.transcript.flatMap((e) => (e.kind === "say" ? [e] : []));
      expect(says.length).toBeGreaterThan(5);
      // All but the goodbye were inside a Gather the caller keyed through.
      expect(says.slice(0, -1).every((s) => s.interrupted)).toBe(true);
      expect(says.at(-1)).toMatchObject({ text: en("goodbye"), interrupted: false });
      expect(heardUnspaced(result)).toContain(
        unspaced(en("loans.item", { title: "紅樓夢", date: "Wednesday 9 December" })),
      );
    });

    it("9 says the menu again; * ends the call with the goodbye, without a reference reminder", async () => {
      const result = await call(line.app, [...READER_1, "9", "9", "*", "0"]);
      expect(heard(result)).toContain(`${MENU_1} ${MENU_1} ${MENU_1} ${en("goodbye")}`);
      expect(timesHeard(result, MENU_1)).toBe(3);
      expect(heard(result)).not.toContain(en("invalidChoice"));
      // Nothing was renewed in this call: nothing to keep.
      expect(heard(result)).not.toContain(en("goodbye.withReference"));
      // The line hung up before the last key was asked for.
      expect(result.transcript.filter((e) => e.kind === "gather")).toHaveLength(6);
      expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
    });

    it("after an answer the short menu: 9 there gives the whole menu again (reader 2)", async () => {
      const result = await call(line.app, [...READER_2, "2", "9", "*"]);
      expect(heard(result)).toContain(`${SHORT_MENU_2} ${MENU_2} ${en("goodbye")}`);
      expect(timesHeard(result, MENU_2)).toBe(2);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "menuShort",
        "menu",
        "goodbye",
      ]);
    });
  });

  describe("no input and wrong keys", () => {
    const endedPolitely = `${en("tooManyMisses")} ${en("goodbye")}`;

    it("no input re-prompts; the third in a row at the menu ends the call politely", async () => {
      const result = await call(line.app, [...READER_1, "(timeout)", "(timeout)", "(timeout)", "9"]);
      expect(heard(result)).toContain(`${MENU_1} ${MENU_1} ${MENU_1} ${endedPolitely}`);
      expect(heard(result)).not.toContain(en("invalidChoice"));
      expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
      const keys = (await eventsOf(line.demo.db, result.callSid)).filter(
        (e) => e.kind === "key" && e.step === "menu",
      );
      expect(keys.map((e) => e.detail)).toEqual([{ noInput: true }, { noInput: true }, { noInput: true }]);
      expect((await stepsOf(line.demo.db, result.callSid)).at(-1)).toBe("goodbye");
    });

    it("a wrong key hears 'not a valid choice' and the prompt again; the third ends the call", async () => {
      const result = await call(line.app, [...READER_1, "4", "#", "5", "9"]);
      const again = `${en("invalidChoice")} ${MENU_1}`;
      expect(heard(result)).toContain(`${MENU_1} ${again} ${again} ${endedPolitely}`);
      expect(timesHeard(result, en("invalidChoice"))).toBe(2);
      expect(await detailsOf(line.demo.db, result.callSid, "key")).toEqual([
        { key: "3" },
        { keyed: "masked" },
        { keyed: "masked" },
        { key: "4" },
        { key: "#" },
        { key: "5" },
      ]);
    });

    it("misses in a row count whatever their kind; a valid key starts the count again", async () => {
      const mixed = await call(line.app, [...READER_1, "4", "(timeout)", "6"]);
      expect(heard(mixed)).toContain(endedPolitely);

      const reset = await call(line.app, [...READER_1, "4", "(timeout)", "9", "4", "(timeout)", "*"]);
      expect(heard(reset)).not.toContain(en("tooManyMisses"));
      expect(heard(reset)).toContain(`${MENU_1} ${en("goodbye")}`);
    });

    it("the language step: the greeting and the options again after no input and wrong keys, then the call ends", async () => {
      const result = await call(line.app, ["(timeout)", "4", "(timeout)", "3"]);
      // The greeting names the service in Cantonese; each option is in its own language.
      const greetingAndOptions = [
        prompt("yue", "greeting"),
        prompt("yue", "language.option"),
        prompt("cmn", "language.option"),
        prompt("en", "language.option"),
      ].join(" ");
      // Before a language is chosen, the line says "not a valid choice" and "goodbye" in each language.
      const inEach = (key: string) =>
        ["yue", "cmn", "en"].map((l) => prompt(l as "yue" | "cmn" | "en", key)).join(" ");
      expect(heard(result)).toBe(
        [
          greetingAndOptions,
          greetingAndOptions,
          inEach("invalidChoice"),
          greetingAndOptions,
          inEach("tooManyMisses"),
          en("goodbye"),
        ].join(" "),
      );
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual(["language", "goodbye"]);
    });

    it("the card and PIN steps: no input three times ends the call", async () => {
      const atCard = await call(line.app, ["3", "(timeout)", "#", "(timeout)"]);
      expect(heard(atCard)).toContain(
        `${en("card.prompt")} ${en("card.prompt")} ${en("card.prompt")} ${endedPolitely}`,
      );
      const atPin = await call(line.app, ["3", "2100000001#", "(timeout)", "#", "(timeout)"]);
      expect(heard(atPin)).toContain(
        `${en("pin.prompt")} ${en("pin.prompt")} ${en("pin.prompt")} ${endedPolitely}`,
      );
      // No input is not a failed login.
      expect(await detailsOf(line.demo.db, atPin.callSid, "login")).toEqual([]);
    });

    it("after a renewal: 3 is not offered without SMS, and is a wrong key", async () => {
      const result = await call(line.app, [...READER_1, "0", "3", "*"]);
      const afterAllRenewed = `${en("afterRenewal.repeat")} ${en("afterRenewal.moreOptions")}`;
      expect(heard(result)).not.toContain(en("afterRenewal.smsOption"));
      expect(heard(result)).toContain(
        `${en("invalidChoice")} ${afterAllRenewed} ${en("goodbye.withReference")}`,
      );
    });

    it("at an offered item, a wrong key re-prompts with the item", async () => {
      const result = await call(line.app, [...READER_1, "1", "5", "*"]);
      const item = `${en("itemOffer.item", { title: "A Brief History of Time", date: "Tuesday 8 December" })} ${en("itemOffer.options")}`;
      expect(heard(result)).toContain(`${item} ${en("invalidChoice")} ${item} ${en("goodbye")}`);
    });
  });
});
