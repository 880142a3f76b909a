/**
 * PIN hashes a library system exports (library-data.md, `patrons[].pinHash`), so that no plain
 * PIN leaves it: PHC strings for scrypt, argon2 and pbkdf2 (also passlib's `$pbkdf2-sha256$29000$`
 * form), and bcrypt `$2a$`/`$2b$` as Koha writes. Each is checked with its own algorithm, and only
 * at a cost within hash-cost-limits.ts. Problems never quote the hash.
 */
import { pbkdf2, timingSafeEqual } from "node:crypto";
import { argon2d, argon2i, argon2id, bcryptVerify } from "hash-wasm";
import {
  argon2CostProblem,
  bcryptCostProblem,
  pbkdf2CostProblem,
  type ScryptCost,
  scryptCostProblem,
} from "./hash-cost-limits.js";
import type { DeriveKey } from "./pin-hash.js";

export type ImportedHash =
  | { kind: "scrypt"; cost: ScryptCost; salt: Buffer; hash: Buffer }
  | {
      kind: "argon2";
      variant: "argon2id" | "argon2i" | "argon2d";
      m: number;
      t: number;
      p: number;
      salt: Buffer;
      hash: Buffer;
    }
  | { kind: "pbkdf2"; digest: "sha1" | "sha256" | "sha512"; iterations: number; salt: Buffer; hash: Buffer }
  | { kind: "bcrypt"; encoded: string };

export type ParsedImportedHash = { ok: true; hash: ImportedHash } | { ok: false; problem: string };

export const UNKNOWN_FORMAT =
  "unknown hash format: expected a PHC string for scrypt ($scrypt$ln=…), argon2 ($argon2id$v=19$m=…) " +
  "or pbkdf2 ($pbkdf2-sha256$i=…), or bcrypt ($2a$ or $2b$)";

// PHC's base64 has no padding; passlib's "adapted" base64 writes "." for "+".
const B64 = "[A-Za-z0-9+/.]+";
const SCRYPT = new RegExp(`^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,4}),p=(\\d{1,4})\\$(${B64})\\$(${B64})$`);
const ARGON2 = new RegExp(
  `^\\$(argon2id|argon2i|argon2d)\\$v=(\\d{1,3})\\$m=(\\d{1,10}),t=(\\d{1,10}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`,
);
const PBKDF2 = new RegExp(
  `^\\$pbkdf2(?:-(sha1|sha256|sha512))?\\$(?:i=(\\d{1,10})(?:,l=(\\d{1,3}))?|(\\d{1,10}))\\$(${B64})\\$(${B64})$`,
);
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** A key shorter than this would let too many PINs through; longer ones are not hashes we know. */
const HASH_BYTES = { min: 16, max: 128 };

