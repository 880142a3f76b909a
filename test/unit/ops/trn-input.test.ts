/**
 * What an operator types into the reference-number enquiry: separators stripped, then 10 digits
 * and a valid check digit, all decided before the database is asked anything.
 */
import { describe, expect, it } from "vitest";
import type { Database } from "../../../src/db/database.js";
import { enquireTrn, parseTrnInput } from "../../../src/ops/console-data/trn-enquiry.js";
import { dammCheckDigit } from "../../../src/renewals/trn.js";

const VALID = `123456789${dammCheckDigit("123456789")}`;

/** A database that fails the test if anything so much as looks at it. */
const untouchable = new Proxy({} as Database, {
  get(_target, property) {
    throw new Error(`the database was touched (${String(property)})`);
  },
});

describe("parseTrnInput", () => {
  it("accepts the TRN as printed, with spaces or dashes, or none", () => {
    for (const typed of [
      VALID,
      `${VALID.slice(0, 5)} ${VALID.slice(5)}`,
      `  ${VALID.slice(0, 5)}-${VALID.slice(5)} `,
      `${VALID.slice(0, 3)} ${VALID.slice(3, 6)} - ${VALID.slice(6)}`,
      // What a word processor makes of "-", and a no-break space.
      `${VALID.slice(0, 5)}\u2013${VALID.slice(5)}`,
      `${VALID.slice(0, 5)}\u00a0${VALID.slice(5)}`,
    ]) {
      expect(parseTrnInput(typed), typed).toEqual({ kind: "trn", trn: VALID });
    }
  });

  it("rejects an empty field, and anything that is not 10 digits once separators are gone", () => {
    expect(parseTrnInput("")).toEqual({ kind: "rejected", reason: "empty" });
    expect(parseTrnInput(" - ")).toEqual({ kind: "rejected", reason: "empty" });
    for (const typed of [
      VALID.slice(0, 9),
      `${VALID}0`,
      `${VALID.slice(0, 5)}.${VALID.slice(5)}`,
      `TRN ${VALID}`,
      "12345abcde",
      // Digits of other scripts are not what the line reads out.
      "１２３４５６７８９０",
    ]) {
      expect(parseTrnInput(typed), typed).toEqual({ kind: "rejected", reason: "not_ten_digits" });
    }
  });

  it("rejects as mistyped every single wrong digit and every swap of neighbours", () => {
    for (let position = 0; position < 10; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === VALID[position]) continue;
        const mistyped = `${VALID.slice(0, position)}${digit}${VALID.slice(position + 1)}`;
        expect(parseTrnInput(mistyped), mistyped).toEqual({ kind: "rejected", reason: "check_digit" });
      }
      if (position < 9 && VALID[position] !== VALID[position + 1]) {
        const swapped = `${VALID.slice(0, position)}${VALID[position + 1]}${VALID[position]}${VALID.slice(position + 2)}`;
        expect(parseTrnInput(swapped), swapped).toEqual({ kind: "rejected", reason: "check_digit" });
      }
    }
  });
});

describe("enquireTrn", () => {
  it("answers bad input without touching the database", async () => {
    const wrongLast = `${VALID.slice(0, 9)}${(Number(VALID[9]) + 1) % 10}`;
    await expect(enquireTrn(untouchable, wrongLast)).resolves.toEqual({
      kind: "rejected",
      reason: "check_digit",
    });
    await expect(enquireTrn(untouchable, "12345")).resolves.toEqual({
      kind: "rejected",
      reason: "not_ten_digits",
    });
    await expect(enquireTrn(untouchable, "")).resolves.toEqual({ kind: "rejected", reason: "empty" });
  });

  it("asks the database for a valid TRN (the proxy above does fail when touched)", async () => {
    await expect(enquireTrn(untouchable, VALID)).rejects.toThrow("the database was touched");
  });
});
