/**
 * One transaction inside a time budget: a connection from the gate before the deadline, the
 * work, and a last look at the clock before COMMIT. Work that overran its budget rolls back,
 * because by then the caller has already been answered with the apology: nothing a caller did
 * is committed without the answer they heard.
 */
import type { Database, Transaction } from "./database.js";
import type { TransactionGate } from "./transaction-gate.js";

export class BudgetExceededError extends Error {
  override name = "BudgetExceededError";
}

// Long enough for a COMMIT already sent to come back; short enough to stay within Twilio's patience.
const SETTLE_GRACE_MS = 500;

export async function budgetedTransaction<T>(
  db: Database,
  gate: TransactionGate,
  deadline: number,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const release = await gate.acquire(deadline - Date.now());
  try {
    if (Date.now() >= deadline) throw new BudgetExceededError("the budget ran out before the work began");
    const transaction = db.transaction(async (tx) => {
      const result = await work(tx);
      if (Date.now() >= deadline) throw new BudgetExceededError("the budget ran out before the commit");
      return result;
    });
    // postgres.js can leave a transaction unsettled for ever when its connection dies between
    // BEGIN and the first query (seen here under pg_terminate_backend, even patched); its pool
    // slot is not held, but this permit would be. A moment past the deadline it is given back.
    return await withinBudget(deadline + SETTLE_GRACE_MS, transaction);
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
      () => reject(new BudgetExceededError("the webhook's budget ran out")),
      Math.max(0, deadline - Date.now()),
    );
  });
  // The work's own failure after the deadline has nobody left to tell.
  work.catch(() => {});
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
