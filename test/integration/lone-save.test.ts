/**
 * The save of a key answered from CallMemory runs outside any transaction (issue #9): one
 * statement that PostgreSQL commits by itself, all of it or nothing, and that never waits for a
 * call another transaction holds (the webhook then takes the locking path, within its budget).
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rowsOf } from "../../src/db/migrations.js";
import { callEvents, callResponses, calls } from "../../src/db/schema/index.js";
import type { CallEventRecord } from "../../src/voice/actions/types.js";
import { type CallState, initialCallState } from "../../src/voice/call-state.js";
import { createCall, saveAnsweredStep } from "../../src/voice/call-store.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";

const NOW = new Date("2026-12-01T02:00:00Z");
const CALL_SID = `CA${"7".repeat(32)}`;
const KEY: CallEventRecord = { kind: "key", step: "menu", detail: { digits: "9" } };

/** PostgreSQL's error code, on the error or on the driver's error drizzle wraps. */
function codeOf(error: unknown): unknown {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return code ?? cause?.code;
}

describe.each(DRIVERS)("a save outside any transaction on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database.dispose());
  beforeEach(async () => {
    await resetData(database);
    await database.db.transaction((tx) => createCall(tx, CALL_SID, initialCallState("language"), NOW));
  });

  // Begun by the database in time: a minute from now (real time, as the line's budget is).
  const save = (seq: number, startBy = Date.now() + 60_000) =>
    saveAnsweredStep(database.db, {
      callSid: CALL_SID,
      seq,
      twiml: `<Response><Say>answer ${seq}</Say></Response>`,
      state: { ...initialCallState("language"), step: "menu" } satisfies CallState,
      events: [KEY],
      now: NOW,
      durable: false,
      startBy,
    });

  const stored = async () => ({
    call: (await database.db.select({ nextSeq: calls.nextSeq, step: calls.step }).from(calls))[0],
    answers: await database.db.select({ seq: callResponses.seq }).from(callResponses),
    events: await database.db.select({ kind: callEvents.kind, step: callEvents.step }).from(callEvents),
  });

  it("commits the call's state, its answer and its events together", async () => {
    expect(await save(0)).toBe(true);
    expect(await stored()).toEqual({
      call: { nextSeq: 1, step: "menu" },
      answers: [{ seq: 0 }],
      events: [{ kind: "key", step: "menu" }],
    });
  });

  it("writes nothing for a call that is not at that webhook", async () => {
    expect(await save(1)).toBe(false);
    expect(await stored()).toEqual({
      call: { nextSeq: 0, step: "language" },
      answers: [],
      events: [],
    });
  });

  it("writes nothing when the database begins it after its start-by time", async () => {
    // It waited in the driver's queue past the time its answer could come back: not stored, and
    // the webhook takes the locking path, whose budget checks answer for it.
    expect(await save(0, Date.UTC(2020, 0, 1))).toBe(false);
    expect(await stored()).toEqual({
      call: { nextSeq: 0, step: "language" },
      answers: [],
      events: [],
    });
  });

  it.runIf(driver === "postgres")(
    "fails at once, writing nothing, when another transaction holds the call",
    async () => {
      // Any backend of this database waiting for a lock, looked at from the pool, not the holder.
      const lockWaiters = async () =>
        rowsOf<{ n: number }>(
          await database.db.execute(
            sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          ),
        )[0]?.n ?? 0;

      const outcome = await database.db.transaction(async (holder) => {
        await holder.select().from(calls).where(eq(calls.callSid, CALL_SID)).for("update");
        let settled = false;
        const saving = save(0).then(
          (saved) => ({ saved }),
          (error: unknown) => ({ code: codeOf(error) }),
        );
        void saving.then(() => {
          settled = true;
        });
        // Until the save settles, nobody may be queued behind the holder: a save that waited for
        // the lock would be seen here, still waiting.
        let waited = false;
        while (!settled && !waited) waited = (await lockWaiters()) > 0;
        return { waited, result: waited ? null : await saving };
      });

      expect(outcome).toEqual({ waited: false, result: { code: "55P03" } });
      expect(await stored()).toEqual({
        call: { nextSeq: 0, step: "language" },
        answers: [],
        events: [],
      });
      // And once the holder is gone, the same save goes through.
      expect(await save(0)).toBe(true);
      expect(
        await database.db
          .select({ seq: callResponses.seq })
          .from(callResponses)
          .where(and(eq(callResponses.callSid, CALL_SID), eq(callResponses.seq, 0))),
      ).toEqual([{ seq: 0 }]);
    },
  );
});
