/**
 * The line pool's gate (issue #9, load shedding): a freed connection goes to a call under way
 * before a new call, and a waiter that is not served in time is turned away.
 */
import { describe, expect, it } from "vitest";
import { PoolTimeoutError, transactionGate } from "../../../src/db/transaction-gate.js";

describe("the transaction gate", () => {
  it("gives a freed permit to a call under way before a new call that waited longer", async () => {
    const gate = transactionGate(1);
    const release = await gate.acquire(0);
    const served: string[] = [];
    const newCall = gate.acquire(1_000, "new").then((done) => {
      served.push("new");
      return done;
    });
    const ongoing = gate.acquire(1_000, "ongoing").then((done) => {
      served.push("ongoing");
      return done;
    });
    expect(gate.waiting).toBe(2);

    release();
    (await ongoing)();
    (await newCall)();
    expect(served).toEqual(["ongoing", "new"]);
    expect(gate.held).toBe(0);
  });

  it("turns a waiter away after its wait, and counts it out of the queue", async () => {
    const gate = transactionGate(1);
    const release = await gate.acquire(0);
    await expect(gate.acquire(20, "new")).rejects.toBeInstanceOf(PoolTimeoutError);
    expect(gate.waiting).toBe(0);
    release();
    expect(gate.held).toBe(0);
  });

  it("counts the permits held, and a release given twice frees one permit only", async () => {
    const gate = transactionGate(2);
    const first = await gate.acquire(0);
    await gate.acquire(0);
    expect(gate.held).toBe(2);
    first();
    first();
    expect(gate.held).toBe(1);
  });
});
