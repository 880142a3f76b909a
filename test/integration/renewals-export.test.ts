/**
 * Writing renewals back (library-system.md, "Writing renewals back (embedded)"): each renewal
 * result is exported exactly once across runs, a write that fails moves no cursor, --since looks
 * back without moving it, the card is the full number, and a renewal that commits while an export
 * runs is not skipped. PGlite always, PostgreSQL too with TEST_DATABASE_URL. The command itself:
 * renewals-export-cli.test.ts.
 */
import { parse } from "csv-parse/sync";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { patrons, renewalExportCursor, renewalResults } from "../../src/db/schema/index.js";
import { EXPORT_COLUMNS, formatExport } from "../../src/renewals/export-format.js";
import { type ExportedRenewal, exportRenewals } from "../../src/renewals/export-renewals.js";
import { renew } from "../../src/renewals/renew.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import { fixedClock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { FIXTURE_NOW, loadFixture, renewalFixture } from "../support/library-fixture.js";

const ZONE = "Asia/Hong_Kong";

function depsAt(db: Database, now = FIXTURE_NOW) {
  return { db, calendar: libraryCalendar(fixedClock(now), ZONE), policy: DEFAULT_POLICY };
}

async function readerId(db: Database, cardNumber: string): Promise<number> {
  const [row] = await db.select({ id: patrons.id }).from(patrons).where(eq(patrons.cardNumber, cardNumber));
  if (!row) throw new Error(`no reader ${cardNumber}`);
  return row.id;
}

async function renewAll(db: Database, cardNumber: string, requestKey: string, now = FIXTURE_NOW) {
  return renew(depsAt(db, now), {
    patronId: await readerId(db, cardNumber),
    selection: { kind: "all" },
    channel: "phone",
    requestKey,
  });
}

/** Runs an export and hands back what it wrote. */
async function exported(db: Database, since?: Date) {
  let written: ExportedRenewal[] = [];
  const result = await exportRenewals(db, {
    since,
    write: async (rows) => {
      written = rows;
    },
  });
  return { result, rows: written };
}

const resultIds = (rows: ExportedRenewal[]) => rows.map((r) => r.resultId);

async function allResultIds(db: Database): Promise<number[]> {
  const rows = await db.select({ id: renewalResults.id }).from(renewalResults).orderBy(renewalResults.id);
  return rows.map((r) => r.id);
}

async function cursorOf(db: Database): Promise<number | null> {
  const [row] = await db.select().from(renewalExportCursor);
  return row?.lastTransactionId ?? null;
}

