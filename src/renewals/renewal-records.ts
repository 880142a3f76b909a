/**
 * Renewal transactions as stored: one row per request with its TRN, one result per loan.
 * Reading one back serves a replayed request and, later, the reference-number enquiry.
 */
import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { renewalResults, renewalTransactions } from "../db/schema/index.js";
import type { AccountBlockCode, RefusalCode } from "../rules/reasons.js";
import type { CalendarDate } from "../time/calendar-date.js";

export interface RenewalLoanResult {
  /** The loan in this project's database; null for an ILS's loan (sip2), known by its barcode. */
  loanId: number | null;
  barcode: string;
  title: string;
  outcome: "renewed" | "refused";
  oldDueOn: CalendarDate;
  /** Set when renewed. */
  newDueOn: CalendarDate | null;
  /** Every reason in priority order when refused; empty when renewed. */
  reasons: RefusalCode[];
  primaryReason: RefusalCode | null;
  /** Accrued overdue charge this renewal recorded as outstanding, in cents. */
  chargeRecordedCents: number;
}

export interface RenewalTransactionRecord {
  id: number;
  trn: string;
  patronId: number;
  cardLastFour: string;
  channel: string;
  requestKey: string;
  selection: "all" | "loan";
  createdAt: Date;
  libraryDay: CalendarDate;
  accountBlocks: AccountBlockCode[];
  results: RenewalLoanResult[];
}

type TransactionRow = typeof renewalTransactions.$inferSelect;

export async function findTransactionByRequestKey(
  db: DbOrTx,
  requestKey: string,
): Promise<RenewalTransactionRecord | null> {
  const [row] = await db
    .select()
    .from(renewalTransactions)
    .where(eq(renewalTransactions.requestKey, requestKey));
  return row ? withResults(db, row) : null;
}

export async function findTransactionByTrn(
  db: DbOrTx,
  trn: string,
): Promise<RenewalTransactionRecord | null> {
  const [row] = await db.select().from(renewalTransactions).where(eq(renewalTransactions.trn, trn));
  return row ? withResults(db, row) : null;
}

async function withResults(db: DbOrTx, row: TransactionRow): Promise<RenewalTransactionRecord> {
  const results = await db
    .select()
    .from(renewalResults)
    .where(eq(renewalResults.transactionId, row.id))
    .orderBy(asc(renewalResults.id));
  return {
    ...transactionOf(row),
    results: results.map((r) => ({
      loanId: r.loanId,
      barcode: r.barcode,
      title: r.title,
      outcome: r.outcome,
      oldDueOn: r.oldDueOn,
      newDueOn: r.newDueOn,
      reasons: r.reasons as RefusalCode[],
      primaryReason: r.primaryReason as RefusalCode | null,
      chargeRecordedCents: r.chargeRecordedCents,
    })),
  };
}

/** A stored transaction row as a record, without its results. */
export function transactionOf(row: TransactionRow): Omit<RenewalTransactionRecord, "results"> {
  return {
    id: row.id,
    trn: row.trn,
    patronId: row.patronId,
    cardLastFour: row.cardLastFour,
    channel: row.channel,
    requestKey: row.requestKey,
    selection: row.selection,
    createdAt: row.createdAt,
    libraryDay: row.libraryDay,
    accountBlocks: row.accountBlocks as AccountBlockCode[],
  };
}
