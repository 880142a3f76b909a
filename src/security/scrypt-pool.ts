/**
 * scrypt on worker threads, one per core, for the import's plain PINs (issue #9): a library of
 * 10,000 readers is 10,000 hashes of ~65 ms each. Each worker runs one scryptSync at a time, so
 * the pool's size is the number of cores it keeps busy; libuv's thread pool (4 threads, shared
 * with file and DNS work) is left to the rest of the process.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type DeriveKey, type ScryptCost, scryptMaxmem } from "./pin-hash.js";

// Plain JavaScript evaluated in the worker: it needs no TypeScript loader (tsx, vitest) to start.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
parentPort.on("message", ({ id, secret, salt, keyLength, cost, maxmem }) => {
  try {
    const key = scryptSync(secret, salt, keyLength, { ...cost, maxmem });
    parentPort.postMessage({ id, key });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

interface Task {
  id: number;
  secret: string;
  salt: Buffer;
  keyLength: number;
  cost: ScryptCost;
  resolve: (key: Buffer) => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; key: Uint8Array } | { id: number; error: string };

export interface ScryptPool {
  derive: DeriveKey;
  readonly size: number;
  close(): Promise<void>;
}

export function createScryptPool(size = availableParallelism()): ScryptPool {
  const queue: Task[] = [];
  const running = new Map<Worker, Task>();
  const idle: Worker[] = [];
  const workers: Worker[] = [];
  let nextId = 0;
  let closed = false;

  const start = (): Worker => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on("message", (reply: Reply) => {
      const task = running.get(worker);
      running.delete(worker);
      if (task && reply.id === task.id) {
        if ("key" in reply) task.resolve(Buffer.from(reply.key));
        else task.reject(new Error(`scrypt failed: ${reply.error}`));
      }
      dispatch(worker);
    });
    worker.on("error", (error) => {
      running.get(worker)?.reject(error);
      running.delete(worker);
      workers.splice(workers.indexOf(worker), 1);
    });
    workers.push(worker);
    return worker;
  };

  // An idle worker does not keep the process alive; a busy one does, until its answer comes.
  const dispatch = (worker: Worker) => {
    const task = queue.shift();
    if (!task) {
      worker.unref();
      idle.push(worker);
      return;
    }
    worker.ref();
    running.set(worker, task);
    const { id, secret, salt, keyLength, cost } = task;
    worker.postMessage({ id, secret, salt, keyLength, cost, maxmem: scryptMaxmem(cost) });
  };

  const derive: DeriveKey = (secret, salt, keyLength, cost) =>
    new Promise<Buffer>((resolve, reject) => {
      if (closed) return reject(new Error("the scrypt pool is closed"));
      queue.push({ id: nextId++, secret, salt, keyLength, cost, resolve, reject });
      const worker = idle.pop() ?? (workers.length < size ? start() : undefined);
      if (worker) dispatch(worker);
    });

  return {
    derive,
    size,
    async close() {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error("the scrypt pool is closed"));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

let shared: ScryptPool | undefined;

/** One pool for the process, started on first use; its idle workers never hold the process open. */
export function sharedScryptPool(): ScryptPool {
  shared ??= createScryptPool();
  return shared;
}
