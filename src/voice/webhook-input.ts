/**
 * What a signed Twilio webhook's form may carry, checked field by field (zod at the edge). A
 * signature proves the request came from Twilio, not that each field is one Twilio would send;
 * what fails here is treated as absent or as a wrong key, never logged or stored as it came.
 * Pure: the webhook handler reads `req.body` (the parsed form, `unknown` here) and passes it in.
 */
import { z } from "zod";
import type { GatherSpec } from "./flow-definition.js";

// Twilio's Call SID: "CA" and 32 lowercase hex digits.
const callSid = z.string().regex(/^CA[0-9a-f]{32}$/);
// Schemas are built once: building one is far dearer than parsing with it (every webhook parses).
const withCallSid = z.object({ CallSid: callSid });

/** The CallSid when it has Twilio's format, else null: only a validated CallSid reaches a log line. */
export function callSidOf(body: unknown): string | null {
  const parsed = withCallSid.safeParse(body);
  return parsed.success ? parsed.data.CallSid : null;
}

// A telephone number in E.164, as Twilio gives a caller's: "anonymous", a SIP address or anything
// else recognises nobody.
export const E164_NUMBER = /^\+[1-9]\d{6,14}$/;
const withCallerNumber = z.object({ From: z.string().regex(E164_NUMBER) });

/**
 * The caller's number (`From`) when it is a telephone number, else null. Only for the caller ID
 * shortcut: it never reaches a log line, a call event, an error or a URL (voice-line.md).
 */
export function callerNumberOf(body: unknown): string | null {
  const parsed = withCallerNumber.safeParse(body);
  return parsed.success ? parsed.data.From : null;
}

/** Twilio's call statuses (CallStatus in voice webhooks and status callbacks). */
export const CALL_STATUSES = [
  "queued",
  "initiated",
  "ringing",
  "in-progress",
  "completed",
  "busy",
  "failed",
  "no-answer",
  "canceled",
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** The statuses that end a call: the status callback closes the call on these, once. */
export const FINAL_CALL_STATUSES: ReadonlySet<CallStatus> = new Set<CallStatus>([
  "completed",
  "busy",
  "failed",
  "no-answer",
  "canceled",
]);

/**
 * The longest CallDuration believed: 24 hours. Twilio ends every call at its time limit, at most
 * 24 hours (the TimeLimit of <Dial> and of the Calls API), so a longer duration is not a real
 * call's. It is also far below PostgreSQL's integer column limit (2,147,483,647), which a
 * duration of 99,999,999,999,999 overflowed, failing the close.
 */
export const MAX_CALL_DURATION_SECONDS = 24 * 60 * 60;

// Whole seconds as Twilio writes them: digits only (no sign, point, exponent or spaces); the
// length bound keeps Number() exact before the range check.
const callDuration = z
  .string()
  .regex(/^[0-9]{1,9}$/)
  .transform(Number)
  .pipe(z.number().int().max(MAX_CALL_DURATION_SECONDS));

export interface StatusCallback {
  callSid: string;
  callStatus: CallStatus;
  /**
   * Seconds, or null when absent or not believable (not whole seconds, or over
   * MAX_CALL_DURATION_SECONDS). A bad duration never stops a final status from closing the
   * call: a call left "in progress" for ever is worse than one of unknown length.
   */
  callDuration: number | null;
}

/**
 * The fields of a status callback, or null when it names no call (CallSid not Twilio's format)
 * or no status Twilio has (CallStatus missing or unknown): such a callback changes nothing.
 */
const statusCallback = z.object({
  CallSid: callSid,
  CallStatus: z.enum(CALL_STATUSES),
  CallDuration: z.unknown().optional(),
});

export function statusCallbackOf(body: unknown): StatusCallback | null {
  const parsed = statusCallback.safeParse(body);
  if (!parsed.success) return null;
  const duration = callDuration.safeParse(parsed.data.CallDuration);
  return {
    callSid: parsed.data.CallSid,
    callStatus: parsed.data.CallStatus,
    callDuration: duration.success ? duration.data : null,
  };
}

/**
 * The most keys accepted at a gather without numDigits (card number, PIN, HKID digits): more
 * than any of them, few enough to keep a keyed string short.
 */
export const MAX_KEYED_DIGITS = 32;

/**
 * What the caller keyed at a gather:
 * - `keyed`: the digits, exactly as Twilio could send them for this gather;
 * - `none`: nothing keyed (Digits absent or empty: the gather timed out, or Twilio followed the
 *   <Redirect> after it);
 * - `invalid`: something this gather cannot produce. The engine treats it as a wrong key, and
 *   the call's events store no digits for it.
 */
export type KeyedDigits = { kind: "keyed"; digits: string } | { kind: "none" } | { kind: "invalid" };

/**
 * Checks `digits` (the form's Digits field, unparsed) against the gather the call was at, as
 * Twilio fills it in: only 0-9, * and #; at most numDigits keys when the gather sets numDigits
 * (Twilio ends the gather at that many), else at most MAX_KEYED_DIGITS; never the finish key,
 * which Twilio leaves out of Digits. `gather` undefined (the step gathers nothing): any key is
 * invalid.
 */
export function keyedDigits(gather: GatherSpec | undefined, digits: unknown): KeyedDigits {
  if (digits === undefined || digits === "") return { kind: "none" };
  if (!gather || typeof digits !== "string") return { kind: "invalid" };
  const maxKeys = gather.numDigits ?? MAX_KEYED_DIGITS;
  // renderGather (twiml.ts) writes finishOnKey="" when the flow sets none: no finish key then.
  const finishOnKey = gather.finishOnKey ?? "";
  const valid =
    digits.length <= maxKeys &&
    /^[0-9*#]+$/.test(digits) &&
    (finishOnKey === "" || !digits.includes(finishOnKey));
  return valid ? { kind: "keyed", digits } : { kind: "invalid" };
}
