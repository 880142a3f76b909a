/**
 * The pool's acquire timeout, which postgres.js does not have: at most `permits` transactions
 * hold or wait for a connection, and a webhook that cannot get one before its deadline fails at
 * once (the caller hears the apology) instead of queueing behind work Twilio has given up on.
 */
export class PoolTimeoutError extends Error {
  override name = "PoolTimeoutError";
}

export interface TransactionGate {
  /** Resolves with a release function, or rejects with PoolTimeoutError after `timeoutMs`. */
  acquire(timeoutMs: number): Promise<() => void>;
  /** Transactions waiting now (for metrics and tests). */
  readonly waiting: number;
}

export function transactionGate(permits: number): TransactionGate {
  let free = permits;
  const queue: Array<(release: () => void) => void> = [];

  const release = () => {
    const next = queue.shift();
    if (next) next(onceOnly(release));
    else free += 1;
  };

  return {
    get waiting() {
      return queue.length;
    },
    acquire(timeoutMs) {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(onceOnly(release));
      }
      return new Promise((resolve, reject) => {
        const waiter = (granted: () => void) => {
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
