import { describe, expect, it } from "vitest";
import { hashPin, verifyPin } from "../../../src/security/pin-hash.js";

describe("PIN hashes", () => {
  it("verifies the right PIN only", async () => {
    const stored = await hashPin("135790");
    expect(await verifyPin("135790", stored)).toBe(true);
    expect(await verifyPin("135791", stored)).toBe(false);
    expect(await verifyPin("13579", stored)).toBe(false);
  });

  it("is salted and never holds the PIN", async () => {
    const one = await hashPin("2468");
    const two = await hashPin("2468");
    expect(one).not.toBe(two);
    expect(one).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(one).not.toContain("2468");
  });

  it("refuses a malformed stored hash rather than throwing", async () => {
    expect(await verifyPin("1234", "plain:1234")).toBe(false);
    expect(await verifyPin("1234", "")).toBe(false);
  });
});
