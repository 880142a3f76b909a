/** PIN checks a few at a time, in order, and a queue that turns work away (issue #9). */
import { describe, expect, it } from "vitest";
import { LineBusyError } from "../../../src/db/transaction-gate.js";
import { pinCheckSlots } from "../../../src/voice/pin-check-slots.js";

/** A verifier whose checks finish when the test says, recording the order they started in. */
function heldVerifier() {
  const started: string[] = [];
  const finish: Array<() => void> = [];
  const verify = (pin: string) =>
    new Promise<boolean>((resolve) => {
      started.push(pin);
      finish.push(() => resolve(true));
    });
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  return { started, verify, finishNext: () => finish.shift()?.(), tick };
}

describe("PIN check slots", () => {
  it("runs at most `slots` checks at once, the rest in the order they came", async () => {
    const held = heldVerifier();
    const slots = pinCheckSlots(held.verify, {
      slots: 2,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 10,
      refuseNewCallsAfterWaitMs: 60_000,
    });
    const checks = ["1111", "2222", "3333", "4444"].map((pin) => slots.verify(pin, "hash"));
    await held.tick();
    expect(held.started).toEqual(["1111", "2222"]);
    held.finishNext();
    await held.tick();
    expect(held.started).toEqual(["1111", "2222", "3333"]);
    held.finishNext();
    held.finishNext();
    await held.tick();
    held.finishNext();
    expect(await Promise.all(checks)).toEqual([true, true, true, true]);
  });

  it("turns a check away with LineBusyError when no slot comes free in time", async () => {
    const held = heldVerifier();
    const slots = pinCheckSlots(held.verify, {
      slots: 1,
      maxWaitMs: 20,
      refuseNewCallsPast: 10,
      refuseNewCallsAfterWaitMs: 60_000,
    });
    const first = slots.verify("1111", "hash");
    await expect(slots.verify("2222", "hash")).rejects.toBeInstanceOf(LineBusyError);
    expect(held.started).toEqual(["1111"]);
    held.finishNext();
    expect(await first).toBe(true);
  });

  it("is backed up while more checks wait than new calls should be let in behind", async () => {
    const held = heldVerifier();
    const slots = pinCheckSlots(held.verify, {
      slots: 1,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 1,
      refuseNewCallsAfterWaitMs: 60_000,
    });
    const checks = ["1111", "2222"].map((pin) => slots.verify(pin, "hash"));
    await held.tick();
    expect(slots.backedUp).toBe(false);
    checks.push(slots.verify("3333", "hash"));
    expect(slots.backedUp).toBe(true);
    held.finishNext();
    await held.tick();
    expect(slots.backedUp).toBe(false);
    held.finishNext();
    await held.tick();
    held.finishNext();
    await Promise.all(checks);
  });

  it("is backed up once the check first in line has waited too long, however few wait", async () => {
    const held = heldVerifier();
    const slots = pinCheckSlots(held.verify, {
      slots: 1,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 10,
      refuseNewCallsAfterWaitMs: 30,
    });
    const checks = ["1111", "2222"].map((pin) => slots.verify(pin, "hash"));
    await held.tick();
    expect(slots.backedUp).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(slots.backedUp).toBe(true);
    // The one that waited starts: nobody waits, so new calls are let in again.
    held.finishNext();
    await held.tick();
    expect(slots.backedUp).toBe(false);
    held.finishNext();
    expect(await Promise.all(checks)).toEqual([true, true]);
  });

  it("lets new calls in no faster than the checks finish, a burst's worth at once", async () => {
    const held = heldVerifier();
    // One slot, checks of 100 ms: 10 new calls a second, 0.3 s of them (3) at once.
    const slots = pinCheckSlots(held.verify, {
      slots: 1,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 10,
      refuseNewCallsAfterWaitMs: 60_000,
      newCallRate: { initialCheckMs: 100, burstSeconds: 0.3, shareOfCapacity: 1 },
    });
    expect([slots.admitNewCall(), slots.admitNewCall(), slots.admitNewCall()]).toEqual([true, true, true]);
    expect(slots.admitNewCall()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(slots.admitNewCall()).toBe(true);
    expect(slots.admitNewCall()).toBe(false);
  });

  it("lets new calls fill only their share of the checks' capacity", async () => {
    const held = heldVerifier();
    // Two slots, checks of 100 ms: 20 checks a second, half of it (10) for new calls; half a
    // second of the whole capacity (10 calls) at once.
    const slots = pinCheckSlots(held.verify, {
      slots: 2,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 10,
      refuseNewCallsAfterWaitMs: 60_000,
      newCallRate: { initialCheckMs: 100, burstSeconds: 0.5, shareOfCapacity: 0.5 },
    });
    const admitted = () => Array.from({ length: 20 }, () => slots.admitNewCall()).filter(Boolean).length;
    expect(admitted()).toBe(10);
    const emptied = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
    // At 10 a second, one per 100 ms waited (about 2), where the whole capacity would let in 5.
    const later = admitted();
    const waited = performance.now() - emptied;
    expect(later).toBeLessThanOrEqual(Math.ceil(waited / 100));
    expect(later).toBeGreaterThanOrEqual(Math.floor(waited / 100) - 1);
    expect(later).toBeGreaterThan(0);
    expect(admitted()).toBe(0);
  });

  it("lets no new call in while backed up, and any without a rate otherwise", async () => {
    const held = heldVerifier();
    const slots = pinCheckSlots(held.verify, {
      slots: 1,
      maxWaitMs: 1_000,
      refuseNewCallsPast: 0,
      refuseNewCallsAfterWaitMs: 60_000,
    });
    for (let call = 0; call < 100; call++) expect(slots.admitNewCall()).toBe(true);
    const checks = ["1111", "2222"].map((pin) => slots.verify(pin, "hash"));
    await held.tick();
    expect(slots.admitNewCall()).toBe(false);
    held.finishNext();
    await held.tick();
    expect(slots.admitNewCall()).toBe(true);
    held.finishNext();
    await Promise.all(checks);
  });
});
