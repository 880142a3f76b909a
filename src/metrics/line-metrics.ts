/**
 * The line's Prometheus metrics (prom-client), in a registry of their own rather than the global
 * default one, so that several apps in one process (tests) never share or collide on counters.
 * No label ever carries a card, phone, PIN or CallSid: steps, routes and refusal codes only.
 */
import { count, gt, isNull } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../db/database.js";
import { calls, patrons } from "../db/schema/index.js";
import type { RenewalLoanResult } from "../renewals/renewal-records.js";
import type { Clock } from "../time/clock.js";

export type WebhookRoute = "incoming" | "step" | "dial" | "status";

/** A webhook's step label when the call is not known (an unsigned-for CallSid, a broken request). */
export const UNKNOWN_STEP = "unknown";

export interface LineMetrics {
  registry: Registry;
  /**
   * Starts timing one webhook; the returned function records it, and the statements it sent,
   * under the call's step on arrival.
   */
  timeWebhook(route: WebhookRoute): (step: string, statements: number) => void;
  /** A webhook turned away with the busy message. */
  countShed(route: WebhookRoute): void;
  /** One count per loan result of a renewal transaction. */
  countRenewals(results: readonly Pick<RenewalLoanResult, "outcome" | "primaryReason">[]): void;
  countLoginFailure(): void;
  countPhoneLocks(accounts: number): void;
}

// Twilio gives up on a webhook after 15 s; a PIN check alone costs a few scrypt hashes.
const WEBHOOK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** The gauges are read from the database at scrape time, so every instance reports the same. */
export function createLineMetrics(deps: { db: Database; clock: Clock }): LineMetrics {
  const registry = new Registry();
  const { db, clock } = deps;

  new Gauge({
    name: "renewline_calls_in_progress",
    help: "Calls not yet closed by Twilio's final status callback",
    registers: [registry],
    async collect() {
      const [row] = await db.select({ n: count() }).from(calls).where(isNull(calls.endedAt));
      this.set(row?.n ?? 0);
    },
  });
  new Gauge({
    name: "renewline_phone_locks_in_force",
    help: "Readers whose telephone access is locked after failed PIN attempts",
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({ n: count() })
        .from(patrons)
        .where(gt(patrons.phoneLockedUntil, clock.now()));
      this.set(row?.n ?? 0);
    },
  });
  const webhookDuration = new Histogram({
    name: "renewline_webhook_duration_seconds",
    help: "Time to answer a Twilio webhook, by route and by the call's step when it arrived",
    labelNames: ["route", "step"] as const,
    buckets: WEBHOOK_BUCKETS,
    registers: [registry],
  });
  const webhookQueries = new Histogram({
    name: "renewline_webhook_queries",
    help: "Statements sent to the database per webhook (BEGIN and COMMIT not counted), by route and step on arrival",
    labelNames: ["route", "step"] as const,
    buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30],
    registers: [registry],
  });
  const shed = new Counter({
    name: "renewline_webhooks_shed_total",
    help: "Webhooks answered with the busy message because no database connection came free in time",
    labelNames: ["route"] as const,
    registers: [registry],
  });
  const renewals = new Counter({
    name: "renewline_renewals_total",
    help: "Loans renewed or refused by telephone, by result and primary refusal reason",
    labelNames: ["result", "reason"] as const,
    registers: [registry],
  });
  const loginFailures = new Counter({
    name: "renewline_login_failures_total",
    help: "Failed telephone logins",
    registers: [registry],
  });
  const phoneLocks = new Counter({
    name: "renewline_phone_locks_total",
    help: "Telephone locks placed on an account after too many failed PIN attempts",
    registers: [registry],
  });

  return {
    registry,
    timeWebhook(route) {
      const end = webhookDuration.startTimer({ route });
      return (step, statements) => {
        end({ step });
        webhookQueries.observe({ route, step }, statements);
      };
    },
    countShed(route) {
      shed.inc({ route });
    },
    countRenewals(results) {
      for (const r of results) renewals.inc({ result: r.outcome, reason: r.primaryReason ?? "none" });
    },
    countLoginFailure() {
      loginFailures.inc();
    },
    countPhoneLocks(accounts) {
      if (accounts > 0) phoneLocks.inc(accounts);
    },
  };
}
