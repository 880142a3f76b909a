/**
 * Fixed-length fields: read by position, in the order the SIP2 2.00 spec lists them for each
 * message. Each kind knows its width, how to read it and how to write it back.
 */
import { parseSipDateTime, SIP_DATE_TIME_LENGTH, type SipDateTime } from "./date-time.js";

/** The 14 patron status flags of message 64, in the spec's order. */
export const PATRON_STATUS_FLAGS = [
  "chargePrivilegesDenied",
  "renewalPrivilegesDenied",
  "recallPrivilegesDenied",
  "holdPrivilegesDenied",
  "cardReportedLost",
  "tooManyItemsCharged",
  "tooManyItemsOverdue",
  "tooManyRenewals",
  "tooManyClaimsOfItemsReturned",
  "tooManyItemsLost",
  "excessiveOutstandingFines",
  "excessiveOutstandingFees",
  "recallOverdue",
  "tooManyItemsBilled",
] as const;
export type PatronStatus = Record<(typeof PATRON_STATUS_FLAGS)[number], boolean>;

/** Message 63's summary: the one list of items the answer should carry, by position. */
export const SUMMARY_ITEMS = ["hold", "overdue", "charged", "fine", "recall", "unavailable-hold"] as const;
export type SummaryItems = (typeof SUMMARY_ITEMS)[number] | null;

export type FixedKind =
  | "yes-no" // Y or N
  | "zero-one" // 0 or 1 (the "ok" fields)
  | "yes-no-unknown" // Y, N or U (magnetic media, desensitize)
  | "number" // digits; all blanks when the ACS leaves it out
  | "date-time"
  | "optional-date-time" // all blanks allowed (29's "no block" due date)
  | "text" // any characters but the delimiter, kept as sent
  | "patron-status"
  | "summary";

export interface FixedFieldSpec {
  name: string;
  kind: FixedKind;
  length: number;
}

export interface FixedValueByKind {
  "yes-no": boolean;
  "zero-one": boolean;
  "yes-no-unknown": "Y" | "N" | "U";
  number: number | null;
  "date-time": SipDateTime;
  "optional-date-time": SipDateTime | null;
  text: string;
  "patron-status": PatronStatus;
  summary: SummaryItems;
}

/** What was wrong with a fixed field, in words safe to log (fixed fields never carry secrets). */
export class FixedFieldProblem {
  constructor(readonly detail: string) {}
}

export function readFixed(spec: FixedFieldSpec, text: string): unknown {
  switch (spec.kind) {
    case "yes-no":
      if (text === "Y" || text === "N") return text === "Y";
      return new FixedFieldProblem(`expected Y or N, got ${JSON.stringify(text)}`);
    case "zero-one":
      if (text === "0" || text === "1") return text === "1";
      return new FixedFieldProblem(`expected 0 or 1, got ${JSON.stringify(text)}`);
    case "yes-no-unknown":
      if (text === "Y" || text === "N" || text === "U") return text;
      return new FixedFieldProblem(`expected Y, N or U, got ${JSON.stringify(text)}`);
    case "number":
      if (/^\d+$/.test(text)) return Number(text);
      // Sierra leaves the item counts blank when the patron is unknown.
      if (text.trim() === "") return null;
      return new FixedFieldProblem(`expected ${spec.length} digits, got ${JSON.stringify(text)}`);
    case "optional-date-time":
      if (text.trim() === "") return null;
      return readDate(text);
    case "date-time":
      return readDate(text);
    case "text":
      return text;
    case "patron-status":
      return readFlags(text);
    case "summary":
      return readSummary(text);
  }
}

function readDate(text: string): SipDateTime | FixedFieldProblem {
  return (
    parseSipDateTime(text) ??
    new FixedFieldProblem(`expected YYYYMMDDZZZZHHMMSS, got ${JSON.stringify(text)}`)
  );
}

// The spec says blank for "no"; some ILSs send N, which means the same.
function readFlags(text: string): PatronStatus | FixedFieldProblem {
  const status = {} as PatronStatus;
  for (const [i, flag] of PATRON_STATUS_FLAGS.entries()) {
    const c = text[i];
    if (c !== "Y" && c !== "N" && c !== " ") {
      return new FixedFieldProblem(`patron status flag ${i + 1} (${flag}) should be Y, N or blank`);
    }
    status[flag] = c === "Y";
  }
  return status;
}

function readSummary(text: string): SummaryItems | FixedFieldProblem {
  if (!/^[YN ]*$/.test(text)) return new FixedFieldProblem("summary should hold only Y, N or blanks");
  const first = text.indexOf("Y");
  if (first === -1) return null;
  if (text.indexOf("Y", first + 1) !== -1) return new FixedFieldProblem("summary may ask for one list only");
  return SUMMARY_ITEMS[first] ?? new FixedFieldProblem(`summary position ${first + 1} names no item list`);
}

/** The field's text, or a problem when the value cannot be written in its width. */
export function writeFixed(spec: FixedFieldSpec, value: unknown): string | FixedFieldProblem {
  switch (spec.kind) {
    case "yes-no":
      return typeof value === "boolean" ? (value ? "Y" : "N") : new FixedFieldProblem("expected a boolean");
    case "zero-one":
      return typeof value === "boolean" ? (value ? "1" : "0") : new FixedFieldProblem("expected a boolean");
    case "yes-no-unknown":
      return value === "Y" || value === "N" || value === "U"
        ? value
        : new FixedFieldProblem("expected Y, N or U");
    case "number":
      if (value === null) return " ".repeat(spec.length);
      if (
        typeof value === "number" &&
        Number.isInteger(value) &&
        value >= 0 &&
        String(value).length <= spec.length
      ) {
        return String(value).padStart(spec.length, "0");
      }
      return new FixedFieldProblem(`expected a whole number of at most ${spec.length} digits`);
    case "optional-date-time":
      if (value === null) return " ".repeat(SIP_DATE_TIME_LENGTH);
      return writeDate(value);
    case "date-time":
      return writeDate(value);
    case "text":
      return typeof value === "string" && value.length === spec.length && !/[|\r\n]/.test(value)
        ? value
        : new FixedFieldProblem(`expected ${spec.length} characters without "|" or line breaks`);
    case "patron-status": {
      const status = value as Partial<PatronStatus> | null;
      if (typeof status !== "object" || status === null)
        return new FixedFieldProblem("expected patron status flags");
      return PATRON_STATUS_FLAGS.map((flag) => (status[flag] ? "Y" : " ")).join("");
    }
    case "summary": {
      if (value === null) return " ".repeat(spec.length);
      const at = SUMMARY_ITEMS.indexOf(value as (typeof SUMMARY_ITEMS)[number]);
      if (at === -1) return new FixedFieldProblem(`expected one of ${SUMMARY_ITEMS.join(", ")} or null`);
      return `${" ".repeat(at)}Y`.padEnd(spec.length, " ");
    }
  }
}

function writeDate(value: unknown): string | FixedFieldProblem {
  const raw = (value as SipDateTime | null)?.raw;
  return typeof raw === "string" && parseSipDateTime(raw)
    ? raw
    : new FixedFieldProblem("expected a SIP2 date and time");
}
