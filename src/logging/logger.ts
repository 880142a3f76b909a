/**
 * pino, with redaction of everything a reader keys or owns (voice-line.md: no PIN, keyed digits,
 * full card, HKID or phone number in a log line). Redaction is the safety net; the code also
 * never logs these on purpose.
 */
import pino, { type DestinationStream, type Logger } from "pino";

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-twilio-signature']",
  "*.pin",
  "*.Digits",
  "*.cardNumber",
  "*.hkid",
  "*.phone",
  "*.From",
  "*.To",
  "*.Caller",
  "*.Called",
  "*.password",
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: undefined,
    },
    options.destination,
  );
}

export type { Logger };
