/**
 * PINs are stored only as salted hashes and compared in constant time (voice-line.md,
 * "Authentication and lockout"). Ours are scrypt; a reader imported with the hash their library
 * system holds keeps that hash, checked with its own algorithm (imported-pin-hash.ts).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { type ScryptCost, scryptCostProblem } from "./hash-cost-limits.js";
import { parseImportedHash, verifyImportedHash } from "./imported-pin-hash.js";

// 2^14 × 8 × 1 (16 MiB, ~70 ms a check here). A 4-8 digit PIN cannot resist an offline search
// whatever the cost, so the real defences are the lockout and the database itself; the cost
// only has to make a stolen table expensive, not the line slow.
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export type { ScryptCost };

/** Derives a scrypt key: on libuv's thread pool by default, or on a worker pool (scrypt-pool.ts). */
export type DeriveKey = (
  secret: string,
  salt: Buffer,
  keyLength: number,
  cost: ScryptCost,
) => Promise<Buffer>;

/** Node's default limit is 32 MiB; scryptCostProblem has refused anything above our maxima. */
export function scryptMaxmem(cost: ScryptCost): number {
  return 256 * cost.N * cost.r;
}

export const deriveOnLibuv: DeriveKey = (secret, salt, keyLength, cost) =>
  new Promise((resolve, reject) => {
    scrypt(secret, salt, keyLength, { ...cost, maxmem: scryptMaxmem(cost) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

/** Returns "scrypt$N$r$p$salt$hash" (base64), self-describing so the cost can change later. */
export function hashPin(pin: string, derive: DeriveKey = deriveOnLibuv): Promise<string> {
  return hashSecret(pin, COST, derive);
}

/**
 * Checks a PIN against any stored form: ours ("scrypt$…"), or an imported PHC or bcrypt string.
 * An unknown or malformed form, or one whose cost is beyond our maxima, never matches.
 */
export async function verifyPin(
  pin: string,
  stored: string,
  derive: DeriveKey = deriveOnLibuv,
): Promise<boolean> {
  if (stored.startsWith("scrypt$")) return verifySecret(pin, stored, derive);
  const parsed = parseImportedHash(stored);
  return parsed.ok ? verifyImportedHash(pin, parsed.hash, derive) : false;
}

/** The scrypt hash of any secret at a given cost (operators' passwords use a higher one). */
export async function hashSecret(
  secret: string,
  cost: ScryptCost,
  derive: DeriveKey = deriveOnLibuv,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, KEY_LENGTH, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Checks a secret against a stored hash, at the cost the hash names, in constant time. */
export async function verifySecret(
  secret: string,
  stored: string,
  derive: DeriveKey = deriveOnLibuv,
): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash || rest.length > 0) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // A row written by hand or by a broken tool must not make a login take minutes.
  if (scryptCostProblem(cost) !== null) return false;
  const expected = Buffer.from(hash, "base64");
  if (expected.length === 0) return false;
  const key = await derive(secret, Buffer.from(salt, "base64"), expected.length, cost);
  return timingSafeEqual(key, expected);
}
