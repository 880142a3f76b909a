import { describe, expect, it } from "vitest";
import { dammCheckDigit, formatTrn, generateTrn, isValidTrn } from "../../../src/renewals/trn.js";

describe("Transaction Reference Numbers", () => {
  it("uses the Damm check digit (572 → 4, the algorithm's worked example)", () => {
    expect(dammCheckDigit("572")).toBe(4);
  });

  it("generates 10 digits that pass the check, from the random body it is given", () => {
    const trn = generateTrn(() => 123_456_789);
    expect(trn).toBe(`123456789${dammCheckDigit("123456789")}`);
    expect(isValidTrn(trn)).toBe(true);
    expect(generateTrn(() => 42)).toMatch(/^000000042\d$/);
    expect(isValidTrn(generateTrn(() => 42))).toBe(true);
  });

  it("is not sequential: consecutive TRNs from the real source differ widely", () => {
    const trns = Array.from({ length: 50 }, () => Number(generateTrn().slice(0, 9)));
    const steps = trns.slice(1).map((n, i) => Math.abs(n - (trns[i] as number)));
    expect(steps.filter((step) => step < 1000).length).toBeLessThan(3);
  });

  it("catches every single-digit error and every adjacent swap", () => {
    for (const body of ["000000000", "123456789", "987654321", "500000005", "314159265"]) {
      const trn = `${body}${dammCheckDigit(body)}`;
      expect(isValidTrn(trn)).toBe(true);
      for (let position = 0; position < 10; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === trn[position]) continue;
          const mistyped = `${trn.slice(0, position)}${digit}${trn.slice(position + 1)}`;
          expect(isValidTrn(mistyped), mistyped).toBe(false);
        }
        if (position < 9 && trn[position] !== trn[position + 1]) {
          const swapped = `${trn.slice(0, position)}${trn[position + 1]}${trn[position]}${trn.slice(position + 2)}`;
          expect(isValidTrn(swapped), swapped).toBe(false);
        }
      }
    }
  });

  it("refuses anything but 10 digits", () => {
    expect(isValidTrn("123456789")).toBe(false);
    expect(isValidTrn("12345 67890")).toBe(false);
    expect(isValidTrn("abcdefghij")).toBe(false);
  });

  it("is written in two groups of five", () => {
    expect(formatTrn("1234567890")).toBe("12345 67890");
  });
});
