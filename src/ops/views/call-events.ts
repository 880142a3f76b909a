/**
 * A call event in words, for the timeline. Only the fields each kind is known to carry are read,
 * so nothing unexpected in a detail ever reaches the page.
 */
import { formatTrn } from "../../renewals/trn.js";
import type { StoredCallEvent } from "../console-data/call-detail.js";

const LOGIN_RESULTS: Record<string, string> = {
  ok: "Logged in",
  failed: "Login failed",
  ambiguous: "The digits match more than one reader: asked for the card number",
};

const TRANSFER_RESULTS: Record<string, string> = {
  closed: "Asked for staff outside office hours: given the enquiry line",
  dialling: "Transferring to staff",
  answered: "Staff answered the transfer",
  unanswered: "The transfer was not answered",
};

function text(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/** The fields each kind of event is known to carry: all the API passes on. */
const EVENT_FIELDS: Record<string, readonly string[]> = {
  step: [],
  key: ["key", "keyed", "noInput"],
  login: ["result", "via", "attempt", "cardLastFour"],
  renewal: ["trn", "selection", "renewed", "refused"],
  transfer: ["result", "dialStatus"],
  sms: ["result", "trn", "code", "status"],
  error: ["error"],
  status: ["status", "durationSeconds"],
};

/** An event's detail with only its kind's known fields, so nothing unexpected leaves through the API. */
export function knownEventDetail(event: StoredCallEvent): Record<string, unknown> {
  const fields = EVENT_FIELDS[event.kind] ?? [];
  return Object.fromEntries(
    fields.filter((f) => Object.hasOwn(event.detail, f)).map((f) => [f, event.detail[f]]),
  );
}

export function describeEvent(event: StoredCallEvent): string {
  const d = event.detail;
  switch (event.kind) {
    case "step":
      return `Step ${event.step ?? ""}`;
    case "key":
      if (d.noInput === true) return "No input";
      if (d.keyed === "masked") return "Keyed digits (masked)";
      return `Pressed ${text(d.key) ?? "?"}`;
    case "login": {
      // Said when it came through the caller ID shortcut (voice-line.md): the PIN alone vouched there.
      const via = d.via === "callerId" ? " at the caller ID shortcut" : "";
      const result = `${LOGIN_RESULTS[text(d.result) ?? ""] ?? "Login"}${via}`;
      if (d.result === "ok" && text(d.cardLastFour)) return `${result}: card ending ${text(d.cardLastFour)}`;
      if (d.result === "failed" && text(d.attempt)) return `${result} (attempt ${text(d.attempt)})`;
      return result;
    }
    case "renewal": {
      const trn = text(d.trn);
      const what = d.selection === "loan" ? "one item" : "all items";
      return `Renewal of ${what}, TRN ${trn ? formatTrn(trn) : "?"}: ${text(d.renewed) ?? 0} renewed, ${text(d.refused) ?? 0} refused`;
    }
    case "transfer":
      return (
        TRANSFER_RESULTS[text(d.result) ?? ""] ??
        `Transfer: ${text(d.result) ?? ""}${text(d.dialStatus) ? ` (${text(d.dialStatus)})` : ""}`
      );
    case "sms":
      return d.result === "sent"
        ? "SMS with the due dates sent"
        : `SMS failed${text(d.code) ? ` (Twilio error ${text(d.code)})` : ""}`;
    case "error":
      return `Error: ${text(d.error) ?? "unknown"}; the caller heard the apology`;
    case "status":
      return `Call ended: ${text(d.status) ?? "?"}${text(d.durationSeconds) ? `, ${text(d.durationSeconds)} s` : ""}`;
    default:
      return event.kind;
  }
}
