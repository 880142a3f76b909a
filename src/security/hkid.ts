/**
 * Hong Kong identity card numbers. Only a keyed hash of the digits a caller would key is ever
 * stored (voice-line.md): letters skipped, a check digit A keyed as 0.
 */
import { createHmac } from "node:crypto";

const HKID_FORMAT = /^([A-Z]{1,2})(\d{6})([0-9A])$/;

/** Strips the usual punctuation: "A123456(3)" and "a1234563" both give "A1234563". */
export function normaliseHkid(text: string): string {
  return text.toUpperCase().replace(/[\s()]/g, "");
}

/**
 * The standard check: a single letter is padded with a leading space (worth 36), letters are
 * worth 10..35, weights 9..2; the check digit makes the weighted sum a multiple of 11.
 */
export function isValidHkid(text: string): boolean {
  const match = HKID_FORMAT.exec(normaliseHkid(text));
  if (!match) return false;
  const [, letters = "", digits = "", check = ""] = match;
  const values = [
    ...(letters.length === 1 ? [36] : []),
    ...[...letters].map((letter) => letter.charCodeAt(0) - 55),
    ...[...digits].map(Number),
  ];
  const sum = values.reduce((total, value, index) => total + value * (9 - index), 0);
  const checkValue = check === "A" ? 10 : Number(check);
  return (sum + checkValue) % 11 === 0;
}

/** "A123456(A)" → "1234560": what a reader keys on the phone. */
export function hkidKeyedDigits(text: string): string {
  const normalised = normaliseHkid(text);
  return normalised.replace(/^[A-Z]+/, "").replace(/A$/, "0");
}

/** Keyed hash (HMAC-SHA-256) of keyed digits: serves the lookup, cannot be read back. */
export function hashHkidDigits(keyedDigits: string, key: string): string {
  return createHmac("sha256", key).update(`hkid:${keyedDigits}`).digest("base64url");
}
