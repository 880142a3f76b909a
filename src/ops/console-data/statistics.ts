/**
 * The statistics page's figures, read from the database for a period of library days.
 *
 * What each figure means (the page says the same under each chart):
 * - Period: library-local dates `from` to `to`, both included. A call belongs to it when it
 *   *started* in it (calls.started_at, in the library's zone), whenever it ended.
 * - Calls: every call that started in the period, closed or still in progress.
 * - Calls per hour: those calls by the hour of the library's day they started in (0-23).
 * - Outcomes: those calls by calls.outcome; null is a call Twilio has not yet closed.
 * - Average call duration: the mean of duration_seconds over the closed calls that have one
 *   (Twilio sends CallDuration only with "completed"), overall and by outcome.
 * - Renewals per call: items renewed (renewal_results "renewed") in the phone transactions of
 *   those calls, divided by the number of calls; and how many calls renewed 0, 1, 2, ... items.
 *   The ledger, not the calls' renewal events: it is what the renewal service committed.
 * - Share of logins failed: failed login attempts / (succeeded + failed). An "ambiguous" attempt
 *   is not counted: it goes on to the card number, which then succeeds or fails on its own.
 * - Most common refusal reasons: refused items of those transactions by primary reason (the one
 *   the caller heard), most first, ties by code; the 10 commonest, and the total.
 */
