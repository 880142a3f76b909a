import type { Database, Transaction } from "../../db/database.js";
import type { LibraryRequest, LibrarySystem } from "../../library-system/library-system.js";
import type { LineMetrics } from "../../metrics/line-metrics.js";
import type { RenewalPolicy } from "../../rules/policy.js";
import type { LibraryCalendar } from "../../time/library-clock.js";
import type { LockoutPolicy, PinPrecheck } from "../authentication.js";
import type { CallState } from "../call-state.js";
import type { SpokenPart } from "../engine.js";
import type { Language } from "../flow-definition.js";
import type { OfficeHours } from "../office-hours.js";
import type { PinCheckSlots } from "../pin-check-slots.js";

/** Sends one SMS; throws when it could not. */
export type SmsSender = (to: string, body: string) => Promise<void>;

/** What the voice line needs from the rest of the app, built once at start. */
export interface VoiceDeps {
  db: Database;
  /** Where readers, loans and renewals live (LIBRARY_SYSTEM); default: embedded. */
  library?: LibrarySystem;
  calendar: LibraryCalendar;
  policy: RenewalPolicy;
  identityHashKey: string;
  lockout: LockoutPolicy;
  staff: { phoneNumber: string | null; officeHours: OfficeHours; enquiryLine: string };
  /** Null when SMS is not set up: the line then never offers it. */
  sendSms: SmsSender | null;
  /** CALLER_ID_SHORTCUT: a caller whose number is one reader's registered phone may key just the PIN. */
  callerIdShortcut: boolean;
  /** Prometheus counters and timings; absent when /metrics is off. */
  metrics?: LineMetrics;
  /** The PIN checks, a few at a time (default: LINE_PIN_CHECKS); tests count and watch them. */
  pinChecks?: PinCheckSlots;
}

/** A call event for the console; details never hold keyed digits or a full number. */
export interface CallEventRecord {
  kind: "step" | "key" | "login" | "renewal" | "transfer" | "sms" | "error" | "status";
  step?: string;
  detail?: Record<string, unknown>;
}

export interface ActionContext extends Omit<VoiceDeps, "db" | "pinChecks" | "library"> {
  /** The library system every reader, loan and renewal goes through (library-system.md). */
  library: LibrarySystem;
  /** The line's PIN checks (VoiceDeps.pinChecks, or LINE_PIN_CHECKS). */
  pinChecks: PinCheckSlots;
  /** The webhook's transaction: what an action reads and writes commits with the answer, or not at all. */
  db: Transaction;
  callSid: string;
  /** The number of the webhook being answered: with the CallSid, it keys a renewal request. */
  seq: number;
  /** A prompt's text in a language, filled in: a reason inside a sentence, an SMS body. */
  text(key: string, language: Language, params?: Record<string, string>): string;
  record(event: CallEventRecord): void;
  /** The PIN of this webhook, already checked before its transaction; null when not a PIN. */
  pinPrecheck: PinPrecheck | null;
  /**
   * The caller's number (Twilio's `From`) when it is a telephone number, for the caller ID
   * shortcut only: never stored, logged or recorded (voice-line.md).
   */
  callerNumber: string | null;
}

export interface ActionResult {
  /** Picks the transition when the flow's step lists "results". */
  outcome: string;
  state: CallState;
  say: SpokenPart[];
}

export type Action = (
  ctx: ActionContext,
  state: CallState,
  input: string,
  args: Record<string, string>,
) => Promise<ActionResult>;

/** A request to the library system from this webhook: in its transaction, on the line's clock. */
export function libraryRequest(ctx: ActionContext): LibraryRequest {
  return { tx: ctx.db, today: ctx.calendar.today(), now: ctx.calendar.clock.now() };
}
