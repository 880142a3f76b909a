/**
 * How fast plain PINs hash (issue #9): one at a time (one core), all at once on libuv's thread
 * pool, and on the import's worker pool. `npx tsx bench/pin-hash-rate.ts [--count N] [--rounds R]`.
 * Each way runs R rounds, in turn, and the best round counts: on a machine shared with other
 * work, the best round is the one least disturbed.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { hashPin, verifyPin } from "../src/security/pin-hash.js";
import { createScryptPool } from "../src/security/scrypt-pool.js";

const { values } = parseArgs({
  options: { count: { type: "string", default: "100" }, rounds: { type: "string", default: "3" } },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
const pins = Array.from({ length: count }, (_, i) => String(100000 + i));

async function rate(what: string, run: () => Promise<string[]>): Promise<number> {
  const started = performance.now();
  const hashes = await run();
  const seconds = (performance.now() - started) / 1000;
  // Every hash must verify, or the figure means nothing.
  const checked = await Promise.all(hashes.slice(0, 4).map((hash, i) => verifyPin(pins[i] as string, hash)));
  if (hashes.length !== count || checked.includes(false)) throw new Error(`${what}: a hash does not verify`);
  return count / seconds;
}

console.log(
  `${count} PINs a round, ${rounds} rounds, scrypt N=2^14 r=8 p=1; ${availableParallelism()} cores; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`,
);
const pool = createScryptPool();
const ways: [string, () => Promise<string[]>][] = [
  [
    "one core (one hash at a time)",
    async () => {
      const hashes: string[] = [];
      for (const pin of pins) hashes.push(await hashPin(pin));
      return hashes;
    },
  ],
  ["libuv thread pool (all at once)", () => Promise.all(pins.map((pin) => hashPin(pin)))],
  [
    `worker pool (${pool.size} worker threads)`,
    () => Promise.all(pins.map((pin) => hashPin(pin, pool.derive))),
  ],
];
const best = ways.map(() => 0);
for (let round = 0; round < rounds; round++) {
  for (const [i, [what, run]] of ways.entries()) best[i] = Math.max(best[i] as number, await rate(what, run));
}
await pool.close();
const [oneCore, libuv, workers] = best as [number, number, number];
for (const [i, [what]] of ways.entries()) {
  console.log(`${what.padEnd(36)} ${(best[i] as number).toFixed(1).padStart(6)} hashes/s (best round)`);
}
console.log(
  `libuv: ${(libuv / oneCore).toFixed(2)}× one core; worker pool: ${(workers / oneCore).toFixed(2)}× one core`,
);
