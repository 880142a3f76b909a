/** Short ways to run the rule module and pick one loan's decision out of the result. */
import { expect } from "vitest";
import { decideRenewals } from "../../src/rules/decide-renewals.js";
import { DEFAULT_POLICY, type RenewalPolicy } from "../../src/rules/policy.js";
import type {
  AccountSnapshot,
  LoanDecision,
  RefusedDecision,
  RenewalDecision,
  RenewalSelection,
  RenewedDecision,
} from "../../src/rules/types.js";
import type { CalendarDate } from "../../src/time/calendar-date.js";
import { ALL } from "./account-builder.js";

export function decide(
  account: AccountSnapshot,
  today: CalendarDate,
  selection: RenewalSelection = ALL,
  policy: RenewalPolicy = DEFAULT_POLICY,
): RenewalDecision {
  return decideRenewals({ account, selection, today, policy });
}

export function decisionFor(decision: RenewalDecision, loanId: number): LoanDecision {
  const found = decision.loans.filter((d) => d.loanId === loanId);
  expect(found, `decisions for loan ${loanId}`).toHaveLength(1);
  return found[0] as LoanDecision;
}

export function renewedOf(decision: RenewalDecision, loanId: number): RenewedDecision {
  const d = decisionFor(decision, loanId);
  if (d.outcome !== "renewed") {
    expect.fail(`loan ${loanId} expected renewed, got refused ${JSON.stringify(d.reasons)}`);
  }
  return d;
}

export function refusedOf(decision: RenewalDecision, loanId: number): RefusedDecision {
  const d = decisionFor(decision, loanId);
  if (d.outcome !== "refused") {
    expect.fail(`loan ${loanId} expected refused, got renewed to ${d.newDueOn}`);
  }
  return d;
}
