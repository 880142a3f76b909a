/**
 * The JSON Lines import (library-data.md; issue #9): lines in any order load the same state as
 * the JSON document, a second load changes nothing, references resolve across lines, and a file
 * with mistakes is refused whole, every mistake named by its line. Readers may carry the hash
 * their library system holds instead of a PIN. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { randomBytes, scryptSync } from "node:crypto";
import { eq } from "drizzle-orm";
import { argon2id, bcrypt } from "hash-wasm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { charges, items, loans, patrons, reservations } from "../../src/db/schema/index.js";
import { validateLibraryData } from "../../src/library-data/import-schema.js";
import {
  loadLibraryData,
  loadLibraryLines,
  PROBLEMS_SHOWN,
} from "../../src/library-data/load-library-data.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import {
  createTestDatabase,
  DRIVERS,
  resetData,
  TEST_IDENTITY_HASH_KEY,
  type TestDatabase,
} from "../support/database.js";
import { dumpTables, type RawFile, readJson, SPEC_EXAMPLE } from "../support/library-files.js";

const SECTIONS: [keyof RawFile, string][] = [
  ["closedDays", "closedDay"],
  ["patrons", "patron"],
  ["titles", "title"],
  ["items", "item"],
  ["loans", "loan"],
  ["reservations", "reservation"],
  ["charges", "charge"],
];

/** A JSON document as JSON Lines, one row a line, in the document's order. */
function toLines(file: RawFile): string[] {
  return SECTIONS.flatMap(([section, kind]) =>
    (file[section] ?? []).map((row) => JSON.stringify({ [kind]: row })),
  );
}

