/** Statistics over a period of library days: the page, and the same figures as JSON. */
import express, { type Router } from "express";
import { z } from "zod";
import {
  addDays,
  type CalendarDate,
  calendarDateIn,
  daysBetween,
  isCalendarDate,
} from "../../time/calendar-date.js";
import type { ConsoleContext } from "../console-context.js";
import { loadStatistics, type StatisticsPeriod } from "../console-data/statistics.js";
import { viewerOf } from "../guard.js";
import { sendPage } from "../views/page.js";
import { StatisticsPage } from "../views/statistics-page.js";

// A year, leap day included: enough to compare seasons, small enough to stay a quick query.
const MAX_PERIOD_DAYS = 366;
// Without dates: the last week up to today.
const DEFAULT_PERIOD_DAYS = 7;

/** An empty date field (the form sent blank) means "not given": the default applies. */
function dateField(name: string) {
  return z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string({ error: `Give one “${name}” date.` })
      .refine(isCalendarDate, { error: `“${name}” is not a date: write it as YYYY-MM-DD.` })
      .optional(),
  );
}

/** `from` and `to`, library dates both included; `to` defaults to today, `from` to a week before it. */
function periodQuery(today: CalendarDate) {
  return z
    .object({ from: dateField("From"), to: dateField("To") })
    .transform(({ from, to }): StatisticsPeriod => {
      const end = to ?? today;
      return { from: from ?? addDays(end, -(DEFAULT_PERIOD_DAYS - 1)), to: end };
    })
    .refine((p) => p.from <= p.to, {
      error: "The period ends before it starts: “To” must not be before “From”.",
    })
    .refine((p) => daysBetween(p.from, p.to) + 1 <= MAX_PERIOD_DAYS, {
      error: `The period is too long: at most ${MAX_PERIOD_DAYS} days.`,
    });
}

type PeriodParse = { ok: true; period: StatisticsPeriod } | { ok: false; message: string };

function parsePeriod(query: unknown, today: CalendarDate): PeriodParse {
  const parsed = periodQuery(today).safeParse(query);
  if (parsed.success) return { ok: true, period: parsed.data };
  return { ok: false, message: parsed.error.issues[0]?.message ?? "This period cannot be shown." };
}

/** What was typed, back in the form beside the message. */
function typed(query: Record<string, unknown>, name: "from" | "to"): string {
  const value = query[name];
  return typeof value === "string" ? value : "";
}

export function statisticsRoutes(context: ConsoleContext): Router {
  const router = express.Router();
  const today = () => calendarDateIn(context.clock.now(), context.timeZone);

  router.get("/statistics", async (req, res) => {
    const viewer = viewerOf(res);
    const parsed = parsePeriod(req.query, today());
    if (!parsed.ok) {
      const form = { from: typed(req.query, "from"), to: typed(req.query, "to") };
      sendPage(res, StatisticsPage({ viewer, form, error: parsed.message }), 400);
      return;
    }
    const statistics = await loadStatistics(context.db, parsed.period, context.timeZone);
    sendPage(res, StatisticsPage({ viewer, form: parsed.period, statistics }));
  });

  router.get("/api/statistics", async (req, res) => {
    const parsed = parsePeriod(req.query, today());
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.message });
      return;
    }
    res.json(await loadStatistics(context.db, parsed.period, context.timeZone));
  });

  return router;
}
