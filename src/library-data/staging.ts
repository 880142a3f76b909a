/**
 * The import's rows, staged in TEMP tables of the load's own transaction, so that a library of a
 * million readers is checked and merged by set-based SQL instead of being held in memory
 * (issue #9). Rows go in by batches of a few thousand, each one statement that takes the batch as
 * one JSON parameter: the same on postgres.js and PGlite, and far under the 65,535 bind limit.
 *
 * Each row keeps the line (or array index) it came from, for the problems. A row that failed its
 * own check is still staged with the keys it has (card number, barcode, ...), so that the checks
 * between rows see it: one pass names every problem, as in references.ts.
 */
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { DbOrTx } from "../db/database.js";
import { rowsOf } from "../db/migrations.js";
import { hashHkidDigits, hkidKeyedDigits } from "../security/hkid.js";
import { type DeriveKey, hashPin, verifyPin } from "../security/pin-hash.js";
import type { charge, item, loan, patron, title } from "./import-schema.js";
import { isRow, type Row, text } from "./references.js";

/** Each staging table and its columns; every one but `line` may be null (a malformed row). */
export const STAGING_TABLES = {
  closed_days: "line int, day text",
  patrons:
    "line int, card_number text, name text, phone text, pin_hash text, hkid_digits_hash text, category text, status text, expires_on text",
  titles: "line int, id text, title text, author text",
  items:
    "line int, barcode text, title_id text, status text, renewable boolean, set_id text, is_set_main boolean",
  loans:
    "line int, barcode text, card_number text, borrowed_on text, due_on text, returned_on text, is_open boolean, renewals int",
  reservations: "line int, title_id text, barcode text, card_number text, placed_on text",
  charges: "line int, card_number text, barcode text, amount_cents int, kind text",
} as const;

export type StagingTable = keyof typeof STAGING_TABLES;
type Staged = Record<string, string | number | boolean | null>;

/** `import_patrons`, ...: TEMP tables, dropped when the transaction ends either way. */
export const staged = (table: StagingTable) => sql.raw(`import_${table}`);

// About 1 MB of JSON a statement.
const BATCH = 5_000;

export interface StagingOptions {
  /** With --replace the stored PINs are going anyway: none is worth checking against. */
  replace: boolean;
  identityHashKey: string;
  /** Where plain PINs are hashed: a worker pool (scrypt-pool.ts) keeps every core busy. */
  derive: DeriveKey;
}

interface PendingPatron {
  row: Staged;
  pin: string;
}

export class Staging {
  private readonly buffers = new Map<StagingTable, Staged[]>();
  private readonly pins: PendingPatron[] = [];
  readonly counts: Record<StagingTable, number> = {
    closed_days: 0,
    patrons: 0,
    titles: 0,
    items: 0,
    loans: 0,
    reservations: 0,
    charges: 0,
  };

  private constructor(
    private readonly tx: DbOrTx,
    private readonly options: StagingOptions,
  ) {}

  static async open(tx: DbOrTx, options: StagingOptions): Promise<Staging> {
    for (const [table, columns] of Object.entries(STAGING_TABLES)) {
      await tx.execute(sql.raw(`create temp table import_${table} (${columns}) on commit drop`));
    }
    return new Staging(tx, options);
  }

  get identityHashKey(): string {
    return this.options.identityHashKey;
  }

  /** Adds one row; a plain PIN is hashed before its row is written. Waits when a batch is full. */
  async add(table: StagingTable, row: Staged, pin?: string): Promise<void> {
    const buffer = this.buffers.get(table) ?? [];
    this.buffers.set(table, buffer);
    buffer.push(row);
    if (pin !== undefined) this.pins.push({ row, pin });
    if (buffer.length >= BATCH) await this.flush(table);
  }

  /** Writes what is left, and lets the planner know the tables' sizes (TEMP tables get no autovacuum). */
  async finish(): Promise<void> {
    for (const table of Object.keys(STAGING_TABLES) as StagingTable[]) await this.flush(table);
    await this.writing;
    for (const table of Object.keys(STAGING_TABLES) as StagingTable[]) {
      await this.tx.execute(sql`analyze ${staged(table)}`);
    }
  }

  // The batch being written. The next one is read and checked meanwhile: the database and this
  // process then work at the same time, each on its own core.
  private writing: Promise<void> = Promise.resolve();

