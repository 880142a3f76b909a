/**
 * Writing renewals back to the library's own system (library-system.md, "Writing renewals back
 * (embedded)"): every renewal transaction after a cursor, one row per loan it decided, handed to
 * `write`; the cursor then moves past them in the same database transaction, so a write that
 * fails exports nothing and moves nothing, and each transaction is exported once.
 */
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/database.js";
import { isLockNotAvailable } from "../db/lock-not-available.js";
import { rowsOf } from "../db/migrations.js";
import { patrons, renewalExportCursor, renewalResults, renewalTransactions } from "../db/schema/index.js";

export interface ExportedRenewal {
  transactionId: number;
  resultId: number;
  trn: string;
  /** The full card number, or null when no reader in the library data can be tied to it. */
  cardNumber: string | null;
  barcode: string;
  title: string;
  outcome: "renewed" | "refused";
  oldDueOn: string;
  newDueOn: string | null;
  /** The first reason in priority order when refused. */
  reason: string | null;
  renewedAt: Date;
  channel: string;
  /** Accrued overdue charge the renewal recorded as outstanding, in cents. */
  chargeCents: number;
}

export interface ExportOptions {
  /** Instead of the cursor, every transaction created after this instant; the cursor stays. */
  since?: Date;
  /** Writes the rows out; the cursor moves only when it resolves. */
  write: (rows: ExportedRenewal[]) => Promise<void>;
}

export interface ExportResult {
  rows: number;
  transactions: number;
  /** Rows whose card could not be found (their reader gone from the library data). */
  withoutCard: number;
  /** The cursor before and after: the last transaction id exported. */
  cursor: { from: number; to: number };
}

// The share lock waits at most this long for renewals in flight; it is tried again a few times.
const HORIZON_LOCK_TIMEOUT = "2s";
const HORIZON_ATTEMPTS = 3;

export async function exportRenewals(db: Database, options: ExportOptions): Promise<ExportResult> {
  const horizon = await settledHorizon(db);
  return db.transaction(async (tx) => {
    // The row lock makes two exports at once queue: the second sees the first's cursor.
    await tx
      .insert(renewalExportCursor)
      .values({ id: 1, lastTransactionId: 0, exportedAt: new Date(0) })
      .onConflictDoNothing();
    const [cursor] = await tx
      .select({ last: renewalExportCursor.lastTransactionId })
      .from(renewalExportCursor)
      .where(eq(renewalExportCursor.id, 1))
      .for("update");
    const from = cursor?.last ?? 0;
    const after = options.since
      ? gt(renewalTransactions.createdAt, options.since)
      : gt(renewalTransactions.id, from);
    const rows = await renewalsIn(tx, and(after, lte(renewalTransactions.id, horizon)));

    await options.write(rows);

    // --since is a look back (or ahead) for one run: the cursor stays where the regular runs left it.
    const to = options.since ? from : Math.max(from, horizon);
    if (!options.since) {
      await tx
        .update(renewalExportCursor)
        .set({ lastTransactionId: to, exportedAt: sql`now()` })
        .where(eq(renewalExportCursor.id, 1));
    }
    return {
      rows: rows.length,
      transactions: new Set(rows.map((r) => r.transactionId)).size,
      withoutCard: rows.filter((r) => r.cardNumber === null).length,
      cursor: { from, to },
    };
  });
}

/**
 * The highest transaction id below which nothing can still commit. Ids are drawn when a renewal
 * inserts its transaction, in the order renewals start, not the order they commit: a cursor taken
 * from the highest id seen could pass a renewal that drew a lower id and commits a moment later,
 * and skip it forever. Every insert holds its ROW EXCLUSIVE lock on the table from before it
 * draws its id until it commits; a SHARE lock waits for all of them, so once it is granted every
 * id drawn so far belongs to a finished transaction, and any later one will be higher. The lock
 * is held only for the one read (renewals queue behind it for at most the timeout), never while
 * the output is written. A clock-based delay ("older than a few seconds") would trust every
 * renewal to commit within the delay; this does not.
 */
async function settledHorizon(db: Database): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${HORIZON_LOCK_TIMEOUT}'`));
        await tx.execute(sql`lock table ${renewalTransactions} in share mode`);
        const [row] = rowsOf<{ horizon: number }>(
          await tx.execute(sql`select coalesce(max(id), 0)::int as horizon from ${renewalTransactions}`),
        );
        return row?.horizon ?? 0;
      });
    } catch (error) {
      if (attempt >= HORIZON_ATTEMPTS || !isLockNotAvailable(error)) throw error;
    }
  }
}

/**
 * The history keeps only the card's last four digits (it outlives `db:load --replace`), so the
 * full card comes from the reader the transaction names. After a `--replace` that reader has a
 * new id: then the reader whose card ends in those four digits and who borrowed the item by the
 * renewal's day stands in. Otherwise the card is left empty: the TRN and barcode still say what
 * was renewed.
 */
async function renewalsIn(tx: DbOrTx, where: ReturnType<typeof and>): Promise<ExportedRenewal[]> {
  const borrowerByItem = sql<string | null>`(
    select p2.card_number from items i
    join loans l on l.item_id = i.id
    join patrons p2 on p2.id = l.patron_id
    where i.barcode = ${renewalResults.barcode}
      and right(p2.card_number, 4) = ${renewalTransactions.cardLastFour}
      and l.borrowed_on <= ${renewalTransactions.libraryDay}
    order by l.borrowed_on desc
    limit 1)`;
  return tx
    .select({
      transactionId: renewalTransactions.id,
      resultId: renewalResults.id,
      trn: renewalTransactions.trn,
      cardNumber: sql<string | null>`coalesce(${patrons.cardNumber}, ${borrowerByItem})`,
      barcode: renewalResults.barcode,
      title: renewalResults.title,
      outcome: renewalResults.outcome,
      oldDueOn: renewalResults.oldDueOn,
      newDueOn: renewalResults.newDueOn,
      reason: renewalResults.primaryReason,
      renewedAt: renewalTransactions.createdAt,
      channel: renewalTransactions.channel,
      chargeCents: renewalResults.chargeRecordedCents,
    })
    .from(renewalTransactions)
    .innerJoin(renewalResults, eq(renewalResults.transactionId, renewalTransactions.id))
    .leftJoin(patrons, eq(patrons.id, renewalTransactions.patronId))
    .where(where)
    .orderBy(asc(renewalTransactions.id), asc(renewalResults.id));
}