async function* streamOf(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

function loadLines(db: Database, lines: string[], replace = false) {
  return loadLibraryLines(db, streamOf(lines), { replace, identityHashKey: TEST_IDENTITY_HASH_KEY });
}

async function loadDocument(db: Database, raw: unknown) {
  const checked = validateLibraryData(raw);
  if (!checked.ok) throw new Error(checked.problems.join("\n"));
  return loadLibraryData(db, checked.data, { replace: false, identityHashKey: TEST_IDENTITY_HASH_KEY });
}

/** Pins and scrypt salts differ on every load: compare the rows without them. */
async function dumpWithoutPinHashes(db: Database) {
  const dump = await dumpTables(db);
  return { ...dump, patrons: dump.patrons.map(({ pinHash: _, ...p }) => p) };
}

describe.each(DRIVERS)("JSON Lines import on %s", (driver) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
  }, 60_000);
  afterAll(() => database.dispose());
  beforeEach(() => resetData(database));

  it("loads the same state as the JSON document, ids included", async () => {
    const spec = readJson(SPEC_EXAMPLE);
    await loadDocument(db, spec);
    const fromDocument = await dumpWithoutPinHashes(db);

    await resetData(database);
    const lines = ["", `{"exportedAt":"2026-12-01T08:00:00+08:00"}`, ...toLines(spec), "   "];
    const result = await loadLines(db, lines);
    expect(result).toEqual({
      ok: true,
      summary: { closedDays: 2, patrons: 2, titles: 3, items: 4, loans: 4, reservations: 1, charges: 2 },
      exportedAt: "2026-12-01T08:00:00+08:00",
      phoneRenewals: { kept: 0, reset: 0 },
    });
    expect(await dumpWithoutPinHashes(db)).toEqual(fromDocument);
    const [reader] = await db.select().from(patrons).where(eq(patrons.cardNumber, "2100000001"));
    expect(await verifyPin("135790", reader?.pinHash ?? "")).toBe(true);
  });

  it("resolves references across lines in any order: every row ahead of what it names", async () => {
    const spec = readJson(SPEC_EXAMPLE);
    expect((await loadLines(db, toLines(spec).reverse())).ok).toBe(true);
    const loaded = await db
      .select({ barcode: items.barcode, cardNumber: patrons.cardNumber, dueOn: loans.dueOn })
      .from(loans)
      .innerJoin(items, eq(items.id, loans.itemId))
      .innerJoin(patrons, eq(patrons.id, loans.patronId))
      .orderBy(items.barcode);
    expect(loaded).toEqual(
      [...spec.loans]
        .map((l) => ({ barcode: l.barcode, cardNumber: l.cardNumber, dueOn: l.dueOn }))
        .sort((a, b) => String(a.barcode).localeCompare(String(b.barcode))),
    );
    expect(await db.$count(reservations)).toBe(spec.reservations.length);
    expect(await db.$count(charges)).toBe(spec.charges.length);
  });

  it("loading the same lines twice changes nothing, PIN hashes and ids included; --replace keeps no old id", async () => {
    const lines = toLines(readJson(SPEC_EXAMPLE));
    await loadLines(db, lines);
    const first = await dumpTables(db);
    expect((await loadLines(db, lines)).ok).toBe(true);
    expect(await dumpTables(db)).toEqual(first);

    expect((await loadLines(db, lines, true)).ok).toBe(true);
    const replaced = await dumpTables(db);
    expect(replaced.patrons).toHaveLength(first.patrons.length);
    const firstIds = new Set(first.patrons.map((p) => p.id));
    expect(replaced.patrons.every((p) => !firstIds.has(p.id))).toBe(true);
  });

  it("keeps a reader's pinHash as given and checks it with its own algorithm; hashes a plain pin", async () => {
    const salt = randomBytes(16);
    const bcryptHash = await bcrypt({ password: "2468", salt, costFactor: 8, outputType: "encoded" });
    const argonHash = await argon2id({
      password: "97531",
      salt,
      iterations: 2,
      parallelism: 1,
      memorySize: 19_456,
      hashLength: 32,
      outputType: "encoded",
    });
    const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
    const scryptHash = `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(scryptSync("8642", salt, 32, { N: 16_384, r: 8, p: 1 }))}`;
    const reader = (cardNumber: string, secret: Record<string, string>) =>
      JSON.stringify({
        patron: {
          cardNumber,
          name: "Reader",
          category: "adult",
          status: "active",
          expiresOn: "2030-06-30",
          ...secret,
        },
      });
    const result = await loadLines(db, [
      reader("2100000001", { pinHash: bcryptHash }),
      reader("2100000002", { pinHash: argonHash }),
      reader("2100000003", { pinHash: scryptHash }),
      reader("2100000004", { pin: "135790" }),
    ]);
    expect(result.ok).toBe(true);

    const stored = new Map(
      (await db.select().from(patrons)).map((p) => [p.cardNumber, p.pinHash ?? ""] as const),
    );
    expect(stored.get("2100000001")).toBe(bcryptHash);
    expect(stored.get("2100000002")).toBe(argonHash);
    expect(stored.get("2100000003")).toBe(scryptHash);
    expect(stored.get("2100000004")).toMatch(/^scrypt\$16384\$8\$1\$/);
    for (const [card, pin] of [
      ["2100000001", "2468"],
      ["2100000002", "97531"],
      ["2100000003", "8642"],
      ["2100000004", "135790"],
    ] as const) {
      expect(await verifyPin(pin, stored.get(card) ?? "")).toBe(true);
      expect(await verifyPin("0000", stored.get(card) ?? "")).toBe(false);
    }
  });

  it("refuses a bad file whole, naming every problem by its line, and changes nothing", async () => {
    await loadLines(db, toLines(readJson(SPEC_EXAMPLE)));
    const before = await dumpTables(db);
    const costly = `$scrypt$ln=30,r=8,p=1$${"A".repeat(22)}$${"B".repeat(43)}`;
    const patron = (cardNumber: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        patron: {
          cardNumber,
          name: "R",
          category: "adult",
          status: "active",
          expiresOn: "2030-06-30",
          ...extra,
        },
      });
    const lines = [
      /* 1 */ `{"title":{"id":"T1","title":"Kept"}}`,
      /* 2 */ `{"patron":`,
      /* 3 */ `{"patron":{},"loan":{}}`,
      /* 4 */ `{"book":{"id":"T9"}}`,
      /* 5 */ patron("2100000009", { phone: "123" }),
      /* 6 */ patron("2100000009", {
        pin: "1234",
        pinHash: "$2b$08$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
      }),
      /* 7 */ patron("2100000010", { pinHash: "md5:81dc9bdb52d04dc20036dbd8313ed055" }),
      /* 8 */ patron("2100000011", { pinHash: costly }),
      /* 9 */ `{"item":{"barcode":"B1","titleId":"T1","status":"on_shelf","set":{"id":"S","main":true}}}`,
      /* 10 */ `{"item":{"barcode":"B1","titleId":"T404","status":"on_loan","set":{"id":"S","main":true}}}`,
      // The reader of line 5 is malformed, yet known: no "no patron" here.
      /* 11 */ `{"loan":{"barcode":"B1","cardNumber":"2100000009","borrowedOn":"2026-11-24","dueOn":"2026-11-20","renewals":0}}`,
      /* 12 */ `{"loan":{"barcode":"B1","cardNumber":"2100000009","borrowedOn":"2026-11-24","dueOn":"2026-12-08","renewals":0}}`,
      /* 13 */ `{"loan":{"barcode":"NOPE","cardNumber":"2199999999","borrowedOn":"2026-11-24","dueOn":"2026-12-8","renewals":0}}`,
      /* 14 */ `{"reservation":{"titleId":"T1","barcode":"B1","cardNumber":"2100000010","placedOn":"2026-12-01"}}`,
      /* 15 */ `{"charge":{"cardNumber":"2100000077","amount":"0","kind":"overdue"}}`,
      /* 16 */ `{"closedDay":"2026-12-32"}`,
      /* 17 */ `{"exportedAt":"2026-12-01T08:00:00+08:00"}`,
      /* 18 */ `{"exportedAt":"2026-12-02T08:00:00+08:00"}`,
      /* 19 */ `[1,2]`,
    ];
    const result = await loadLines(db, lines);
    expect(result).toEqual({
      ok: false,
      problemCount: 25,
      problems: [
        expect.stringMatching(/^line 2: not valid JSON \(/),
        "line 3: expected an object with one key: patron, title, item, loan, reservation, charge, closedDay or exportedAt",
        "line 4: expected an object with one key: patron, title, item, loan, reservation, charge, closedDay or exportedAt",
        "line 5: patron.phone: expected 8 digits, or an E.164 number such as +85291234567",
        "line 6: patron.pinHash: expected pin or pinHash, not both",
        "line 6: patron.cardNumber: duplicate card number (first at line 5)",
        "line 7: patron.pinHash: unknown hash format: expected a PHC string for scrypt ($scrypt$ln=…), argon2 ($argon2id$v=19$m=…) or pbkdf2 ($pbkdf2-sha256$i=…), or bcrypt ($2a$ or $2b$)",
        "line 8: patron.pinHash: scrypt cost too high (at most 64 MiB and N·r·p ≤ 2^19, such as ln=16,r=8,p=1)",
        "line 10: item.barcode: duplicate barcode (first at line 9)",
        'line 10: item.titleId: no title with id "T404"',
        'line 10: item.set.main: set "S" already has a main item (line 9)',
        "line 11: loan.dueOn: due before it was borrowed",
        'line 11: loan.barcode: item is on an open loan but its status is "on_shelf"',
        "line 12: loan: same item, reader and day borrowed as line 11",
        "line 12: loan.barcode: item already on an open loan (line 11)",
        'line 12: loan.barcode: item is on an open loan but its status is "on_shelf"',
        "line 13: loan.dueOn: expected a date YYYY-MM-DD",
        'line 13: loan.barcode: no item with barcode "NOPE"',
        "line 13: loan.cardNumber: no patron with this card number",
        "line 14: reservation: expected either titleId (the title) or barcode (one copy), not both or neither",
        'line 15: charge.amount: expected an amount in HK$ above zero, such as "12.50"',
        "line 15: charge.cardNumber: no patron with this card number",
        "line 16: closedDay: expected a date YYYY-MM-DD",
        "line 18: exportedAt: given more than once (first at line 17)",
        "line 19: expected an object with one key: patron, title, item, loan, reservation, charge, closedDay or exportedAt",
      ],
    });
    // Hashes are as secret as PINs: never repeated in a problem.
    if (!result.ok) expect(result.problems.join("\n")).not.toContain("B".repeat(43));
    expect(await dumpTables(db)).toEqual(before);
  });

  it(`counts every problem but names only the first ${PROBLEMS_SHOWN} by line`, async () => {
    const lines = Array.from({ length: 250 }, (_, i) =>
      JSON.stringify({
        loan: {
          barcode: `X${i}`,
          cardNumber: "2100000001",
          borrowedOn: "2026-11-24",
          dueOn: "2026-12-08",
          renewals: 0,
        },
      }),
    );
    const result = await loadLines(db, lines);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Each loan names an item and a reader the file lacks.
    expect(result.problemCount).toBe(500);
    expect(result.problems).toHaveLength(PROBLEMS_SHOWN);
    expect(result.problems[0]).toBe('line 1: loan.barcode: no item with barcode "X0"');
    expect(result.problems.at(-1)).toBe("line 50: loan.cardNumber: no patron with this card number");
  });
});
