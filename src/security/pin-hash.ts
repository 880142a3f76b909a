/**
 * PINs are stored only as salted scrypt hashes and compared in constant time
 * (voice-line.md, "Authentication and lockout").
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// 2^14 × 8 × 1 (16 MiB, ~70 ms a check here). A 4-8 digit PIN cannot resist an offline search
// whatever the cost, so the real defences are the lockout and the database itself; the cost
// only has to make a stolen table expensive, not the line slow.
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

function scryptAsync(secret: string, salt: Buffer, options: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...options, maxmem: 256 * options.N * options.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Returns "scrypt$N$r$p$salt$hash" (base64), self-describing so the cost can change later. */
export function hashPin(pin: string): Promise<string> {
  return hashSecret(pin, COST);
}

export function verifyPin(pin: string, stored: string): Promise<boolean> {
  return verifySecret(pin, stored);
}

/** The scrypt hash of any secret at a given cost (operators' passwords use a higher one). */
export async function hashSecret(secret: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** Checks a secret against a stored hash, at the cost the hash names, in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scryptAsync(secret, Buffer.from(salt, "base64"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
