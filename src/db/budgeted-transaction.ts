/**
 * One transaction inside a time budget: a connection from the gate before the deadline, the
 * work, and a last look at the clock before COMMIT, early enough for the COMMIT to come back
 * before the deadline. Work that overran rolls back, because by the deadline the caller has been
 * answered with the apology: nothing a caller did is committed without the answer they heard.
 */
import type { Database, Transaction } from "./database.js";
import type { GatePriority, TransactionGate } from "./transaction-gate.js";

/** How long the transaction may wait for a connection, and in which queue (transaction-gate.ts). */
export interface Admission {
  priority: GatePriority;
  waitMs: number;
}

export class BudgetExceededError extends Error {
  override name = "BudgetExceededError";
}

// Left for the COMMIT itself: a commit takes milliseconds unless the database is in trouble.
const COMMIT_RESERVE_MS = 750;

// postgres.js can leave a transaction unsettled for ever when its connection dies between BEGIN
// and the first query (seen here under pg_terminate_backend, even patched). Its pool slot is not
// held, but the gate's permit would be: past this it is given back. Any real transaction has
// settled long before (statement and lock timeouts, the stalled-socket watchdog).
const NEVER_SETTLES_AFTER_MS = 5_000;

/**
 * A permit of the gate for work within the budget, with the commit's reserve: the work must
 * start by `startBy` for its commit to come back before the deadline.
 */
async function admitted(gate: TransactionGate, deadline: number, admission: Admission) {
  // A short budget keeps half of itself for the commit.
  const commitReserve = Math.min(COMMIT_RESERVE_MS, (deadline - Date.now()) / 2);
  // A connection that comes free too late to leave time for the commit is no use: the work is
  // turned away (PoolTimeoutError: the busy message) rather than started and overrun.
  const startBy = deadline - commitReserve;
  const release = await gate.acquire(Math.min(admission.waitMs, startBy - Date.now()), admission.priority);
  return { commitReserve, startBy, release };
}

/**
 * One statement inside a time budget, in PostgreSQL's own implicit transaction: no BEGIN or
 * COMMIT. A statement that writes several tables (data-modifying CTEs) commits them all or none.
 * Admitted as a transaction would be, and handed to the driver only before its start-by time,
 * which leaves the commit's reserve. Once begun it is the commit, and the driver may still hold
 * it for a connection: the statement is given its start-by time (the real clock, epoch ms), to
 * write nothing when the database begins it later (call-store.ts's save does).
 */
export async function budgetedStatement<T>(
  db: Database,
  gate: TransactionGate,
  deadline: number,
  statement: (db: Database, startBy: number) => Promise<T>,
  admission: Admission = { priority: "ongoing", waitMs: Number.POSITIVE_INFINITY },
): Promise<T> {
  const { startBy, release } = await admitted(gate, deadline, admission);
  try {
    if (Date.now() >= startBy) throw new BudgetExceededError("the budget ran out before the statement");
    return await withinBudget(deadline + NEVER_SETTLES_AFTER_MS, statement(db, startBy));
  } finally {
    release();
  }
}

export async function budgetedTransaction<T>(
  db: Database,
  gate: TransactionGate,
  deadline: number,
  work: (tx: Transaction) => Promise<T>,
  admission: Admission = { priority: "ongoing", waitMs: Number.POSITIVE_INFINITY },
): Promise<T> {
  const { commitReserve, release } = await admitted(gate, deadline, admission);
  try {
    const overrun = (when: string) => {
      if (Date.now() >= deadline - (when === "commit" ? commitReserve : 0)) {
        throw new BudgetExceededError(`the budget ran out before the ${when}`);
      }
    };
    overrun("work");
    const transaction = db.transaction(async (tx) => {
      // BEGIN itself may have waited (postgres.js queues for a connection without a limit).
      overrun("work");
      const result = await work(tx);
      overrun("commit");
      return result;
    });
    return await withinBudget(deadline + NEVER_SETTLES_AFTER_MS, transaction);
  } finally {
    release();
  }
}

/**
 * Resolves with the work's result, or rejects with BudgetExceededError at the deadline while the
 * work goes on (and, past its deadline, rolls back by itself).
 */
export function withinBudget<T>(deadline: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new BudgetExceededError("the budget ran out")),
      Math.max(0, deadline - Date.now()),
    );
  });
  // The work's own failure after the deadline has nobody left to tell.
  work.catch(() => {});
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
