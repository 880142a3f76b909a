/**
 * What the simulated-call suites share: the demo library on a test database (loaded once per
 * file, restored between tests from an in-database copy because hashing 29 PINs takes seconds),
 * the prompt texts as the catalogues write them, and reads of what the database holds after a call.
 */
import { readFileSync } from "node:fs";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Database } from "../../src/db/database.js";
import {
  callEvents,
  calls,
  items,
  loans,
  patrons,
  renewalResults,
  renewalTransactions,
  titles,
} from "../../src/db/schema/index.js";
import { readDemoFile } from "../../src/demo/demo-data.js";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { VOICE_FLOWS_DIR } from "../../src/voice/flow-definition.js";
import { createTestDatabase, type DriverKind, resetData, type TestDatabase } from "../support/database.js";
import { type ExtraReaderLoan, extraReadersFixture, loadFixture } from "../support/library-fixture.js";
import { call, startVoiceApp, type VoiceApp, type VoiceAppOptions } from "../support/voice-app.js";

/** The demo library's day, unshifted: Tuesday 1 December 2026, 10:00 in Hong Kong. */
export const DEMO_NOW = "2026-12-01T10:00:00+08:00";
/** What renewing on DEMO_NOW gives (14 days later, an open day). */
export const NEW_DUE = "2026-12-15";

/**
 * Demo reader 3's renew all on DEMO_NOW, as recorded: 三體 refused (reserved by readers 29 and 10,
 * no other copy to lend), The Little Prince renewed. The same whichever library system decides.
 */
export const READER_3_RENEW_ALL = [
  {
    barcode: "34000000000007",
    outcome: "refused",
    newDueOn: null,
    primaryReason: "RESERVED",
    reasons: ["RESERVED"],
  },
  { barcode: "34000000000010", outcome: "renewed", newDueOn: NEW_DUE, primaryReason: null, reasons: [] },
];

export type Language = "yue" | "cmn" | "en";
export const LANGUAGE_KEY: Record<Language, string> = { yue: "1", cmn: "2", en: "3" };

// The library tables, parents first; the call and renewal tables start empty.
const LIBRARY_TABLES = ["closed_days", "patrons", "titles", "items", "loans", "reservations", "charges"];
const SERIAL_TABLES = ["patrons", "items", "loans", "reservations", "charges"];

export interface DemoDatabase {
  database: TestDatabase;
  db: Database;
  /** Back to the demo library as loaded, with no calls and no renewals. */
  restore(): Promise<void>;
  dispose(): Promise<void>;
}

/** A database of this file's own with the demo library loaded unshifted. */
export async function openDemoDatabase(driver: DriverKind, extra?: unknown): Promise<DemoDatabase> {
  const database = await createTestDatabase(driver);
  await loadFixture(database.db, readDemoFile());
  if (extra) await loadFixture(database.db, extra);
  for (const table of LIBRARY_TABLES) {
    await database.db.execute(sql.raw(`create table snapshot_${table} as table ${table}`));
  }
  return {
    database,
    db: database.db,
    async restore() {
      await resetData(database);
      for (const table of LIBRARY_TABLES) {
        await database.db.execute(sql.raw(`insert into ${table} select * from snapshot_${table}`));
      }
      for (const table of SERIAL_TABLES) {
        await database.db.execute(
          sql.raw(
            `select setval(pg_get_serial_sequence('${table}', 'id'), (select coalesce(max(id), 0) + 1 from ${table}), false)`,
          ),
        );
      }
    },
    dispose: () => database.dispose(),
  };
}

export interface DemoLineOptions {
  /** A fixture loaded over the demo library (and restored with it). */
  extra?: unknown;
  /** The app's options but its database and clock, such as `ops: true` or a logger. */
  app?: Omit<VoiceAppOptions, "db" | "now">;
}

/**
 * The demo library and the line that answers on it, for one describe block. `demo` and `app`
 * exist once the block's beforeAll has run: read them only inside tests and hooks.
 */
export interface DemoLine {
  readonly demo: DemoDatabase;
  readonly app: VoiceApp;
}

/**
 * Registers the hooks of a describe block that calls the line on the demo library: its own
 * database and app on DEMO_NOW, opened once and closed after the block, and the library and the
 * clock put back before each test.
 */
