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
import { preparingEveryStatement } from "./prepared-statements.js";
import * as schema from "./schema/index.js";
import {
  CONNECT_TIMEOUT_MS,
  CONSOLE_LOCK_TIMEOUT_MS,
  CONSOLE_STATEMENT_TIMEOUT_MS,
  HEALTH_CHECK_TIMEOUT_MS,
  IDLE_IN_TRANSACTION_TIMEOUT_MS,
  LINE_LOCK_TIMEOUT_MS,
  LINE_STATEMENT_TIMEOUT_MS,
  MAINTENANCE_STATEMENT_TIMEOUT_MS,
  reconnectDelaySeconds,
  stallLimitFor,
} from "./time-limits.js";
import { type TransactionGate, transactionGate } from "./transaction-gate.js";
import { watchedSocketFactory } from "./watched-socket.js";

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
  /** The voice line's pool: tight time limits, webhooks only. */
  db: Database;
  /** The console's pool (reports may take seconds); on PGlite, the same one connection. */
  consoleDb: Database;
  /** One connection of its own for /healthz, so a busy or stalled pool cannot hide the answer. */
  healthDb: Database;
  /** The line pool's acquire timeout: one permit per connection. */
  lineGate: TransactionGate;
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
  /**
   * "line" (default): `db` has the webhooks' tight time limits. "maintenance": the commands
   * (db:load, ops:user), whose one long transaction may take minutes; no statement timeout.
   */
  purpose?: "line" | "maintenance";
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

// The line's pool: enough for a busy hour's webhooks on one instance (issue #9 measures it).
const LINE_POOL_SIZE = 10;
const CONSOLE_POOL_SIZE = 3;

function openPostgres(url: string, options: OpenOptions): DatabaseHandle {
  const client = (max: number, statementTimeoutMs: number, lockTimeoutMs: number, fetchTypes = true) =>
    postgres(url, {
      max,
      // onnotice: PostgreSQL's NOTICEs ("schema already exists") are not worth a log line.
      onnotice: () => {},
      // The server enforces these on every statement of the connection, sent once at connect.
      connection: {
        application_name: "renewline",
        statement_timeout: statementTimeoutMs,
        lock_timeout: lockTimeoutMs,
        idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      },
      connect_timeout: CONNECT_TIMEOUT_MS / 1000,
      // postgres.js takes a socket factory (its README, "Custom socket"); its types omit it.
      ...({
        socket: watchedSocketFactory({ stallLimitMs: stallLimitFor(statementTimeoutMs) }),
      } as object),
      backoff: reconnectDelaySeconds,
      fetch_types: fetchTypes,
    });
  const line =
    options.purpose === "maintenance"
      ? client(LINE_POOL_SIZE, MAINTENANCE_STATEMENT_TIMEOUT_MS, CONSOLE_LOCK_TIMEOUT_MS)
      : client(LINE_POOL_SIZE, LINE_STATEMENT_TIMEOUT_MS, LINE_LOCK_TIMEOUT_MS);
  const ops = client(CONSOLE_POOL_SIZE, CONSOLE_STATEMENT_TIMEOUT_MS, CONSOLE_LOCK_TIMEOUT_MS);
  // Its one query reads no arrays: no type lookup to time out on a fresh connection.
  const health = client(1, HEALTH_CHECK_TIMEOUT_MS, HEALTH_CHECK_TIMEOUT_MS, false);
  const drizzleOf = (c: postgres.Sql) =>
    drizzlePostgres({ client: c, schema, ...queryLogger(options) }) as unknown as Database;
  return {
    // Prepared statements on the webhooks' hot path: one round trip a statement, not two.
    db: drizzleOf(preparingEveryStatement(line)),
    consoleDb: drizzleOf(ops),
    healthDb: drizzleOf(health),
    lineGate: transactionGate(LINE_POOL_SIZE),
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
    close: async () => {
      // Short: after SIGTERM every webhook has answered, and what the database still owes is not waited for.
      await Promise.all([line.end({ timeout: 2 }), ops.end({ timeout: 2 }), health.end({ timeout: 1 })]);
    },
  };
}

async function openPglite(dataDir: string | null, options: OpenOptions): Promise<DatabaseHandle> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const releaseLock = dataDir ? lockDataDir(dataDir) : () => {};
  const client = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = drizzlePglite({ client, schema, ...queryLogger(options) });
  return {
    db: db as unknown as Database,
    consoleDb: db as unknown as Database,
    healthDb: db as unknown as Database,
    // PGlite runs one statement at a time: more permits would only queue inside it.
    lineGate: transactionGate(1),
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
