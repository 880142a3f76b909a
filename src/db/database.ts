/**
 * The one database module: PGlite on disk (the embedded default, in embedded-database.ts) or
 * PostgreSQL through postgres.js. Both are PostgreSQL, so the rest of the code sees one drizzle
 * `Database` and cannot tell which it has.
 */
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_FOLDER } from "./migrations.js";
import { preparingEveryStatement } from "./prepared-statements.js";
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

// Opened without drizzle's schema: its relational API (`db.query.*`) goes unused, and with a
// schema drizzle builds a query builder for every table at every transaction (issue #9: a
// measurable share of a menu key's CPU). Queries name their tables from ./schema/ instead.
type NoSchema = Record<string, never>;
export type Database = PgDatabase<PgQueryResultHKT, NoSchema>;
export type Transaction = PgTransaction<PgQueryResultHKT, NoSchema, ExtractTablesWithRelations<NoSchema>>;
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
  /**
   * How long a transaction may sit idle before the server ends it (default
   * IDLE_IN_TRANSACTION_TIMEOUT_MS). Longer with the sip2 library system: a webhook's transaction
   * waits while the ILS answers, for up to its longer budget.
   */
  idleInTransactionMs?: number;
}

export async function openDatabase(
  target: DatabaseTarget,
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  if (target.kind === "postgres") return openPostgres(target.url, options);
  // Imported only here, so a line on PostgreSQL never loads PGlite (issue #9, memory).
  const { openPglite } = await import("./embedded-database.js");
  return openPglite(target.dataDir, queryLogger(options));
}

/** Drizzle's logger option for OpenOptions.onQuery: the statement only, never its parameters. */
export type QueryLogging = ReturnType<typeof queryLogger>;

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
        idle_in_transaction_session_timeout: options.idleInTransactionMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS,
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
    drizzlePostgres({ client: c, ...queryLogger(options) }) as unknown as Database;
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
        await migratePostgres(drizzlePostgres({ client: lockClient }), {
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
