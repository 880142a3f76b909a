/** The calls, their answered webhooks and their events, in the database (CallMemory only hints). */
import { and, count, eq, isNull } from "drizzle-orm";
import type { DbOrTx, Transaction } from "../db/database.js";
import { fixedStatement } from "../db/fixed-statement.js";
import { callEvents, callResponses, calls } from "../db/schema/index.js";
import type { CallEventRecord } from "./actions/types.js";
import type { CallState, OfferedItem } from "./call-state.js";

export interface StoredCall {
  callSid: string;
  state: CallState;
  nextSeq: number;
  endedAt: Date | null;
}

const CALL_COLUMNS = {
  callSid: calls.callSid,
  state: calls.state,
  nextSeq: calls.nextSeq,
  endedAt: calls.endedAt,
};

function storedCallOf<Row extends { state: unknown }>(row: Row | undefined) {
  return row ? { ...row, state: withCurrentFields(row.state as CallState) } : null;
}

/**
 * A state stored by an older version of the line (a call under way during a deploy) lacks the
 * fields added since: filled in so that the call goes on as the reader would expect, with the
 * whole menu (the summary it heard knew nothing of what the menu now leaves out), the refusals
 * still explained and the goodbye's reminder kept after a renewal.
 */
export function withCurrentFields(state: CallState): CallState {
  const stored = state as Partial<CallState> & CallState & OlderFields;
  const { triedLoanIds, ...current } = stored;
  return {
    ...current,
    // Before the library-system boundary, loans were named by their id in this database.
    offer: stored.offer
      ? {
          ...stored.offer,
          items: stored.offer.items.map(({ loanId, ...item }: OlderOfferedItem) => ({
            ...item,
            ref: item.ref ?? String(loanId),
          })),
        }
      : null,
    account:
      stored.account ?? (stored.patronId !== null ? { loans: 1, blocked: false, charges: true } : null),
    lastRenewal: stored.lastRenewal
      ? { ...stored.lastRenewal, refused: stored.lastRenewal.refused ?? 1 }
      : null,
    referenceGiven: stored.referenceGiven ?? stored.lastRenewal != null,
    triedRefs: stored.triedRefs ?? (triedLoanIds ?? []).map(String),
  };
}

/** Fields an older line stored under other names. */
interface OlderFields {
  triedLoanIds?: number[];
}
type OlderOfferedItem = Omit<OfferedItem, "ref"> & { ref?: string; loanId?: number };

export async function findCall(db: DbOrTx, callSid: string): Promise<StoredCall | null> {
  const [row] = await db.select(CALL_COLUMNS).from(calls).where(eq(calls.callSid, callSid));
  return storedCallOf(row);
}

/** The call, locked until the transaction ends. */
export async function lockCall(tx: Transaction, callSid: string): Promise<StoredCall | null> {
  const [row] = await tx.select(CALL_COLUMNS).from(calls).where(eq(calls.callSid, callSid)).for("update");
  return storedCallOf(row);
}

export interface LockedCall extends StoredCall {
  /** The answer already stored for the webhook being answered, if it was answered before. */
  storedAnswer: string | null;
}

/**
 * The call, locked until the webhook's transaction ends, with any answer already stored for
 * `seq`: one round trip. A second delivery of the same webhook waits here for the first, then
 * finds its answer; if the first died (a crash), its transaction rolled back and the second
 * answers afresh at once.
 */
export async function lockCallForWebhook(
  tx: Transaction,
  callSid: string,
  seq: number,
): Promise<LockedCall | null> {
  const [row] = await lockCallWithAnswer(tx, [callSid, seq]);
  // Written as SQL, the row comes as the driver gives it: the timestamp as text (postgres.js).
  return storedCallOf(row && { ...row, endedAt: row.endedAt === null ? null : new Date(row.endedAt) });
}

// Every webhook's first statement, so written once (fixed-statement.ts).
const lockCallWithAnswer = fixedStatement<
  Omit<LockedCall, "state" | "endedAt"> & { state: unknown; endedAt: string | Date | null }
>(`
  select c.call_sid as "callSid", c.state, c.next_seq as "nextSeq", c.ended_at as "endedAt",
    r.twiml as "storedAnswer"
  from calls c left join call_responses r on r.call_sid = c.call_sid and r.seq = $2
  where c.call_sid = $1
  for update of c`);

/** The answer stored for webhook `seq` of a call, if any. */
export async function findStoredAnswer(db: DbOrTx, callSid: string, seq: number): Promise<string | null> {
  const [row] = await db
    .select({ twiml: callResponses.twiml })
    .from(callResponses)
    .where(and(eq(callResponses.callSid, callSid), eq(callResponses.seq, seq)));
  return row?.twiml ?? null;
}

/**
 * A new call, as the webhook that created it sees it: a row this transaction inserted is locked
 * until it commits, so no other lookup is needed. Null when the call was already there (a
 * repeated first webhook), which then locks it as any other webhook does.
 */
export async function createCall(
  tx: Transaction,
  callSid: string,
  state: CallState,
  now: Date,
): Promise<LockedCall | null> {
  const created = await tx
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
    .onConflictDoNothing()
    .returning({ callSid: calls.callSid });
  return created.length > 0 ? { callSid, state, nextSeq: 0, endedAt: null, storedAnswer: null } : null;
}

