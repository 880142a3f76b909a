/**
 * The one database module: PGlite on disk (the embedded default) or PostgreSQL through
 * postgres.js. Both are PostgreSQL, so the rest of the code sees one drizzle `Database` and
 * cannot tell which it has.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_FOLDER } from "./migrations.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repository functions take either, so a use case can wrap several in one transaction. */
export type DbOrTx = Database | Transaction;

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string | null };

/** DATABASE_URL means PostgreSQL; without it, the embedded PGlite in PGLITE_DIR (product.md). */
export function databaseTargetOf(settings: {
  databaseUrl: string | null;
  pgliteDir: string;
}): DatabaseTarget {
  return settings.databaseUrl
    ? { kind: "postgres", url: settings.databaseUrl }
    : { kind: "pglite", dataDir: settings.pgliteDir };
}

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseTarget["kind"];
  /** Applies pending migrations; safe to call from several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

// Any fixed number: instances starting together take turns to migrate.
const MIGRATION_LOCK_KEY = 72_617_301;

export interface OpenOptions {
  /** Called with every statement run, for counting queries (never logged: parameters are secrets). */
  onQuery?: (query: string) => void;
}

export async function openDatabase(
  target: DatabaseTarget,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  if (target.kind === "postgres") return openPostgres(target.url, options);
  return openPglite(target.dataDir, options);
}

function queryLogger(options: OpenOptions) {
  const onQuery = options.onQuery;
  return onQuery ? { logger: { logQuery: (query: string) => onQuery(query) } } : {};
}

function openPostgres(url: string, options: OpenOptions): DatabaseHandle {
  // onnotice: PostgreSQL's NOTICEs ("schema already exists") are not worth a log line.
  // connect_timeout: an unreachable database answers /healthz with 503 in seconds, not 30.
  const client = postgres(url, { max: 10, connect_timeout: 5, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema, ...queryLogger(options) });
  return {
    db: db as unknown as Database,
    kind: "postgres",
    async migrate() {
      // A single-connection client, so the session-level advisory lock covers the migration.
      const lockClient = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        await migratePostgres(drizzlePostgres({ client: lockClient, schema }), {
          migrationsFolder: MIGRATIONS_FOLDER,
        });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      } finally {
        await lockClient.end();
      }
    },
    close: () => client.end(),
  };
}

async function openPglite(dataDir: string | null, options: OpenOptions): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => {};
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = drizzlePglite({ client, schema, ...queryLogger(options) });
  return {
    db: db as unknown as Database,
    kind: "pglite",
    // PGlite is one connection in this process: nothing else can migrate at the same time.
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
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
