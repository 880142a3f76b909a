/**
 * The library's policy figures (renewal-rules.md). Defaults are the documented ones; settings
 * may override each (see src/config/settings.ts).
 */
export interface RenewalPolicy {
  /** A renewal starts a new loan period of this many days from the day of renewal. */
  loanPeriodDays: number;
  /** Consecutive renewals allowed per loan; the next one is refused with RENEWAL_LIMIT. */
  renewalLimit: number;
  /** Outstanding charge of any one item at or above which the account is blocked, in cents. */
  itemChargeCeilingCents: number;
  /** Total outstanding charges at or above which the account is blocked, in cents. */
  accountChargeCeilingCents: number;
  /** Overdue charge per day by reader category, in cents. */
  dailyOverdueRateCents: { adult: number; junior: number };
  /** An item overdue by more than this many days blocks the account. */
  overdueTimeLimitDays: number;
}

export const DEFAULT_POLICY: RenewalPolicy = Object.freeze({
  loanPeriodDays: 14,
  renewalLimit: 5,
  itemChargeCeilingCents: 130_00,
  accountChargeCeilingCents: 200_00,
  dailyOverdueRateCents: Object.freeze({ adult: 1_50, junior: 50 }),
  overdueTimeLimitDays: 90,
});
