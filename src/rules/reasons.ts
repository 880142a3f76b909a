/**
 * Refusal codes of renewal-rules.md, in the fixed order that picks the primary reason to speak:
 * account-level blocks first (in the table's order), then the loan-level ones.
 */
export const ACCOUNT_BLOCK_CODES = [
  "ACCOUNT_SUSPENDED",
  "CARD_REPORTED_LOST",
  "ACCOUNT_EXPIRED",
  "ITEM_CHARGE_CEILING",
  "ACCOUNT_CHARGE_CEILING",
  "OVERDUE_TIME_LIMIT",
] as const;

export const LOAN_REFUSAL_CODES = [
  "NOT_ON_LOAN",
  "ITEM_NOT_RENEWABLE",
  "SET_MAIN_RETURNED",
  "RESERVED",
  "RENEWAL_LIMIT",
  "SET_MEMBER_REFUSED",
  "NO_EXTENSION",
] as const;

/**
 * A refusal the library's ILS gave (the sip2 library system, library-system.md) that its
 * mapping file does not name: the line cannot say more than that the ILS refused.
 */
export const LIBRARY_SYSTEM_REFUSAL_CODES = ["ILS_REFUSED"] as const;

export type AccountBlockCode = (typeof ACCOUNT_BLOCK_CODES)[number];
export type LoanRefusalCode = (typeof LOAN_REFUSAL_CODES)[number];
export type LibrarySystemRefusalCode = (typeof LIBRARY_SYSTEM_REFUSAL_CODES)[number];
export type RefusalCode = AccountBlockCode | LoanRefusalCode | LibrarySystemRefusalCode;

export const REFUSAL_PRIORITY: readonly RefusalCode[] = [
  ...ACCOUNT_BLOCK_CODES,
  ...LOAN_REFUSAL_CODES,
  ...LIBRARY_SYSTEM_REFUSAL_CODES,
];

/** Sorts codes into speaking order and removes duplicates. */
export function inPriorityOrder(codes: Iterable<RefusalCode>): RefusalCode[] {
  const present = new Set(codes);
  return REFUSAL_PRIORITY.filter((code) => present.has(code));
}
