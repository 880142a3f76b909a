/**
 * A SIP2 line made safe for a traffic log: the values of AD (patron PIN), CO (the line's login
 * password) and AC (terminal password) become ****. No PIN may reach a log line
 * (library-system.md, "SIP2 connection"). Nor may a reader's card number, name, address, e-mail or
 * phone (the brief): AA keeps only its last four digits, as the console shows a card; AE, BD, BE
 * and BF become ****.
 */
import { findTrailer } from "./checksum.js";
import { isMessageCode, MESSAGES } from "./messages.js";
import { splitFields } from "./variable-fields.js";

const SECRET_CODES = new Set(["AD", "CO", "AC"]);
const PERSONAL_CODES = new Set(["AE", "BD", "BE", "BF"]);
const MASK = "****";

/** A field's value as a log may show it. */
function maskedValue(code: string, value: string): string {
  if (value === "") return value;
  if (SECRET_CODES.has(code) || PERSONAL_CODES.has(code)) return MASK;
  if (code === "AA") return `${MASK}${value.slice(-4)}`;
  return value;
}

export function maskForLog(raw: string): string {
  const terminator = /\r?\n?$/.exec(raw)?.[0] ?? "";
  const line = raw.slice(0, raw.length - terminator.length);
  const code = line.slice(0, 2);
  const fixedEnd = isMessageCode(code) ? 2 + MESSAGES[code].fixed.reduce((sum, f) => sum + f.length, 0) : -1;
  if (fixedEnd < 0 || line.length < fixedEnd || /[\r\n]/.test(line)) return maskAnywhere(raw);

  const trailer = findTrailer(line, fixedEnd);
  const end = trailer ? trailer.start : line.length;
  const fields = splitFields(line.slice(fixedEnd, end), fixedEnd);
  if ("malformedAt" in fields) return maskAnywhere(raw);

  // A valid fixed part holds flags, counts and dates; one that holds a secret is a garbled line.
  let masked = maskAnywhere(line.slice(0, fixedEnd));
  for (const field of fields) {
    masked += `${field.code}${maskedValue(field.code, field.value)}|`;
  }
  // Keep the line as it came: a last field written without its "|" stays without one.
  if (fields.length > 0 && !line.slice(fixedEnd, end).endsWith("|")) masked = masked.slice(0, -1);
  return masked + line.slice(end) + terminator;
}

// A line we cannot split into fields may hide a secret anywhere: better a garbled log line
// (a title containing "CO" loses its tail) than a PIN in it.
function maskAnywhere(raw: string): string {
  return raw.replace(/(AD|CO|AC|AE|BD|BE|BF|AA)[^|\r\n]+/g, `$1${MASK}`);
}