export interface AnsweredStep {
  callSid: string;
  seq: number;
  twiml: string;
  state: CallState;
  events: CallEventRecord[];
  now: Date;
  /**
   * Whether the commit must reach the disk before the caller hears the answer: yes for a
   * renewal, a login (the lockout's count), an SMS or a transfer. A step that only moved the call
   * along commits without waiting for the WAL flush (synchronous_commit off for this transaction
   * alone): if PostgreSQL itself crashed in the next fraction of a second, the call's last step
   * would be lost with its answer, never one without the other, and the call's next webhook
   * would hear the apology.
   */
  durable: boolean;
  /**
   * For a save outside any transaction (a key answered from CallMemory): the latest moment (the
   * real clock, epoch ms) at which the database may begin it. Begun later (it waited in the
   * driver's queue for a connection, or for a reconnect), it stores nothing and resolves false:
   * its answer could no longer come back in time, and once begun it is its own commit. Absent
   * inside a transaction, whose COMMIT is checked against the budget instead.
   */
  startBy?: number;
}

/**
 * Events of a webhook that only moved the call along (a key, a step). Every action that writes
 * anything else records an event of another kind (login, renewal, sms, transfer).
 */
const NAVIGATION_EVENTS: ReadonlySet<CallEventRecord["kind"]> = new Set(["key", "step"]);

/** Whether a webhook's commit must reach the disk before its answer goes (AnsweredStep.durable). */
export function needsDurableCommit(events: readonly CallEventRecord[]): boolean {
  return events.some((event) => !NAVIGATION_EVENTS.has(event.kind));
}

/**
 * Stores a webhook's answer with the call's new state and events, inside the webhook's own
 * transaction (with any renewal it made): all of them commit together or none do. One statement
 * (the answer and the events are written by data-modifying CTEs), sent at once and not waited
 * for here: returned as the webhook's last work, it goes to the database in the same round trip
 * as the COMMIT behind it. Its promise must still be awaited after the commit: if it failed, the
 * transaction was aborted and the COMMIT rolled everything back. A webhook with nothing else to
 * write (a key answered from CallMemory) runs it outside any transaction: being one statement,
 * PostgreSQL commits it alone, all of it or none.
 *
 * Stored only if the call still waits for this webhook (`next_seq = seq`): resolves false, having
 * written nothing, when it does not. A webhook that locked the call has checked that already; one
 * answered from CallMemory, without reading the call, learns it here, and rejects with
 * lock_not_available (55P03), having written nothing, when another transaction holds the call;
 * it also resolves false when the database began it after its `startBy`.
 */
export function saveAnsweredStep(db: DbOrTx, answered: AnsweredStep): Promise<boolean> {
  const { callSid, seq, state, now } = answered;
  // Before the caller chooses, the call has no language of its own (prompts are English).
  const language = state.languageChosen ? state.language : null;
  const events = answered.events.map((event) => ({
    kind: event.kind,
    step: event.step ?? null,
    detail: event.detail ?? {},
  }));
  const saving = saveStep(db, [
    callSid,
    seq,
    answered.twiml,
    now.toISOString(),
    JSON.stringify(events),
    JSON.stringify(state),
    state.step,
    language,
    state.patronId,
    state.cardLastFour,
    answered.durable ? null : "off",
    answered.startBy ?? null,
  ]).then(([row]) => Number(row?.saved) === 1);
  saving.catch(() => {});
  return saving;
}

// Every webhook's last statement, so written once (fixed-statement.ts). The answer and the events
// are written only for the call row moved on: none when the call was not at webhook $2. $11: the
// transaction's synchronous_commit, or null to keep the connection's. $12: AnsweredStep.startBy
// (epoch ms: no date formatted per webhook), compared with the database's clock when the
// statement began (the line's and the database's clocks are taken to agree within the commit's
// reserve; a database clock ahead of the line's only sends more keys down the locking path).
// The call's row is taken with NOWAIT: a webhook that locked the call already holds it, and one
// answered from CallMemory that finds it held by another transaction fails at once (55P03) and
// takes the locking path, whose wait the budget governs, instead of waiting inside a statement
// that, once sent, is its commit. NO KEY UPDATE, the UPDATE's own lock: a foreign key's check
// (an event inserted for the call elsewhere) does not hold it up.
const saveStep = fixedStatement<{ saved: number | string }>(`
  with locked as (
    select call_sid from calls
    where call_sid = $1 and next_seq = $2::int
      and ($12::float8 is null or statement_timestamp() < to_timestamp($12::float8 / 1000))
    for no key update nowait
  ), moved as (
    update calls
    set state = $6::jsonb, step = $7, next_seq = $2::int + 1, language = $8, patron_id = $9,
      card_last_four = $10, updated_at = $4::timestamptz
    where call_sid = (select call_sid from locked) and next_seq = $2::int
      and set_config('synchronous_commit', coalesce($11::text, current_setting('synchronous_commit')), true) is not null
    returning call_sid
  ), answer as (
    insert into call_responses (call_sid, seq, twiml) select call_sid, $2::int, $3 from moved
  ), events as (
    insert into call_events (call_sid, at, kind, step, detail)
    select m.call_sid, $4::timestamptz, e.event->>'kind', e.event->>'step', e.event->'detail'
    from moved m cross join jsonb_array_elements($5::jsonb) with ordinality as e(event, n)
    order by e.n
  )
  select count(*)::int as saved from moved`);

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
  db: DbOrTx,
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
