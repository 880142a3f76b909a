/**
 * The process outlives its database connections (issue #8): postgres.js 3.4.9 threw out of a
 * timer or left an unhandled rejection when a connection died mid-query (porsager/postgres #1154,
 * #1208), which ends a Node process. The patched driver (patches/) fails the queries of that
 * connection instead; vitest fails this file on any uncaught error or unhandled rejection. A
 * transaction the driver leaves unsettled is ended by its budget.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withinBudget } from "../../src/db/budgeted-transaction.js";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/database.js";

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
});
