/**
 * PIN hashes imported from a library system (library-data.md, `patrons[].pinHash`): each format
 * verifies with its own algorithm, against published vectors and against hashes the real
 * algorithms make here; unknown, malformed and absurdly costly ones are refused, never run.
 */
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { argon2d, argon2i, argon2id, bcrypt } from "hash-wasm";
import { describe, expect, it } from "vitest";
import { parseImportedHash, UNKNOWN_FORMAT } from "../../../src/security/imported-pin-hash.js";
import { type DeriveKey, deriveOnLibuv, verifyPin } from "../../../src/security/pin-hash.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");
const hex = (text: string) => Buffer.from(text, "hex");

// Published vectors: the secret, the hash, and where it is published.
const PUBLISHED: [string, string, string][] = [
  [
    "RFC 7914 §12, scrypt N=16384 r=8 p=1, as a PHC string",
    "pleaseletmein",
    `$scrypt$ln=14,r=8,p=1$${b64(Buffer.from("SodiumChloride"))}$${b64(
      hex(
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
      ),
    )}`,
  ],
  [
    "passlib's scrypt documentation",
    "password",
    "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
  ],
  [
    "the Argon2 reference implementation's README (argon2i)",
    "password",
    "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
  ],
  [
    "the Argon2 reference implementation's tests (argon2id)",
    "password",
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
  ],
  [
    "RFC 6070, PBKDF2-HMAC-SHA1 c=4096 dkLen=20, as a PHC string",
    "password",
    `$pbkdf2-sha1$i=4096,l=20$${b64(Buffer.from("salt"))}$${b64(hex("4b007901b765489abead49d926f721d065a429c1"))}`,
  ],
  [
    "passlib's pbkdf2_sha256 documentation",
    "password",
    "$pbkdf2-sha256$6400$0ZrzXitFSGltTQnBWOsdAw$Y11AchqV4b0sUisdZd0Xr97KWoymNE0LNNrnEgY4H9M",
  ],
  [
    "passlib pbkdf2_sha256, adapted base64 with '.'",
    "toomanysecrets",
    "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk",
  ],
  [
    "OpenWall crypt_blowfish's tests (bcrypt $2a$)",
    "U*U",
    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  ],
  ["the same, as $2b$", "U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
];

describe("verifyPin with an imported hash", () => {
  it.each(PUBLISHED)("verifies the published vector: %s", async (_source, secret, hash) => {
    expect(parseImportedHash(hash).ok).toBe(true);
    expect(await verifyPin(secret, hash)).toBe(true);
    expect(await verifyPin(`${secret}x`, hash)).toBe(false);
  });

  // Made here by the real algorithms, for a PIN, at the costs the tools write by default.
  const salt = randomBytes(16);
  const generated: [string, () => Promise<string>][] = [
    [
      "scrypt (node:crypto)",
      async () =>
        `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(scryptSync("135790", salt, 32, { N: 2 ** 14, r: 8, p: 1 }))}`,
    ],
    [
      "pbkdf2-sha256 PHC with i and l",
      async () =>
        `$pbkdf2-sha256$i=29000,l=32$${b64(salt)}$${b64(pbkdf2Sync("135790", salt, 29_000, 32, "sha256"))}`,
    ],
    [
      "pbkdf2-sha512 PHC with i only",
      async () =>
        `$pbkdf2-sha512$i=25000$${b64(salt)}$${b64(pbkdf2Sync("135790", salt, 25_000, 64, "sha512"))}`,
    ],
    [
      "passlib's $pbkdf2$ (sha1)",
      async () =>
        `$pbkdf2$131000$${b64(salt).replaceAll("+", ".")}$${b64(pbkdf2Sync("135790", salt, 131_000, 20, "sha1")).replaceAll("+", ".")}`,
    ],
    [
      "argon2id (hash-wasm)",
      () =>
        argon2id({
          password: "135790",
          salt,
          iterations: 3,
          parallelism: 4,
          memorySize: 65_536,
          hashLength: 32,
          outputType: "encoded",
        }),
    ],
    [
      "argon2i (hash-wasm)",
      () =>
        argon2i({
          password: "135790",
          salt,
          iterations: 2,
          parallelism: 1,
          memorySize: 19_456,
          hashLength: 32,
          outputType: "encoded",
        }),
    ],
    [
      "argon2d (hash-wasm)",
      () =>
        argon2d({
          password: "135790",
          salt,
          iterations: 2,
          parallelism: 1,
          memorySize: 19_456,
          hashLength: 32,
          outputType: "encoded",
        }),
    ],
    [
      "bcrypt cost 8, as Koha writes (hash-wasm)",
      () => bcrypt({ password: "135790", salt, costFactor: 8, outputType: "encoded" }),
    ],
  ];

  it.each(generated)("verifies a hash made by %s", async (_what, make) => {
    const hash = await make();
    expect(parseImportedHash(hash)).toMatchObject({ ok: true });
    expect(await verifyPin("135790", hash)).toBe(true);
    expect(await verifyPin("135791", hash)).toBe(false);
  });

  it("checks an imported scrypt hash on whatever derives the key (the import's worker pool)", async () => {
    const calls: number[] = [];
    const counting: DeriveKey = (secret, s, length, cost) => {
      calls.push(cost.N);
      return deriveOnLibuv(secret, s, length, cost);
    };
    const [, , rfc7914] = PUBLISHED[0] as [string, string, string];
    expect(await verifyPin("pleaseletmein", rfc7914, counting)).toBe(true);
    expect(calls).toEqual([16_384]);
  });
});

describe("parseImportedHash refuses", () => {
  const bcrypt8 = "$2b$08$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  const saltB64 = b64(randomBytes(16));
  const key32 = b64(randomBytes(32));

  it.each([
    ["an unknown scheme", "$md5$abc$def", UNKNOWN_FORMAT],
    ["our own format (not an export format)", `scrypt$16384$8$1$${saltB64}$${key32}`, UNKNOWN_FORMAT],
    ["a plain PIN", "135790", UNKNOWN_FORMAT],
    ["Django's pbkdf2 without the leading $", `pbkdf2_sha256$29000$${saltB64}$${key32}`, UNKNOWN_FORMAT],
    [
      "scrypt with its parameters out of order",
      `$scrypt$r=8,ln=14,p=1$${saltB64}$${key32}`,
      "malformed scrypt hash",
    ],
    ["scrypt without its hash", `$scrypt$ln=14,r=8,p=1$${saltB64}`, "malformed scrypt hash"],
    ["argon2 version 16", `$argon2id$v=16$m=65536,t=3,p=4$${saltB64}$${key32}`, "only version 19"],
    [
      "argon2 with a short salt",
      `$argon2id$v=19$m=65536,t=3,p=4$${b64(randomBytes(4))}$${key32}`,
      "salt shorter than 8 bytes",
    ],
    ["pbkdf2 with an unknown digest", `$pbkdf2-md5$i=1000$${saltB64}$${key32}`, "malformed pbkdf2 hash"],
    [
      "pbkdf2 whose l is not its hash's length",
      `$pbkdf2-sha256$i=1000,l=64$${saltB64}$${key32}`,
      "l is not the hash's length",
    ],
    [
      "a hash too short to mean anything",
      `$pbkdf2-sha256$i=1000$${saltB64}$${b64(randomBytes(4))}`,
      "the hash must be 16 to 128 bytes",
    ],
    ["bcrypt cut short", bcrypt8.slice(0, -1), "malformed bcrypt hash"],
    ["bcrypt $2x$ (a broken old variant)", bcrypt8.replace("$2b$", "$2x$"), UNKNOWN_FORMAT],
  ])("%s", (_what, hash, problem) => {
    const parsed = parseImportedHash(hash);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toContain(problem);
  });

  // A hostile or broken file must not make one login take minutes or gigabytes.
  it.each([
    ["scrypt N=2^30", `$scrypt$ln=30,r=8,p=1$${saltB64}$${key32}`, "scrypt cost too high"],
    ["scrypt over 64 MiB", `$scrypt$ln=17,r=8,p=1$${saltB64}$${key32}`, "scrypt cost too high"],
    ["scrypt p=64", `$scrypt$ln=14,r=8,p=64$${saltB64}$${key32}`, "scrypt cost too high"],
    ["bcrypt cost 31", bcrypt8.replace("$08$", "$31$"), "bcrypt cost too high (at most 13)"],
    ["bcrypt cost 14", bcrypt8.replace("$08$", "$14$"), "bcrypt cost too high (at most 13)"],
    ["argon2 m=4 GiB", `$argon2id$v=19$m=4194304,t=3,p=4$${saltB64}$${key32}`, "argon2 cost too high"],
    ["argon2 t=100", `$argon2id$v=19$m=65536,t=100,p=4$${saltB64}$${key32}`, "argon2 cost too high"],
    [
      "pbkdf2-sha256 with 10^9 iterations",
      `$pbkdf2-sha256$i=1000000000$${saltB64}$${key32}`,
      "pbkdf2-sha256 cost too high",
    ],
    [
      "passlib pbkdf2-sha512 with 10^7 rounds",
      `$pbkdf2-sha512$10000000$${saltB64}$${key32}`,
      "pbkdf2-sha512 cost too high",
    ],
  ])("a cost beyond our maxima, and verifyPin never runs it: %s", async (_what, hash, problem) => {
    const parsed = parseImportedHash(hash);
    expect(parsed).toEqual({ ok: false, problem: expect.stringContaining(problem) });
    const derived: number[] = [];
    const spy: DeriveKey = (secret, s, length, cost) => {
      derived.push(cost.N);
      return deriveOnLibuv(secret, s, length, cost);
    };
    expect(await verifyPin("135790", hash, spy)).toBe(false);
    expect(derived).toEqual([]);
  });

  it("never quotes the hash in a problem", () => {
    for (const hash of [`$scrypt$ln=30,r=8,p=1$${saltB64}$${key32}`, `$pbkdf2-md5$i=1$${saltB64}$${key32}`]) {
      const parsed = parseImportedHash(hash);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problem).not.toContain(key32.slice(0, 12));
    }
  });
});

describe("verifyPin with our own format", () => {
  it("refuses one whose cost is beyond our maxima without running it", async () => {
    const salt = randomBytes(16).toString("base64");
    const key = randomBytes(32).toString("base64");
    const derived: number[] = [];
    const spy: DeriveKey = (secret, s, length, cost) => {
      derived.push(cost.N);
      return deriveOnLibuv(secret, s, length, cost);
    };
    expect(await verifyPin("1234", `scrypt$${2 ** 30}$8$1$${salt}$${key}`, spy)).toBe(false);
    expect(await verifyPin("1234", `scrypt$16384$8$1$${salt}$${key}$extra`, spy)).toBe(false);
    expect(derived).toEqual([]);
  });
});
