/**
 * The renewal export as the library's system reads it: CSV (RFC 4180: a header, CRLF line ends,
 * fields quoted when they hold a comma, quote or line break, quotes doubled) or one JSON array.
 * Both carry the same fields under the same names.
 */
import { stringify } from "csv-stringify/sync";
import { formatCentsAsHkd } from "../money/hkd.js";
import { wallClockOf } from "../time/zoned-time.js";
import type { ExportedRenewal } from "./export-renewals.js";

export const EXPORT_FORMATS = ["csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_COLUMNS = [
  "trn",
  "card",
  "barcode",
  "title",
  "oldDueOn",
  "newDueOn",
  "result",
  "reason",
  "renewedAt",
  "channel",
  "charge",
] as const;

type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], string | null>;

export function formatExport(rows: ExportedRenewal[], format: ExportFormat, timeZone: string): string {
  const records = rows.map((row) => recordOf(row, timeZone));
  if (format === "json") {
    // One object a line inside the array: still one document, and a diff reads row by row.
    return records.length === 0 ? "[]\n" : `[\n${records.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`;
  }
  return stringify(records, {
    header: true,
    columns: [...EXPORT_COLUMNS],
    record_delimiter: "\r\n",
    // csv-stringify quotes a line break only when it matches the record delimiter; RFC 4180 wants
    // every field with CR or LF quoted.
    quoted_match: /[\r\n]/,
  });
}

function recordOf(row: ExportedRenewal, timeZone: string): ExportRecord {
  return {
    trn: row.trn,
    card: row.cardNumber,
    barcode: row.barcode,
    title: row.title,
    oldDueOn: row.oldDueOn,
    newDueOn: row.newDueOn,
    result: row.outcome,
    reason: row.reason,
    renewedAt: isoWithOffset(row.renewedAt, timeZone),
    channel: row.channel,
    // HK$ as a decimal string, as in the import file's charges.
    charge: formatCentsAsHkd(row.chargeCents),
  };
}

/** "2026-12-01T10:04:05+08:00": the instant in the library's zone, with its offset. */
export function isoWithOffset(at: Date, timeZone: string): string {
  const { date, time, offset } = wallClockOf(at, timeZone);
  return `${date}T${time}${offset}`;
}
