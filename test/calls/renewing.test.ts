/**
 * Renewing by keypad through the real app on a real database (voice-line.md steps 6 and 7, and
 * "The caller's time and the situation"): renew all (0) and its follow-up keys, renew one item at
 * a time (1) and "renew another item", sets, refusals with their reasons and the date each is still
 * due, account-level blocks; what the caller hears and what the database holds afterwards.
 */
import { describe, expect, it } from "vitest";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import {
  callRow,
  detailsOf,
  heard,
  heardUnspaced,
  loansOf,
  login,
  mainMenu,
  NEW_DUE,
  patronIdOf,
  prompt,
  READER_3_RENEW_ALL,
  STEPS_TO_SUMMARY,
  shortMenu,
  spokenTrn,
  stepsOf,
  timesHeard,
  transactions,
  unspaced,
  useDemoLine,
} from "./call-helpers.js";

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);

/** After renew all: "why" (1) only when something was refused; no SMS is set up in these calls. */
const afterRenewAll = ({ someRefused }: { someRefused: boolean }) =>
  [
    ...(someRefused ? [en("afterRenewAll.why")] : []),
    en("afterRenewal.repeat"),
    en("afterRenewal.moreOptions"),
  ].join(" ");
const AFTER_ALL_RENEWED = afterRenewAll({ someRefused: false });
const AFTER_SOME_REFUSED = afterRenewAll({ someRefused: true });
const AFTER_RENEW_ONE = [
  en("afterRenewOne.another"),
  en("afterRenewal.repeat"),
  en("afterRenewal.moreOptions"),
].join(" ");

const reference = (trn: string | undefined) => en("renewal.reference", { trn: spokenTrn(trn ?? "", "en") });
const newDueDate = (date: string) => en("renewal.newDueDate", { date });
const refusal = (title: string, reason: string, stillDue: string) =>
  en("refusals.item", { title, reason: en(`reason.${reason}`), date: stillDue });
const offer = (title: string, date: string) =>
  `${en("itemOffer.item", { title, date })} ${en("itemOffer.options")}`;

// Demo reader 1: three loans, none overdue, no charges; reader 29: nothing on loan.
const READER_1 = login("2100000001", "135790");
const MENU_1 = mainMenu({ loans: true });
const SHORT_MENU_1 = shortMenu({ loans: true });
const A_BRIEF_HISTORY = offer("A Brief History of Time", "Tuesday 8 December");
const RED_CHAMBER = offer("紅樓夢", "Wednesday 9 December");

