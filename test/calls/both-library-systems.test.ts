/**
 * The call suites that make sense for both library systems (library-system.md), run against both
 * on the demo library: embedded (this database and the rule module) and sip2 (the fake ILS of
 * test/support/sip2 serving the same library over SIP2, this database holding only the line's
 * own records). The caller hears the same thing either way, and the TRN and results are recorded
 * the same way; what differs is where the renewal lands (the loans table, or the ILS).
 *
 * library-system-suites.ts lists the call suites that run on embedded alone, and why.
 */
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { items, loans, titles } from "../../src/db/schema/index.js";
import { speakDate } from "../../src/voice/speech-format.js";
import { DRIVERS } from "../support/database.js";
import { LIBRARY_SYSTEMS, type LibraryLine, useLibraryLine } from "../support/library-line.js";
import { call } from "../support/voice-app.js";
import {
  heard,
  heardUnspaced,
  type Language,
  loansOf,
  login,
  NEW_DUE,
  patronIdOf,
  prompt,
  READER_3_RENEW_ALL,
  spokenTrn,
  transactions,
  unspaced,
} from "./call-helpers.js";

const LANGUAGES: Language[] = ["yue", "cmn", "en"];
const TODAY = "2026-12-01";
const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);
const dateIn = (date: string, language: Language) => speakDate(date, TODAY, language);

/** The reader's due dates by barcode, where the system of record keeps them. */
async function dueDatesOf(line: LibraryLine, card: string): Promise<Record<string, string>> {
  if (line.ils) {
    return Object.fromEntries(
      line.ils.library.loans.filter((l) => l.card === card).map((l) => [l.barcode, l.due]),
    );
  }
  const rows = await loansOf(line.db, card);
  return Object.fromEntries(Object.entries(rows).map(([barcode, loan]) => [barcode, loan.dueOn]));
}

/** How many Renew (29) requests reached the ILS; embedded has none to count. */
const renewRequests = (line: LibraryLine) => line.ils?.requestsOf("29") ?? 0;

