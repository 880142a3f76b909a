/**
 * The ILS's patron status flags (message 64) as the line's account blocks (library-system.md:
 * "64 patron status flags … → the same block codes").
 *
 * An account block means nothing can be renewed, so the line reports one only when the ILS says
 * so: renewal privileges denied, or the card reported lost. The other flags then say why, as the
 * line's codes can: excessive fines or fees → the account charge ceiling, too many items overdue →
 * the overdue limit, otherwise suspended. A flag without renewals denied (too many items charged,
 * say) blocks nothing: the ILS still decides item by item, and its refusals say why.
 */
import { type AccountBlockCode, inPriorityOrder } from "../../rules/reasons.js";
import type { PatronStatus } from "./fixed-fields.js";

export function blocksOf(status: PatronStatus): AccountBlockCode[] {
  const codes: AccountBlockCode[] = [];
  if (status.cardReportedLost) codes.push("CARD_REPORTED_LOST");
  if (status.renewalPrivilegesDenied) {
    if (status.excessiveOutstandingFines || status.excessiveOutstandingFees)
      codes.push("ACCOUNT_CHARGE_CEILING");
    if (status.tooManyItemsOverdue) codes.push("OVERDUE_TIME_LIMIT");
    // Denied for no reason the flags give (a debarment, a suspension): the account is suspended.
    if (codes.length === 0) codes.push("ACCOUNT_SUSPENDED");
  }
  return inPriorityOrder(codes) as AccountBlockCode[];
}
