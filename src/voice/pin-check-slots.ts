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
  /**
   * Whether a new call may come in now: not while backed up, nor faster than the checks have
   * lately been finishing (when the limits set newCallRate). Each true answer counts one call.
   */
  admitNewCall(): boolean;
}

export interface PinCheckLimits {
  /** Checks running at once. */
  slots: number;
  /** How long a check may wait for a slot. */
  maxWaitMs: number;
  /** New calls are turned away while more checks than this wait. */
  refuseNewCallsPast: number;
  /**
   * Or while the check first in line has waited longer than this: the wait a new call would meet
   * at its PIN, whatever the checks cost on a machine that is also serving the webhooks.
   */
  refuseNewCallsAfterWaitMs: number;
  /**
   * New calls let in no faster than the slots finish checks, at the pace measured lately (each
   * call keys one PIN a moment later). The queue tells too late: in a burst of new calls it is
   * empty until their PINs arrive together. Unset: only the queue decides.
   */
  newCallRate?: NewCallRate;
}

export interface NewCallRate {
  /** The check's length assumed until some have been timed (ms). */
  initialCheckMs: number;
  /** How many seconds of the checks' whole capacity may come at once, as new calls. */
  burstSeconds: number;
  /**
   * The share of the checks' capacity new calls may fill, sustained (0 to 1). At the whole of it
   * the queue of checks is never empty once full, and the line learns it is past capacity only
   * when PINs keyed seconds later pile up: it then turns new calls away long after it should
   * have, and lets them in again long after the queue has emptied (measured: a queue swinging
   * between 0 and 39). The rest is headroom for PINs that arrive unevenly.
   */
  shareOfCapacity: number;
}

// Each finished check moves the measured length a fifth of the way to its own.
const CHECK_MS_SMOOTHING = 0.2;

export function pinCheckSlots(verify: PinVerifier, limits: PinCheckLimits): PinCheckSlots {
  let running = 0;
  // Checks waiting for a slot, oldest first, each with when it joined the queue.
  const waiting: Array<{ grant: () => void; joinedAt: number }> = [];
  const rate = limits.newCallRate;
  let checkMs = rate?.initialCheckMs ?? 0;
  const checksPerSecond = () => (limits.slots * 1000) / checkMs;
  let tokens = rate ? checksPerSecond() * rate.burstSeconds : 0;
  let tokensAt = performance.now();
  const slot = (): Promise<void> => {
    if (running < limits.slots) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        joinedAt: performance.now(),
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(new LineBusyError("no PIN check could start in time"));
      }, limits.maxWaitMs);
      waiting.push(waiter);
    });
  };
  const backedUp = () => {
    const oldest = waiting[0];
    return (
      waiting.length > limits.refuseNewCallsPast ||
      (oldest !== undefined && performance.now() - oldest.joinedAt > limits.refuseNewCallsAfterWaitMs)
    );
  };
  return {
    get backedUp() {
      return backedUp();
    },
    admitNewCall() {
      if (backedUp()) return false;
      if (!rate) return true;
      const now = performance.now();
      const capacity = checksPerSecond();
      const refill = ((now - tokensAt) / 1000) * capacity * rate.shareOfCapacity;
      tokens = Math.min(capacity * rate.burstSeconds, tokens + refill);
      tokensAt = now;
      if (tokens < 1) return false;
      tokens--;
      return true;
    },
    async verify(pin, stored) {
      await slot();
      const started = performance.now();
      try {
        return await verify(pin, stored);
      } finally {
        checkMs += (performance.now() - started - checkMs) * CHECK_MS_SMOOTHING;
        // The slot passes straight to the next in line, or is given back.
        const next = waiting.shift();
        if (next) next.grant();
        else running--;
      }
    },
  };
}

const cores = availableParallelism();

/**
 * The line's: one check per core; a check waits at most 1.5 s. New calls are refused while more
 * than 4 per core wait (about 200 ms of hashing at 51 ms a check), or the first in line has
 * waited 250 ms: a call let in now keys its PIN a few seconds later, so the queue must be short
 * when it does. npm start also paces new calls (LINE_NEW_CALL_RATE).
 */
export function linePinChecks(newCallRate?: NewCallRate): PinCheckSlots {
  return pinCheckSlots(verifyPin, {
    slots: cores,
    maxWaitMs: 1_500,
    refuseNewCallsPast: 4 * cores,
    refuseNewCallsAfterWaitMs: 250,
    ...(newCallRate ? { newCallRate } : {}),
  });
}

/**
 * New calls at most 60 % as fast as the checks finish (the checks do about 39 a second on two idle
 * cores, fewer as the webhooks take the cores from the niced hashing); two seconds of the checks'
 * capacity at once, so that callers arriving together on a quiet line are all let in.
 */
export const LINE_NEW_CALL_RATE: NewCallRate = { initialCheckMs: 51, burstSeconds: 2, shareOfCapacity: 0.6 };

/** The default of the line's routers (the tests'): paced by the queue alone. */
export const LINE_PIN_CHECKS = linePinChecks();
