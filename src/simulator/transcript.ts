/** What a simulated call leaves behind: each thing the caller heard or did, with its estimated time. */
import type { GatherEnd } from "./gather-input.js";

/** The outcomes Twilio reports in `DialCallStatus`. */
export type DialCallStatus = "completed" | "answered" | "busy" | "no-answer" | "failed" | "canceled";

export type CallErrorReason = "unreachable" | "http-status" | "content-type" | "twiml" | "max-requests";

export interface CallError {
  reason: CallErrorReason;
  message: string;
}

/** `seconds` is each entry's estimated share of the call, in tenths of a second. */
export type TranscriptEntry =
  | {
      kind: "say";
      text: string;
      voice?: string;
      language?: string;
      seconds: number;
      /** Spoken inside a Gather whose keys the caller pressed before the prompt ended (barge-in). */
      interrupted: boolean;
    }
  | { kind: "play"; url: string; seconds: number; interrupted: boolean }
  | { kind: "pause"; seconds: number; interrupted: boolean }
  | {
      kind: "gather";
      /** The keys pressed at this Gather, finish key included; "" for no input. */
      keys: string;
      digits: string;
      endedBy: GatherEnd;
      /** Whether Twilio requested the action URL (it does not on no input, unless actionOnEmptyResult). */
      sentToAction: boolean;
      ignored: string;
      seconds: number;
    }
  | { kind: "dial"; numbers: string[]; status: DialCallStatus; seconds: number }
  | { kind: "hangup"; by: "app" | "caller"; seconds: number }
  | { kind: "reject"; reason: "rejected" | "busy"; seconds: number }
  | { kind: "error"; reason: CallErrorReason; message: string; seconds: number };
