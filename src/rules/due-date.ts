import { addDays, type CalendarDate } from "../time/calendar-date.js";
import type { RenewalPolicy } from "./policy.js";

/**
 * The due date a renewal on `today` gives: a new loan period from the day of renewal
 * (an early renewal gains nothing), moved forward past any run of closed days
 * (renewal-rules.md, "The new due date").
 */
export function newDueDate(
  today: CalendarDate,
  policy: RenewalPolicy,
  closedDays: ReadonlySet<CalendarDate>,
): CalendarDate {
  let due = addDays(today, policy.loanPeriodDays);
  while (closedDays.has(due)) due = addDays(due, 1);
  return due;
}
