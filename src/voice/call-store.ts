/** The calls, their answered webhooks and their events, in the database (no process memory). */
import { and, count, eq, isNull } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/database.js";
import { callEvents, callResponses, calls } from "../db/schema/index.js";
import type { CallEventRecord } from "./actions/types.js";
import type { CallState } from "./call-state.js";

export interface StoredCall {
  callSid: string;
  state: CallState;
  nextSeq: number;
  endedAt: Date | null;
}

export async function findCall(db: Database, callSid: string): Promise<StoredCall | null> {
  const [row] = await db
    .select({ callSid: calls.callSid, state: calls.state, nextSeq: calls.nextSeq, endedAt: calls.endedAt })
    .from(calls)
    .where(eq(calls.callSid, callSid));
  return row ? { ...row, state: row.state as CallState } : null;
}

export async function storedResponse(db: Database, callSid: string, seq: number): Promise<string | null> {
  const [row] = await db
    .select({ twiml: callResponses.twiml })
    .from(callResponses)
    .where(and(eq(callResponses.callSid, callSid), eq(callResponses.seq, seq)));
  return row?.twiml ?? null;
}

/** A new call; a repeated first webhook finds it already there. */
export async function createCall(db: Database, callSid: string, state: CallState, now: Date): Promise<void> {
  await db
    .insert(calls)
    .values({
      callSid,
      startedAt: now,
      status: "in-progress",
      step: state.step,
      state,
      nextSeq: 0,
      updatedAt: now,
    })
    .onConflictDoNothing();
}

export interface AnsweredStep {
  callSid: string;
  seq: number;
  twiml: string;
  state: CallState;
  events: CallEventRecord[];
  now: Date;
}

/** Takes webhook `seq` for this delivery: false when another delivery took it first. */
export async function claimWebhook(db: Database, callSid: string, seq: number): Promise<boolean> {
  const claimed = await db
    .update(calls)
    .set({ nextSeq: seq + 1 })
    .where(and(eq(calls.callSid, callSid), eq(calls.nextSeq, seq)))
    .returning({ callSid: calls.callSid });
  return claimed.length > 0;
}

/** Saves the answer to a claimed webhook with the call's new state and events, in one transaction. */
export async function saveAnsweredStep(db: Database, answered: AnsweredStep): Promise<string> {
  await db.transaction(async (tx) => {
    await tx
      .insert(callResponses)
      .values({ callSid: answered.callSid, seq: answered.seq, twiml: answered.twiml });
    await tx
      .update(calls)
      .set({
        state: answered.state,
        step: answered.state.step,
        // Before the caller chooses, the call has no language of its own (prompts are English).
        language: answered.state.languageChosen ? answered.state.language : null,
        patronId: answered.state.patronId,
        cardLastFour: answered.state.cardLastFour,
        updatedAt: answered.now,
      })
      .where(eq(calls.callSid, answered.callSid));
    await insertEvents(tx, answered.callSid, answered.events, answered.now);
  });
  return answered.twiml;
}

/** A claimed webhook that failed: its apology is its answer, so a retry hears the same. */
export async function saveApology(
  db: Database,
  callSid: string,
  seq: number,
  twiml: string,
  events: CallEventRecord[],
  now: Date,
): Promise<void> {
  await db.insert(callResponses).values({ callSid, seq, twiml }).onConflictDoNothing();
  await insertEvents(db, callSid, events, now);
}

export async function insertEvents(
  db: DbOrTx,
  callSid: string,
  events: CallEventRecord[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  await db.insert(callEvents).values(
    events.map((event) => ({
      callSid,
      at: now,
      kind: event.kind,
      step: event.step ?? null,
      detail: event.detail ?? {},
    })),
  );
}

/**
 * The status callback: the call's final status and duration, and its outcome for the console,
 * worked out from its events.
 */
export async function closeCall(
  db: Database,
  callSid: string,
  status: string,
  durationSeconds: number | null,
  now: Date,
): Promise<void> {
  const kinds = await db
    .select({ kind: callEvents.kind, detail: callEvents.detail, n: count() })
    .from(callEvents)
    .where(eq(callEvents.callSid, callSid))
    .groupBy(callEvents.kind, callEvents.detail);
  const outcome = outcomeOf(
    kinds.map((k) => ({ kind: k.kind, detail: k.detail as Record<string, unknown> })),
  );
  // A repeated callback finds the call already closed and changes nothing.
  const closed = await db
    .update(calls)
    .set({ status, endedAt: now, durationSeconds, outcome, updatedAt: now })
    .where(and(eq(calls.callSid, callSid), isNull(calls.endedAt)))
    .returning({ callSid: calls.callSid });
  if (closed.length > 0)
    await insertEvents(db, callSid, [{ kind: "status", detail: { status, durationSeconds } }], now);
}

/** renewed, partly_renewed, nothing_renewed, transferred, login_failed, error or abandoned. */
export function outcomeOf(events: { kind: string; detail: Record<string, unknown> }[]): string {
  const renewals = events.filter((e) => e.kind === "renewal");
  if (renewals.length > 0) {
    const renewed = renewals.reduce((sum, e) => sum + Number(e.detail.renewed ?? 0), 0);
    const refused = renewals.reduce((sum, e) => sum + Number(e.detail.refused ?? 0), 0);
    if (renewed > 0 && refused === 0) return "renewed";
    return renewed > 0 ? "partly_renewed" : "nothing_renewed";
  }
  if (events.some((e) => e.kind === "transfer" && e.detail.result === "answered")) return "transferred";
  if (events.some((e) => e.kind === "error")) return "error";
  const logins = events.filter((e) => e.kind === "login");
  if (logins.length > 0 && !logins.some((e) => e.detail.result === "ok")) return "login_failed";
  return "abandoned";
}
