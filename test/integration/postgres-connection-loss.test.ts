/**
 * The process outlives its database connections (issue #8): postgres.js 3.4.9 threw out of a
 * timer or left an unhandled rejection when a connection died mid-query (porsager/postgres #1154,
 * #1208), which ends a Node process. The patched driver (patches/) fails the queries of that
 * connection instead; vitest fails this file on any uncaught error or unhandled rejection. A
 * transaction the driver leaves unsettled is ended by its budget. And a connection that closes
 * takes nothing it was asked into its next life (the patch's `closed`): a reconnected connection
 * answers its first query.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withinBudget } from "../../src/db/budgeted-transaction.js";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/database.js";
import { startTcpProxy } from "../support/tcp-proxy.js";

describe.runIf(TEST_DATABASE_URL)("losing database connections on postgres", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("backends terminated under a stream of the line's transactions: each settles within its budget, the pool recovers", async () => {
    // The health check's own connection, on the same database, does the killing.
    const killer = database.healthDb;
    let terminations = 0;
    const terminateAll = async () => {
      const killed = await withinBudget(
        Date.now() + 2_000,
        killer.execute(
          sql`select pg_terminate_backend(pid) from pg_stat_activity
            where application_name = 'renewline' and datname = current_database() and pid <> pg_backend_pid()`,
        ),
      );
      terminations += Array.from(killed as unknown as unknown[]).length;
    };
    const gate = transactionGate(10);
    let committed = 0;
    let failed = 0;
    for (let round = 0; round < 15; round++) {
      const stream = Array.from({ length: 10 }, () =>
        database.db
          .transaction(async (tx) => {
            await tx.execute(sql`select 1`);
            await tx.execute(sql`select pg_sleep(0.01)`);
            await tx.execute(sql`select 2`);
          })
          .then(
            () => committed++,
            () => failed++,
          ),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      await terminateAll();
      await Promise.all(stream);
    }
    expect(terminations).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    // Soon every transaction commits again: a connection killed while idle fails the one query
    // that finds it dead, so a few rounds replace them all. The limit is generous (a machine
    // running the other suites in parallel reconnects slowly); what matters is that it recovers.
    const recoveredBy = Date.now() + 15_000;
    let allCommitted = false;
    while (!allCommitted && Date.now() < recoveredBy) {
      const round = await Promise.allSettled(
        Array.from({ length: 20 }, () => database.db.transaction((tx) => tx.execute(sql`select 1`))),
      );
      allCommitted = round.every((r) => r.status === "fulfilled");
    }
    expect(allCommitted).toBe(true);
    // Every one settled (none left hanging), and no gate permit was lost.
    expect(committed + failed).toBe(150);
    expect(gate.waiting).toBe(0);
    const permits = await Promise.all(Array.from({ length: 10 }, () => gate.acquire(0)));
    for (const release of permits) release();
  }, 120_000);

  /**
   * A connection of a one-connection client is reset while `work` waits on it; the statement `work`
   * writes once its first one fails goes out between the socket's error and its close. Unpatched,
   * that statement stayed in the connection's queue of sent statements across the reconnect and
   * took the next answer's place: the next query got another's answer or waited for ever. No
   * stalled-socket watchdog here (the line's socket option), which would end that wait after 3.5 s.
   */
  async function resetWhileWaiting(work: (client: postgres.Sql) => Promise<unknown>) {
    const target = new URL(TEST_DATABASE_URL ?? "");
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const client = postgres(proxy.urlFor(database.url ?? ""), { max: 1, onnotice: () => {} });
    try {
      await client`select 1`;
      const resets = proxy.counts().reset;
      const failure = work(client).then(
        () => null,
        (error: unknown) => error as Error & { code?: string },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      proxy.resetAll();
      expect(proxy.counts().reset).toBe(resets + 1);
      // Failed by the close, not by the reset's ECONNRESET: the transaction by its connection's
      // close (onclose), the piped query by the close's failing what the connection still awaits.
      expect((await withinBudget(Date.now() + 3_000, failure))?.code).toBe("CONNECTION_CLOSED");
      // The reconnected connection answers each query with its own answer.
      for (let query = 1; query <= 3; query++) {
        const rows = await withinBudget(Date.now() + 3_000, client`select ${query}::int as n`);
        expect(rows.map((row) => row.n)).toEqual([query]);
      }
    } finally {
      await client.end({ timeout: 1 });
      await proxy.close();
    }
  }

  it("a connection reset mid-transaction: the ROLLBACK written between the error and the close fails with it, and the reconnected connection answers", async () => {
    await resetWhileWaiting((client) =>
      client.begin(async (tx) => {
        await tx`select pg_sleep(1)`;
      }),
    );
  });

  it("a connection reset under a query: a query sent between the error and the close fails with it, and the reconnected connection answers", async () => {
    // The pool still counts the dying connection busy, and pipes the next query onto it.
    await resetWhileWaiting((client) => client`select pg_sleep(1)`.catch(() => client`select 'piped'`));
  });
});