export function parseImportedHash(text: string): ParsedImportedHash {
  const fail = (problem: string): ParsedImportedHash => ({ ok: false, problem });
  const bytes = (encoded: string) => decodeBase64(encoded);
  // Cost problems name their algorithm already.
  const lengthProblem = (kind: string, hash: Buffer | null, salt: Buffer | null, minSalt = 1) =>
    salt === null || hash === null
      ? `malformed ${kind} hash: salt and hash must be base64`
      : salt.length < minSalt
        ? `malformed ${kind} hash: salt shorter than ${minSalt} bytes`
        : hash.length < HASH_BYTES.min || hash.length > HASH_BYTES.max
          ? `malformed ${kind} hash: the hash must be ${HASH_BYTES.min} to ${HASH_BYTES.max} bytes`
          : null;

  if (text.startsWith("$scrypt$")) {
    const match = SCRYPT.exec(text);
    if (!match) return fail("malformed scrypt hash: expected $scrypt$ln=…,r=…,p=…$salt$hash");
    const [, ln, r, p, salt, hash] = match as unknown as string[];
    const cost = { N: 2 ** Number(ln), r: Number(r), p: Number(p) };
    const problem =
      scryptCostProblem(cost) ?? lengthProblem("scrypt", bytes(hash as string), bytes(salt as string));
    if (problem) return fail(problem);
    return ok({
      kind: "scrypt",
      cost,
      salt: bytes(salt as string) as Buffer,
      hash: bytes(hash as string) as Buffer,
    });
  }
  if (/^\$argon2(id|i|d)\$/.test(text)) {
    const match = ARGON2.exec(text);
    if (!match) return fail("malformed argon2 hash: expected $argon2id$v=19$m=…,t=…,p=…$salt$hash");
    const [, variant, version, m, t, p, salt, hash] = match as unknown as string[];
    if (version !== "19") return fail("argon2 hash: only version 19 (v=19) is supported");
    const [mem, passes, lanes] = [Number(m), Number(t), Number(p)];
    const problem =
      argon2CostProblem(mem, passes, lanes) ??
      lengthProblem("argon2", bytes(hash as string), bytes(salt as string), 8);
    if (problem) return fail(problem);
    return ok({
      kind: "argon2",
      variant: variant as "argon2id" | "argon2i" | "argon2d",
      m: mem,
      t: passes,
      p: lanes,
      salt: bytes(salt as string) as Buffer,
      hash: bytes(hash as string) as Buffer,
    });
  }
  if (text.startsWith("$pbkdf2")) {
    const match = PBKDF2.exec(text);
    if (!match) return fail("malformed pbkdf2 hash: expected $pbkdf2-sha256$i=…[,l=…]$salt$hash");
    const [, digestName, i, l, passlibRounds, salt, hash] = match;
    // passlib's `$pbkdf2$` is its sha1 variant.
    const digest = (digestName ?? "sha1") as "sha1" | "sha256" | "sha512";
    const iterations = Number(i ?? passlibRounds);
    const key = bytes(hash as string);
    const problem =
      pbkdf2CostProblem(digest, iterations) ??
      lengthProblem("pbkdf2", key, bytes(salt as string)) ??
      (l !== undefined && key?.length !== Number(l)
        ? "malformed pbkdf2 hash: l is not the hash's length"
        : null);
    if (problem) return fail(problem);
    return ok({
      kind: "pbkdf2",
      digest,
      iterations,
      salt: bytes(salt as string) as Buffer,
      hash: key as Buffer,
    });
  }
  if (/^\$2[aby]\$/.test(text)) {
    const match = BCRYPT.exec(text);
    if (!match) return fail("malformed bcrypt hash: expected $2b$NN$ and 53 characters of salt and hash");
    const problem = bcryptCostProblem(Number(match[1]));
    if (problem) return fail(problem);
    return ok({ kind: "bcrypt", encoded: text });
  }
  return fail(UNKNOWN_FORMAT);
}

/** Checks a PIN against a parsed imported hash, in constant time where we compare. */
export async function verifyImportedHash(
  pin: string,
  imported: ImportedHash,
  derive: DeriveKey,
): Promise<boolean> {
  switch (imported.kind) {
    case "scrypt":
      return sameBytes(await derive(pin, imported.salt, imported.hash.length, imported.cost), imported.hash);
    case "pbkdf2":
      return sameBytes(await pbkdf2Async(pin, imported), imported.hash);
    case "argon2": {
      const argon2 = { argon2id, argon2i, argon2d }[imported.variant];
      const key = await argon2({
        password: pin,
        salt: imported.salt,
        iterations: imported.t,
        parallelism: imported.p,
        memorySize: imported.m,
        hashLength: imported.hash.length,
        outputType: "binary",
      });
      return sameBytes(Buffer.from(key), imported.hash);
    }
    case "bcrypt":
      return bcryptVerify({ password: pin, hash: imported.encoded });
  }
}

function ok(hash: ImportedHash): ParsedImportedHash {
  return { ok: true, hash };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function pbkdf2Async(pin: string, h: { digest: string; iterations: number; salt: Buffer; hash: Buffer }) {
  return new Promise<Buffer>((resolve, reject) =>
    pbkdf2(pin, h.salt, h.iterations, h.hash.length, h.digest, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Standard or adapted base64 without padding; null when it cannot be base64 at all. */
function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 === 1) return null;
  return Buffer.from(text.replaceAll(".", "+"), "base64");
}
