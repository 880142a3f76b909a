/**
 * Operators' passwords: salted scrypt, at a higher cost than PINs since a password is long enough
 * for the cost to matter against an offline search of a stolen table.
 */
import { hashSecret, type ScryptCost, verifySecret } from "./pin-hash.js";

// 2^15 × 8 × 1: 32 MiB and ~100 ms a check; logins are rare, and the login rate limit comes first.
const PASSWORD_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hashSecret(password, PASSWORD_COST);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return verifySecret(password, stored);
}
