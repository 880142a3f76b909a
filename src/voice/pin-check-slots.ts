/**
 * The line's PIN checks, a few at a time (issue #9). scrypt runs on libuv's 4 threads, each
 * check holding 16 MiB outside the heap: on a 2-core machine more at once are no faster (the rest
 * of the line and PostgreSQL need the cores too) and cost memory. A check that cannot start
 * within its wait is a line past capacity: the caller hears the busy message rather than the
 * apology when the webhook's budget runs out. And while many wait, new calls are turned away at
 * once: they would only add to the queue at their PIN a few seconds later.
 */
import { availableParallelism } from "node:os";
import { LineBusyError } from "../db/transaction-gate.js";
import { verifyPin } from "../security/pin-hash.js";

/** Checks a keyed PIN against a stored hash (the line's own scrypt, or a hash the ILS exported). */
export type PinVerifier = (pin: string, stored: string) => Promise<boolean>;

export interface PinCheckSlots {
  /** The check, run in turn; rejects with LineBusyError when it could not start in time. */
  verify: PinVerifier;
  /** True while more checks wait than new calls should be let in behind. */
  readonly backedUp: boolean;
}

export interface PinCheckLimits {
  /** Checks running at once. */
  slots: number;
  /** How long a check may wait for a slot. */
  maxWaitMs: number;
  /** New calls are turned away while more checks than this wait. */
  refuseNewCallsPast: number;
}

export function pinCheckSlots(verify: PinVerifier, limits: PinCheckLimits): PinCheckSlots {
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = (): Promise<void> => {
    if (running < limits.slots) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const granted = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(granted), 1);
        reject(new LineBusyError("no PIN check could start in time"));
      }, limits.maxWaitMs);
      waiting.push(granted);
    });
  };
  return {
    get backedUp() {
      return waiting.length > limits.refuseNewCallsPast;
    },
    async verify(pin, stored) {
      await slot();
      try {
        return await verify(pin, stored);
      } finally {
        // The slot passes straight to the next in line, or is given back.
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}

const cores = availableParallelism();

/**
 * One check per core; a check waits at most 1.5 s; new calls are refused while more than 10 per
 * core wait (about half a second of hashing at 51 ms a check).
 */
export const LINE_PIN_CHECKS = pinCheckSlots(verifyPin, {
  slots: cores,
  maxWaitMs: 1_500,
  refuseNewCallsPast: 10 * cores,
});
