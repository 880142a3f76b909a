/**
 * A lone statement in a webhook's budget (a key answered from CallMemory): admitted through the
 * line's gate like a transaction, and never sent once its answer could not come back in time,
 * because once sent it commits.
 */
import { describe, expect, it } from "vitest";
import { BudgetExceededError, budgetedStatement } from "../../../src/db/budgeted-transaction.js";
import type { Database } from "../../../src/db/database.js";
import { PoolTimeoutError, transactionGate } from "../../../src/db/transaction-gate.js";

// The statement is the caller's; the database is only handed to it.
const db = {} as Database;

describe("a budgeted statement", () => {
  it("runs the statement with a permit of the gate, and gives the permit back", async () => {
    const gate = transactionGate(1);
    let heldWhileRunning = 0;
    let givenStartBy = 0;
    const deadline = Date.now() + 5_000;
    const result = await budgetedStatement(db, gate, deadline, async (given, startBy) => {
      heldWhileRunning = gate.held;
      givenStartBy = startBy;
      expect(given).toBe(db);
      return "saved";
    });
    expect(result).toBe("saved");
    expect(heldWhileRunning).toBe(1);
    // The statement learns when it may still begin: the commit's 750 ms reserve before the deadline.
    expect(givenStartBy).toBe(deadline - 750);
    expect(gate.held).toBe(0);
  });

  it("gives the permit back when the statement fails", async () => {
    const gate = transactionGate(1);
    await expect(
      budgetedStatement(db, gate, Date.now() + 5_000, async () => {
        throw new Error("statement failed");
      }),
    ).rejects.toThrow("statement failed");
    expect(gate.held).toBe(0);
  });

  it("does not send a statement whose budget has run out", async () => {
    const gate = transactionGate(1);
    let sent = false;
    await expect(
      budgetedStatement(db, gate, Date.now() - 10, async () => {
        sent = true;
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(sent).toBe(false);
    expect(gate.held).toBe(0);
  });

  it("turns the statement away when no permit comes free before its start-by time", async () => {
    const gate = transactionGate(1);
    const releaseOther = await gate.acquire(0);
    let sent = false;
    // A 200 ms budget keeps half for the answer: the permit is waited for 100 ms at most.
    await expect(
      budgetedStatement(db, gate, Date.now() + 200, async () => {
        sent = true;
      }),
    ).rejects.toBeInstanceOf(PoolTimeoutError);
    expect(sent).toBe(false);
    releaseOther();
    expect(gate.held).toBe(0);
  });

  it("waits no longer than the admission allows, in its own queue", async () => {
    const gate = transactionGate(1);
    const releaseOther = await gate.acquire(0);
    const turnedAway = budgetedStatement(db, gate, Date.now() + 10_000, async () => "saved", {
      priority: "new",
      waitMs: 20,
    });
    expect(gate.waiting).toBe(1);
    await expect(turnedAway).rejects.toBeInstanceOf(PoolTimeoutError);
    expect(gate.waiting).toBe(0);
    releaseOther();
  });
});
