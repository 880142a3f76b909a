/**
 * One shared suite, two drivers (drizzle's own integration tests do the same): every database
 * suite runs on PGlite, and on PostgreSQL too when TEST_DATABASE_URL is set. Each test file gets
 * a database of its own (PostgreSQL: a fresh database, dropped afterwards), shared by its tests;
 * tests reset the data rather than start a new database.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.js";
import { noteQuery } from "../../src/db/query-count.js";

export type DriverKind = "pglite" | "postgres";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;

/** The drivers to run database suites on. */
export const DRIVERS: DriverKind[] = TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestDatabase extends DatabaseHandle {
  /** Drops the database (PostgreSQL) or closes it (PGlite). */
  dispose(): Promise<void>;
  /** The connection string of this test's own PostgreSQL database; null on PGlite. */
  url: string | null;
}

export async function createTestDatabase(
  kind: DriverKind,
  options: { migrate?: boolean; onQuery?: (query: string) => void } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  // As the line does (main.ts): each webhook's statements are counted for its metrics.
  const onQuery = (query: string) => {
    noteQuery();
    options.onQuery?.(query);
  };
  const openOptions = { onQuery };
  if (kind === "pglite") {
    const handle = await openDatabase({ kind: "pglite", dataDir: null }, openOptions);
    if (migrate) await handle.migrate();
    return { ...handle, url: null, dispose: () => handle.close() };
  }
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is not set");
  const name = `renewline_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString() }, openOptions);
  if (migrate) await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Empties every application table and restarts ids, so each test starts from nothing. */
export async function resetData(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(
    sql.raw(
      `truncate table operator_api_tokens, operator_sessions, operators, operator_login_failures, call_events, call_responses, calls, renewal_export_cursor, renewal_results, renewal_transactions, charges, reservations, loans, items, titles, patrons, closed_days restart identity cascade`,
    ),
  );
}

export const TEST_IDENTITY_HASH_KEY = "test-identity-hash-key-0123456789abcdef";
