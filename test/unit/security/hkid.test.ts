import { describe, expect, it } from "vitest";
import { hashHkidDigits, hkidKeyedDigits, isValidHkid, normaliseHkid } from "../../../src/security/hkid.js";

describe("HKID numbers", () => {
  it.each(["A1234563", "A123456(3)", "a123456(3)", "E3579135", "P3579135", "B424242A", "B424242(A)"])(
    "accepts %s",
    (hkid) => {
      expect(isValidHkid(hkid)).toBe(true);
    },
  );

  it.each(["A1234564", "A12345", "1234563", "A1234563X", "ABC1234563", "B4242420"])("refuses %s", (hkid) => {
    expect(isValidHkid(hkid)).toBe(false);
  });

  it("accepts two-letter prefixes with the right check digit", () => {
    // XA000000: 33×9 + 10×8 = 377; 377 mod 11 = 3, so the check digit is 8.
    expect(isValidHkid("XA0000008")).toBe(true);
    expect(isValidHkid("XA0000007")).toBe(false);
  });

  it("keys the digits as a caller does: letters skipped, a check digit A as 0", () => {
    expect(normaliseHkid("b424242(a)")).toBe("B424242A");
    expect(hkidKeyedDigits("A123456(3)")).toBe("1234563");
    expect(hkidKeyedDigits("B424242(A)")).toBe("4242420");
    expect(hkidKeyedDigits("XA0000008")).toBe("0000008");
  });

  it("hashes with a key: the same digits match, another key or other digits do not", () => {
    const key = "k".repeat(32);
    const hash = hashHkidDigits("1234563", key);
    expect(hash).toBe(hashHkidDigits("1234563", key));
    expect(hash).not.toBe(hashHkidDigits("1234563", "j".repeat(32)));
    expect(hash).not.toBe(hashHkidDigits("1234564", key));
    expect(hash).not.toContain("1234563");
  });
});
