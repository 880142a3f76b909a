/**
 * Builds AccountSnapshots for the rule tests, so that a test states only the facts it is about.
 *
 * Defaults: an active adult reader (id READER) whose card expires far in the future, no charges,
 * no reservations, no closed days. Every loan's item is registered as a copy (status = the loan's
 * itemStatus) of its title, so the title facts are always complete; a test adds the other copies
 * and the reservations it needs.
 */
import { DEFAULT_POLICY, type RenewalPolicy } from "../../src/rules/policy.js";
import type {
  AccountSnapshot,
  ChargeFacts,
  ItemStatus,
  LoanFacts,
  PatronCategory,
  PatronStatus,
  RenewalSelection,
  SetFacts,
  TitleFacts,
} from "../../src/rules/types.js";
import { addDays, type CalendarDate } from "../../src/time/calendar-date.js";

/** The reader on the line. */
export const READER = 1;
/** Someone else. */
export const OTHER_READER = 2;

export const ALL: RenewalSelection = { kind: "all" };
export function oneLoan(loanId: number): RenewalSelection {
  return { kind: "loan", loanId };
}

export type LoanSpec = Partial<Omit<LoanFacts, "set">> & {
  dueOn: CalendarDate;
  /** Shorthand for set: { setId, main }. */
  set?: { setId: string; main?: boolean } | null;
};

export class AccountBuilder {
  private patron: AccountSnapshot["patron"] = {
    id: READER,
    category: "adult",
    status: "active",
    expiresOn: "2099-12-31",
  };
  private readonly loans: LoanFacts[] = [];
  private readonly charges: ChargeFacts[] = [];
  private readonly titles = new Map<string, TitleFacts>();
  private readonly explicitSets = new Map<string, number | null>();
  private readonly closedDays = new Set<CalendarDate>();
  private nextLoanId = 1;
  private nextItemId = 101;

  category(category: PatronCategory): this {
    this.patron = { ...this.patron, category };
    return this;
  }

  status(status: PatronStatus): this {
    this.patron = { ...this.patron, status };
    return this;
  }

  expiresOn(expiresOn: CalendarDate): this {
    this.patron = { ...this.patron, expiresOn };
    return this;
  }

  /** Adds a loan; loanId and itemId are numbered automatically unless given. */
  loan(spec: LoanSpec): this {
    const loanId = spec.loanId ?? this.nextLoanId;
    const itemId = spec.itemId ?? this.nextItemId;
    this.nextLoanId = Math.max(this.nextLoanId, loanId + 1);
    this.nextItemId = Math.max(this.nextItemId, itemId + 1);
    const itemStatus = spec.itemStatus ?? "on_loan";
    const loan: LoanFacts = {
      loanId,
      patronId: spec.patronId ?? READER,
      itemId,
      titleId: spec.titleId ?? `title-${itemId}`,
      borrowedOn: spec.borrowedOn ?? addDays(spec.dueOn, -14),
      dueOn: spec.dueOn,
      returnedOn: spec.returnedOn ?? null,
      renewals: spec.renewals ?? 0,
      itemStatus,
      renewableByType: spec.renewableByType ?? true,
      set: spec.set ? { setId: spec.set.setId, main: spec.set.main ?? false } : null,
    };
    this.loans.push(loan);
    this.copy(loan.titleId, itemId, spec.returnedOn ? "on_shelf" : itemStatus);
    return this;
  }

  /** Registers a copy of a title (replacing the status of a copy already known). */
  copy(titleId: string, itemId: number, status: ItemStatus): this {
    const title = this.title(titleId);
    const existing = title.copies.find((c) => c.itemId === itemId);
    if (existing) existing.status = status;
    else title.copies.push({ itemId, status });
    this.nextItemId = Math.max(this.nextItemId, itemId + 1);
    return this;
  }

  /** A reservation on the title (itemId null) or on one copy of it. */
  reservation(titleId: string, by: number, itemId: number | null = null): this {
    this.title(titleId).reservations.push({ patronId: by, itemId });
    return this;
  }

  charge(itemId: number | null, amountCents: number): this {
    this.charges.push({ itemId, amountCents });
    return this;
  }

  /**
   * States a set's main item explicitly. Without it, a set's main item is the item of its loan
   * marked main, or null when no loan is.
   */
  setMain(setId: string, mainItemId: number | null): this {
    this.explicitSets.set(setId, mainItemId);
    return this;
  }

  closed(...days: CalendarDate[]): this {
    for (const day of days) this.closedDays.add(day);
    return this;
  }

  build(): AccountSnapshot {
    const setIds = new Set<string>(this.explicitSets.keys());
    for (const loan of this.loans) if (loan.set) setIds.add(loan.set.setId);
    const sets: SetFacts[] = [...setIds].map((setId) => ({
      setId,
      mainItemId: this.explicitSets.has(setId)
        ? (this.explicitSets.get(setId) ?? null)
        : (this.loans.find((l) => l.set?.setId === setId && l.set.main)?.itemId ?? null),
    }));
    return {
      patron: { ...this.patron },
      loans: this.loans.map((l) => ({ ...l, set: l.set ? { ...l.set } : null })),
      charges: this.charges.map((c) => ({ ...c })),
      titles: [...this.titles.values()].map((t) => ({
        titleId: t.titleId,
        copies: t.copies.map((c) => ({ ...c })),
        reservations: t.reservations.map((r) => ({ ...r })),
      })),
      sets,
      closedDays: new Set(this.closedDays),
    };
  }

  /** The item id of a loan added earlier. */
  itemOf(loanId: number): number {
    const loan = this.loans.find((l) => l.loanId === loanId);
    if (!loan) throw new Error(`no loan ${loanId}`);
    return loan.itemId;
  }

  private title(titleId: string): TitleFacts {
    let title = this.titles.get(titleId);
    if (!title) {
      title = { titleId, copies: [], reservations: [] };
      this.titles.set(titleId, title);
    }
    return title;
  }
}

export function account(): AccountBuilder {
  return new AccountBuilder();
}

export function policy(overrides: Partial<RenewalPolicy> = {}): RenewalPolicy {
  return { ...DEFAULT_POLICY, ...overrides };
}
