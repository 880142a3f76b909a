/**
 * The line's PIN checks run scrypt on libuv's thread pool: about 51 ms of a core each. At the
 * same priority as the main thread they take the cores from the webhooks (and from PostgreSQL)
 * whenever two checks run at once, and every other caller waits for a core: that was the busy
 * hour's p99 (issue #9). Niced, the pool's threads only use the CPU the rest of the line leaves,
 * which on a quiet line is all of it, so logins per second do not fall.
 *
 * libuv names none of its threads, so each one is found by asking it: an asynchronous readlink of
 * /proc/thread-self runs on a pool thread and names that thread. A burst of them reaches every
 * thread within a round or two (UV_THREADPOOL_SIZE, 4 by default). Linux only; elsewhere nothing
 * changes. The pool also reads files (the console's assets), which may wait a little under load.
 */
import { readlink } from "node:fs/promises";
import { setPriority } from "node:os";

const DEFAULT_POOL_SIZE = 4;
const PROBES_PER_ROUND = 32;
const MAX_ROUNDS = 50;

/** How many threads libuv's pool has (its own rule: UV_THREADPOOL_SIZE, else 4, at most 1024). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number.parseInt(env.UV_THREADPOOL_SIZE ?? "", 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : DEFAULT_POOL_SIZE;
}

/** The thread ids of libuv's pool, found by readlink probes; empty where /proc is not Linux's. */
export async function findThreadPoolThreads(size = threadPoolSize()): Promise<number[]> {
  const found = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS && found.size < size; round++) {
    let links: string[];
    try {
      links = await Promise.all(
        Array.from({ length: PROBES_PER_ROUND }, () => readlink("/proc/thread-self")),
      );
    } catch {
      return [];
    }
    for (const link of links) {
      const tid = Number(link.split("/").pop());
      if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) found.add(tid);
    }
  }
  return [...found];
}

/**
 * Lowers the priority of libuv's pool threads (nice 10 by default: about a tenth of a core's
 * share against a busy thread at nice 0). Returns the threads changed; never throws.
 */
export async function lowerThreadPoolPriority(niceness = 10): Promise<number[]> {
  const changed: number[] = [];
  for (const tid of await findThreadPoolThreads()) {
    try {
      // On Linux setpriority with a thread id sets that thread alone.
      setPriority(tid, niceness);
      changed.push(tid);
    } catch {
      // Not permitted, or the thread has gone: the line works as before.
    }
  }
  return changed;
}
