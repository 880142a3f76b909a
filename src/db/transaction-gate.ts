/**
 * The pool's acquire timeout, which postgres.js does not have: at most `permits` transactions
 * hold or wait for a connection, and a webhook that cannot get one before its deadline fails at
 * once (the caller hears the busy message) instead of queueing behind work Twilio has given up on.
 *
 * Waiters queue in two classes: the webhooks of calls already under way, and the first webhook of
 * a new call. A freed connection goes to a call under way first, so that past capacity the line
 * turns new callers away and finishes the calls it has, instead of slowing every call down.
 */
/** The line is at capacity: the work was not started, and the caller hears the busy message. */
export class LineBusyError extends Error {
  override name = "LineBusyError";
}

export class PoolTimeoutError extends LineBusyError {
  override name = "PoolTimeoutError";
}

/** "ongoing": a call already under way (and status callbacks); "new": a call's first webhook. */
export type GatePriority = "ongoing" | "new";

export interface TransactionGate {
  /** Resolves with a release function, or rejects with PoolTimeoutError after `timeoutMs`. */
  acquire(timeoutMs: number, priority?: GatePriority): Promise<() => void>;
  /** Transactions waiting now (for metrics and tests). */
  readonly waiting: number;
  /** Permits held now: a transaction open or opening (for tests: nothing is held while hashing). */
  readonly held: number;
}

export function transactionGate(permits: number): TransactionGate {
  let free = permits;
  type Waiter = (release: () => void) => void;
  const queues: Record<GatePriority, Waiter[]> = { ongoing: [], new: [] };

  const release = () => {
    const next = queues.ongoing.shift() ?? queues.new.shift();
    if (next) next(onceOnly(release));
    else free += 1;
  };

  return {
    get waiting() {
      return queues.ongoing.length + queues.new.length;
    },
    get held() {
      return permits - free;
    },
    acquire(timeoutMs, priority = "ongoing") {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(onceOnly(release));
      }
      const queue = queues[priority];
      return new Promise((resolve, reject) => {
        const waiter: Waiter = (granted) => {
          clearTimeout(timer);
          resolve(granted);
        };
        const timer = setTimeout(
          () => {
            const index = queue.indexOf(waiter);
            if (index >= 0) queue.splice(index, 1);
            reject(new PoolTimeoutError("no database connection came free in time"));
          },
          Math.max(0, timeoutMs),
        );
        queue.push(waiter);
      });
    },
  };
}

function onceOnly(release: () => void): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}
