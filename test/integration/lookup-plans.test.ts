/**
 * The lookups of every login and renewal are served by indexes (issue #9), so that their cost
 * does not grow with the library. Checked on PostgreSQL's own plan of the very statement the
 * line sends, with sequential scans priced out: a statement that cannot use an index (an OR
 * across the join to items did not; nor did an IN (subquery) as a join condition) still shows a
 * Seq Scan, or walks a whole index with a Filter instead of an Index Cond.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import * as schema from "../../src/db/schema/index.js";
import { loadAccount } from "../../src/renewals/account-snapshot.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import { findRecognisedReader } from "../../src/voice/caller-recognition.js";
import { precheckPin } from "../../src/voice/pin-precheck.js";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";
import { VOICE_FLOW } from "../support/voice-app.js";

const reader = (cardNumber: string) => ({
  cardNumber,
  name: `Reader ${cardNumber.slice(-2)}`,
  phone: "91234567",
  pin: "1111",
  category: "adult",
  status: "active",
  expiresOn: "2030-06-30",
});

const LIBRARY = {
  patrons: [reader("2100000001"), reader("2100000002")],
  titles: [
    { id: "T1", title: "Title One" },
    { id: "T2", title: "Title Two" },
  ],
  items: [
    { barcode: "34000000000001", titleId: "T1", status: "on_loan" },
    { barcode: "34000000000002", titleId: "T1", status: "on_shelf" },
    { barcode: "34000000000003", titleId: "T2", status: "on_shelf" },
  ],
  loans: [
    {
      barcode: "34000000000001",
      cardNumber: "2100000001",
      borrowedOn: "2026-11-20",
      dueOn: "2026-12-04",
      renewals: 0,
    },
  ],
  reservations: [
    { titleId: "T1", cardNumber: "2100000002", placedOn: "2026-11-25" },
    { barcode: "34000000000002", cardNumber: "2100000002", placedOn: "2026-11-26" },
    { titleId: "T2", cardNumber: "2100000002", placedOn: "2026-11-26" },
  ],
};

describe.runIf(TEST_DATABASE_URL)("the plans of the lookups, on PostgreSQL", () => {
  let database: TestDatabase;
  let client: postgres.Sql;
  const statements: { query: string; params: unknown[] }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    await loadFixture(database.db, LIBRARY);
    client = postgres(database.url as string, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await client?.end();
    await database?.dispose();
  });

  /** PostgreSQL's plan of a statement the line sent, with its parameters. */
  async function planOf(statement: { query: string; params: unknown[] } | undefined): Promise<string> {
    expect(statement).toBeDefined();
    return client.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      const rows = await tx.unsafe(`explain ${statement?.query}`, statement?.params as never[]);
      return rows.map((row) => String(row["QUERY PLAN"])).join("\n");
    });
  }

  function loggingDrizzle() {
    statements.length = 0;
    return drizzle({
      client,
      schema,
      logger: { logQuery: (query, params) => statements.push({ query, params }) },
    }) as unknown as Database;
  }

  it("reads the candidates' PIN hashes for a PIN check by primary key", async () => {
    await precheckPin(
      loggingDrizzle(),
      VOICE_FLOW.flow,
      "CA00000000000000000000000000000000",
      () => "1111",
      verifyPin,
    );
    const plan = await planOf(statements.find((s) => /from "calls"/.test(s.query)));
    expect(plan).toMatch(/Index Scan using patrons_pkey on patrons[^\n]*\n\s+Index Cond: \(id = ANY /);
    expect(plan).not.toMatch(/Seq Scan on patrons/);
  });

  it("finds the reader a caller's number names by the phone index, not by reading every reader", async () => {
    // Both fixture readers share the phone: the shortcut is not offered, but the plan is the same.
    expect(await findRecognisedReader(loggingDrizzle(), "+85291234567")).toBeNull();
    const plan = await planOf(statements.find((s) => /from "patrons"/.test(s.query)));
    // A (bitmap) index scan of the partial index, the phone's forms as its condition.
    expect(plan).toMatch(
      /Index Scan (using|on) patrons_phone_with_pin_idx[^\n]*\n\s+Index Cond: \(phone = ANY /,
    );
    expect(plan).not.toMatch(/Seq Scan on patrons/);
  });

  it("uses the reservation indexes, title-level and copy-level, and no sequential scan", async () => {
    const logged = loggingDrizzle();
    const account = await loadAccount(logged, 1, { kind: "all" }, "2026-12-01", {
      lock: false,
    });
    // Both reservations of title T1 are found: the title-level one and the one on a copy.
    expect(account?.snapshot.titles.find((t) => t.titleId === "T1")?.reservations).toHaveLength(2);

    const plan = await planOf(statements.find((s) => /from "reservations"/.test(s.query)));
    // Each scan of reservations looks up the titles or copies in question by its index (an
    // index walked whole, with a Filter instead of an Index Cond, would be a scan in disguise).
    expect(plan).toMatch(
      /Index Scan using reservations_title_id_idx on reservations[^\n]*\n\s+Index Cond: \(title_id = /,
    );
    expect(plan).toMatch(
      /Index Scan using reservations_item_id_idx on reservations[^\n]*\n\s+Index Cond: \(item_id = /,
    );
    expect(plan).not.toMatch(/Seq Scan on reservations/);
  });
});