import { and, asc, count, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/database.js";
import { callEvents, calls, renewalResults, renewalTransactions } from "../../db/schema/index.js";
import { addDays, type CalendarDate } from "../../time/calendar-date.js";

/** Library-local dates, both included. */
export interface StatisticsPeriod {
  from: CalendarDate;
  to: CalendarDate;
}

export const TOP_REFUSAL_REASONS = 10;

export interface Statistics {
  period: StatisticsPeriod & { timeZone: string };
  calls: number;
  /** Always 24 entries, hour 0 to 23 of the library's day. */
  callsByHour: { hour: number; calls: number }[];
  /** Outcomes that occurred, most calls first; `outcome: null` is calls in progress. */
  outcomes: { outcome: string | null; calls: number }[];
  duration: {
    /** Closed calls with a duration: what the average is taken over. */
    timedCalls: number;
    averageSeconds: number | null;
    byOutcome: { outcome: string; timedCalls: number; averageSeconds: number }[];
  };
  renewals: {
    itemsRenewed: number;
    /** itemsRenewed / calls; null without calls. */
    perCall: number | null;
    /** From 0 to the most any call renewed, with no gaps. */
    callsByItemsRenewed: { itemsRenewed: number; calls: number }[];
  };
  logins: {
    succeeded: number;
    failed: number;
    /** failed / (succeeded + failed); null without attempts. */
    failedShare: number | null;
  };
  refusals: {
    refusedItems: number;
    /** At most TOP_REFUSAL_REASONS; `reason: null` when none was recorded. */
    topReasons: { reason: string | null; items: number }[];
  };
}

export async function loadStatistics(
  db: Database,
  period: StatisticsPeriod,
  timeZone: string,
): Promise<Statistics> {
  // One snapshot, so the figures add up even while calls come in between the queries.
  return db.transaction(
    async (tx) => {
      const periodCalls = tx.$with("period_calls").as(
        tx
          .select({
            callSid: calls.callSid,
            hour: sql<number>`extract(hour from ${calls.startedAt} at time zone ${timeZone})::int`.as("hour"),
            outcome: calls.outcome,
            endedAt: calls.endedAt,
            durationSeconds: calls.durationSeconds,
          })
          .from(calls)
          .where(startedIn(period, timeZone)),
      );
      // A call's renewals are the transactions its renewal events name by TRN, as on the call's
      // detail page; both joins use an index (call_events by call, renewal_transactions by TRN).
      const renewalEventOfPeriodCall = and(
        eq(callEvents.callSid, periodCalls.callSid),
        eq(callEvents.kind, "renewal"),
      );
      const transactionOfEvent = eq(renewalTransactions.trn, sql`${callEvents.detail}->>'trn'`);

      const hours = await tx
        .with(periodCalls)
        .select({ hour: periodCalls.hour, calls: count() })
        .from(periodCalls)
        .groupBy(periodCalls.hour);

      const closed = sql`${periodCalls.endedAt} is not null and ${periodCalls.durationSeconds} is not null`;
      const outcomes = await tx
        .with(periodCalls)
        .select({
          outcome: periodCalls.outcome,
          calls: count(),
          timedCalls: sql<number>`count(*) filter (where ${closed})`.mapWith(Number),
          totalSeconds:
            sql<number>`coalesce(sum(${periodCalls.durationSeconds}) filter (where ${closed}), 0)`.mapWith(
              Number,
            ),
        })
        .from(periodCalls)
        .groupBy(periodCalls.outcome)
        .orderBy(desc(count()), asc(periodCalls.outcome));

      const renewedPerCall = tx.$with("renewed_per_call").as(
        tx
          .select({
            callSid: periodCalls.callSid,
            renewed:
              sql<number>`(count(${renewalResults.id}) filter (where ${renewalResults.outcome} = 'renewed'))::int`.as(
                "renewed",
              ),
          })
          .from(periodCalls)
          .leftJoin(callEvents, renewalEventOfPeriodCall)
          .leftJoin(renewalTransactions, transactionOfEvent)
          .leftJoin(renewalResults, eq(renewalResults.transactionId, renewalTransactions.id))
          .groupBy(periodCalls.callSid),
      );
      const distribution = await tx
        .with(periodCalls, renewedPerCall)
        .select({ itemsRenewed: renewedPerCall.renewed, calls: count() })
        .from(renewedPerCall)
        .groupBy(renewedPerCall.renewed);

      const [logins] = await tx
        .with(periodCalls)
        .select({
          succeeded: sql<number>`count(*) filter (where ${callEvents.detail}->>'result' = 'ok')`.mapWith(
            Number,
          ),
          failed: sql<number>`count(*) filter (where ${callEvents.detail}->>'result' = 'failed')`.mapWith(
            Number,
          ),
        })
        .from(periodCalls)
        .innerJoin(
          callEvents,
          and(eq(callEvents.callSid, periodCalls.callSid), eq(callEvents.kind, "login")),
        );

      const reasons = await tx
        .with(periodCalls)
        .select({ reason: renewalResults.primaryReason, items: count() })
        .from(periodCalls)
        .innerJoin(callEvents, renewalEventOfPeriodCall)
        .innerJoin(renewalTransactions, transactionOfEvent)
        .innerJoin(renewalResults, eq(renewalResults.transactionId, renewalTransactions.id))
        .where(eq(renewalResults.outcome, "refused"))
        .groupBy(renewalResults.primaryReason)
        .orderBy(desc(count()), asc(renewalResults.primaryReason));

      return summarise({ period, timeZone, hours, outcomes, distribution, logins, reasons });
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** From `from`'s local midnight up to the midnight after `to`: a range the started_at index serves. */
function startedIn(period: StatisticsPeriod, timeZone: string): SQL | undefined {
  return and(
    gte(calls.startedAt, sql`(${period.from}::timestamp at time zone ${timeZone})`),
    lt(calls.startedAt, sql`(${addDays(period.to, 1)}::timestamp at time zone ${timeZone})`),
  );
}

function summarise(rows: {
  period: StatisticsPeriod;
  timeZone: string;
  hours: { hour: number; calls: number }[];
  outcomes: { outcome: string | null; calls: number; timedCalls: number; totalSeconds: number }[];
  distribution: { itemsRenewed: number; calls: number }[];
  logins: { succeeded: number; failed: number } | undefined;
  reasons: { reason: string | null; items: number }[];
}): Statistics {
  const callCount = sum(rows.outcomes.map((o) => o.calls));
  const timedCalls = sum(rows.outcomes.map((o) => o.timedCalls));
  const totalSeconds = sum(rows.outcomes.map((o) => o.totalSeconds));
  const itemsRenewed = sum(rows.distribution.map((d) => d.itemsRenewed * d.calls));
  const mostRenewed = Math.max(-1, ...rows.distribution.map((d) => d.itemsRenewed));
  const succeeded = rows.logins?.succeeded ?? 0;
  const failed = rows.logins?.failed ?? 0;
  return {
    period: { ...rows.period, timeZone: rows.timeZone },
    calls: callCount,
    callsByHour: Array.from({ length: 24 }, (_, hour) => ({
      hour,
      calls: rows.hours.find((h) => h.hour === hour)?.calls ?? 0,
    })),
    outcomes: rows.outcomes.map(({ outcome, calls }) => ({ outcome, calls })),
    duration: {
      timedCalls,
      averageSeconds: timedCalls > 0 ? totalSeconds / timedCalls : null,
      byOutcome: rows.outcomes.flatMap((o) =>
        o.outcome !== null && o.timedCalls > 0
          ? [{ outcome: o.outcome, timedCalls: o.timedCalls, averageSeconds: o.totalSeconds / o.timedCalls }]
          : [],
      ),
    },
    renewals: {
      itemsRenewed,
      perCall: callCount > 0 ? itemsRenewed / callCount : null,
      callsByItemsRenewed: Array.from({ length: mostRenewed + 1 }, (_, items) => ({
        itemsRenewed: items,
        calls: rows.distribution.find((d) => d.itemsRenewed === items)?.calls ?? 0,
      })),
    },
    logins: {
      succeeded,
      failed,
      failedShare: succeeded + failed > 0 ? failed / (succeeded + failed) : null,
    },
    refusals: {
      refusedItems: sum(rows.reasons.map((r) => r.items)),
      topReasons: rows.reasons.slice(0, TOP_REFUSAL_REASONS),
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
