/**
 * The renewal service on a real database: PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 * Concurrency is proven on PostgreSQL, where requests really run side by side.
 */
import { asc, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import {
  charges,
  items,
  loans,
  patrons,
  renewalResults,
  renewalTransactions,
} from "../../src/db/schema/index.js";
import { RenewalRequestError } from "../../src/renewals/errors.js";
import { type RenewalServiceDeps, renew } from "../../src/renewals/renew.js";
import { findTransactionByTrn } from "../../src/renewals/renewal-records.js";
import { isValidTrn } from "../../src/renewals/trn.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import { fixedClock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { FIXTURE_NOW, loadFixture, renewalFixture } from "../support/library-fixture.js";

async function patronId(db: Database, cardNumber: string): Promise<number> {
  const [row] = await db.select({ id: patrons.id }).from(patrons).where(eq(patrons.cardNumber, cardNumber));
  if (!row) throw new Error(`no patron ${cardNumber}`);
  return row.id;
}

async function loanOf(db: Database, barcode: string) {
  const [row] = await db
    .select({ id: loans.id, dueOn: loans.dueOn, renewals: loans.renewals })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .where(eq(items.barcode, barcode));
  if (!row) throw new Error(`no loan of ${barcode}`);
  return row;
}

async function loansByBarcode(db: Database) {
  const rows = await db
    .select({ barcode: items.barcode, dueOn: loans.dueOn, renewals: loans.renewals })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .orderBy(asc(items.barcode));
  return Object.fromEntries(rows.map((r) => [r.barcode, { dueOn: r.dueOn, renewals: r.renewals }]));
}

async function countRows(
  db: Database,
  table: typeof renewalTransactions | typeof renewalResults | typeof charges,
) {
  const [row] = await db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

describe.each(DRIVERS)("renewal service on %s", (driver) => {
  let database: TestDatabase;
  let deps: RenewalServiceDeps;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    deps = {
      db: database.db,
      calendar: libraryCalendar(fixedClock(FIXTURE_NOW), "Asia/Hong_Kong"),
      policy: DEFAULT_POLICY,
    };
  });
  afterAll(async () => {
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
    await loadFixture(database.db, renewalFixture());
  });

  it("renews every renewable loan under one TRN, records each result and the accrued charge", async () => {
    const reader = await patronId(database.db, "2100000001");
    const outcome = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "k1",
    });

    expect(isValidTrn(outcome.trn)).toBe(true);
    expect(outcome.replayed).toBe(false);
    expect(outcome.cardLastFour).toBe("0001");
    expect(outcome.libraryDay).toBe("2026-12-01");
    expect(outcome.accountBlocks).toEqual([]);
    expect(outcome.results.map((r) => [r.barcode, r.outcome, r.newDueOn, r.primaryReason])).toEqual([
      ["34000000000002", "renewed", "2026-12-15", null],
      ["34000000000003", "renewed", "2026-12-15", null],
      ["34000000000004", "renewed", "2026-12-15", null],
      ["34000000000005", "refused", null, "RESERVED"],
      ["34000000000001", "renewed", "2026-12-15", null],
    ]);
    expect(outcome.results.find((r) => r.barcode === "34000000000002")?.chargeRecordedCents).toBe(900);

    const after = await loansByBarcode(database.db);
    expect(after["34000000000001"]).toEqual({ dueOn: "2026-12-15", renewals: 1 });
    expect(after["34000000000002"]).toEqual({ dueOn: "2026-12-15", renewals: 1 });
    expect(after["34000000000005"]).toEqual({ dueOn: "2026-12-04", renewals: 0 });
    // The other reader's loans are untouched.
    expect(after["34000000000006"]).toEqual({ dueOn: "2026-12-04", renewals: 0 });

    const recorded = await database.db.select().from(charges);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      patronId: reader,
      amountCents: 900,
      kind: "overdue",
      renewalTransactionId: outcome.id,
    });

    const stored = await findTransactionByTrn(database.db, outcome.trn);
    expect(stored?.results).toEqual(outcome.results);
    expect(stored?.channel).toBe("phone");
  });

  it("gives the same result for the same request key and renews nothing the second time", async () => {
    const reader = await patronId(database.db, "2100000001");
    const first = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "call-1:step-7",
    });
    const loansAfterFirst = await loansByBarcode(database.db);
    const second = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "call-1:step-7",
    });

    expect(second.replayed).toBe(true);
    expect(second.trn).toBe(first.trn);
    expect(second.results).toEqual(first.results);
    expect(await loansByBarcode(database.db)).toEqual(loansAfterFirst);
    expect(await countRows(database.db, renewalTransactions)).toBe(1);
    expect(await countRows(database.db, charges)).toBe(1);
  });

  it("refuses a second renewal on the same day with NO_EXTENSION, under a TRN of its own", async () => {
    const reader = await patronId(database.db, "2100000001");
    const first = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "a",
    });
    const second = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "b",
    });

    expect(second.trn).not.toBe(first.trn);
    expect(second.results.filter((r) => r.outcome === "renewed")).toEqual([]);
    const reasons = Object.fromEntries(second.results.map((r) => [r.barcode, r.primaryReason]));
    expect(reasons["34000000000001"]).toBe("NO_EXTENSION");
    expect(reasons["34000000000005"]).toBe("RESERVED");
    expect((await loanOf(database.db, "34000000000001")).renewals).toBe(1);
  });

  it("renews one item of a set together with the rest of the set", async () => {
    const reader = await patronId(database.db, "2100000001");
    const cdRom = await loanOf(database.db, "34000000000004");
    const outcome = await renew(deps, {
      patronId: reader,
      selection: { kind: "loan", loanId: cdRom.id },
      channel: "phone",
      requestKey: "one",
    });

    expect(outcome.selection).toBe("loan");
    expect(outcome.results.map((r) => [r.barcode, r.outcome])).toEqual([
      ["34000000000003", "renewed"],
      ["34000000000004", "renewed"],
    ]);
    expect((await loanOf(database.db, "34000000000001")).dueOn).toBe("2026-12-08");
  });

  it("renews nothing when the account is blocked, and records why", async () => {
    await loadFixture(database.db, renewalFixture({ patron1: { status: "suspended" } }));
    const reader = await patronId(database.db, "2100000001");
    const before = await loansByBarcode(database.db);
    const outcome = await renew(deps, {
      patronId: reader,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "blocked",
    });

    expect(outcome.accountBlocks).toEqual(["ACCOUNT_SUSPENDED"]);
    expect(outcome.results).toHaveLength(5);
    expect(
      outcome.results.every((r) => r.outcome === "refused" && r.primaryReason === "ACCOUNT_SUSPENDED"),
    ).toBe(true);
    expect(await loansByBarcode(database.db)).toEqual(before);
    expect(isValidTrn(outcome.trn)).toBe(true);
    expect((await findTransactionByTrn(database.db, outcome.trn))?.accountBlocks).toEqual([
      "ACCOUNT_SUSPENDED",
    ]);
  });

  it("refuses another reader's loan with NOT_ON_LOAN", async () => {
    const reader = await patronId(database.db, "2100000001");
    const theirs = await loanOf(database.db, "34000000000007");
    const outcome = await renew(deps, {
      patronId: reader,
      selection: { kind: "loan", loanId: theirs.id },
      channel: "phone",
      requestKey: "x",
    });

    expect(outcome.results).toEqual([
      expect.objectContaining({ outcome: "refused", reasons: ["NOT_ON_LOAN"], primaryReason: "NOT_ON_LOAN" }),
    ]);
    expect((await loanOf(database.db, "34000000000007")).renewals).toBe(0);
  });

  it("names an unknown account or loan as an error and writes nothing", async () => {
    const reader = await patronId(database.db, "2100000001");
    await expect(
      renew(deps, { patronId: 9999, selection: { kind: "all" }, channel: "phone", requestKey: "u1" }),
    ).rejects.toMatchObject({
      code: "UNKNOWN_ACCOUNT",
    });
    await expect(
      renew(deps, {
        patronId: reader,
        selection: { kind: "loan", loanId: 9999 },
        channel: "phone",
        requestKey: "u2",
      }),
    ).rejects.toBeInstanceOf(RenewalRequestError);
    expect(await countRows(database.db, renewalTransactions)).toBe(0);
  });

  it("refuses a request key already used for another account", async () => {
    const one = await patronId(database.db, "2100000001");
    const two = await patronId(database.db, "2100000002");
    await renew(deps, { patronId: one, selection: { kind: "all" }, channel: "phone", requestKey: "shared" });
    await expect(
      renew(deps, { patronId: two, selection: { kind: "all" }, channel: "phone", requestKey: "shared" }),
    ).rejects.toMatchObject({
      code: "REQUEST_KEY_REUSED",
    });
    expect((await loanOf(database.db, "34000000000007")).renewals).toBe(0);
  });

  it("leaves every member of a set unchanged and issues no TRN when the database fails after the first member is written", async () => {
    const reader = await patronId(database.db, "2100000001");
    const main = await loanOf(database.db, "34000000000003");
    const cdRom = await loanOf(database.db, "34000000000004");
    // A real failure inside PostgreSQL: the update of the set's second member raises.
    await database.db.execute(
      sql.raw(`create or replace function fail_on_second_member() returns trigger language plpgsql as $$
        begin
          if new.id = ${cdRom.id} then raise exception 'injected failure'; end if;
          return new;
        end $$`),
    );
    await database.db.execute(
      sql.raw(
        `create trigger fail_on_second_member before update on loans for each row execute function fail_on_second_member()`,
      ),
    );
    try {
      const before = await loansByBarcode(database.db);
      await expect(
        renew(deps, {
          patronId: reader,
          selection: { kind: "loan", loanId: main.id },
          channel: "phone",
          requestKey: "boom",
        }),
      ).rejects.toThrow();

      expect(await loansByBarcode(database.db)).toEqual(before);
      expect(await countRows(database.db, renewalTransactions)).toBe(0);
      expect(await countRows(database.db, renewalResults)).toBe(0);
    } finally {
      await database.db.execute(sql.raw("drop trigger if exists fail_on_second_member on loans"));
    }
  });

  it("lets 20 concurrent renew-all requests renew each loan once; the rest get NO_EXTENSION", async () => {
    const reader = await patronId(database.db, "2100000001");
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        renew(deps, {
          patronId: reader,
          selection: { kind: "all" },
          channel: "phone",
          requestKey: `race-${i}`,
        }),
      ),
    );

    const renewedByBarcode = new Map<string, number>();
    for (const outcome of outcomes) {
      for (const result of outcome.results) {
        if (result.outcome === "renewed")
          renewedByBarcode.set(result.barcode, (renewedByBarcode.get(result.barcode) ?? 0) + 1);
        // Refused: the reserved item, or one already renewed today (set members add SET_MEMBER_REFUSED).
        else
          expect(result.reasons.filter((r) => r !== "SET_MEMBER_REFUSED")).toEqual([
            result.barcode === "34000000000005" ? "RESERVED" : "NO_EXTENSION",
          ]);
      }
    }
    expect(Object.fromEntries(renewedByBarcode)).toEqual({
      "34000000000001": 1,
      "34000000000002": 1,
      "34000000000003": 1,
      "34000000000004": 1,
    });
    expect(new Set(outcomes.map((o) => o.trn)).size).toBe(20);
    expect(await countRows(database.db, renewalTransactions)).toBe(20);
    const after = await loansByBarcode(database.db);
    expect(after["34000000000001"]).toEqual({ dueOn: "2026-12-15", renewals: 1 });
    // The accrued charge was recorded once, by the one request that renewed the overdue item.
    expect(await countRows(database.db, charges)).toBe(1);
  });

  it("answers 20 concurrent requests with one request key with one transaction", async () => {
    const reader = await patronId(database.db, "2100000001");
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        renew(deps, {
          patronId: reader,
          selection: { kind: "all" },
          channel: "phone",
          requestKey: "same-key",
        }),
      ),
    );

    expect(new Set(outcomes.map((o) => o.trn)).size).toBe(1);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(await countRows(database.db, renewalTransactions)).toBe(1);
    expect((await loanOf(database.db, "34000000000001")).renewals).toBe(1);
  });
});
