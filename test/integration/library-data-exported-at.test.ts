/**
 * A snapshot taken before phone renewals (library-data.md, "Snapshots taken before phone
 * renewals"): with exportedAt before a renewal, a reload keeps the line's due date, count and
 * recorded charge, and nothing is charged twice; with exportedAt after it, or none, the file
 * wins, and without it the load counts the loans it reset. The JSON document and JSON Lines,
 * with and without --replace; PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { charges, items, loans, patrons } from "../../src/db/schema/index.js";
import { validateLibraryData } from "../../src/library-data/import-schema.js";
import {
  type LoadOutcome,
  loadLibraryData,
  loadLibraryLines,
} from "../../src/library-data/load-library-data.js";
import { renew } from "../../src/renewals/renew.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import { fixedClock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import {
  createTestDatabase,
  DRIVERS,
  resetData,
  TEST_IDENTITY_HASH_KEY,
  type TestDatabase,
} from "../support/database.js";
import { FIXTURE_NOW, renewalFixture } from "../support/library-fixture.js";

type Form = "document" | "lines";
type File = ReturnType<typeof renewalFixture> & { exportedAt?: string };

const SECTIONS = [
  ["closedDays", "closedDay"],
  ["patrons", "patron"],
  ["titles", "title"],
  ["items", "item"],
  ["loans", "loan"],
  ["reservations", "reservation"],
  ["charges", "charge"],
] as const;

async function loadAs(db: Database, form: Form, file: File, replace = false): Promise<LoadOutcome> {
  const options = { replace, identityHashKey: TEST_IDENTITY_HASH_KEY };
  if (form === "document") {
    const checked = validateLibraryData(file);
    if (!checked.ok) throw new Error(checked.problems.join("\n"));
    return loadLibraryData(db, checked.data, options);
  }
  const lines = [
    ...(file.exportedAt ? [JSON.stringify({ exportedAt: file.exportedAt })] : []),
    ...SECTIONS.flatMap(([section, kind]) =>
      (file[section] as unknown[]).map((row) => JSON.stringify({ [kind]: row })),
    ),
  ];
  const result = await loadLibraryLines(
    db,
    (async function* () {
      yield* lines;
    })(),
    options,
  );
  if (!result.ok) throw new Error(result.problems.join("\n"));
  const { ok: _, ...outcome } = result;
  return outcome;
}

async function renewAll(db: Database, requestKey: string, now = FIXTURE_NOW) {
  const [reader] = await db
    .select({ id: patrons.id })
    .from(patrons)
    .where(eq(patrons.cardNumber, "2100000001"));
  return renew(
    { db, calendar: libraryCalendar(fixedClock(now), "Asia/Hong_Kong"), policy: DEFAULT_POLICY },
    { patronId: reader?.id ?? 0, selection: { kind: "all" }, channel: "phone", requestKey },
  );
}

/** Open loans by barcode: due date and count. */
async function loanState(db: Database) {
  const rows = await db
    .select({ barcode: items.barcode, dueOn: loans.dueOn, renewals: loans.renewals })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .orderBy(asc(items.barcode));
  return rows;
}

async function chargeState(db: Database) {
  return db
    .select({
      barcode: items.barcode,
      amountCents: charges.amountCents,
      renewalTransactionId: charges.renewalTransactionId,
    })
    .from(charges)
    .leftJoin(items, eq(items.id, charges.itemId))
    .orderBy(asc(charges.id));
}

// The renewal runs at 10:00 on 1 December (FIXTURE_NOW).
const BEFORE_RENEWAL = "2026-12-01T08:00:00+08:00";
const AFTER_RENEWAL = "2026-12-01T12:00:00+08:00";
const RENEWED = ["34000000000001", "34000000000002", "34000000000003", "34000000000004"];

describe.each(DRIVERS)("exportedAt on %s", (driver) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
  }, 60_000);
  afterAll(() => database.dispose());
  beforeEach(() => resetData(database));

  describe.each(["document", "lines"] as const)("the %s form", (form) => {
    for (const replace of [false, true]) {
      it(`before a phone renewal keeps it and charges nothing twice${replace ? " (--replace)" : ""}`, async () => {
        const file = renewalFixture();
        await loadAs(db, form, file);
        const first = await renewAll(db, "kept-1");
        expect(
          first.results
            .filter((r) => r.outcome === "renewed")
            .map((r) => r.barcode)
            .sort(),
        ).toEqual(RENEWED);
        const renewedLoans = await loanState(db);
        const recorded = await chargeState(db);
        // 34...02 was 6 days overdue: HK$9.00 recorded by the renewal.
        expect(recorded).toEqual([
          { barcode: "34000000000002", amountCents: 900, renewalTransactionId: first.id },
        ]);

        const outcome = await loadAs(db, form, { ...file, exportedAt: BEFORE_RENEWAL }, replace);

        expect(outcome.phoneRenewals).toEqual({ kept: 4, reset: 0 });
        expect(await loanState(db)).toEqual(renewedLoans);
        expect(await chargeState(db)).toEqual(recorded);
        // Asking again the same day renews nothing and records no second charge for 34...02.
        const again = await renewAll(db, "kept-2");
        expect(again.results.filter((r) => r.outcome === "renewed")).toEqual([]);
        expect(await chargeState(db)).toEqual(recorded);
        // The file's other loans still follow the file.
        expect((await loanState(db)).find((l) => l.barcode === "34000000000005")).toEqual({
          barcode: "34000000000005",
          dueOn: "2026-12-04",
          renewals: 0,
        });
      });
    }

    it("after the phone renewal lets the file win", async () => {
      const file = renewalFixture();
      await loadAs(db, form, file);
      await renewAll(db, "after-1");
      const before = await loanState(db);

      // The library's system took the renewal in (renewals:export) and exported after it.
      const taken = {
        ...file,
        exportedAt: AFTER_RENEWAL,
        loans: file.loans.map((l) =>
          l.barcode === "34000000000001" ? { ...l, dueOn: "2026-12-20", renewals: 1 } : l,
        ),
      };
      const outcome = await loadAs(db, form, taken);

      expect(outcome.phoneRenewals).toEqual({ kept: 0, reset: 0 });
      const after = await loanState(db);
      expect(after.find((l) => l.barcode === "34000000000001")).toEqual({
        barcode: "34000000000001",
        dueOn: "2026-12-20",
        renewals: 1,
      });
      // The file's older values for the others: exportedAt says it knew of the renewal.
      expect(after.find((l) => l.barcode === "34000000000002")).toEqual({
        barcode: "34000000000002",
        dueOn: "2026-11-25",
        renewals: 0,
      });
      expect(after).not.toEqual(before);
    });

    it("without exportedAt lets the file win and counts the loans it reset", async () => {
      const file = renewalFixture();
      await loadAs(db, form, file);
      await renewAll(db, "none-1");

      // 34...01 came back from the library's system with the renewal applied: not reset.
      const outcome = await loadAs(db, form, {
        ...file,
        loans: file.loans.map((l) =>
          l.barcode === "34000000000001" ? { ...l, dueOn: "2026-12-15", renewals: 1 } : l,
        ),
      });

      expect(outcome.exportedAt).toBeNull();
      expect(outcome.phoneRenewals).toEqual({ kept: 0, reset: 3 });
      expect((await loanState(db)).find((l) => l.barcode === "34000000000002")).toEqual({
        barcode: "34000000000002",
        dueOn: "2026-11-25",
        renewals: 0,
      });
      // The older file again: only 34...01 is still ahead of it.
      expect((await loadAs(db, form, file)).phoneRenewals).toEqual({ kept: 0, reset: 1 });
    });
  });
});