  private async flush(table: StagingTable): Promise<void> {
    const rows = this.buffers.get(table) ?? [];
    if (rows.length === 0) return;
    this.buffers.set(table, []);
    if (table === "patrons") await this.hashPins();
    const json = JSON.stringify(rows);
    await this.writing;
    this.writing = this.write(table, json);
    // Seen here or at the next flush; never left unhandled while lines are read.
    this.writing.catch(() => {});
    this.counts[table] += rows.length;
  }

  private async write(table: StagingTable, json: string): Promise<void> {
    await this.tx.execute(
      sql`insert into ${staged(table)} select * from json_populate_recordset(null::${staged(table)}, ${json}::json)`,
    );
  }

  /**
   * One hash per plain PIN, all at once on the pool. A stored hash that already matches the file's
   * PIN is kept, so that loading the same file twice changes nothing.
   */
  private async hashPins(): Promise<void> {
    const pending = this.pins.splice(0);
    if (pending.length === 0) return;
    const stored = this.options.replace ? new Map<string, string>() : await this.storedPinHashes(pending);
    const { derive } = this.options;
    await Promise.all(
      pending.map(async ({ row, pin }) => {
        const current = stored.get(row.card_number as string);
        row.pin_hash =
          current && (await verifyPin(pin, current, derive)) ? current : await hashPin(pin, derive);
      }),
    );
  }

  private async storedPinHashes(pending: PendingPatron[]): Promise<Map<string, string>> {
    const cards = JSON.stringify(pending.map(({ row }) => row.card_number));
    const rows = rowsOf<{ card_number: string; pin_hash: string }>(
      await this.tx.execute(
        sql`select card_number, pin_hash from patrons
            where pin_hash is not null and card_number in (select json_array_elements_text(${cards}::json))`,
      ),
    );
    return new Map(rows.map((r) => [r.card_number, r.pin_hash]));
  }
}

/*
 * One builder per kind of row: keys from the raw row (whatever it holds, for the checks between
 * rows), the rest from the checked row (absent when the row failed its own check).
 */
type Out<S extends z.ZodType> = z.output<S> | undefined;

const date = (value: unknown) => text(value) ?? null;

export function stagedPatron(line: number, raw: Row, p: Out<typeof patron>, identityHashKey: string): Staged {
  return {
    line,
    card_number: text(raw.cardNumber) ?? null,
    name: p?.name ?? null,
    phone: p?.phone ?? null,
    pin_hash: p?.pinHash ?? null,
    hkid_digits_hash: p?.hkid ? hashHkidDigits(hkidKeyedDigits(p.hkid), identityHashKey) : null,
    category: p?.category ?? null,
    status: p?.status ?? null,
    expires_on: p?.expiresOn ?? null,
  };
}

export function stagedTitle(line: number, raw: Row, t: Out<typeof title>): Staged {
  return { line, id: text(raw.id) ?? null, title: t?.title ?? null, author: t?.author ?? null };
}

export function stagedItem(line: number, raw: Row, it: Out<typeof item>): Staged {
  const set = isRow(raw.set) ? raw.set : undefined;
  return {
    line,
    barcode: text(raw.barcode) ?? null,
    title_id: text(raw.titleId) ?? null,
    status: text(raw.status) ?? null,
    renewable: it?.renewable ?? true,
    set_id: text(set?.id) ?? null,
    is_set_main: set?.main === true,
  };
}

export function stagedLoan(line: number, raw: Row, ln: Out<typeof loan>): Staged {
  return {
    line,
    barcode: text(raw.barcode) ?? null,
    card_number: text(raw.cardNumber) ?? null,
    borrowed_on: date(raw.borrowedOn),
    due_on: date(raw.dueOn),
    returned_on: date(raw.returnedOn),
    is_open: raw.returnedOn === undefined,
    renewals: ln?.renewals ?? null,
  };
}

export function stagedReservation(line: number, raw: Row): Staged {
  return {
    line,
    title_id: text(raw.titleId) ?? null,
    barcode: text(raw.barcode) ?? null,
    card_number: text(raw.cardNumber) ?? null,
    placed_on: date(raw.placedOn),
  };
}

export function stagedCharge(line: number, raw: Row, c: Out<typeof charge>): Staged {
  return {
    line,
    card_number: text(raw.cardNumber) ?? null,
    barcode: text(raw.barcode) ?? null,
    amount_cents: c?.amount ?? null,
    kind: c?.kind ?? null,
  };
}

export function stagedClosedDay(line: number, day: unknown): Staged {
  return { line, day: date(day) };
}
