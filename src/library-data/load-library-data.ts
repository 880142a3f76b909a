/**
 * Writes a checked import file in one transaction (library-data.md). Rows are matched on the
 * library's own keys (card number, title id, barcode; a loan by item, reader and day borrowed),
 * so loading the same file twice leaves the same state, ids included. `replace` empties the
 * library data first; renewal history and call logs are kept.
 */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database, DbOrTx } from "../db/database.js";
import { charges, closedDays, items, loans, patrons, reservations, titles } from "../db/schema/index.js";
import { hashHkidDigits, hkidKeyedDigits } from "../security/hkid.js";
import { hashPin, verifyPin } from "../security/pin-hash.js";
import type { LibraryData } from "./import-schema.js";

export interface LoadOptions {
  replace: boolean;
  /** Key of the HKID digits hash (IDENTITY_HASH_KEY). */
  identityHashKey: string;
}

export interface LoadSummary {
  closedDays: number;
  patrons: number;
  titles: number;
  items: number;
  loans: number;
  reservations: number;
  charges: number;
}

// Stays well under PostgreSQL's 65,535 bind parameters per statement.
const CHUNK = 500;

export async function loadLibraryData(
  db: Database,
  data: LibraryData,
  options: LoadOptions,
): Promise<LoadSummary> {
  // Hashing is slow on purpose: do it before the transaction opens, not while it holds locks.
  const pinHashes = await pinHashesFor(db, data, options.replace);

  await db.transaction(async (tx) => {
    if (options.replace) await emptyLibraryData(tx);

    await insertChunks(
      tx,
      closedDays,
      data.closedDays.map((day) => ({ day })),
      (q) => q.onConflictDoNothing(),
    );

    const patronRows = data.patrons.map((p) => ({
      cardNumber: p.cardNumber,
      name: p.name,
      phone: p.phone ?? null,
      pinHash: pinHashes.get(p.cardNumber) ?? null,
      hkidDigitsHash: p.hkid ? hashHkidDigits(hkidKeyedDigits(p.hkid), options.identityHashKey) : null,
      category: p.category,
      status: p.status,
      expiresOn: p.expiresOn,
    }));
    for (const chunk of chunked(patronRows)) {
      await tx
        .insert(patrons)
        .values(chunk)
        .onConflictDoUpdate({
          target: patrons.cardNumber,
          set: excluded([
            "name",
            "phone",
            "pin_hash",
            "hkid_digits_hash",
            "category",
            "status",
            "expires_on",
          ]),
        });
    }

    for (const chunk of chunked(
      data.titles.map((t) => ({ id: t.id, title: t.title, author: t.author ?? null })),
    )) {
      await tx
        .insert(titles)
        .values(chunk)
        .onConflictDoUpdate({ target: titles.id, set: excluded(["title", "author"]) });
    }

    const itemRows = data.items.map((it) => ({
      barcode: it.barcode,
      titleId: it.titleId,
      status: it.status,
      renewable: it.renewable ?? true,
      setId: it.set?.id ?? null,
      isSetMain: it.set?.main ?? false,
    }));
    for (const chunk of chunked(itemRows)) {
      await tx
        .insert(items)
        .values(chunk)
        .onConflictDoUpdate({
          target: items.barcode,
          set: excluded(["title_id", "status", "renewable", "set_id", "is_set_main"]),
        });
    }

    const patronIds = await idsByKey(
      tx,
      "patrons",
      data.patrons.map((p) => p.cardNumber),
    );
    const itemIds = await idsByKey(
      tx,
      "items",
      data.items.map((it) => it.barcode),
    );
    const patronId = (card: string) => mustGet(patronIds, card);
    const itemId = (barcode: string) => mustGet(itemIds, barcode);

    const loanRows = data.loans.map((ln) => ({
      itemId: itemId(ln.barcode),
      patronId: patronId(ln.cardNumber),
      borrowedOn: ln.borrowedOn,
      dueOn: ln.dueOn,
      returnedOn: ln.returnedOn ?? null,
      renewals: ln.renewals,
    }));
    await syncLoans(tx, loanRows, [...itemIds.values()]);

    // Reservations and imported charges have no key of their own: for the readers in the file,
    // keep the rows that match the file, delete the rest, insert what is missing.
    const fileReaders = [...patronIds.values()];
    await syncRows(
      tx,
      reservations,
      data.reservations.map((r) => ({
        patronId: patronId(r.cardNumber),
        titleId: r.titleId ?? null,
        itemId: r.barcode ? itemId(r.barcode) : null,
        placedOn: r.placedOn,
      })),
      fileReaders.length === 0
        ? []
        : await tx.select().from(reservations).where(inArray(reservations.patronId, fileReaders)),
      (r) => `${r.patronId}|${r.titleId}|${r.itemId}|${r.placedOn}`,
    );
    await syncRows(
      tx,
      charges,
      data.charges.map((c) => ({
        patronId: patronId(c.cardNumber),
        itemId: c.barcode ? itemId(c.barcode) : null,
        amountCents: c.amount,
        kind: c.kind,
      })),
      fileReaders.length === 0
        ? []
        : await tx
            .select()
            .from(charges)
            .where(
              and(
                inArray(charges.patronId, fileReaders),
                isNull(charges.renewalTransactionId),
                eq(charges.paid, false),
              ),
            ),
      (c) => `${c.patronId}|${c.itemId}|${c.amountCents}|${c.kind}`,
    );
  });

  return {
    closedDays: data.closedDays.length,
    patrons: data.patrons.length,
    titles: data.titles.length,
    items: data.items.length,
    loans: data.loans.length,
    reservations: data.reservations.length,
    charges: data.charges.length,
  };
}

