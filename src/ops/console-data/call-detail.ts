/** One call as the detail page and the API show it: the call, its events, its renewals, its path. */
import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/database.js";
import { callEvents, calls } from "../../db/schema/index.js";
import { findTransactionByTrn, type RenewalTransactionRecord } from "../../renewals/renewal-records.js";
import { CALL_LOG_COLUMNS, type CallLogRow } from "./call-log.js";

export interface StoredCallEvent {
  at: Date;
  kind: string;
  step: string | null;
  /** As recorded: never a PIN, keyed digits, full card, HKID or phone number (call-runner masks them). */
  detail: Record<string, unknown>;
}

export interface CallDetail {
  call: CallLogRow;
  events: StoredCallEvent[];
  /** Each renewal the call made, with its items, in the order it made them. */
  renewals: RenewalTransactionRecord[];
  /** The steps the call went through, in order: what the flow diagram highlights. */
  path: string[];
}

export async function loadCallDetail(db: DbOrTx, callSid: string): Promise<CallDetail | null> {
  const [call] = await db.select(CALL_LOG_COLUMNS).from(calls).where(eq(calls.callSid, callSid));
  if (!call) return null;
  const rows = await db
    .select({ at: callEvents.at, kind: callEvents.kind, step: callEvents.step, detail: callEvents.detail })
    .from(callEvents)
    .where(eq(callEvents.callSid, callSid))
    .orderBy(asc(callEvents.id));
  const events = rows.map((row) => ({ ...row, detail: (row.detail ?? {}) as Record<string, unknown> }));

  const renewals: RenewalTransactionRecord[] = [];
  for (const event of events) {
    const trn = event.kind === "renewal" ? event.detail.trn : undefined;
    if (typeof trn !== "string") continue;
    const record = await findTransactionByTrn(db, trn);
    if (record) renewals.push(record);
  }
  const path = events.filter((e) => e.kind === "step" && e.step !== null).map((e) => e.step as string);
  return { call, events, renewals, path };
}