describe.each(DRIVERS)("renewals:export on %s", (driver) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
  }, 60_000);
  afterAll(() => database.dispose());
  beforeEach(async () => {
    await resetData(database);
    await db.delete(renewalExportCursor);
  });

  it("gives each renewal exactly once across runs, in transaction and result order", async () => {
    await loadFixture(db, renewalFixture());
    const first = await renewAll(db, "2100000001", "export-1");
    const second = await renewAll(db, "2100000002", "export-2");

    const run1 = await exported(db);
    expect(resultIds(run1.rows)).toEqual(await allResultIds(db));
    expect(run1.rows.map((r) => r.trn)).toEqual([
      ...first.results.map(() => first.trn),
      ...second.results.map(() => second.trn),
    ]);
    expect(run1.result).toEqual({
      rows: first.results.length + second.results.length,
      transactions: 2,
      withoutCard: 0,
      cursor: { from: 0, to: second.id },
    });

    const third = await renew(depsAt(db, "2026-12-02T09:00:00+08:00"), {
      patronId: await readerId(db, "2100000002"),
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "export-3",
    });
    const run2 = await exported(db);
    expect(run2.rows.map((r) => r.trn)).toEqual(third.results.map(() => third.trn));
    expect(run2.result.cursor).toEqual({ from: second.id, to: third.id });

    const run3 = await exported(db);
    expect(run3.rows).toEqual([]);
    expect(run3.result.cursor).toEqual({ from: third.id, to: third.id });

    // Together: every result once.
    const all = [...run1.rows, ...run2.rows].map((r) => r.resultId);
    expect(all).toEqual(await allResultIds(db));
  });

  it("carries the full card, the dates, the result and its reason, the time with its offset and the charge", async () => {
    await loadFixture(db, renewalFixture());
    const outcome = await renewAll(db, "2100000001", "export-fields");
    const { rows } = await exported(db);
    const byBarcode = new Map(rows.map((r) => [r.barcode, r]));

    expect(byBarcode.get("34000000000002")).toMatchObject({
      trn: outcome.trn,
      cardNumber: "2100000001",
      title: "Overdue",
      outcome: "renewed",
      oldDueOn: "2026-11-25",
      newDueOn: "2026-12-15",
      reason: null,
      channel: "phone",
      chargeCents: 900,
    });
    expect(byBarcode.get("34000000000005")).toMatchObject({
      outcome: "refused",
      newDueOn: null,
      reason: "RESERVED",
      chargeCents: 0,
    });
    const csv = parse(formatExport(rows, "csv", ZONE), { columns: true }) as Record<string, string>[];
    expect(csv.find((r) => r.barcode === "34000000000002")).toEqual({
      trn: outcome.trn,
      card: "2100000001",
      barcode: "34000000000002",
      title: "Overdue",
      oldDueOn: "2026-11-25",
      newDueOn: "2026-12-15",
      result: "renewed",
      reason: "",
      renewedAt: "2026-12-01T10:00:00+08:00",
      channel: "phone",
      charge: "9.00",
    });
  });

  it("writes RFC 4180 CSV: a header, CRLF, a title with a comma, quotes or a line break quoted", async () => {
    const file = renewalFixture();
    file.titles = file.titles.map((t) =>
      t.id === "T1"
        ? { ...t, title: 'Clean, "Unabridged"' }
        : t.id === "T6"
          ? { ...t, title: "Two\nlines" }
          : t,
    );
    await loadFixture(db, file);
    await renewAll(db, "2100000001", "export-csv-1");
    await renewAll(db, "2100000002", "export-csv-2");
    const { rows } = await exported(db);
    const text = formatExport(rows, "csv", ZONE);

    expect(text.startsWith(`${EXPORT_COLUMNS.join(",")}\r\n`)).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text).toContain(',"Clean, ""Unabridged""",');
    expect(text).toContain(',"Two\nlines",');
    const parsed = parse(text, { columns: true, record_delimiter: "\r\n" }) as Record<string, string>[];
    expect(parsed.map((r) => r.title)).toEqual(rows.map((r) => r.title));
    expect(parsed.map((r) => r.title)).toContain('Clean, "Unabridged"');

    const json = JSON.parse(formatExport(rows, "json", ZONE)) as Record<string, unknown>[];
    expect(json).toHaveLength(rows.length);
    expect(Object.keys(json[0] ?? {})).toEqual([...EXPORT_COLUMNS]);
    expect(json.map((r) => r.title)).toEqual(parsed.map((r) => r.title));
    expect(formatExport([], "json", ZONE)).toBe("[]\n");
    expect(formatExport([], "csv", ZONE)).toBe(`${EXPORT_COLUMNS.join(",")}\r\n`);
  });

  it("a write that fails exports nothing and moves no cursor", async () => {
    await loadFixture(db, renewalFixture());
    await renewAll(db, "2100000001", "export-fail");
    const before = await exported(db);
    await renewAll(db, "2100000002", "export-fail-2");
    const cursor = await cursorOf(db);

    await expect(
      exportRenewals(db, {
        write: async () => {
          throw new Error("disk full");
        },
      }),
    ).rejects.toThrow("disk full");
    expect(await cursorOf(db)).toBe(cursor);

    const after = await exported(db);
    expect(after.rows.length).toBeGreaterThan(0);
    expect([...before.rows, ...after.rows].map((r) => r.resultId)).toEqual(await allResultIds(db));
  });

  it("--since exports the transactions created after it and leaves the cursor where it was", async () => {
    await loadFixture(db, renewalFixture());
    await renewAll(db, "2100000001", "since-1", "2026-12-01T10:00:00+08:00");
    const later = await renewAll(db, "2100000002", "since-2", "2026-12-01T15:00:00+08:00");
    await exported(db);
    const cursor = await cursorOf(db);

    const { rows, result } = await exported(db, new Date("2026-12-01T12:00:00+08:00"));
    expect(new Set(rows.map((r) => r.trn))).toEqual(new Set([later.trn]));
    expect(result.cursor).toEqual({ from: cursor, to: cursor });
    expect(await cursorOf(db)).toBe(cursor);
    expect((await exported(db)).rows).toEqual([]);
  });

  it("finds the full card after --replace gave the reader a new id; leaves it empty for a reader gone", async () => {
    const file = renewalFixture();
    await loadFixture(db, file);
    await renewAll(db, "2100000001", "replace-1");
    await renewAll(db, "2100000002", "replace-2");
    // Reader 2 and their loans are gone from the new file; reader 1 comes back with a new id.
    await loadFixture(
      db,
      {
        ...file,
        patrons: file.patrons.filter((p) => p.cardNumber === "2100000001"),
        loans: file.loans.filter((l) => l.cardNumber === "2100000001"),
        items: file.items.filter((i) => !["34000000000006", "34000000000007"].includes(i.barcode)),
        reservations: [],
      },
      true,
    );
    const { rows, result } = await exported(db);
    const cards = new Set(rows.map((r) => r.cardNumber));
    expect(cards).toEqual(new Set(["2100000001", null]));
    expect(rows.filter((r) => r.cardNumber === null).map((r) => r.barcode)).toEqual([
      "34000000000006",
      "34000000000007",
    ]);
    expect(result.withoutCard).toBe(2);
  });

  it.runIf(driver === "postgres")(
    "does not skip a renewal that drew a lower id and commits while the export runs",
    async () => {
      await loadFixture(db, renewalFixture());
      const url = database.url;
      if (!url) throw new Error("no PostgreSQL URL");
      const other = postgres(url, { max: 1, onnotice: () => {} });
      try {
        const reader1 = await readerId(db, "2100000001");
        let releaseSlow!: () => void;
        const slowMayCommit = new Promise<void>((resolve) => {
          releaseSlow = resolve;
        });
        let slowInserted!: () => void;
        const slowHasId = new Promise<void>((resolve) => {
          slowInserted = resolve;
        });
        // A renewal that draws its id first and commits last.
        const slow = other.begin(async (tx) => {
          const [row] = await tx<{ id: number }[]>`
            insert into renewal_transactions (trn, patron_id, card_last_four, channel, request_key, selection, created_at, library_day)
            values ('1234567890', ${reader1}, '0001', 'phone', 'slow', 'all', now(), '2026-12-01') returning id`;
          await tx`
            insert into renewal_results (transaction_id, loan_id, barcode, title, outcome, old_due_on, new_due_on)
            values (${row?.id ?? 0}, 0, '34000000000001', 'Clean', 'renewed', '2026-12-08', '2026-12-15')`;
          slowInserted();
          await slowMayCommit;
          return row?.id ?? 0;
        });
        await slowHasId;
        const fast = await renewAll(db, "2100000002", "fast");

        let settled = false;
        const running = exported(db).then((r) => {
          settled = true;
          return r;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        // The export waits for the renewal in flight rather than pass its id.
        expect(settled).toBe(false);
        releaseSlow();
        const slowId = await slow;
        expect(slowId).toBeLessThan(fast.id);

        const { rows, result } = await running;
        expect(new Set(rows.map((r) => r.transactionId))).toEqual(new Set([slowId, fast.id]));
        expect(result.cursor.to).toBe(fast.id);
      } finally {
        await other.end();
      }
    },
  );

  it("two exports at once write each renewal once between them", async () => {
    await loadFixture(db, renewalFixture());
    await renewAll(db, "2100000001", "twice-1");
    await renewAll(db, "2100000002", "twice-2");
    const [a, b] = await Promise.all([exported(db), exported(db)]);
    expect([...a.rows, ...b.rows].map((r) => r.resultId).sort((x, y) => x - y)).toEqual(
      await allResultIds(db),
    );
  });

  it("the cursor table holds one row", async () => {
    await exported(db);
    await expect(
      db.execute(
        sql`insert into renewal_export_cursor (id, last_transaction_id, exported_at) values (2, 0, now())`,
      ),
    ).rejects.toThrow();
  });
});
