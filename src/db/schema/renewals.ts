/**
 * What every renewal request did: one transaction with its reference number (TRN), and one
 * result row per loan (renewal-rules.md, "Transactions and reference numbers").
 *
 * These rows are history, kept when `db:load --replace` empties the library data, so they hold
 * no foreign keys to patrons or loans and copy what an enquiry shows (card last four, barcode,
 * title). Ids are never reused (sequences survive the replace), so patron_id and loan_id never
 * come to point at another reader's rows.
 */
import { sql } from "drizzle-orm";
import {
  check,
  date,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export const renewalTransactions = pgTable(
  "renewal_transactions",
  {
    id: serial("id").primaryKey(),
    /** 9 random digits and a Damm check digit. */
    trn: text("trn").notNull(),
    patronId: integer("patron_id").notNull(),
    cardLastFour: text("card_last_four").notNull(),
    channel: text("channel").notNull(),
    /** Makes a retried request return the first result instead of renewing again. */
    requestKey: text("request_key").notNull(),
    /** "all", or "loan" for one item (or set). */
    selection: text("selection", { enum: ["all", "loan"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    /** The library day the rules were applied on. */
    libraryDay: date("library_day", { mode: "string" }).notNull(),
    /** Account-level blocks in force, in priority order; empty when none. */
    accountBlocks: text("account_blocks").array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    uniqueIndex("renewal_transactions_trn_key").on(t.trn),
    uniqueIndex("renewal_transactions_request_key_key").on(t.requestKey),
    index("renewal_transactions_patron_idx").on(t.patronId, t.createdAt),
    check("renewal_transactions_trn_format", sql`${t.trn} ~ '^[0-9]{10}$'`),
  ],
);

export const renewalResults = pgTable(
  "renewal_results",
  {
    id: serial("id").primaryKey(),
    transactionId: integer("transaction_id")
      .notNull()
      .references(() => renewalTransactions.id),
    /** The loan in this project's database; null for an ILS's loan (sip2), known by its barcode. */
    loanId: integer("loan_id"),
    barcode: text("barcode").notNull(),
    title: text("title").notNull(),
    outcome: text("outcome", { enum: ["renewed", "refused"] }).notNull(),
    oldDueOn: date("old_due_on", { mode: "string" }).notNull(),
    /** Set when renewed. */
    newDueOn: date("new_due_on", { mode: "string" }),
    /** Every reason in priority order when refused; empty when renewed. */
    reasons: text("reasons").array().notNull().default(sql`'{}'::text[]`),
    primaryReason: text("primary_reason"),
    /** Accrued overdue charge recorded as outstanding by this renewal, in cents. */
    chargeRecordedCents: integer("charge_recorded_cents").notNull().default(0),
  },
  (t) => [
    index("renewal_results_transaction_idx").on(t.transactionId),
    index("renewal_results_loan_idx").on(t.loanId),
  ],
);

/**
 * How far `npm run renewals:export` has written the renewal history back (library-system.md,
 * "Writing renewals back"): one row, the last transaction id exported. Advanced in the export's
 * own transaction, so an export that fails moves nothing.
 */
export const renewalExportCursor = pgTable(
  "renewal_export_cursor",
  {
    id: integer("id").primaryKey().default(1),
    /** Every transaction with an id up to this one has been exported. */
    lastTransactionId: integer("last_transaction_id").notNull(),
    exportedAt: timestamp("exported_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [check("renewal_export_cursor_one_row", sql`${t.id} = 1`)],
);
