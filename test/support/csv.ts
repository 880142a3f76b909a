/** The call log's CSV export as a spreadsheet reads it, for the tests that download it. */
import { parse } from "csv-parse/sync";

/** The export's columns, in order: what a spreadsheet made from it relies on. */
export const CALL_LOG_CSV_HEADER = [
  "call_sid",
  "started (library time)",
  "started_at (UTC)",
  "ended_at (UTC)",
  "duration_seconds",
  "language",
  "outcome",
  "card_last_four",
  "last_step",
];

/** The records of a CSV file, the header first, every field as text. */
export function parseCsv(text: string): string[][] {
  return parse(text);
}
