/**
 * Refusal codes as an operator reads them (renewal-rules.md, the two refusal tables). Written for
 * staff, in the third person; the caller hears the prompt catalogue's wording instead.
 */
import type { RefusalCode } from "../../rules/reasons.js";

const REASON_PHRASES: Record<RefusalCode, string> = {
  ACCOUNT_SUSPENDED: "The account is suspended",
  CARD_REPORTED_LOST: "The card has been reported lost",
  ACCOUNT_EXPIRED: "The account has expired",
  ITEM_CHARGE_CEILING: "The charges on one item have reached the per-item ceiling",
  ACCOUNT_CHARGE_CEILING: "The charges on the account have reached the account ceiling",
  OVERDUE_TIME_LIMIT: "An item on loan is overdue by more than the time limit",
  NOT_ON_LOAN: "Not on loan to this reader",
  ITEM_NOT_RENEWABLE: "The item cannot be renewed (lost, claimed returned, or not renewable by its type)",
  SET_MAIN_RETURNED: "The main item of its set has been returned",
  RESERVED: "Reserved by another reader, and no other copy is available",
  RENEWAL_LIMIT: "Already renewed the maximum number of times",
  SET_MEMBER_REFUSED: "Another item of its set cannot be renewed",
  NO_EXTENSION: "Renewing would not move the due date later",
  ILS_REFUSED: "The library's system (ILS) refused it with a message no mapping names",
};

export interface ReasonView {
  code: string;
  text: string;
}

/** A stored code with its phrase; a code this version does not know reads as itself. */
export function reasonView(code: string): ReasonView {
  const text = Object.hasOwn(REASON_PHRASES, code) ? REASON_PHRASES[code as RefusalCode] : code;
  return { code, text };
}
