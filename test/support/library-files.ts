/** The import files the library-data suites read, and a full dump to compare database states. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asc } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";
import {
  charges,
  closedDays,
  items,
  loans,
  patrons,
  renewalResults,
  renewalTransactions,
  reservations,
  titles,
} from "../../src/db/schema/index.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SPEC_EXAMPLE = "test/fixtures/library-data/good/spec-example.json";
export const DEMO = "demo/library.json";
export const BAD_DIR = "test/fixtures/library-data/bad";

/** Each bad fixture by name: `<name>.json`, with `<name>.expected.txt` beside it. */
export const BAD_FILES = readdirSync(join(ROOT, BAD_DIR))
  .filter((name) => name.endsWith(".json"))
  .map((name) => name.replace(/\.json$/, ""))
  .sort();

type Row = Record<string, unknown>;
/** An import file as JSON, before the check: sections hold plain objects to change at will. */
export interface RawFile {
  closedDays: string[];
  patrons: Row[];
  titles: Row[];
  items: Row[];
  loans: Row[];
  reservations: Row[];
  charges: Row[];
}

/** A fresh copy of a JSON file under the project root, free to change. */
export function readJson(path: string): RawFile {
  return JSON.parse(readFileSync(join(ROOT, path), "utf8")) as RawFile;
}

/** The "path: message" lines a bad fixture must produce, one per mistake. */
export function expectedProblems(name: string): string[] {
  return readFileSync(join(ROOT, BAD_DIR, `${name}.expected.txt`), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** Every table, every column, ids included, in key order. */
export async function dumpTables(db: Database) {
  return {
    closedDays: await db.select().from(closedDays).orderBy(asc(closedDays.day)),
    patrons: await db.select().from(patrons).orderBy(asc(patrons.id)),
    titles: await db.select().from(titles).orderBy(asc(titles.id)),
    items: await db.select().from(items).orderBy(asc(items.id)),
    loans: await db.select().from(loans).orderBy(asc(loans.id)),
    reservations: await db.select().from(reservations).orderBy(asc(reservations.id)),
    charges: await db.select().from(charges).orderBy(asc(charges.id)),
    renewalTransactions: await db.select().from(renewalTransactions).orderBy(asc(renewalTransactions.id)),
    renewalResults: await db.select().from(renewalResults).orderBy(asc(renewalResults.id)),
  };
}
