/**
 * The PIN hashing threads (libuv's pool) are niced, and only they: the main thread keeps its
 * priority, so webhooks are served before hashing takes a core (issue #9).
 */
import { readFileSync } from "node:fs";
import { readlink } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  findThreadPoolThreads,
  lowerThreadPoolPriority,
  threadPoolSize,
} from "../../../src/security/thread-pool-priority.js";

/** A thread's nice value, field 19 of /proc/self/task/TID/stat (after the command's ")"). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[16]);
}

/** The thread that runs this test's JavaScript (a fork's main thread, or a worker). */
function jsThread(): number {
  return Number(readFileSync("/proc/thread-self/stat", "utf8").split(" ")[0]);
}

describe.runIf(process.platform === "linux")("the PIN hashing threads' priority", () => {
  it("finds every thread of libuv's pool, and not the JavaScript thread", async () => {
    const threads = await findThreadPoolThreads();
    expect(threads).toHaveLength(threadPoolSize());
    expect(threads).not.toContain(jsThread());
    // Each one answers a readlink probe itself: a pool thread, not a guess.
    const probed = new Set<number>();
    for (let round = 0; round < 50 && probed.size < threads.length; round++) {
      for (const link of await Promise.all(Array.from({ length: 32 }, () => readlink("/proc/thread-self")))) {
        probed.add(Number(link.split("/").pop()));
      }
    }
    expect([...probed].sort()).toEqual([...threads].sort());
  });

  it("nices the pool's threads and leaves the JavaScript thread as it was", async () => {
    const before = niceOf(jsThread());
    const changed = await lowerThreadPoolPriority(7);
    expect(changed).toHaveLength(threadPoolSize());
    for (const tid of changed) expect(niceOf(tid)).toBe(7);
    expect(niceOf(jsThread())).toBe(before);
  });

  it("reads the pool's size as libuv does", () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: "8" })).toBe(8);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: "5000" })).toBe(1024);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: "none" })).toBe(4);
  });
});