describe.each(DRIVERS)("on %s", (driver) => {
  describe.each(LIBRARY_SYSTEMS)("behind the %s library system", (kind) => {
    const line = useLibraryLine(kind, driver);

    describe("renew all (0)", () => {
      it.each(LANGUAGES)(
        "in %s: how many, the TRN, the new due date, recorded with its results (reader 1)",
        async (language) => {
          const result = await call(line.app, [...login("2100000001", "135790", language), "0", "*"]);

          const [transaction, ...others] = await transactions(line.db);
          expect(others).toEqual([]);
          if (!transaction) throw new Error("no renewal transaction");
          expect(transaction).toMatchObject({
            patronId: await patronIdOf(line.db, "2100000001"),
            cardLastFour: "0001",
            channel: "phone",
            selection: "all",
            libraryDay: TODAY,
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
          expect(heard(result)).toContain(
            [
              prompt(language, "renewAll.all", { count: "3" }),
              prompt(language, "renewal.reference", { trn: spokenTrn(transaction.trn, language) }),
              prompt(language, "renewal.newDueDate", { date: dateIn(NEW_DUE, language) }),
            ].join(" "),
          );
          expect(await dueDatesOf(line, "2100000001")).toEqual({
            "34000000000001": NEW_DUE,
            "34000000000003": NEW_DUE,
            "34000000000004": NEW_DUE,
          });
          // The card prompt offers HKID digits only where they work: an ILS knows no HKID.
          const cardPrompt = prompt(language, kind === "embedded" ? "card.prompt" : "card.promptCardOnly");
          expect(heard(result)).toContain(cardPrompt);
          expect(renewRequests(line)).toBe(kind === "sip2" ? 3 : 0);
        },
      );

      it.each(LANGUAGES)(
        "in %s: renews part, and 1 says why and until when it is due (reader 3: RESERVED)",
        async (language) => {
          const result = await call(line.app, [...login("2100000003", "0303", language), "0", "1", "*"]);

          const [transaction] = await transactions(line.db);
          expect(transaction?.results).toEqual(READER_3_RENEW_ALL);
          expect(heard(result)).toContain(prompt(language, "renewAll.some", { renewed: "1", count: "2" }));
          expect(heardUnspaced(result)).toContain(
            unspaced(
              prompt(language, "refusals.item", {
                title: "三體",
                reason: prompt(language, "reason.RESERVED"),
                date: dateIn("2026-12-08", language),
              }),
            ),
          );
          expect(await dueDatesOf(line, "2100000003")).toEqual({
            "34000000000007": "2026-12-08",
            "34000000000010": NEW_DUE,
          });
        },
      );

      it("refuses an item at its renewal limit, and says so (reader 11: RENEWAL_LIMIT)", async () => {
        const result = await call(line.app, [...login("2100000011", "1111"), "0", "1", "*"]);

        const [transaction] = await transactions(line.db);
        expect(transaction?.results.map((r) => [r.outcome, r.primaryReason])).toEqual([
          ["refused", "RENEWAL_LIMIT"],
        ]);
        expect(heard(result)).toContain(en("renewAll.none"));
        expect(heard(result)).toContain(
          en("refusals.item", {
            title: "The Hobbit",
            reason: en("reason.RENEWAL_LIMIT"),
            date: "Wednesday 9 December",
          }),
        );
        expect(await dueDatesOf(line, "2100000011")).toEqual({ "34000000000023": "2026-12-09" });
      });
    });

    describe("renew one item (1)", () => {
      it("offers the first item due, renews it alone, then offers the next (reader 1)", async () => {
        const result = await call(line.app, [...login("2100000001", "135790"), "1", "1", "1", "*"]);

        const [transaction, ...others] = await transactions(line.db);
        expect(others).toEqual([]);
        expect(transaction).toMatchObject({ selection: "loan", cardLastFour: "0001" });
        expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.newDueOn])).toEqual([
          ["34000000000001", "renewed", NEW_DUE],
        ]);
        const offer = (title: string, date: string) =>
          `${en("itemOffer.item", { title, date })} ${en("itemOffer.options")}`;
        expect(heardUnspaced(result)).toContain(
          unspaced(
            [
              offer("A Brief History of Time", "Tuesday 8 December"),
              en("renewOne.renewed", { date: "Tuesday 15 December" }),
              en("renewal.reference", { trn: spokenTrn(transaction?.trn ?? "", "en") }),
            ].join(" "),
          ),
        );
        // 1 after renewing: another item, the next one due.
        expect(heardUnspaced(result)).toContain(unspaced(offer("紅樓夢", "Wednesday 9 December")));
        expect(await dueDatesOf(line, "2100000001")).toEqual({
          "34000000000001": NEW_DUE,
          "34000000000003": "2026-12-09",
          "34000000000004": "2026-12-11",
        });
        expect(renewRequests(line)).toBe(kind === "sip2" ? 1 : 0);
      });
    });

    describe("the account", () => {
      it.each(LANGUAGES)(
        "in %s: the summary counts the loans and the overdue ones (reader 2)",
        async (language) => {
          const result = await call(line.app, [...login("2100000002", "0202", language), "*"]);
          expect(heard(result)).toContain(
            prompt(language, "summary.loansOverdue", { count: "2", overdue: "1" }),
          );
        },
      );

      it("2 lists the loans with their due dates, overdue ones said so (reader 2)", async () => {
        const result = await call(line.app, [...login("2100000002", "0202"), "2", "*"]);
        expect(heardUnspaced(result)).toContain(
          unspaced(
            [
              en("loans.overdueItem", {
                title: "Sapiens: A Brief History of Humankind",
                date: "Wednesday 25 November",
              }),
              en("loans.item", { title: "傾城之戀", date: "Thursday 10 December" }),
            ].join(" "),
          ),
        );
      });

      it("3 says the outstanding total (reader 16: HK$129.99 on a returned item)", async () => {
        const result = await call(line.app, [...login("2100000016", "1616"), "3", "*"]);
        expect(heard(result)).toContain(en("charges.total", { amount: "129 dollars 99 cents" }));
        // The rule module knows which item the charge is for; an ILS's fine items are its own free
        // text, so with sip2 the line says the total alone (README, "Connecting to your library system").
        const item = en("charges.item", {
          title: "Harry Potter and the Philosopher's Stone",
          amount: "129 dollars 99 cents",
        });
        if (kind === "embedded") expect(heard(result)).toContain(item);
        else expect(heard(result)).not.toContain(item);
      });

      it("a suspended reader hears the block, and 0 renews nothing (reader 21)", async () => {
        const result = await call(line.app, [...login("2100000021", "2121"), "0", "*"]);

        expect(heard(result)).toContain(`${en("summary.oneLoan")} ${en("block.ACCOUNT_SUSPENDED")}`);
        const [transaction] = await transactions(line.db);
        expect(transaction?.accountBlocks).toEqual(["ACCOUNT_SUSPENDED"]);
        expect(transaction?.results.map((r) => [r.outcome, r.primaryReason])).toEqual([
          ["refused", "ACCOUNT_SUSPENDED"],
        ]);
        expect(await dueDatesOf(line, "2100000021")).toEqual({ "34000000000041": "2026-12-09" });
        // No Renew is sent for a reader the ILS denies renewals.
        expect(renewRequests(line)).toBe(0);
      });
    });

    describe("logging in", () => {
      it.each(LANGUAGES)(
        "in %s: a wrong PIN gets the usual answer; the third ends the call",
        async (language) => {
          const card = "2100000001#";
          const result = await call(line.app, [
            ...login("2100000001", "999999", language),
            card,
            "888888#",
            card,
            "777777#",
          ]);
          const text = heard(result);
          expect(text.split(prompt(language, "login.failed")).length - 1).toBe(3);
          expect(text).toContain(prompt(language, "login.tooManyFailures"));
          expect(await transactions(line.db)).toEqual([]);
        },
      );

      it("a reader without a PIN logs in with the registered phone's last four digits (reader 24)", async () => {
        const result = await call(line.app, [...login("2100000024", "8888"), "0", "*"]);
        expect(heard(result)).not.toContain(en("login.failed"));
        const [transaction] = await transactions(line.db);
        expect(transaction?.results.map((r) => r.outcome)).toEqual(["renewed"]);
      });

      it("an unknown card gets the same answer as a wrong PIN", async () => {
        const result = await call(line.app, [...login("2199999999", "1234"), "*"]);
        expect(heard(result)).toContain(en("login.failed"));
      });
    });

    it("reads the library where it lives: this database with embedded, none of it here with sip2", async () => {
      await call(line.app, [...login("2100000001", "135790"), "0", "*"]);
      for (const table of [loans, items, titles]) {
        const [row] = await line.db.select({ rows: count() }).from(table);
        if (kind === "sip2") expect(row?.rows).toBe(0);
        else expect(row?.rows).toBeGreaterThan(0);
      }
    });
  });
});
