/**
 * A step that only moved the call along commits without waiting for the WAL flush; a login, a
 * renewal, an SMS or a transfer waits for the disk as before (issue #9). The setting is local to
 * the webhook's own transaction, and goes out in the save statement itself (no round trip more).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../src/db/migrations.js";
import type { CallEventRecord } from "../../src/voice/actions/types.js";
import { initialCallState } from "../../src/voice/call-state.js";
import { createCall, needsDurableCommit, saveAnsweredStep } from "../../src/voice/call-store.js";
import { createTestDatabase, DRIVERS, type TestDatabase } from "../support/database.js";

const NOW = new Date("2026-12-01T02:00:00Z");

describe("which commits wait for the disk", () => {
  it("only a webhook whose events are keys and steps may skip the flush", () => {
    const key: CallEventRecord = { kind: "key", step: "menu", detail: { digits: "9" } };
    const step: CallEventRecord = { kind: "step", step: "menu" };
    expect(needsDurableCommit([])).toBe(false);
    expect(needsDurableCommit([key, step])).toBe(false);
    for (const kind of ["login", "renewal", "sms", "transfer", "error", "status"] as const) {
      expect(needsDurableCommit([key, { kind, detail: {} }])).toBe(true);
    }
  });
});

describe.each(DRIVERS)("the save's synchronous_commit on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(() => database.dispose());

  /** The transaction's synchronous_commit after the save, and after it committed. */
  async function settingAfterSave(callSid: string, durable: boolean) {
    const inside = await database.db.transaction(async (tx) => {
      await createCall(tx, callSid, initialCallState("language"), NOW);
      await saveAnsweredStep(tx, {
        callSid,
        seq: 0,
        twiml: "<Response/>",
        state: initialCallState("language"),
        events: [],
        now: NOW,
        durable,
      });
      const [row] = rowsOf<{ setting: string }>(
        await tx.execute(sql`select current_setting('synchronous_commit') as setting`),
      );
      return row?.setting;
    });
    const [after] = rowsOf<{ setting: string }>(
      await database.db.execute(sql`select current_setting('synchronous_commit') as setting`),
    );
    const [saved] = rowsOf<{ next_seq: number }>(
      await database.db.execute(sql`select next_seq from calls where call_sid = ${callSid}`),
    );
    return { inside, after: after?.setting, nextSeq: saved?.next_seq };
  }

  it("turns the flush off for that transaction alone when the step is not durable", async () => {
    const result = await settingAfterSave(`CA${"1".repeat(32)}`, false);
    expect(result).toEqual({ inside: "off", after: "on", nextSeq: 1 });
  });

  it("leaves the server's setting when it is", async () => {
    const result = await settingAfterSave(`CA${"2".repeat(32)}`, true);
    expect(result).toEqual({ inside: "on", after: "on", nextSeq: 1 });
  });
});
