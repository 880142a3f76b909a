import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "./database.js";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

let migrationCount: number | null = null;

/** How many migrations drizzle-kit has generated (drizzle/meta/_journal.json), read once. */
export function expectedMigrationCount(): number {
  if (migrationCount === null) {
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
      entries: unknown[];
    };
    migrationCount = journal.entries.length;
  }
  return migrationCount;
}

/** True when every migration in drizzle/ has been applied to this database. */
export async function isFullyMigrated(db: DbOrTx, expected = expectedMigrationCount()): Promise<boolean> {
  const exists = await db.execute(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!rowsOf<{ present: boolean }>(exists)[0]?.present) return false;
  const applied = await db.execute(sql`select count(*)::int as count from drizzle.__drizzle_migrations`);
  return (rowsOf<{ count: number }>(applied)[0]?.count ?? 0) >= expected;
}

/**
 * `execute` returns an array of rows on postgres.js and `{ rows }` on PGlite; this is the one
 * place that knows.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
