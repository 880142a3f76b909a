/**
 * Renewing by keypad through the real app on a real database (voice-line.md steps 6 and 7):
 * renew all (0) and its follow-up keys, renew one item at a time (1), sets, refusals and their
 * reasons, account-level blocks; what the caller hears and what the database holds afterwards.
 */
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import {
  callRow,
  detailsOf,
  heard,
  loansOf,
  login,
  NEW_DUE,
  patronIdOf,
  prompt,
  spokenTrn,
  stepsOf,
  timesHeard,
  transactions,
  useDemoLine,
} from "./call-helpers.js";

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);
const AFTER_RENEW_ALL = `${en("afterRenewAll.options")} ${en("afterRenewal.moreOptions")}`;
const AFTER_RENEW_ONE = `${en("afterRenewOne.options")} ${en("afterRenewal.moreOptions")}`;

describe.each(DRIVERS)("renewing on %s", (driver) => {
  const line = useDemoLine(driver);

  describe("renew all (0)", () => {
    it("renews everything: counts, the TRN digit by digit in two groups of five, the new due date", async () => {
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "2", "1", "*"]);

      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      if (!transaction) throw new Error("no renewal transaction");
      expect(transaction).toMatchObject({
        patronId: await patronIdOf(line.demo.db, "2100000001"),
        cardLastFour: "0001",
        channel: "phone",
        selection: "all",
        libraryDay: "2026-12-01",
        accountBlocks: [],
      });
      expect(transaction.results).toEqual(
        ["34000000000001", "34000000000003", "34000000000004"].map((barcode) => ({
          barcode,
          outcome: "renewed",
          newDueOn: NEW_DUE,
          primaryReason: null,
          reasons: [],
        })),
      );

      const reference = en("renewal.reference", { trn: spokenTrn(transaction.trn, "en") });
      expect(heard(result)).toContain(
        `${en("renewAll.counts", { renewed: "3", refused: "0" })} ${reference} ${en("renewal.newDueDate", { date: "Tuesday 15 December" })} ${AFTER_RENEW_ALL}`,
      );
      // 2: the reference number again; 1: why items were not renewed (none were refused).
      expect(heard(result)).toContain(`${reference} ${AFTER_RENEW_ALL}`);
      expect(timesHeard(result, reference)).toBe(2);
      expect(heard(result)).toContain(`${en("refusals.none")} ${AFTER_RENEW_ALL}`);
      // Never read as one big number.
      expect(heard(result)).not.toContain(transaction.trn);
      expect(heard(result)).not.toMatch(/\d{3}/);

      expect(await loansOf(line.demo.db, "2100000001")).toEqual({
        "34000000000001": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000003": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000004": { dueOn: NEW_DUE, renewals: 1 },
      });
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([
        { trn: transaction.trn, selection: "all", renewed: 3, refused: 0 },
      ]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        "language",
        "card",
        "pin",
        "summary",
        "menu",
        "afterRenewAll",
        "goodbye",
      ]);
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        outcome: "renewed",
        status: "completed",
      });
    });

    it("renews part: key 1 tells each item not renewed with its reason (reader 3: RESERVED)", async () => {
      const result = await call(line.app, [...login("2100000003", "0303"), "0", "1", "9", "*"]);

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results).toEqual([
        {
          barcode: "34000000000007",
          outcome: "refused",
          newDueOn: null,
          primaryReason: "RESERVED",
          reasons: ["RESERVED"],
        },
        {
          barcode: "34000000000010",
          outcome: "renewed",
          newDueOn: NEW_DUE,
          primaryReason: null,
          reasons: [],
        },
      ]);
      const text = heard(result);
      expect(text).toContain(
        `${en("renewAll.counts", { renewed: "1", refused: "1" })} ${en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") })} ${en("renewal.newDueDate", { date: "Tuesday 15 December" })}`,
      );
      expect(text).toContain(
        `${en("refusals.item", { title: "三體", reason: en("reason.RESERVED") })} ${AFTER_RENEW_ALL}`,
      );
      // 9: back to the main menu.
      expect(text).toContain(`${AFTER_RENEW_ALL} ${en("menu.options")}`);

      expect(await loansOf(line.demo.db, "2100000003")).toEqual({
        "34000000000007": { dueOn: "2026-12-08", renewals: 0 },
        "34000000000010": { dueOn: NEW_DUE, renewals: 1 },
      });
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({ outcome: "partly_renewed" });
    });

    it("renews no member of a refused set, and says why for each (reader 9)", async () => {
      const result = await call(line.app, [...login("2100000009", "0909"), "0", "1", "*"]);

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.primaryReason])).toEqual([
        ["34000000000020", "refused", "RESERVED"],
        ["34000000000021", "refused", "SET_MEMBER_REFUSED"],
      ]);
      const text = heard(result);
      expect(text).toContain(en("renewAll.counts", { renewed: "0", refused: "2" }));
      expect(text).not.toContain(en("renewal.newDueDate", { date: "Tuesday 15 December" }));
      expect(text).toContain(
        [
          en("refusals.item", {
            title: "The Serious Hiker's Guide to Hong Kong",
            reason: en("reason.RESERVED"),
          }),
          en("refusals.item", {
            title: "The Serious Hiker's Guide to Hong Kong (accompanying map)",
            reason: en("reason.SET_MEMBER_REFUSED"),
          }),
        ].join(" "),
      );
      expect(await loansOf(line.demo.db, "2100000009")).toEqual({
        "34000000000020": { dueOn: "2026-12-09", renewals: 0 },
        "34000000000021": { dueOn: "2026-12-09", renewals: 0 },
      });
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({ outcome: "nothing_renewed" });
    });

    it("says an account-level block once in the summary, and renew all renews nothing (reader 21)", async () => {
      const result = await call(line.app, [...login("2100000021", "2121"), "0", "1", "*"]);

      const summary = result.requests[3]?.twiml ?? "";
      expect(summary.split(en("block.ACCOUNT_SUSPENDED")).length - 1).toBe(1);
      expect(heard(result)).toContain(
        `${en("summary.loans", { count: "1", overdue: "0" })} ${en("block.ACCOUNT_SUSPENDED")} ${en("menu.options")}`,
      );
      expect(heard(result)).toContain(en("renewAll.counts", { renewed: "0", refused: "1" }));
      expect(heard(result)).toContain(
        en("refusals.item", { title: "水滸傳", reason: en("reason.ACCOUNT_SUSPENDED") }),
      );

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.accountBlocks).toEqual(["ACCOUNT_SUSPENDED"]);
      expect(transaction?.results).toEqual([
        {
          barcode: "34000000000041",
          outcome: "refused",
          newDueOn: null,
          primaryReason: "ACCOUNT_SUSPENDED",
          reasons: ["ACCOUNT_SUSPENDED"],
        },
      ]);
      expect(await loansOf(line.demo.db, "2100000021")).toEqual({
        "34000000000041": { dueOn: "2026-12-09", renewals: 0 },
      });
    });

    it("issues a TRN when there is nothing to renew (reader 29 has no loans)", async () => {
      const result = await call(line.app, [...login("2100000029", "2929"), "0", "*"]);
      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results).toEqual([]);
      expect(heard(result)).toContain(
        `${en("summary.noLoans")} ${en("menu.options")} ${en("renewAll.counts", { renewed: "0", refused: "0" })} ${en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") })} ${AFTER_RENEW_ALL}`,
      );
    });

    it("records an overdue item's accrued charge once: HK$9.00 before and after renewing (reader 2)", async () => {
      const result = await call(line.app, [...login("2100000002", "0202"), "3", "0", "9", "3", "*"]);
      const charges = en("charges.total", { amount: "9 dollars" });
      expect(timesHeard(result, charges)).toBe(2);
      expect(heard(result)).toContain(
        `${en("renewAll.counts", { renewed: "2", refused: "0" })} ${en("renewal.reference", { trn: spokenTrn((await transactions(line.demo.db))[0]?.trn ?? "", "en") })} ${en("renewal.newDueDate", { date: "Tuesday 15 December" })}`,
      );
      expect(await loansOf(line.demo.db, "2100000002")).toEqual({
        "34000000000005": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000006": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("a second renew all on the same day renews nothing (NO_EXTENSION), under a TRN of its own", async () => {
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "9", "0", "1", "*"]);
      const [first, second] = await transactions(line.demo.db);
      expect(second?.trn).not.toBe(first?.trn);
      expect(second?.results.map((r) => r.primaryReason)).toEqual([
        "NO_EXTENSION",
        "NO_EXTENSION",
        "NO_EXTENSION",
      ]);
      const text = heard(result);
      expect(text).toContain(en("renewAll.counts", { renewed: "0", refused: "3" }));
      expect(text).toContain(en("renewal.reference", { trn: spokenTrn(second?.trn ?? "", "en") }));
      expect(text).toContain(
        en("refusals.item", { title: "A Brief History of Time", reason: en("reason.NO_EXTENSION") }),
      );
      // NO_EXTENSION does not use up a renewal.
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        1, 1, 1,
      ]);
    });

    it("renews by the library's day in Hong Kong: at 00:01 HKT it is already the next day", async () => {
      // 16:01 UTC on 1 December is 00:01 on 2 December in Hong Kong (the tests run on UTC).
      line.app.setNow("2026-12-01T16:01:00Z");
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "*"]);
      expect(heard(result)).toContain(en("renewal.newDueDate", { date: "Wednesday 16 December" }));
      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.libraryDay).toBe("2026-12-02");
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.dueOn)).toEqual([
        "2026-12-16",
        "2026-12-16",
        "2026-12-16",
      ]);
    });

    it("moves a new due date past closed days, and says the year when it is not this year", async () => {
      // 11 December: 14 days later is Friday 25 December; the 25th and 26th are closed.
      line.app.setNow("2026-12-11T10:00:00+08:00");
      const reader28 = await call(line.app, [...login("2100000028", "2828"), "0", "*"]);
      expect(heard(reader28)).toContain(
        `${en("renewAll.counts", { renewed: "1", refused: "0" })} ${en("renewal.reference", { trn: spokenTrn((await transactions(line.demo.db))[0]?.trn ?? "", "en") })} ${en("renewal.newDueDate", { date: "Sunday 27 December" })}`,
      );
      expect(await loansOf(line.demo.db, "2100000028")).toEqual({
        "34000000000048": { dueOn: "2026-12-27", renewals: 1 },
      });

      // 18 December: 14 days later is Friday 1 January 2027, closed.
      line.app.setNow("2026-12-18T10:00:00+08:00");
      const reader4 = await call(line.app, [...login("2100000004", "0404"), "0", "*"]);
      expect(heard(reader4)).toContain(en("renewal.newDueDate", { date: "Saturday 2 January 2027" }));
      expect(await loansOf(line.demo.db, "2100000004")).toEqual({
        "34000000000011": { dueOn: "2027-01-02", renewals: 1 },
      });
    });

    it("8 after renew all: another card in the same call", async () => {
      const result = await call(line.app, [
        ...login("2100000001", "135790"),
        "0",
        "8",
        "2100000002#",
        "0202#",
        "*",
      ]);
      expect(heard(result)).toContain(
        `${AFTER_RENEW_ALL} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.loans", { count: "2", overdue: "1" })}`,
      );
      expect((await callRow(line.demo.db, result.callSid))?.patronId).toBe(
        await patronIdOf(line.demo.db, "2100000002"),
      );
      expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
        { result: "ok", cardLastFour: "0001" },
        { result: "ok", cardLastFour: "0002" },
      ]);
      // Reader 2's loans were not touched by reader 1's renewal.
      expect(Object.values(await loansOf(line.demo.db, "2100000002")).map((l) => l.renewals)).toEqual([0, 0]);
    });
  });

  describe("every reason, as the demo readers show it (renew all, then 1)", () => {
    const blocked = [
      ["2100000017", "1717", "ITEM_CHARGE_CEILING", "1", "0"],
      ["2100000018", "1818", "ACCOUNT_CHARGE_CEILING", "1", "0"],
      ["2100000020", "2020", "OVERDUE_TIME_LIMIT", "2", "1"],
      ["2100000021", "2121", "ACCOUNT_SUSPENDED", "1", "0"],
      ["2100000022", "2222", "CARD_REPORTED_LOST", "1", "0"],
      ["2100000023", "2323", "ACCOUNT_EXPIRED", "1", "0"],
    ];
    it.each(blocked)(
      "reader %s: %s said once in the summary; nothing renewed",
      async (card, pin, block, loans, overdue) => {
        const before = await loansOf(line.demo.db, card);
        const result = await call(line.app, [...login(card, pin), "0", "*"]);

        const summary = result.requests[3]?.twiml ?? "";
        expect(summary).toContain(
          `${en("summary.loans", { count: loans, overdue })} ${en(`block.${block}`)} ${en("menu.options")}`,
        );
        expect(summary.split(en(`block.${block}`)).length - 1).toBe(1);
        // No other block is named.
        for (const other of blocked.map((b) => b[2]).filter((b) => b !== block)) {
          expect(heard(result)).not.toContain(en(`block.${other}`));
        }
        expect(heard(result)).toContain(en("renewAll.counts", { renewed: "0", refused: loans }));
        const [transaction] = await transactions(line.demo.db);
        expect(transaction?.accountBlocks[0]).toBe(block);
        expect(transaction?.results.every((r) => r.outcome === "refused" && r.primaryReason === block)).toBe(
          true,
        );
        expect(await loansOf(line.demo.db, card)).toEqual(before);
      },
    );

    const refusals = [
      ["2100000006", "0606", "A Modern History of Hong Kong", "RESERVED", "0"],
      ["2100000011", "1111", "The Hobbit", "RENEWAL_LIMIT", "0"],
      ["2100000012", "20261201", "圍城", "NO_EXTENSION", "0"],
      ["2100000013", "1313", "The Joy Luck Club", "ITEM_NOT_RENEWABLE", "0"],
      ["2100000014", "1414", "駱駝祥子", "ITEM_NOT_RENEWABLE", "0"],
      ["2100000015", "1515", "花樣年華 (DVD)", "ITEM_NOT_RENEWABLE", "1"],
    ];
    it.each(refusals)("reader %s: %s is %s", async (card, pin, title, reason, renewed) => {
      const result = await call(line.app, [...login(card, pin), "0", "1", "*"]);
      expect(heard(result)).toContain(en("renewAll.counts", { renewed, refused: "1" }));
      expect(heard(result)).toContain(
        `${en("refusals.item", { title, reason: en(`reason.${reason}`) })} ${en("afterRenewAll.options")}`,
      );
      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results.filter((r) => r.outcome === "refused").map((r) => r.primaryReason)).toEqual(
        [reason],
      );
      expect(transaction?.results.filter((r) => r.outcome === "renewed")).toHaveLength(Number(renewed));
    });

    it("reader 8: the CD-ROM of a set whose main item was returned is SET_MAIN_RETURNED", async () => {
      const result = await call(line.app, [...login("2100000008", "0808"), "0", "1", "*"]);
      expect(heard(result)).toMatch(
        new RegExp(
          `The Birds of Hong Kong and South China[^:]*: ${en("reason.SET_MAIN_RETURNED").replace(".", "\\.")}`,
        ),
      );
      expect(await loansOf(line.demo.db, "2100000008")).toEqual({
        "34000000000019": { dueOn: "2026-12-08", renewals: 0 },
      });
    });

    it("reader 10: the fifth renewal is allowed; the count becomes 5", async () => {
      const result = await call(line.app, [...login("2100000010", "1010"), "0", "*"]);
      expect(heard(result)).toContain(en("renewAll.counts", { renewed: "1", refused: "0" }));
      expect(await loansOf(line.demo.db, "2100000010")).toEqual({
        "34000000000022": { dueOn: NEW_DUE, renewals: 5 },
      });
    });
  });

  describe("renew one item (1)", () => {
    it("offers the loans one at a time in due-date order: 2 next, 3 repeat, the last, back to the menu", async () => {
      const result = await call(line.app, [...login("2100000001", "135790"), "1", "2", "3", "2", "2", "*"]);

      const options = en("itemOffer.options");
      const first = en("itemOffer.item", { title: "A Brief History of Time", date: "Tuesday 8 December" });
      const second = en("itemOffer.item", { title: "紅樓夢", date: "Wednesday 9 December" });
      const text = heard(result);
      expect(text).toContain(
        `${en("menu.options")} ${first} ${options} ${second} ${options} ${second} ${options}`,
      );
      // The third: the 304-character title, cut to a speakable length, never read whole.
      const third = text.split(`${second} ${options} `)[2]?.split(` ${options}`)[0] ?? "";
      expect(third).toMatch(/^The Life and Strange Surprizing Adventures of .*, due Friday 11 December\.$/);
      expect(third.length).toBeLessThan(100);
      expect(text).not.toContain("Oroonoque");
      expect(text).toContain(`${options} ${en("itemOffer.noMore")} ${en("menu.options")}`);

      expect(await transactions(line.demo.db)).toEqual([]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        "language",
        "card",
        "pin",
        "summary",
        "menu",
        "itemOffer",
        "menu",
        "goodbye",
      ]);
    });

    it("1 renews the offered item only; then 2 the reference again, 1 another item, 9 the menu", async () => {
      const result = await call(line.app, [...login("2100000001", "135790"), "1", "1", "2", "1", "9", "*"]);

      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(transaction).toMatchObject({ selection: "loan", cardLastFour: "0001" });
      expect(transaction?.results).toEqual([
        {
          barcode: "34000000000001",
          outcome: "renewed",
          newDueOn: NEW_DUE,
          primaryReason: null,
          reasons: [],
        },
      ]);
      const reference = en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") });
      const text = heard(result);
      expect(text).toContain(
        `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${reference} ${AFTER_RENEW_ONE} ${reference} ${AFTER_RENEW_ONE}`,
      );
      // 1: the offer starts again, the renewed item now last (due 15 December).
      expect(text).toContain(
        `${AFTER_RENEW_ONE} ${en("itemOffer.item", { title: "紅樓夢", date: "Wednesday 9 December" })} ${en("itemOffer.options")} ${en("menu.options")}`,
      );

      expect(await loansOf(line.demo.db, "2100000001")).toEqual({
        "34000000000001": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000003": { dueOn: "2026-12-09", renewals: 0 },
        "34000000000004": { dueOn: "2026-12-11", renewals: 0 },
      });
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([
        { trn: transaction?.trn, selection: "loan", renewed: 1, refused: 0 },
      ]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        "language",
        "card",
        "pin",
        "summary",
        "menu",
        "itemOffer",
        "afterRenewOne",
        "itemOffer",
        "menu",
        "goodbye",
      ]);
    });

    it("offers a set as one entry and renews it whole (reader 7)", async () => {
      const result = await call(line.app, [...login("2100000007", "0707"), "1", "2", "1", "1", "*"]);

      const entry = `${en("itemOffer.item", {
        title: "Colloquial Cantonese: The Complete Course for Beginners",
        date: "Thursday 10 December",
      })} ${en("itemOffer.set", { count: "2" })} ${en("itemOffer.options")}`;
      const text = heard(result);
      // One entry: the next one is already the end.
      expect(text).toContain(`${entry} ${en("itemOffer.noMore")} ${en("menu.options")} ${entry}`);
      expect(text).not.toContain("CD-ROM");

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.selection).toBe("loan");
      expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.newDueOn])).toEqual([
        ["34000000000016", "renewed", NEW_DUE],
        ["34000000000017", "renewed", NEW_DUE],
      ]);
      expect(text).toContain(
        `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") })} ${AFTER_RENEW_ONE}`,
      );
      expect(await loansOf(line.demo.db, "2100000007")).toEqual({
        "34000000000016": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000017": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("a refused item: the reason and the reference number (reader 11: RENEWAL_LIMIT)", async () => {
      const result = await call(line.app, [...login("2100000011", "1111"), "1", "1", "*"]);
      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results).toEqual([
        {
          barcode: "34000000000023",
          outcome: "refused",
          newDueOn: null,
          primaryReason: "RENEWAL_LIMIT",
          reasons: ["RENEWAL_LIMIT"],
        },
      ]);
      expect(heard(result)).toContain(
        `${en("itemOffer.item", { title: "The Hobbit", date: "Wednesday 9 December" })} ${en("itemOffer.options")} ${en("renewOne.refused", { reason: en("reason.RENEWAL_LIMIT") })} ${en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") })} ${AFTER_RENEW_ONE}`,
      );
      expect(await loansOf(line.demo.db, "2100000011")).toEqual({
        "34000000000023": { dueOn: "2026-12-09", renewals: 5 },
      });
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({ outcome: "nothing_renewed" });
    });

    it("a refused set: the reason that keeps the set from renewing (reader 9)", async () => {
      const result = await call(line.app, [...login("2100000009", "0909"), "1", "1", "*"]);
      expect(heard(result)).toContain(en("itemOffer.set", { count: "2" }));
      expect(heard(result)).toContain(en("renewOne.refused", { reason: en("reason.RESERVED") }));
      expect(Object.values(await loansOf(line.demo.db, "2100000009")).map((l) => l.renewals)).toEqual([0, 0]);
    });

    it("an overdue item is offered as overdue (reader 2)", async () => {
      const result = await call(line.app, [...login("2100000002", "0202"), "1", "*"]);
      expect(heard(result)).toContain(
        `${en("itemOffer.item", { title: "Sapiens: A Brief History of Humankind", date: "Wednesday 25 November" })} ${en("itemOffer.overdue")} ${en("itemOffer.options")}`,
      );
    });

    it("with nothing on loan, says so and stays at the menu (reader 29)", async () => {
      const result = await call(line.app, [...login("2100000029", "2929"), "1", "*"]);
      expect(heard(result)).toContain(`${en("menu.options")} ${en("loans.none")} ${en("menu.options")}`);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        "language",
        "card",
        "pin",
        "summary",
        "menu",
        "goodbye",
      ]);
    });

    it("9 at an offered item goes back to the menu, * ends the call; 8 after a renewal is another card", async () => {
      const toMenu = await call(line.app, [...login("2100000001", "135790"), "1", "9", "*"]);
      expect(heard(toMenu)).toContain(`${en("itemOffer.options")} ${en("menu.options")} ${en("goodbye")}`);

      const ended = await call(line.app, [...login("2100000001", "135790"), "1", "*"]);
      expect(heard(ended)).toContain(`${en("itemOffer.options")} ${en("goodbye")}`);
      expect(ended.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
      expect(await transactions(line.demo.db)).toEqual([]);

      const another = await call(line.app, [
        ...login("2100000001", "135790"),
        "1",
        "1",
        "8",
        "2100000004#",
        "0404#",
        "*",
      ]);
      expect(heard(another)).toContain(
        `${AFTER_RENEW_ONE} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.loans", { count: "1", overdue: "0" })}`,
      );
      expect((await callRow(line.demo.db, another.callSid))?.patronId).toBe(
        await patronIdOf(line.demo.db, "2100000004"),
      );
    });
  });
});
