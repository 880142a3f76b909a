/**
 * Random tokens for sessions and CSRF, the hash a session token is stored under, and the
 * constant-time comparison every check uses.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes, base64url: what goes into a cookie or a hidden form field. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Session and API tokens are stored under this, so the tables alone let no one in. */
export function sha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compares two tokens without leaking, through timing, how much of a guess was right. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== "string" || given.length === 0 || expected.length === 0) return false;
  // Hashing first gives equal lengths, which timingSafeEqual needs, without an early exit.
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