export function useDemoLine(driver: DriverKind, options: DemoLineOptions = {}): DemoLine {
  let demo: DemoDatabase | undefined;
  let app: VoiceApp | undefined;
  const line: DemoLine = {
    get demo() {
      if (!demo) throw new Error("the demo line opens in beforeAll: use it inside a test or hook");
      return demo;
    },
    get app() {
      if (!app) throw new Error("the demo line opens in beforeAll: use it inside a test or hook");
      return app;
    },
  };
  beforeAll(async () => {
    demo = await openDemoDatabase(driver, options.extra);
    app = await startVoiceApp({ ...options.app, db: demo.db, now: DEMO_NOW });
  });
  afterAll(async () => {
    await app?.close();
    await demo?.dispose();
  });
  beforeEach(async () => {
    await line.demo.restore();
    line.app.setNow(DEMO_NOW);
  });
  return line;
}

/** Two readers who share HKID digits (A246813(4) and L246813(4): keyed 2468134) and PIN 4321. */
export const TWINS = {
  hkidDigits: "2468134",
  pin: "4321",
  first: "2100000091",
  second: "2100000092",
};

export function twinsFixture() {
  const twin = (cardNumber: string, hkid: string, phone: string, loan: ExtraReaderLoan) => ({
    cardNumber,
    name: `Twin ${cardNumber.slice(-2)}`,
    hkid,
    phone,
    pin: TWINS.pin,
    loans: [loan],
  });
  return extraReadersFixture([
    twin(TWINS.first, "A246813(4)", "91110091", {
      barcode: "34000000000091",
      titleId: "TW1",
      title: "Twin Book One",
    }),
    twin(TWINS.second, "L246813(4)", "91110092", {
      barcode: "34000000000092",
      titleId: "TW2",
      title: "Twin Book Two",
    }),
  ]);
}

// ---- What the caller hears ----

interface CatalogueFile {
  voice: string;
  languageCode: string;
  prompts: Record<string, string>;
}

export const CATALOGUES: Record<Language, CatalogueFile> = {
  yue: readCatalogue("yue"),
  cmn: readCatalogue("cmn"),
  en: readCatalogue("en"),
};

function readCatalogue(language: Language): CatalogueFile {
  return JSON.parse(readFileSync(`${VOICE_FLOWS_DIR}/prompts/${language}.json`, "utf8")) as CatalogueFile;
}

