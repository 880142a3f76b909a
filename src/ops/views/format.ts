/** How times, durations and outcomes read on the console's pages and in its exports. */
import { wallClockOf } from "../../time/zoned-time.js";

/** "2026-12-01 10:04:05" in the library's zone: sortable, unambiguous, what a log reader expects. */
export function formatTime(at: Date, timeZone: string): string {
  const { date, time } = wallClockOf(at, timeZone);
  return `${date} ${time}`;
}

/** 0:07, 3:25, 1:02:03. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export const CALL_OUTCOMES = [
  "renewed",
  "partly_renewed",
  "nothing_renewed",
  "login_failed",
  "abandoned",
  "transferred",
  "error",
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

const OUTCOME_LABELS: Record<CallOutcome, string> = {
  renewed: "Renewed",
  partly_renewed: "Partly renewed",
  nothing_renewed: "Nothing renewed",
  login_failed: "Login failed",
  abandoned: "Abandoned",
  transferred: "Transferred",
  error: "Error",
};

export function outcomeLabel(outcome: string | null): string {
  if (outcome === null) return "In progress";
  return OUTCOME_LABELS[outcome as CallOutcome] ?? outcome;
}

export const LANGUAGE_LABELS: Record<string, string> = {
  yue: "Cantonese",
  cmn: "Putonghua",
  en: "English",
};

export function languageLabel(language: string | null): string {
  return language === null ? "Not chosen" : (LANGUAGE_LABELS[language] ?? language);
}
