/**
 * The embedded database: PGlite on disk, in this process. database.ts imports this module only
 * for a PGlite target, so a line on PostgreSQL never loads PGlite or its drizzle driver (issue #9:
 * a few MB of code, more with source maps).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { Database, DatabaseHandle, QueryLogging } from "./database.js";
import { MIGRATIONS_FOLDER } from "./migrations.js";
import { transactionGate } from "./transaction-gate.js";

export async function openPglite(dataDir: string | null, logging: QueryLogging): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => {};
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = drizzle({ client, ...logging });
  return {
    db: db as unknown as Database,
    consoleDb: db as unknown as Database,
    healthDb: db as unknown as Database,
    // PGlite runs one statement at a time: more permits would only queue inside it.
    lineGate: transactionGate(1),
    kind: "pglite",
    // PGlite is one connection in this process: nothing else can migrate at the same time.
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: async () => {
      await client.close();
      releaseLock();
    },
  };
}

/**
 * PGlite has one process per data folder and no lock of its own: a second process opening it
 * (`npm run db:load` while `npm start` runs) can corrupt it. A pid file next to it says who has it.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = `${dataDir.replace(/\/+$/, "")}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lockFile, "utf8"));
      if (holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded database in ${dataDir} is in use by process ${holder} (is npm start running? stop it first)`,
        );
      }
      // Left behind by a process that is gone, or by this one: take it over.
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`cannot lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
