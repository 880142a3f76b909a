/**
 * pino, with redaction of everything a reader keys or owns (voice-line.md: no PIN, keyed digits,
 * full card, HKID or phone number in a log line). Redaction is the safety net; the code also
 * never logs these on purpose.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import { safeError } from "./safe-error.js";

const SECRET_FIELDS = [
  "pin",
  "Digits",
  "cardNumber",
  "hkid",
  "phone",
  "From",
  "To",
  "Caller",
  "Called",
  "password",
];

// pino's paths match one level each: cover a field at the top and two levels down.
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  // pino-http logs response headers: the console's login answer sets the session cookie.
  'res.headers["set-cookie"]',
  "req.headers['x-twilio-signature']",
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      // An error is logged by kind and cause only, never with the query values drizzle quotes.
      serializers: { err: safeError },
      base: undefined,
    },
    options.destination,
  );
}

export type { Logger };
