/**
 * The import's PIN hashing on worker threads (issue #9): what the pool makes is an ordinary PIN
 * hash, verified on libuv's threads like any other; more PINs than workers all come back.
 */
import { afterAll, describe, expect, it } from "vitest";
import { hashPin, verifyPin } from "../../../src/security/pin-hash.js";
import { createScryptPool } from "../../../src/security/scrypt-pool.js";

describe("the scrypt worker pool", () => {
  const pool = createScryptPool(2);
  afterAll(() => pool.close());

  it("hashes PINs that verify without it, each with its own salt", async () => {
    const pins = ["1234", "135790", "2468", "00000000", "97531", "8642", "1111"];
    const hashes = await Promise.all(pins.map((pin) => hashPin(pin, pool.derive)));
    expect(new Set(hashes).size).toBe(pins.length);
    for (const [i, hash] of hashes.entries()) {
      expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(await verifyPin(pins[i] as string, hash)).toBe(true);
      expect(await verifyPin("99999", hash)).toBe(false);
    }
  });

  it("verifies on the pool what libuv hashed", async () => {
    const stored = await hashPin("135790");
    expect(await verifyPin("135790", stored, pool.derive)).toBe(true);
    expect(await verifyPin("135791", stored, pool.derive)).toBe(false);
  });

  it("reports scrypt's own refusal instead of hanging", async () => {
    await expect(pool.derive("1234", Buffer.alloc(16), 32, { N: 3, r: 8, p: 1 })).rejects.toThrow(
      /scrypt failed/,
    );
    // The worker that refused is still there for the next one.
    expect(await verifyPin("1234", await hashPin("1234", pool.derive))).toBe(true);
  });

  it("refuses work once closed", async () => {
    const closing = createScryptPool(1);
    await closing.close();
    await expect(closing.derive("1234", Buffer.alloc(16), 32, { N: 1024, r: 8, p: 1 })).rejects.toThrow(
      /closed/,
    );
  });
});
