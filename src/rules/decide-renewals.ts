/**
 * The renewal rule module: the one place that decides whether a loan may be renewed and what its
 * new due date is, for every channel. Pure: a snapshot and the day in, decisions out.
 * Each check cites its rule in ../shared/spec/renewal-rules.md.
 */
import type { CalendarDate } from "../time/calendar-date.js";
import {
  byDueDate,
  daysOverdue,
  type OutstandingCharges,
  openLoansOf,
  outstandingCharges,
} from "./charges.js";
import { newDueDate } from "./due-date.js";
import type { RenewalPolicy } from "./policy.js";
import { type AccountBlockCode, inPriorityOrder, type LoanRefusalCode, type RefusalCode } from "./reasons.js";
import type {
  AccountSnapshot,
  LoanDecision,
  LoanFacts,
  RenewalDecision,
  RenewalSelection,
  TitleFacts,
} from "./types.js";

export interface RenewalRequest {
  account: AccountSnapshot;
  selection: RenewalSelection;
  today: CalendarDate;
  policy: RenewalPolicy;
}

export function decideRenewals({ account, selection, today, policy }: RenewalRequest): RenewalDecision {
  const charges = outstandingCharges(account, today, policy);
  const accountBlocks = accountBlocksOf(account, charges, today, policy);
  const selected = selectLoans(account, selection);
  const dueOnRenewal = newDueDate(today, policy, account.closedDays);

  const ownReasons = new Map<number, LoanRefusalCode[]>();
  for (const loan of selected) {
    ownReasons.set(loan.loanId, loanRefusals(loan, account, dueOnRenewal, policy));
  }

  // Sets: if any member cannot be renewed, no member is ("Sets"). Every member that has another
  // refused member adds SET_MEMBER_REFUSED to whatever reasons of its own it has.
  const refusedMembers = new Map<string, number[]>();
  for (const loan of selected) {
    if (loan.set && (ownReasons.get(loan.loanId)?.length ?? 0) > 0) {
      refusedMembers.set(loan.set.setId, [...(refusedMembers.get(loan.set.setId) ?? []), loan.loanId]);
    }
  }
  const anotherMemberRefused = (loan: LoanFacts) =>
    loan.set !== null && (refusedMembers.get(loan.set.setId) ?? []).some((loanId) => loanId !== loan.loanId);

  const decisions: LoanDecision[] = selected.map((loan) => {
    const reasons: RefusalCode[] = [...accountBlocks, ...(ownReasons.get(loan.loanId) ?? [])];
    if (anotherMemberRefused(loan)) reasons.push("SET_MEMBER_REFUSED");
    if (reasons.length > 0) {
      const ordered = inPriorityOrder(reasons);
      return {
        outcome: "refused",
        loanId: loan.loanId,
        itemId: loan.itemId,
        dueOn: loan.dueOn,
        reasons: ordered,
        primaryReason: ordered[0] as RefusalCode,
      };
    }
    return {
      outcome: "renewed",
      loanId: loan.loanId,
      itemId: loan.itemId,
      oldDueOn: loan.dueOn,
      newDueOn: dueOnRenewal,
      renewalsAfter: loan.renewals + 1,
      accruedChargeCents: charges.accruedByLoanCents.get(loan.loanId) ?? 0,
    };
  });

  return { accountBlocks, loans: decisions };
}

/** The account-level blocks in force today, for telling a caller before any request. */
export function accountBlocks(
  account: AccountSnapshot,
  today: CalendarDate,
  policy: RenewalPolicy,
): AccountBlockCode[] {
  return accountBlocksOf(account, outstandingCharges(account, today, policy), today, policy);
}

