/**
 * The highest cost of a PIN hash we agree to run. An imported hash names its own cost, and a
 * hostile or broken file could name scrypt N=2^30, bcrypt 31 or argon2 m=4 GiB: one login would
 * then take minutes or all the memory. Each maximum is about the cost of one scrypt ln=16 check
 * (64 MiB, ~0.6 s on the 2-core machine of issue #9), well inside a webhook's 3.5 s, and above
 * what the common tools write by default (passlib, Koha, argon2-cffi, Django, OWASP's advice).
 */

export const SCRYPT_MAXIMA = {
  /** 128·N·r bytes: passlib's default ln=16, r=8 is exactly this. */
  memoryBytes: 64 * 2 ** 20,
  /** N·r·p: 2^19 is ln=16, r=8, p=1. */
  work: 2 ** 19,
};

export const ARGON2_MAXIMA = {
  /** KiB: argon2-cffi's and RFC 9106's second choice use 64 MiB. */
  memoryKib: 64 * 1024,
  /** m·t in KiB passes: 64 MiB over 4 passes (~0.5 s in WebAssembly here). */
  work: 4 * 64 * 1024,
  parallelism: 16,
};

/** bcrypt's cost is log2 of its rounds: Koha writes 8, most frameworks 10 to 12; 13 is ~0.55 s. */
export const BCRYPT_MAX_COST = 13;

/** Iterations, by digest (~0.5-0.7 s each here; Django's sha256 default is 1,000,000). */
export const PBKDF2_MAX_ITERATIONS = { sha1: 500_000, sha256: 1_500_000, sha512: 500_000 } as const;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** Why a scrypt cost is refused (malformed, or beyond SCRYPT_MAXIMA), or null. */
export function scryptCostProblem({ N, r, p }: ScryptCost): string | null {
  if (!isCount(N) || !isCount(r) || !isCount(p) || N < 2 || !Number.isInteger(Math.log2(N))) {
    return "expected scrypt parameters: N a power of two, r and p at least 1";
  }
  if (128 * N * r > SCRYPT_MAXIMA.memoryBytes || N * r * p > SCRYPT_MAXIMA.work) {
    return "scrypt cost too high (at most 64 MiB and N·r·p ≤ 2^19, such as ln=16,r=8,p=1)";
  }
  return null;
}

export function argon2CostProblem(m: number, t: number, p: number): string | null {
  if (!isCount(m) || !isCount(t) || !isCount(p) || m < 8 * p) {
    return "expected argon2 parameters m (KiB, at least 8·p), t and p, each at least 1";
  }
  if (m > ARGON2_MAXIMA.memoryKib || m * t > ARGON2_MAXIMA.work || p > ARGON2_MAXIMA.parallelism) {
    return "argon2 cost too high (at most m=65536 KiB, m·t ≤ 262144, p ≤ 16)";
  }
  return null;
}

export function bcryptCostProblem(cost: number): string | null {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) return "expected a bcrypt cost from 04 to 31";
  if (cost > BCRYPT_MAX_COST) return `bcrypt cost too high (at most ${BCRYPT_MAX_COST})`;
  return null;
}

export function pbkdf2CostProblem(
  digest: keyof typeof PBKDF2_MAX_ITERATIONS,
  iterations: number,
): string | null {
  if (!isCount(iterations)) return "expected a pbkdf2 iteration count of at least 1";
  const max = PBKDF2_MAX_ITERATIONS[digest];
  if (iterations > max)
    return `pbkdf2-${digest} cost too high (at most ${max.toLocaleString("en")} iterations)`;
  return null;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}
