import type { CalendarDate } from "../time/calendar-date.js";
import type { AccountBlockCode, RefusalCode } from "./reasons.js";

export type PatronCategory = "adult" | "junior";
export type PatronStatus = "active" | "suspended" | "card_lost";
export type ItemStatus =
  | "on_shelf"
  | "on_loan"
  | "on_hold_shelf"
  | "lost"
  | "claimed_returned"
  | "not_for_loan";

/** Everything the rule module needs to know about one account, read in one go by the service. */
export interface AccountSnapshot {
  patron: {
    id: number;
    category: PatronCategory;
    status: PatronStatus;
    expiresOn: CalendarDate;
  };
  /**
   * The account's open loans, plus any loan the selection names that is not one of them
   * (returned, or another reader's), so that it can be refused with NOT_ON_LOAN.
   */
  loans: LoanFacts[];
  /** Unpaid recorded charges of the account. */
  charges: ChargeFacts[];
  /** Per title of the loans above: what decides RESERVED. */
  titles: TitleFacts[];
  /**
   * Per set that a loan above belongs to: the set's main item, if the set has one.
   * Decides SET_MAIN_RETURNED.
   */
  sets: SetFacts[];
  /** Days the library is closed, at least from today onwards. */
  closedDays: ReadonlySet<CalendarDate>;
}

export interface LoanFacts {
  loanId: number;
  patronId: number;
  itemId: number;
  titleId: string;
  borrowedOn: CalendarDate;
  dueOn: CalendarDate;
  returnedOn: CalendarDate | null;
  /** Consecutive renewals so far. */
  renewals: number;
  itemStatus: ItemStatus;
  /** False when the item's type may not be renewed. */
  renewableByType: boolean;
  set: { setId: string; main: boolean } | null;
}

export interface ChargeFacts {
  /** The item the charge is for, or null for a charge on the account only. */
  itemId: number | null;
  amountCents: number;
}

export interface TitleFacts {
  titleId: string;
  /** Every copy of the title, with its status (including the reader's own copies). */
  copies: { itemId: number; status: ItemStatus }[];
  /** Active reservations on the title or on one of its copies, by any reader. */
  reservations: { patronId: number; itemId: number | null }[];
}

export interface SetFacts {
  setId: string;
  /** The set's main item, or null when the set has none. */
  mainItemId: number | null;
}

/** What the reader asked for: every open loan, or one loan (its whole set when it is in one). */
export type RenewalSelection = { kind: "all" } | { kind: "loan"; loanId: number };

export type LoanDecision = RenewedDecision | RefusedDecision;

export interface RenewedDecision {
  outcome: "renewed";
  loanId: number;
  itemId: number;
  oldDueOn: CalendarDate;
  newDueOn: CalendarDate;
  renewalsAfter: number;
  /** Accrued overdue charge, in cents, to record as outstanding when the renewal is written. */
  accruedChargeCents: number;
}

export interface RefusedDecision {
  outcome: "refused";
  loanId: number;
  itemId: number;
  dueOn: CalendarDate;
  /** Every reason that applies, in priority order. */
  reasons: RefusalCode[];
  /** The reason to speak: reasons[0]. */
  primaryReason: RefusalCode;
}

export interface RenewalDecision {
  /** Account-level blocks in force (empty when none); when any applies, nothing is renewed. */
  accountBlocks: AccountBlockCode[];
  /** One decision per selected loan, in due-date order (then loan id). */
  loans: LoanDecision[];
}
