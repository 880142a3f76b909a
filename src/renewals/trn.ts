/**
 * Transaction Reference Numbers: 9 random digits and a Damm check digit, which catches every
 * single-digit error and every swap of two adjacent digits (renewal-rules.md).
 */
import { randomInt } from "node:crypto";

// The Damm algorithm's quasigroup of order 10 (weakly totally anti-symmetric).
const DAMM_TABLE: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function dammInterim(digits: string): number {
  let interim = 0;
  for (const char of digits) {
    const next = DAMM_TABLE[interim]?.[Number(char)];
    if (next === undefined) throw new Error("Damm check: digits only");
    interim = next;
  }
  return interim;
}

export function dammCheckDigit(digits: string): number {
  return dammInterim(digits);
}

/** True for 10 digits whose last is the Damm check digit of the first nine. */
export function isValidTrn(text: string): boolean {
  return /^\d{10}$/.test(text) && dammInterim(text) === 0;
}

/** A fresh TRN; uniqueness is the database's job (a unique index, retried on collision). */
export function generateTrn(random: (maxExclusive: number) => number = randomInt): string {
  const body = String(random(1_000_000_000)).padStart(9, "0");
  return `${body}${dammCheckDigit(body)}`;
}

/** "1234567890" → "12345 67890", the way it is read out and printed. */
export function formatTrn(trn: string): string {
  return `${trn.slice(0, 5)} ${trn.slice(5)}`;
}
