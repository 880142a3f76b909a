/**
 * The call log: calls filtered by time range, outcome, language and card last four, a page at a
 * time for the screen, or all of them in batches for the CSV export.
 */
import { and, asc, count, desc, eq, gt, gte, isNull, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../../db/database.js";
import { calls } from "../../db/schema/index.js";
import { instantOfLocalTime } from "../../time/zoned-time.js";
import { LANGUAGES } from "../../voice/flow-definition.js";
import { CALL_OUTCOMES } from "../views/format.js";

export const CALL_LOG_PAGE_SIZE = 50;

/** "in_progress" finds the calls not yet closed (no outcome yet). */
export const OUTCOME_FILTERS = [...CALL_OUTCOMES, "in_progress"] as const;

const blankToUndefined = (value: unknown) => (value === "" ? undefined : value);

/** The filter form as typed (query string): every field optional, empty means "any". */
export const callFilterForm = z.object({
  from: z.preprocess(blankToUndefined, z.string().max(25).optional()),
  to: z.preprocess(blankToUndefined, z.string().max(25).optional()),
  outcome: z.preprocess(blankToUndefined, z.enum(OUTCOME_FILTERS).optional()),
  language: z.preprocess(blankToUndefined, z.enum(LANGUAGES).optional()),
  card: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{4}$/, "Card last four must be four digits.")
      .optional(),
  ),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)),
});
export type CallFilterForm = z.infer<typeof callFilterForm>;

export interface CallFilter {
  /** Started at or after. */
  from?: Date | undefined;
  /** Started before. */
  to?: Date | undefined;
  outcome?: (typeof OUTCOME_FILTERS)[number] | undefined;
  language?: string | undefined;
  cardLastFour?: string | undefined;
}

export type ParsedFilter =
  | { ok: true; form: CallFilterForm; filter: CallFilter }
  | { ok: false; form: Partial<Record<keyof CallFilterForm, string>>; problems: string[] };

/** Reads the filter from a query string; times are wall-clock times in the library's zone. */
export function parseCallFilter(query: Record<string, unknown>, timeZone: string): ParsedFilter {
  const raw = Object.fromEntries(
    Object.entries(query).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]),
  );
  const echo = Object.fromEntries(
    ["from", "to", "outcome", "language", "card"].map((key) => [
      key,
      typeof raw[key] === "string" ? String(raw[key]).slice(0, 25) : "",
    ]),
  );
  const parsed = callFilterForm.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      form: echo,
      problems: parsed.error.issues.map((issue) =>
        issue.path[0] === "card" ? issue.message : `The ${String(issue.path[0] ?? "filter")} is not valid.`,
      ),
    };
  }
  const form = parsed.data;
  const problems: string[] = [];
  const from = form.from === undefined ? undefined : instantOfLocalTime(form.from, timeZone);
  const to = form.to === undefined ? undefined : instantOfLocalTime(form.to, timeZone);
  if (from === null) problems.push("“From” is not a date and time.");
  if (to === null) problems.push("“To” is not a date and time.");
  if (from && to && to.getTime() <= from.getTime()) problems.push("“To” must be after “From”.");
  if (problems.length > 0 || from === null || to === null) return { ok: false, form: echo, problems };
  return {
    ok: true,
    form,
    filter: { from, to, outcome: form.outcome, language: form.language, cardLastFour: form.card },
  };
}

function conditions(filter: CallFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = [
    filter.from ? gte(calls.startedAt, filter.from) : undefined,
    filter.to ? lt(calls.startedAt, filter.to) : undefined,
    filter.language ? eq(calls.language, filter.language) : undefined,
    filter.cardLastFour ? eq(calls.cardLastFour, filter.cardLastFour) : undefined,
    filter.outcome === "in_progress"
      ? isNull(calls.endedAt)
      : filter.outcome
        ? eq(calls.outcome, filter.outcome)
        : undefined,
  ];
  return and(...parts);
}

export interface CallLogRow {
  callSid: string;
  startedAt: Date;
  endedAt: Date | null;
  durationSeconds: number | null;
  status: string;
  language: string | null;
  outcome: string | null;
  cardLastFour: string | null;
  step: string;
}

/** The columns a call is listed with, here and on its detail page. */
export const CALL_LOG_COLUMNS = {
  callSid: calls.callSid,
  startedAt: calls.startedAt,
  endedAt: calls.endedAt,
  durationSeconds: calls.durationSeconds,
  status: calls.status,
  language: calls.language,
  outcome: calls.outcome,
  cardLastFour: calls.cardLastFour,
  step: calls.step,
};

/** One page of the log, newest first, and how many calls match in all. */
export async function findCalls(
  db: DbOrTx,
  filter: CallFilter,
  page: number,
  pageSize = CALL_LOG_PAGE_SIZE,
): Promise<{ rows: CallLogRow[]; total: number }> {
  const where = conditions(filter);
  const [rows, [total]] = await Promise.all([
    db
      .select(CALL_LOG_COLUMNS)
      .from(calls)
      .where(where)
      .orderBy(desc(calls.startedAt), desc(calls.callSid))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(calls).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * Every matching call, oldest first, in batches: an export of a busy year never sits in memory
 * whole. Keyset paging (started_at, call_sid) stays fast and skips nothing as calls arrive.
 */
export async function* allCalls(
  db: DbOrTx,
  filter: CallFilter,
  batchSize = 1000,
): AsyncGenerator<CallLogRow> {
  let after: { startedAt: Date; callSid: string } | null = null;
  for (;;) {
    const cursor: SQL | undefined = after
      ? or(
          gt(calls.startedAt, after.startedAt),
          and(eq(calls.startedAt, after.startedAt), gt(calls.callSid, after.callSid)),
        )
      : undefined;
    const rows = await db
      .select(CALL_LOG_COLUMNS)
      .from(calls)
      .where(and(conditions(filter), cursor))
      .orderBy(asc(calls.startedAt), asc(calls.callSid))
      .limit(batchSize);
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    after = { startedAt: last.startedAt, callSid: last.callSid };
  }
}
