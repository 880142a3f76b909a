/**
 * The renewal service: lock the account, let the rule module decide, record the decisions, the
 * renewals and the accrued charges under one TRN, all in one database transaction
 * (renewal-rules.md, "Transactions and reference numbers"). Every channel renews through here.
 */
import { inArray, sql } from "drizzle-orm";
import type { Database, Transaction } from "../db/database.js";
import { charges, loans, renewalResults, renewalTransactions } from "../db/schema/index.js";
import { decideRenewals } from "../rules/decide-renewals.js";
import type { RenewalPolicy } from "../rules/policy.js";
import type { RenewalSelection, RenewedDecision } from "../rules/types.js";
import type { LibraryCalendar } from "../time/library-clock.js";
import { loadAccount } from "./account-snapshot.js";
import { RenewalRequestError } from "./errors.js";
import {
  findTransactionByRequestKey,
  type RenewalTransactionRecord,
  transactionOf,
} from "./renewal-records.js";
import { generateTrn } from "./trn.js";

export interface RenewalServiceDeps {
  db: Database;
  calendar: LibraryCalendar;
  policy: RenewalPolicy;
}

export interface RenewalRequest {
  patronId: number;
  selection: RenewalSelection;
  /** Which way the request came in, e.g. "phone". */
  channel: string;
  /** Unique per request: the same key again returns the first result and changes nothing. */
  requestKey: string;
}

export interface RenewalOutcome extends RenewalTransactionRecord {
  /** True when this request key had already been carried out and nothing was done now. */
  replayed: boolean;
}

// A fresh random TRN collides with an issued one about once in a billion; a few tries suffice.
const TRN_ATTEMPTS = 5;

export async function renew(deps: RenewalServiceDeps, request: RenewalRequest): Promise<RenewalOutcome> {
  return deps.db.transaction((tx) => renewInTransaction(tx, deps, request));
}

/**
 * The same, inside a transaction the caller owns: the voice line renews inside the webhook's
 * transaction, so the renewal commits with the answer that tells the caller its TRN, or not at all.
 */
export async function renewInTransaction(
  tx: Transaction,
  deps: Omit<RenewalServiceDeps, "db">,
  request: RenewalRequest,
): Promise<RenewalOutcome> {
  const now = deps.calendar.clock.now();
  const today = deps.calendar.today();

  // The patron row lock comes first: requests for one account, whatever their key, queue here,
  // so a retried request always finds the first one's record.
  const account = await loadAccount(tx, request.patronId, request.selection, today, { lock: true });
  if (!account) throw new RenewalRequestError("UNKNOWN_ACCOUNT", `no patron with id ${request.patronId}`);

  const earlier = await findTransactionByRequestKey(tx, request.requestKey);
  if (earlier) {
    if (earlier.patronId !== request.patronId) {
      throw new RenewalRequestError("REQUEST_KEY_REUSED", "request key already used for another account");
    }
    return { ...earlier, replayed: true };
  }
  if (request.selection.kind === "loan" && !account.labels.has(request.selection.loanId)) {
    throw new RenewalRequestError("UNKNOWN_LOAN", `no loan with id ${request.selection.loanId}`);
  }

  const decision = decideRenewals({
    account: account.snapshot,
    selection: request.selection,
    today,
    policy: deps.policy,
  });

  const transaction = await insertTransaction(tx, {
    patronId: request.patronId,
    cardLastFour: account.cardNumber.slice(-4),
    channel: request.channel,
    requestKey: request.requestKey,
    selection: request.selection.kind,
    createdAt: now,
    libraryDay: today,
    accountBlocks: decision.accountBlocks,
  });

  const renewed = decision.loans.filter((d): d is RenewedDecision => d.outcome === "renewed");
  await writeRenewedLoans(tx, renewed);

  const results = decision.loans.map((d) => {
    const label = account.labels.get(d.loanId) ?? { barcode: "", title: "" };
    return d.outcome === "renewed"
      ? {
          loanId: d.loanId,
          ...label,
          outcome: d.outcome,
          oldDueOn: d.oldDueOn,
          newDueOn: d.newDueOn,
          reasons: [],
          primaryReason: null,
          chargeRecordedCents: d.accruedChargeCents,
        }
      : {
          loanId: d.loanId,
          ...label,
          outcome: d.outcome,
          oldDueOn: d.dueOn,
          newDueOn: null,
          reasons: d.reasons,
          primaryReason: d.primaryReason,
          chargeRecordedCents: 0,
        };
  });
  if (results.length > 0) {
    await tx.insert(renewalResults).values(results.map((r) => ({ ...r, transactionId: transaction.id })));
  }

  // "When an overdue item is renewed, its accrued charge is recorded as an outstanding charge."
  const accrued = renewed.filter((d) => d.accruedChargeCents > 0);
  if (accrued.length > 0) {
    await tx.insert(charges).values(
      accrued.map((d) => ({
        patronId: request.patronId,
        itemId: d.itemId,
        amountCents: d.accruedChargeCents,
        kind: "overdue",
        renewalTransactionId: transaction.id,
      })),
    );
  }

  return { ...transaction, results, replayed: false };
}

export type NewTransaction = Omit<typeof renewalTransactions.$inferInsert, "trn">;

export async function insertTransaction(tx: Transaction, values: NewTransaction) {
  for (let attempt = 0; attempt < TRN_ATTEMPTS; attempt++) {
    // DO NOTHING rather than an error: an error would abort the whole transaction.
    const [row] = await tx
      .insert(renewalTransactions)
      .values({ ...values, trn: generateTrn() })
      .onConflictDoNothing()
      .returning();
    if (row) return transactionOf(row);
    // The key itself may have been taken meanwhile by a request for another account.
    if (await findTransactionByRequestKey(tx, values.requestKey)) {
      throw new RenewalRequestError("REQUEST_KEY_REUSED", "request key already used for another account");
    }
  }
  throw new Error(`renew: no free TRN after ${TRN_ATTEMPTS} attempts`);
}

/** One statement for all renewed loans, so a set changes whole or not at all. */
async function writeRenewedLoans(tx: Transaction, renewed: RenewedDecision[]): Promise<void> {
  if (renewed.length === 0) return;
  const newDue = sql.join(
    renewed.map((d) => sql`when ${d.loanId} then ${d.newDueOn}::date`),
    sql` `,
  );
  const oldDue = sql.join(
    renewed.map((d) => sql`when ${d.loanId} then ${d.oldDueOn}::date`),
    sql` `,
  );
  const updated = await tx
    .update(loans)
    .set({ dueOn: sql`case ${loans.id} ${newDue} end`, renewals: sql`${loans.renewals} + 1` })
    .where(
      sql`${inArray(
        loans.id,
        renewed.map((d) => d.loanId),
      )} and ${loans.returnedOn} is null and ${loans.dueOn} = case ${loans.id} ${oldDue} end`,
    )
    .returning({ id: loans.id });
  // The rows were locked when read, so this only fails if that locking was bypassed.
  if (updated.length !== renewed.length) {
    throw new RenewalRequestError("CONCURRENT_UPDATE", "a loan changed while it was being renewed");
  }
}
