/**
 * The time limits of the database and of a webhook, in one place, so that they nest: Twilio gives
 * up on a webhook after 15 s, and a caller should hear the apology within 5 s of any database
 * trouble (issue #8). Each limit is shorter than the one that contains it.
 */

/**
 * A webhook's work gets this long; then the caller hears the apology (after at most 750 ms more
 * spent noting the failure for the console), well within 5 s.
 */
export const WEBHOOK_BUDGET_MS = 3_500;

/**
 * Past capacity, a call's first webhook waits this long for a connection, then the caller hears
 * "the line is busy, please call again later": within 1 s of calling (issue #9). At 750 ms, with
 * the event loop itself late under such load, the busy answers' p99 came to 984 ms (500 callers,
 * no think time): half a second leaves the rest of that second for the lag.
 */
export const NEW_CALL_ADMISSION_WAIT_MS = 500;

/**
 * A webhook of a call under way (served before new calls) waits this long, then hears the busy
 * message: a caller is not kept in silence while the line is overwhelmed.
 */
export const ONGOING_CALL_ADMISSION_WAIT_MS = 2_000;

/** The line's statements: the slowest webhook query takes milliseconds; this stops a runaway one. */
export const LINE_STATEMENT_TIMEOUT_MS = 2_000;
/** A held lock (on `loans`, on a reader) fails the webhook fast rather than queueing it. */
export const LINE_LOCK_TIMEOUT_MS = 1_000;

/** The console's reports (statistics, exports) may read a year of calls. */
export const CONSOLE_STATEMENT_TIMEOUT_MS = 15_000;
export const CONSOLE_LOCK_TIMEOUT_MS = 2_000;

/** db:load and ops:user: a library's import is one transaction of minutes; only a human waits. */
export const MAINTENANCE_STATEMENT_TIMEOUT_MS = 0;

/**
 * A transaction whose client went quiet (a hung or dead instance) gives its locks back to the
 * others after this: a caller's row must not stay locked until TCP notices.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;

/** Opening a connection: TCP, then PostgreSQL's startup and authentication, each this long. */
export const CONNECT_TIMEOUT_MS = 2_000;

/**
 * A connection that sent a request and has heard nothing for this long is dead (packets dropped,
 * a half-open socket): the server answers every request within its statement timeout.
 */
export function stallLimitFor(statementTimeoutMs: number): number | null {
  // Without a statement timeout (maintenance), a long silence is a long statement: no watch.
  return statementTimeoutMs > 0 ? statementTimeoutMs + 1_500 : null;
}

/** /healthz answers within 1 s whatever the database does. */
export const HEALTH_CHECK_TIMEOUT_MS = 800;

/** Reconnecting after errors: quick, and never the driver's default of up to 20 s. */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}

/** SIGTERM: webhooks in flight finish (each within its budget) before the process exits. */
export const SHUTDOWN_GRACE_MS = WEBHOOK_BUDGET_MS + 3_000;

/** The same for a line whose webhooks have a longer budget (the sip2 library system). */
export function shutdownGraceFor(webhookBudgetMs: number): number {
  return Math.max(SHUTDOWN_GRACE_MS, webhookBudgetMs + 3_000);
}

/**
 * The idle-in-transaction limit for a line whose webhooks may wait on the library system inside
 * their transaction (sip2): a little longer than their budget, never shorter than the default.
 */
export function idleInTransactionFor(webhookBudgetMs: number): number {
  return Math.max(IDLE_IN_TRANSACTION_TIMEOUT_MS, webhookBudgetMs + 1_500);
}
