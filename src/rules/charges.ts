import { type CalendarDate, daysBetween } from "../time/calendar-date.js";
import type { RenewalPolicy } from "./policy.js";
import type { AccountSnapshot, LoanFacts, PatronCategory } from "./types.js";

/** Whole days a loan is overdue on `today`; 0 when it is not (renewal-rules.md, "Time"). */
export function daysOverdue(dueOn: CalendarDate, today: CalendarDate): number {
  return Math.max(0, daysBetween(dueOn, today));
}

export function accruedOverdueCents(
  loan: Pick<LoanFacts, "dueOn">,
  category: PatronCategory,
  today: CalendarDate,
  policy: RenewalPolicy,
): number {
  return daysOverdue(loan.dueOn, today) * policy.dailyOverdueRateCents[category];
}

export interface OutstandingCharges {
  /** All unpaid recorded charges plus accrued overdue charges, in cents. */
  totalCents: number;
  /** Per item: its unpaid recorded charges plus its accrued overdue charge while on loan. */
  perItemCents: Map<number, number>;
  /** Accrued (not yet recorded) overdue charge per open overdue loan. */
  accruedByLoanCents: Map<number, number>;
}

/**
 * An account's outstanding charges (renewal-rules.md, "Decision (charges)"): recorded unpaid
 * charges, plus the overdue charge accruing on every item still on loan past its due date.
 */
export function outstandingCharges(
  account: AccountSnapshot,
  today: CalendarDate,
  policy: RenewalPolicy,
): OutstandingCharges {
  const perItemCents = new Map<number, number>();
  const accruedByLoanCents = new Map<number, number>();
  let totalCents = 0;

  const addToItem = (itemId: number, cents: number) => {
    perItemCents.set(itemId, (perItemCents.get(itemId) ?? 0) + cents);
  };

  for (const charge of account.charges) {
    totalCents += charge.amountCents;
    if (charge.itemId !== null) addToItem(charge.itemId, charge.amountCents);
  }
  for (const loan of openLoansOf(account)) {
    const accrued = accruedOverdueCents(loan, account.patron.category, today, policy);
    if (accrued === 0) continue;
    accruedByLoanCents.set(loan.loanId, accrued);
    addToItem(loan.itemId, accrued);
    totalCents += accrued;
  }
  return { totalCents, perItemCents, accruedByLoanCents };
}

/** The order loans are decided, listed and offered in: due date, then loan id. */
export function byDueDate(
  a: Pick<LoanFacts, "dueOn" | "loanId">,
  b: Pick<LoanFacts, "dueOn" | "loanId">,
): number {
  return a.dueOn === b.dueOn ? a.loanId - b.loanId : a.dueOn < b.dueOn ? -1 : 1;
}

/** The loans the account holds now: not returned, and the patron's own. */
export function openLoansOf(account: AccountSnapshot): LoanFacts[] {
  return account.loans.filter((loan) => loan.returnedOn === null && loan.patronId === account.patron.id);
}
