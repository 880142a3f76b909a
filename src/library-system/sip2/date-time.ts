/**
 * SIP2's 18-character date: "YYYYMMDDZZZZHHMMSS". ZZZZ is the zone: four blanks for the ACS's
 * local time, "   Z" for UTC; some ILSs put other text there (Sierra sends "0000"), so it is kept
 * as sent. The codec does not know the library's zone, so it returns calendar parts, not an
 * instant.
 */
export interface SipDateTime {
  raw: string;
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM:SS */
  time: string;
  /** The four zone characters as sent. */
  zone: string;
  utc: boolean;
}

export const SIP_DATE_TIME_LENGTH = 18;
const FORM = /^(\d{4})(\d{2})(\d{2})(.{4})(\d{2})(\d{2})(\d{2})$/;

/** The parsed date, or null when `raw` is not in the 18-character form or names no real date. */
export function parseSipDateTime(raw: string): SipDateTime | null {
  const m = FORM.exec(raw);
  if (!m) return null;
  const [, year, month, day, zone = "", hour, minute, second] = m;
  const asUtc = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  // Date rolls 2024-02-30 over to March; the round trip catches impossible dates and times.
  if (
    Number.isNaN(asUtc.getTime()) ||
    asUtc.toISOString().slice(0, 19) !== `${year}-${month}-${day}T${hour}:${minute}:${second}`
  ) {
    return null;
  }
  return {
    raw,
    date: `${year}-${month}-${day}`,
    time: `${hour}:${minute}:${second}`,
    zone,
    utc: zone.trim() === "Z",
  };
}

/** Builds the 18-character form from calendar parts: local time unless `utc`. */
export function sipDateTime(date: string, time: string, utc = false): SipDateTime {
  const zone = utc ? "   Z" : "    ";
  const raw = `${date.replaceAll("-", "")}${zone}${time.replaceAll(":", "")}`;
  const parsed = parseSipDateTime(raw);
  if (!parsed) throw new RangeError(`not a SIP2 date and time: ${date} ${time}`);
  return parsed;
}
