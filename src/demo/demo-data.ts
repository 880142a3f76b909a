/**
 * The demo library (demo/library.json) is written as of one day. Loaded on another day, its
 * loans would all have gone long overdue, so `npm start` moves every date by the same number of
 * days to bring the story to today: the loan borrowed "today" is borrowed today, the one 6 days
 * overdue is 6 days overdue. (Closed days move too, so they are no longer the real holidays.)
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { addDays, type CalendarDate, daysBetween } from "../time/calendar-date.js";

export const DEMO_FILE = fileURLToPath(new URL("../../demo/library.json", import.meta.url));
/** The day demo/library.json is written for: Tuesday 1 December 2026. */
export const DEMO_AS_OF: CalendarDate = "2026-12-01";

export function readDemoFile(): unknown {
  return JSON.parse(readFileSync(DEMO_FILE, "utf8"));
}

/** Days from the demo's day to `today`. */
export function demoShiftDays(today: CalendarDate): number {
  return daysBetween(DEMO_AS_OF, today);
}

const DATE_FIELDS = new Set(["borrowedOn", "dueOn", "returnedOn", "placedOn", "expiresOn"]);

/** A copy of the raw demo file with every date moved by `days`. */
export function shiftDemoDates(raw: unknown, days: number): unknown {
  if (days === 0) return raw;
  const shift = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => shift(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, k)]));
    }
    if (typeof value === "string" && key !== undefined && (DATE_FIELDS.has(key) || key === "closedDays")) {
      return addDays(value, days);
    }
    return value;
  };
  return shift(raw);
}