/** "Refusals that block the whole account", every one that applies, in the table's order. */
function accountBlocksOf(
  account: AccountSnapshot,
  charges: OutstandingCharges,
  today: CalendarDate,
  policy: RenewalPolicy,
): AccountBlockCode[] {
  const blocks: AccountBlockCode[] = [];
  const { patron } = account;
  if (patron.status === "suspended") blocks.push("ACCOUNT_SUSPENDED");
  if (patron.status === "card_lost") blocks.push("CARD_REPORTED_LOST");
  // Decision: an account expiring today is still valid today.
  if (patron.expiresOn < today) blocks.push("ACCOUNT_EXPIRED");

  const highestItemCharge = Math.max(0, ...charges.perItemCents.values());
  if (highestItemCharge >= policy.itemChargeCeilingCents) blocks.push("ITEM_CHARGE_CEILING");
  if (charges.totalCents >= policy.accountChargeCeilingCents) blocks.push("ACCOUNT_CHARGE_CEILING");

  const longOverdue = openLoansOf(account).some(
    (loan) => daysOverdue(loan.dueOn, today) > policy.overdueTimeLimitDays,
  );
  if (longOverdue) blocks.push("OVERDUE_TIME_LIMIT");
  return blocks;
}

/**
 * The loans a request covers, in due-date order: all open loans, or the one named with the
 * rest of its set ("Sets": items borrowed as a set are renewed together).
 */
function selectLoans(account: AccountSnapshot, selection: RenewalSelection): LoanFacts[] {
  const open = openLoansOf(account);
  let selected: LoanFacts[];
  if (selection.kind === "all") {
    selected = open;
  } else {
    const named = account.loans.find((loan) => loan.loanId === selection.loanId);
    if (!named) {
      throw new Error(`decideRenewals: loan ${selection.loanId} is not in the account snapshot`);
    }
    const setId = open.includes(named) ? named.set?.setId : undefined;
    selected = setId === undefined ? [named] : open.filter((loan) => loan.set?.setId === setId);
  }
  return [...selected].sort(byDueDate);
}

/** "Refusals for one loan", except SET_MEMBER_REFUSED which depends on the other members. */
function loanRefusals(
  loan: LoanFacts,
  account: AccountSnapshot,
  dueOnRenewal: CalendarDate,
  policy: RenewalPolicy,
): LoanRefusalCode[] {
  if (loan.returnedOn !== null || loan.patronId !== account.patron.id) return ["NOT_ON_LOAN"];

  const reasons: LoanRefusalCode[] = [];
  if (loan.itemStatus === "lost" || loan.itemStatus === "claimed_returned" || !loan.renewableByType) {
    reasons.push("ITEM_NOT_RENEWABLE");
  }
  if (loan.set && !loan.set.main && !mainItemStillOnLoan(loan.set.setId, account)) {
    reasons.push("SET_MAIN_RETURNED");
  }
  if (isReservedByAnother(loan, account)) reasons.push("RESERVED");
  if (loan.renewals >= policy.renewalLimit) reasons.push("RENEWAL_LIMIT");
  // Decision: a renewal that would not move the due date later is refused and uses nothing up.
  if (dueOnRenewal <= loan.dueOn) reasons.push("NO_EXTENSION");
  return reasons;
}

function mainItemStillOnLoan(setId: string, account: AccountSnapshot): boolean {
  const mainItemId = account.sets.find((set) => set.setId === setId)?.mainItemId ?? null;
  // A set recorded without a main item has nothing that could have been returned.
  if (mainItemId === null) return true;
  return openLoansOf(account).some((loan) => loan.itemId === mainItemId);
}

/**
 * RESERVED: a reservation on this very copy by another reader always blocks; title-level
 * reservations by other readers block when they outnumber the other copies of the title that
 * are on the shelf (hold-shelf, lost and not-for-loan copies do not count). Own reservations never block.
 */
function isReservedByAnother(loan: LoanFacts, account: AccountSnapshot): boolean {
  const title: TitleFacts | undefined = account.titles.find((t) => t.titleId === loan.titleId);
  if (!title) return false;
  const byOthers = title.reservations.filter((r) => r.patronId !== account.patron.id);
  if (byOthers.some((r) => r.itemId === loan.itemId)) return true;
  const titleLevel = byOthers.filter((r) => r.itemId === null).length;
  const otherCopiesOnShelf = title.copies.filter(
    (copy) => copy.itemId !== loan.itemId && copy.status === "on_shelf",
  ).length;
  return titleLevel > otherCopiesOnShelf;
}