/** A prompt as the catalogue writes it, placeholders filled in. */
export function prompt(language: Language, key: string, params: Record<string, string> = {}): string {
  const text = CATALOGUES[language].prompts[key];
  if (text === undefined) throw new Error(`no prompt ${key} in ${language}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`prompt ${key} needs ${name}`);
    return value;
  });
}

/** Everything the caller heard, in order, as one text. */
export function heard(result: CallResult): string {
  return result.heard.join(" ");
}

/** How many times `text` was heard. */
export function timesHeard(result: CallResult, text: string): number {
  return heard(result).split(text).length - 1;
}

/** A text with its spaces left out, to compare with `heardUnspaced`. */
export function unspaced(text: string): string {
  return text.replace(/\s+/g, "");
}

/**
 * Everything heard with the spaces left out, for what is said around a title in another script: a
 * Chinese title in an English call is a <Say> of its own in the Chinese voice, and the spaces at its
 * edges fall where the cut falls ("三體:" | "another reader…", "花樣年華 (" | "DVD): …").
 * Compare with `unspaced(expected)`.
 */
export function heardUnspaced(result: CallResult): string {
  return unspaced(heard(result));
}

/** What the menus speak depends on (voice-line.md, "The caller's time and the situation"). */
export interface ReaderSituation {
  /** Any items on loan. */
  loans: boolean;
  /** Any outstanding charges. */
  charges?: boolean;
  /** An account-level block (suspended, card lost, charges, long overdue). */
  blocked?: boolean;
}

function canRenew(reader: ReaderSituation): boolean {
  return reader.loans && reader.blocked !== true;
}

/**
 * The main menu as this reader hears it: only the options that do something for them, the most
 * used first, staff first when the account is blocked. Key 9 works but is not spoken.
 */
export function mainMenu(reader: ReaderSituation, language: Language = "en"): string {
  const keys = [
    ...(canRenew(reader) ? ["menu.renewAll", "menu.renewOne"] : []),
    ...(reader.blocked ? ["menu.staff"] : []),
    ...(reader.loans ? ["menu.loans"] : []),
    ...(reader.charges ? ["menu.charges"] : []),
    ...(reader.blocked ? [] : ["menu.staff"]),
    "menu.anotherCard",
    "menu.end",
  ];
  return keys.map((key) => prompt(language, key)).join(" ");
}

/** The short menu after the line has told the reader something: renew all (if it can), 9 for more, end. */
export function shortMenu(reader: ReaderSituation, language: Language = "en"): string {
  const keys = [...(canRenew(reader) ? ["menu.renewAll"] : []), "menu.more", "menu.end"];
  return keys.map((key) => prompt(language, key)).join(" ");
}

const ZH_DIGITS = "零一二三四五六七八九";

/** A TRN as voice-line.md says it is spoken: digit by digit, in two groups of five. */
export function spokenTrn(trn: string, language: Language): string {
  const groups = [trn.slice(0, 5), trn.slice(5)];
  if (language === "en") return groups.map((g) => [...g].join(" ")).join(", ");
  return groups.map((g) => [...g].map((d) => ZH_DIGITS[Number(d)]).join(" ")).join("，");
}

/** The steps of a call that chooses a language, is not recognised by caller ID, and logs in with a card. */
export const STEPS_TO_SUMMARY = ["language", "callerId", "card", "pin", "summary"] as const;

/** The script that chooses a language and logs in. */
export function login(identifier: string, secret: string, language: Language = "en"): string[] {
  return [LANGUAGE_KEY[language], `${identifier}#`, `${secret}#`];
}

/** The PINs keyFiveWrongPins keys, in order. */
export const WRONG_PINS = ["111111", "222222", "333333", "444444", "555555"] as const;

/**
 * Keys WRONG_PINS for `card`, five in a row over two calls (the third miss ends a call): enough for
 * the line to lock the account (TEST_LOCKOUT).
 */
export async function keyFiveWrongPins(app: VoiceApp, card: string): Promise<void> {
  const [first, second, third, fourth, fifth] = WRONG_PINS;
  await call(app, [...login(card, first), `${card}#`, `${second}#`, `${card}#`, `${third}#`]);
  await call(app, [...login(card, fourth), `${card}#`, `${fifth}#`]);
}

// ---- What the database holds ----

export async function patronIdOf(db: Database, cardNumber: string): Promise<number> {
  const [row] = await db.select({ id: patrons.id }).from(patrons).where(eq(patrons.cardNumber, cardNumber));
  if (!row) throw new Error(`no patron ${cardNumber}`);
  return row.id;
}

export async function lockOf(db: Database, cardNumber: string) {
  const [row] = await db
    .select({
      failedPinAttempts: patrons.failedPinAttempts,
      phoneLockedAt: patrons.phoneLockedAt,
      phoneLockedUntil: patrons.phoneLockedUntil,
    })
    .from(patrons)
    .where(eq(patrons.cardNumber, cardNumber));
  if (!row) throw new Error(`no patron ${cardNumber}`);
  return row;
}

/** The reader's open loans by barcode: due date and renewal count. */
export async function loansOf(db: Database, cardNumber: string) {
  const rows = await db
    .select({ barcode: items.barcode, title: titles.title, dueOn: loans.dueOn, renewals: loans.renewals })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .innerJoin(titles, eq(titles.id, items.titleId))
    .innerJoin(patrons, eq(patrons.id, loans.patronId))
    .where(sql`${patrons.cardNumber} = ${cardNumber} and ${loans.returnedOn} is null`)
    .orderBy(asc(items.barcode));
  return Object.fromEntries(rows.map((r) => [r.barcode, { dueOn: r.dueOn, renewals: r.renewals }]));
}

/** Every renewal transaction with its results, oldest first. */
export async function transactions(db: Database) {
  const rows = await db.select().from(renewalTransactions).orderBy(asc(renewalTransactions.id));
  const results = await db.select().from(renewalResults).orderBy(asc(renewalResults.id));
  return rows.map((row) => ({
    ...row,
    results: results
      .filter((r) => r.transactionId === row.id)
      .map((r) => ({
        barcode: r.barcode,
        outcome: r.outcome,
        newDueOn: r.newDueOn,
        primaryReason: r.primaryReason,
        reasons: r.reasons,
      }))
      .sort((a, b) => a.barcode.localeCompare(b.barcode)),
  }));
}

export async function callRow(db: Database, callSid: string) {
  const [row] = await db.select().from(calls).where(eq(calls.callSid, callSid));
  return row ?? null;
}

export async function eventsOf(db: Database, callSid: string) {
  return db
    .select({ kind: callEvents.kind, step: callEvents.step, detail: callEvents.detail })
    .from(callEvents)
    .where(eq(callEvents.callSid, callSid))
    .orderBy(asc(callEvents.id));
}

/** The steps the call entered, in order, from its "step" events. */
export async function stepsOf(db: Database, callSid: string): Promise<string[]> {
  return (await eventsOf(db, callSid)).filter((e) => e.kind === "step").map((e) => e.step ?? "");
}

/** Events of one kind, details only. */
export async function detailsOf(db: Database, callSid: string, kind: string) {
  return (await eventsOf(db, callSid))
    .filter((e) => e.kind === kind)
    .map((e) => e.detail as Record<string, unknown>);
}