describe.each(DRIVERS)("renewing on %s", (driver) => {
  const line = useDemoLine(driver);

  describe("renew all (0)", () => {
    it("renews everything: how many, the TRN digit by digit in two groups of five, the new due date", async () => {
      const result = await call(line.app, [...READER_1, "0", "2", "1", "*"]);

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

      const text = heard(result);
      const theReference = reference(transaction.trn);
      expect(text).toContain(
        `${en("renewAll.all", { count: "3" })} ${theReference} ${newDueDate("Tuesday 15 December")} ${AFTER_ALL_RENEWED}`,
      );
      // Nothing was refused, so "why" is not offered.
      expect(text).not.toContain(en("afterRenewAll.why"));
      // 2: the reference number again.
      expect(text).toContain(`${theReference} ${AFTER_ALL_RENEWED}`);
      expect(timesHeard(result, theReference)).toBe(2);
      // 1 still works where it is not offered: everything was renewed.
      expect(text).toContain(`${en("refusals.none")} ${AFTER_ALL_RENEWED}`);
      // A reference number was given: the goodbye reminds the caller to keep it.
      expect(text.endsWith(`${AFTER_ALL_RENEWED} ${en("goodbye.withReference")}`)).toBe(true);
      // Never read as one big number.
      expect(text).not.toContain(transaction.trn);
      expect(text).not.toMatch(/\d{3}/);

      expect(await loansOf(line.demo.db, "2100000001")).toEqual({
        "34000000000001": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000003": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000004": { dueOn: NEW_DUE, renewals: 1 },
      });
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([
        { trn: transaction.trn, selection: "all", renewed: 3, refused: 0 },
      ]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "afterRenewAll",
        "goodbye",
      ]);
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        outcome: "renewed",
        status: "completed",
      });
    });

    it("renews part: 1 names each item not renewed, its reason and the date it is still due (reader 3: RESERVED)", async () => {
      const result = await call(line.app, [...login("2100000003", "0303"), "0", "1", "9", "*"]);

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.results).toEqual(READER_3_RENEW_ALL);
      expect(heard(result)).toContain(
        `${en("renewAll.some", { renewed: "1", count: "2" })} ${reference(transaction?.trn)} ${newDueDate("Tuesday 15 December")} ${AFTER_SOME_REFUSED}`,
      );
      // 三體 is read by the Chinese voice, in a <Say> of its own.
      expect(heardUnspaced(result)).toContain(
        unspaced(`${refusal("三體", "RESERVED", "Tuesday 8 December")} ${AFTER_SOME_REFUSED}`),
      );
      // 9: back to the main menu.
      expect(heard(result)).toContain(`${AFTER_SOME_REFUSED} ${MENU_1}`);

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
      expect(text).toContain(`${en("renewAll.none")} ${reference(transaction?.trn)} ${AFTER_SOME_REFUSED}`);
      expect(text).not.toContain("New due date");
      expect(text).toContain(
        [
          refusal("The Serious Hiker's Guide to Hong Kong", "RESERVED", "Wednesday 9 December"),
          refusal(
            "The Serious Hiker's Guide to Hong Kong (accompanying map)",
            "SET_MEMBER_REFUSED",
            "Wednesday 9 December",
          ),
          AFTER_SOME_REFUSED,
        ].join(" "),
      );
      expect(await loansOf(line.demo.db, "2100000009")).toEqual({
        "34000000000020": { dueOn: "2026-12-09", renewals: 0 },
        "34000000000021": { dueOn: "2026-12-09", renewals: 0 },
      });
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({ outcome: "nothing_renewed" });
    });

    it("a blocked account: the block once in the summary, staff first; 0 still renews, and the news is the block (reader 21)", async () => {
      const result = await call(line.app, [...login("2100000021", "2121"), "0", "1", "*"]);

      const summary = result.requests[3]?.twiml ?? "";
      expect(summary.split(en("block.ACCOUNT_SUSPENDED")).length - 1).toBe(1);
      expect(heard(result)).toContain(
        `${en("summary.oneLoan")} ${en("block.ACCOUNT_SUSPENDED")} ${en("block.help")} ${mainMenu({ loans: true, blocked: true })}`,
      );
      // Renewing is not offered to a blocked reader, but 0 works and makes a request like any other.
      expect(heard(result)).not.toContain(en("menu.renewAll"));

      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
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
      // The block says why nothing was renewed, in place of the count.
      expect(heard(result)).toContain(
        `${en("block.ACCOUNT_SUSPENDED")} ${reference(transaction?.trn)} ${AFTER_SOME_REFUSED}`,
      );
      expect(heard(result)).not.toContain(en("renewAll.none"));
      expect(heardUnspaced(result)).toContain(
        unspaced(refusal("水滸傳", "ACCOUNT_SUSPENDED", "Wednesday 9 December")),
      );
      expect(await loansOf(line.demo.db, "2100000021")).toEqual({
        "34000000000041": { dueOn: "2026-12-09", renewals: 0 },
      });
    });

    it("with nothing on loan, 0 says so: no request, no reference number, and the goodbye has no reminder (reader 29)", async () => {
      // Before issue #10 this made an empty request and read out its TRN.
      const result = await call(line.app, [...login("2100000029", "2929"), "0", "*"]);

      expect(heard(result)).toContain(
        `${en("summary.noLoans")} ${mainMenu({ loans: false })} ${en("loans.none")} ${shortMenu({ loans: false })} ${en("goodbye")}`,
      );
      expect(heard(result)).not.toContain(en("menu.renewAll"));
      expect(heard(result)).not.toContain("Reference number");
      expect(heard(result)).not.toContain(en("goodbye.withReference"));

      expect(await transactions(line.demo.db)).toEqual([]);
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "menuShort",
        "goodbye",
      ]);
      // No renewal was asked for: the outcome of any call that only listened.
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        outcome: "abandoned",
        step: "goodbye",
      });
    });

    it("records an overdue item's accrued charge once: HK$9.00 before and after renewing (reader 2)", async () => {
      // 3: the charges; 0 from the short menu after them; 9 the full menu; 3 the charges again.
      const result = await call(line.app, [...login("2100000002", "0202"), "3", "0", "9", "3", "*"]);
      const charges = en("charges.total", { amount: "9 dollars" });
      expect(timesHeard(result, charges)).toBe(2);
      const [transaction] = await transactions(line.demo.db);
      expect(heard(result)).toContain(
        `${shortMenu({ loans: true, charges: true })} ${en("renewAll.all", { count: "2" })} ${reference(transaction?.trn)} ${newDueDate("Tuesday 15 December")}`,
      );
      expect(await loansOf(line.demo.db, "2100000002")).toEqual({
        "34000000000005": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000006": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("a second renew all on the same day renews nothing (NO_EXTENSION), under a TRN of its own", async () => {
      const result = await call(line.app, [...READER_1, "0", "9", "0", "1", "*"]);
      const [first, second] = await transactions(line.demo.db);
      expect(second?.trn).not.toBe(first?.trn);
      expect(second?.results.map((r) => r.primaryReason)).toEqual([
        "NO_EXTENSION",
        "NO_EXTENSION",
        "NO_EXTENSION",
      ]);
      const text = heard(result);
      expect(text).toContain(`${en("renewAll.none")} ${reference(second?.trn)} ${AFTER_SOME_REFUSED}`);
      // Still due on the date the first renewal gave.
      expect(text).toContain(refusal("A Brief History of Time", "NO_EXTENSION", "Tuesday 15 December"));
      // NO_EXTENSION does not use up a renewal.
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        1, 1, 1,
      ]);
    });

    it("renews by the library's day in Hong Kong: at 00:01 HKT it is already the next day", async () => {
      // 16:01 UTC on 1 December is 00:01 on 2 December in Hong Kong (the tests run on UTC).
      line.app.setNow("2026-12-01T16:01:00Z");
      const result = await call(line.app, [...READER_1, "0", "*"]);
      expect(heard(result)).toContain(newDueDate("Wednesday 16 December"));
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
      const [transaction] = await transactions(line.demo.db);
      expect(heard(reader28)).toContain(
        `${en("renewAll.one")} ${reference(transaction?.trn)} ${newDueDate("Sunday 27 December")}`,
      );
      expect(await loansOf(line.demo.db, "2100000028")).toEqual({
        "34000000000048": { dueOn: "2026-12-27", renewals: 1 },
      });

      // 18 December: 14 days later is Friday 1 January 2027, closed.
      line.app.setNow("2026-12-18T10:00:00+08:00");
      const reader4 = await call(line.app, [...login("2100000004", "0404"), "0", "*"]);
      expect(heard(reader4)).toContain(newDueDate("Saturday 2 January 2027"));
      expect(await loansOf(line.demo.db, "2100000004")).toEqual({
        "34000000000011": { dueOn: "2027-01-02", renewals: 1 },
      });
    });

    it("8 after renew all: another card in the same call, and the goodbye still reminds of the reference", async () => {
      const result = await call(line.app, [...READER_1, "0", "8", "2100000002#", "0202#", "*"]);
      expect(heard(result)).toContain(
        `${AFTER_ALL_RENEWED} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.loansOverdue", { count: "2", overdue: "1" })} ${mainMenu({ loans: true, charges: true })} ${en("goodbye.withReference")}`,
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
    const oneLoan = en("summary.oneLoan");
    const twoLoansOneOverdue = en("summary.loansOverdue", { count: "2", overdue: "1" });
    // card, block, PIN, what the summary says of the loans, whether there are charges
    const blocked: [string, string, string, string, boolean][] = [
      ["2100000017", "ITEM_CHARGE_CEILING", "1717", oneLoan, true],
      ["2100000018", "ACCOUNT_CHARGE_CEILING", "1818", oneLoan, true],
      ["2100000020", "OVERDUE_TIME_LIMIT", "2020", twoLoansOneOverdue, true],
      ["2100000021", "ACCOUNT_SUSPENDED", "2121", oneLoan, false],
      ["2100000022", "CARD_REPORTED_LOST", "2222", oneLoan, false],
      ["2100000023", "ACCOUNT_EXPIRED", "2323", oneLoan, false],
    ];
    it.each(blocked)(
      "reader %s: %s said once in the summary, then staff first; 0 renews nothing and says the block",
      async (card, block, pin, summary, charges) => {
        const before = await loansOf(line.demo.db, card);
        const result = await call(line.app, [...login(card, pin), "0", "*"]);

        const blockSentence = en(`block.${block}`);
        expect(heard(result)).toContain(
          `${summary} ${blockSentence} ${en("block.help")} ${mainMenu({ loans: true, charges, blocked: true })}`,
        );
        const summaryTwiml = result.requests[3]?.twiml ?? "";
        expect(summaryTwiml.split(blockSentence).length - 1).toBe(1);
        // No other block is named.
        for (const other of blocked.map((b) => b[1]).filter((b) => b !== block)) {
          expect(heard(result)).not.toContain(en(`block.${other}`));
        }
        const [transaction] = await transactions(line.demo.db);
        expect(heard(result)).toContain(
          `${blockSentence} ${reference(transaction?.trn)} ${AFTER_SOME_REFUSED}`,
        );
        expect(transaction?.accountBlocks[0]).toBe(block);
        expect(transaction?.results.every((r) => r.outcome === "refused" && r.primaryReason === block)).toBe(
          true,
        );
        expect(await loansOf(line.demo.db, card)).toEqual(before);
      },
    );

    // card, title, reason, the date it is still due, PIN, how many other items were renewed
    const refusals = [
      ["2100000006", "A Modern History of Hong Kong", "RESERVED", "Tuesday 8 December", "0606", "0"],
      ["2100000011", "The Hobbit", "RENEWAL_LIMIT", "Wednesday 9 December", "1111", "0"],
      ["2100000012", "圍城", "NO_EXTENSION", "Tuesday 15 December", "20261201", "0"],
      ["2100000013", "The Joy Luck Club", "ITEM_NOT_RENEWABLE", "Wednesday 9 December", "1313", "0"],
      ["2100000014", "駱駝祥子", "ITEM_NOT_RENEWABLE", "Thursday 10 December", "1414", "0"],
      ["2100000015", "花樣年華 (DVD)", "ITEM_NOT_RENEWABLE", "Tuesday 8 December", "1515", "1"],
    ];
    it.each(refusals)(
      "reader %s: %s is %s, still due %s",
      async (card, title, reason, stillDue, pin, renewed) => {
        const result = await call(line.app, [...login(card, pin), "0", "1", "*"]);
        const news =
          renewed === "0"
            ? en("renewAll.none")
            : en("renewAll.some", { renewed, count: String(Number(renewed) + 1) });
        expect(heard(result)).toContain(news);
        expect(heardUnspaced(result)).toContain(
          unspaced(`${refusal(title, reason, stillDue)} ${AFTER_SOME_REFUSED}`),
        );
        const [transaction] = await transactions(line.demo.db);
        expect(
          transaction?.results.filter((r) => r.outcome === "refused").map((r) => r.primaryReason),
        ).toEqual([reason]);
        expect(transaction?.results.filter((r) => r.outcome === "renewed")).toHaveLength(Number(renewed));
      },
    );

    it("reader 8: the CD-ROM of a set whose main item was returned is SET_MAIN_RETURNED", async () => {
      const result = await call(line.app, [...login("2100000008", "0808"), "0", "1", "*"]);
      const reason = en("reason.SET_MAIN_RETURNED").replace(".", "\\.");
      // The long title is cut to a speakable length.
      expect(heard(result)).toMatch(
        new RegExp(
          `The Birds of Hong Kong and South China[^:]*: ${reason} Please return it by Tuesday 8 December\\.`,
        ),
      );
      expect(await loansOf(line.demo.db, "2100000008")).toEqual({
        "34000000000019": { dueOn: "2026-12-08", renewals: 0 },
      });
    });

    it("reader 10: the fifth renewal is allowed; the count becomes 5", async () => {
      const result = await call(line.app, [...login("2100000010", "1010"), "0", "*"]);
      expect(heard(result)).toContain(
        `${en("renewAll.one")} ${reference((await transactions(line.demo.db))[0]?.trn)}`,
      );
      expect(await loansOf(line.demo.db, "2100000010")).toEqual({
        "34000000000022": { dueOn: NEW_DUE, renewals: 5 },
      });
    });
  });

  describe("renew one item (1)", () => {
    it("offers the loans one at a time in due-date order: 2 next, 3 repeat; past the last, the short menu", async () => {
      const result = await call(line.app, [...READER_1, "1", "2", "3", "2", "2", "*"]);

      // 紅樓夢 is read by the Chinese voice, in a <Say> of its own.
      expect(heardUnspaced(result)).toContain(
        unspaced(`${MENU_1} ${A_BRIEF_HISTORY} ${RED_CHAMBER} ${RED_CHAMBER}`),
      );
      // The third: the 304-character title, cut to a speakable length, never read whole.
      const third = heard(result).match(
        /The Life and Strange Surprizing Adventures of [^.]*, due Friday 11 December\./,
      );
      expect(third?.[0].length).toBeLessThan(100);
      expect(heard(result)).not.toContain("Oroonoque");
      expect(heard(result)).toContain(
        `due Friday 11 December. ${en("itemOffer.options")} ${en("itemOffer.noMore")} ${SHORT_MENU_1} ${en("goodbye")}`,
      );
      // Nothing was renewed: no reference to remind of.
      expect(heard(result)).not.toContain(en("goodbye.withReference"));

      expect(await transactions(line.demo.db)).toEqual([]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "itemOffer",
        "menuShort",
        "goodbye",
      ]);
    });

    it("1 renews the offered item only; then 2 the reference again, 1 another item (the next), 9 the menu", async () => {
      const result = await call(line.app, [...READER_1, "1", "1", "2", "1", "9", "*"]);

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
      const theReference = reference(transaction?.trn);
      expect(heard(result)).toContain(
        `${A_BRIEF_HISTORY} ${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${theReference} ${AFTER_RENEW_ONE} ${theReference} ${AFTER_RENEW_ONE}`,
      );
      // 1: the offer goes on with the next item; 9: the main menu; *: the goodbye with the reminder.
      expect(heardUnspaced(result)).toContain(
        unspaced(`${AFTER_RENEW_ONE} ${RED_CHAMBER} ${MENU_1} ${en("goodbye.withReference")}`),
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
        ...STEPS_TO_SUMMARY,
        "menu",
        "itemOffer",
        "afterRenewOne",
        "itemOffer",
        "menu",
        "goodbye",
      ]);
    });

    it("renew another item goes on after the item just renewed, never back to the first; the menu's 1 starts again", async () => {
      // Before issue #10, "another item" started again from the first item due.
      // 1 the offer, 2 past the first, 1 renew 紅樓夢, 1 another (Robinson Crusoe), 1 renew it,
      // 1 another (none left: the short menu), 1 at the short menu: the offer from the first again.
      const result = await call(line.app, [...READER_1, "1", "2", "1", "1", "1", "1", "1", "*"]);

      const [second, third, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(second?.results.map((r) => [r.barcode, r.outcome])).toEqual([["34000000000003", "renewed"]]);
      expect(third?.results.map((r) => [r.barcode, r.outcome])).toEqual([["34000000000004", "renewed"]]);

      const renewedRedChamber = `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${reference(second?.trn)} ${AFTER_RENEW_ONE}`;
      const renewedRobinson = `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${reference(third?.trn)} ${AFTER_RENEW_ONE}`;
      expect(heard(result)).toMatch(
        new RegExp(
          `${literally(renewedRedChamber)} The Life and Strange Surprizing Adventures of [^.]*, due Friday 11 December\\.`,
        ),
      );
      expect(heard(result)).toContain(
        `${renewedRobinson} ${en("itemOffer.noMore")} ${SHORT_MENU_1} ${A_BRIEF_HISTORY} ${en("goodbye.withReference")}`,
      );
      // The first item: offered at the start and when the menu's 1 started the offer again, never by "another".
      expect(timesHeard(result, A_BRIEF_HISTORY)).toBe(2);

      expect(await loansOf(line.demo.db, "2100000001")).toEqual({
        "34000000000001": { dueOn: "2026-12-08", renewals: 0 },
        "34000000000003": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000004": { dueOn: NEW_DUE, renewals: 1 },
      });
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "itemOffer",
        "afterRenewOne",
        "itemOffer",
        "afterRenewOne",
        "menuShort",
        "itemOffer",
        "goodbye",
      ]);
    });

    it("after a refusal, another item is the next one, not the refused one again (reader 3)", async () => {
      const result = await call(line.app, [...login("2100000003", "0303"), "1", "1", "1", "1", "1", "*"]);

      const [refused, renewed] = await transactions(line.demo.db);
      expect(refused?.results.map((r) => [r.barcode, r.primaryReason])).toEqual([
        ["34000000000007", "RESERVED"],
      ]);
      expect(renewed?.results.map((r) => [r.barcode, r.outcome])).toEqual([["34000000000010", "renewed"]]);
      expect(heardUnspaced(result)).toContain(
        unspaced(
          [
            offer("三體", "Tuesday 8 December"),
            en("renewOne.refused", { reason: en("reason.RESERVED"), date: "Tuesday 8 December" }),
            reference(refused?.trn),
            AFTER_RENEW_ONE,
            offer("The Little Prince", "Thursday 10 December"),
            en("renewOne.renewed", { date: "Tuesday 15 December" }),
            reference(renewed?.trn),
            AFTER_RENEW_ONE,
            en("itemOffer.noMore"),
            shortMenu({ loans: true }),
            en("goodbye.withReference"),
          ].join(" "),
        ),
      );
      expect(await loansOf(line.demo.db, "2100000003")).toEqual({
        "34000000000007": { dueOn: "2026-12-08", renewals: 0 },
        "34000000000010": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("offers a set as one entry and renews it whole (reader 7)", async () => {
      // 2: past the only entry, the short menu; its 1, unspoken, offers the set again.
      const result = await call(line.app, [...login("2100000007", "0707"), "1", "2", "1", "1", "*"]);

      const entry = `${en("itemOffer.item", {
        title: "Colloquial Cantonese: The Complete Course for Beginners",
        date: "Thursday 10 December",
      })} ${en("itemOffer.set", { count: "2" })} ${en("itemOffer.options")}`;
      const text = heard(result);
      expect(text).toContain(`${entry} ${en("itemOffer.noMore")} ${shortMenu({ loans: true })} ${entry}`);
      expect(text).not.toContain("CD-ROM");

      const [transaction] = await transactions(line.demo.db);
      expect(transaction?.selection).toBe("loan");
      expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.newDueOn])).toEqual([
        ["34000000000016", "renewed", NEW_DUE],
        ["34000000000017", "renewed", NEW_DUE],
      ]);
      expect(text).toContain(
        `${en("renewOne.renewed", { date: "Tuesday 15 December" })} ${reference(transaction?.trn)} ${AFTER_RENEW_ONE}`,
      );
      expect(await loansOf(line.demo.db, "2100000007")).toEqual({
        "34000000000016": { dueOn: NEW_DUE, renewals: 1 },
        "34000000000017": { dueOn: NEW_DUE, renewals: 1 },
      });
    });

    it("a refused item: the reason, the date it is still due and the reference number (reader 11: RENEWAL_LIMIT)", async () => {
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
        `${offer("The Hobbit", "Wednesday 9 December")} ${en("renewOne.refused", { reason: en("reason.RENEWAL_LIMIT"), date: "Wednesday 9 December" })} ${reference(transaction?.trn)} ${AFTER_RENEW_ONE}`,
      );
      expect(await loansOf(line.demo.db, "2100000011")).toEqual({
        "34000000000023": { dueOn: "2026-12-09", renewals: 5 },
      });
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({ outcome: "nothing_renewed" });
    });

    it("a refused set: the reason that keeps the set from renewing (reader 9)", async () => {
      const result = await call(line.app, [...login("2100000009", "0909"), "1", "1", "*"]);
      expect(heard(result)).toContain(en("itemOffer.set", { count: "2" }));
      expect(heard(result)).toContain(
        en("renewOne.refused", { reason: en("reason.RESERVED"), date: "Wednesday 9 December" }),
      );
      expect(Object.values(await loansOf(line.demo.db, "2100000009")).map((l) => l.renewals)).toEqual([0, 0]);
    });

    it("an overdue item is offered as overdue (reader 2)", async () => {
      const result = await call(line.app, [...login("2100000002", "0202"), "1", "*"]);
      expect(heard(result)).toContain(
        `${en("itemOffer.overdueItem", { title: "Sapiens: A Brief History of Humankind", date: "Wednesday 25 November" })} ${en("itemOffer.options")}`,
      );
    });

    it("with nothing on loan, 1 says so and goes to the short menu (reader 29)", async () => {
      const result = await call(line.app, [...login("2100000029", "2929"), "1", "*"]);
      expect(heard(result)).toContain(
        `${mainMenu({ loans: false })} ${en("loans.none")} ${shortMenu({ loans: false })} ${en("goodbye")}`,
      );
      expect(await transactions(line.demo.db)).toEqual([]);
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        ...STEPS_TO_SUMMARY,
        "menu",
        "menuShort",
        "goodbye",
      ]);
    });

    it("9 at an offered item goes back to the menu, * ends the call; 8 after a renewal is another card", async () => {
      const toMenu = await call(line.app, [...READER_1, "1", "9", "*"]);
      expect(heard(toMenu)).toContain(`${A_BRIEF_HISTORY} ${MENU_1} ${en("goodbye")}`);

      const ended = await call(line.app, [...READER_1, "1", "*"]);
      expect(heard(ended)).toContain(`${A_BRIEF_HISTORY} ${en("goodbye")}`);
      expect(heard(ended)).not.toContain(en("goodbye.withReference"));
      expect(ended.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
      expect(await transactions(line.demo.db)).toEqual([]);

      const another = await call(line.app, [...READER_1, "1", "1", "8", "2100000004#", "0404#", "*"]);
      expect(heard(another)).toContain(
        `${AFTER_RENEW_ONE} ${en("card.prompt")} ${en("pin.prompt")} ${en("summary.oneLoan")} ${mainMenu({ loans: true })} ${en("goodbye.withReference")}`,
      );
      expect((await callRow(line.demo.db, another.callSid))?.patronId).toBe(
        await patronIdOf(line.demo.db, "2100000004"),
      );
    });
  });
});

/** `text` as a regular expression that matches it literally. */
function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