/**
 * The file is the truth for the loans of the items it names: loans of those items that the file
 * no longer lists are removed, the rest are updated in place or added. Returned loans are
 * written before open ones, so an item's return and its next loan load in any order.
 */
async function syncLoans(
  tx: DbOrTx,
  wanted: (typeof loans.$inferInsert)[],
  fileItemIds: number[],
): Promise<void> {
  const keyOf = (loan: { itemId: number; patronId: number; borrowedOn: string }) =>
    `${loan.itemId}|${loan.patronId}|${loan.borrowedOn}`;
  const wantedKeys = new Set(wanted.map(keyOf));
  for (const chunk of chunked(fileItemIds)) {
    const present = await tx
      .select({ id: loans.id, itemId: loans.itemId, patronId: loans.patronId, borrowedOn: loans.borrowedOn })
      .from(loans)
      .where(inArray(loans.itemId, chunk));
    const gone = present.filter((loan) => !wantedKeys.has(keyOf(loan))).map((loan) => loan.id);
    if (gone.length > 0) await tx.delete(loans).where(inArray(loans.id, gone));
  }
  const returnedFirst = [...wanted.filter((l) => l.returnedOn), ...wanted.filter((l) => !l.returnedOn)];
  for (const chunk of chunked(returnedFirst)) {
    await tx
      .insert(loans)
      .values(chunk)
      .onConflictDoUpdate({
        target: [loans.itemId, loans.patronId, loans.borrowedOn],
        set: excluded(["due_on", "returned_on", "renewals"]),
      });
  }
}

async function emptyLibraryData(tx: DbOrTx): Promise<void> {
  // DELETE, not TRUNCATE ... RESTART IDENTITY: ids are never reused, so renewal history that
  // names an old patron or loan id can never come to point at a new one.
  for (const table of [charges, reservations, loans, items, titles, patrons, closedDays]) {
    await tx.delete(table);
  }
}

/**
 * One scrypt hash per reader with a PIN. When the stored hash already matches the file's PIN it
 * is kept, so that a second load changes nothing.
 */
async function pinHashesFor(db: Database, data: LibraryData, replace: boolean): Promise<Map<string, string>> {
  const withPin = data.patrons.filter((p) => p.pin !== undefined);
  const existing = new Map<string, string>();
  if (!replace && withPin.length > 0) {
    for (const chunk of chunked(withPin.map((p) => p.cardNumber))) {
      const rows = await db
        .select({ cardNumber: patrons.cardNumber, pinHash: patrons.pinHash })
        .from(patrons)
        .where(inArray(patrons.cardNumber, chunk));
      for (const row of rows) if (row.pinHash) existing.set(row.cardNumber, row.pinHash);
    }
  }
  const hashes = new Map<string, string>();
  // scrypt runs on libuv's thread pool: a few at a time use every core.
  for (const batch of chunked(withPin, 8)) {
    await Promise.all(
      batch.map(async (p) => {
        const pin = p.pin as string;
        const stored = existing.get(p.cardNumber);
        hashes.set(p.cardNumber, stored && (await verifyPin(pin, stored)) ? stored : await hashPin(pin));
      }),
    );
  }
  return hashes;
}

async function idsByKey(
  tx: DbOrTx,
  table: "patrons" | "items",
  keys: string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunked(keys)) {
    if (table === "patrons") {
      const rows = await tx
        .select({ key: patrons.cardNumber, id: patrons.id })
        .from(patrons)
        .where(inArray(patrons.cardNumber, chunk));
      for (const row of rows) ids.set(row.key, row.id);
    } else {
      const rows = await tx
        .select({ key: items.barcode, id: items.id })
        .from(items)
        .where(inArray(items.barcode, chunk));
      for (const row of rows) ids.set(row.key, row.id);
    }
  }
  return ids;
}

async function syncRows<Row extends Record<string, unknown>>(
  tx: DbOrTx,
  table: typeof reservations | typeof charges,
  wanted: Row[],
  present: (Row & { id: number })[],
  keyOf: (row: Row) => string,
): Promise<void> {
  // Multisets: two identical rows in the file are two rows in the database.
  const unmatched = new Map<string, number[]>();
  for (const row of present) {
    const key = keyOf(row);
    unmatched.set(key, [...(unmatched.get(key) ?? []), row.id]);
  }
  const toInsert: Row[] = [];
  for (const row of wanted) {
    const ids = unmatched.get(keyOf(row));
    if (ids && ids.length > 0) ids.pop();
    else toInsert.push(row);
  }
  const toDelete = [...unmatched.values()].flat();
  for (const chunk of chunked(toDelete)) await tx.delete(table).where(inArray(table.id, chunk));
  await insertChunks(tx, table as PgTable, toInsert);
}

async function insertChunks(
  tx: DbOrTx,
  table: PgTable,
  rows: Record<string, unknown>[],
  finish: (query: ReturnType<ReturnType<DbOrTx["insert"]>["values"]>) => unknown = (q) => q,
): Promise<void> {
  for (const chunk of chunked(rows)) await finish(tx.insert(table).values(chunk));
}

/** `set` for an upsert: take each named column from the row that was being inserted. */
function excluded(columns: string[]): Record<string, ReturnType<typeof sql>> {
  const set: Record<string, ReturnType<typeof sql>> = {};
  for (const column of columns) set[camelCase(column)] = sql.raw(`excluded.${column}`);
  return set;
}

function camelCase(column: string): string {
  return column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function chunked<T>(rows: T[], size = CHUNK): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

function mustGet(map: Map<string, number>, key: string): number {
  const value = map.get(key);
  // The file was checked before loading; a miss here is a bug, not bad input.
  if (value === undefined) throw new Error(`loadLibraryData: no row for a key the file declared`);
  return value;
}
