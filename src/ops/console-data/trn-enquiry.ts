/**
 * The reference-number enquiry (renewal-rules.md, "Transactions and reference numbers"): what an
 * operator typed becomes a TRN, and its check digit is checked before the database is asked, so a
 * mistyped number is answered as mistyped rather than with a misleading "not found".
 */
import type { DbOrTx } from "../../db/database.js";
import { findTransactionByTrn, type RenewalTransactionRecord } from "../../renewals/renewal-records.js";
import { isValidTrn } from "../../renewals/trn.js";

export type TrnRejection = "empty" | "not_ten_digits" | "check_digit";

export type TrnInput = { kind: "trn"; trn: string } | { kind: "rejected"; reason: TrnRejection };

export type TrnEnquiry =
  | { kind: "found"; transaction: RenewalTransactionRecord }
  | { kind: "not_found"; trn: string }
  | { kind: "rejected"; reason: TrnRejection };

export const TRN_REJECTIONS: Record<TrnRejection, string> = {
  empty: "Enter a reference number: 10 digits, as in 12345 67890.",
  not_ten_digits: "A reference number is 10 digits, as in 12345 67890 (spaces and dashes are fine).",
  check_digit:
    "This is not a valid reference number: a digit is wrong or two digits are swapped. Check it with the reader.",
};

export const TRN_NOT_FOUND = "No transaction has this reference number.";

// It is printed "12345 67890" and read out in groups, so operators type spaces or dashes (a
// word processor or a phone may turn "-" into another dash); nothing else is a separator.
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

/** What an operator typed, as a TRN, or why it is not one. Pure: no lookup happens here. */
export function parseTrnInput(typed: string): TrnInput {
  const digits = typed.replace(SEPARATORS, "");
  if (digits === "") return { kind: "rejected", reason: "empty" };
  if (!/^\d{10}$/.test(digits)) return { kind: "rejected", reason: "not_ten_digits" };
  // The Damm digit catches every single wrong digit and every adjacent swap.
  if (!isValidTrn(digits)) return { kind: "rejected", reason: "check_digit" };
  return { kind: "trn", trn: digits };
}

/** The transaction a typed reference number names; the database is asked only for a valid TRN. */
export async function enquireTrn(db: DbOrTx, typed: string): Promise<TrnEnquiry> {
  const input = parseTrnInput(typed);
  if (input.kind === "rejected") return input;
  const transaction = await findTransactionByTrn(db, input.trn);
  return transaction ? { kind: "found", transaction } : { kind: "not_found", trn: input.trn };
}
