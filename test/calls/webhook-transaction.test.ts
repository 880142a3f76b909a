/**
 * One commit per webhook (issue #8): a renewal, the call's new state, its events and the stored
 * answer commit together or not at all, and a webhook that cannot get its work done within its
 * budget answers the apology and leaves nothing behind, so that its retry answers afresh.
 * Also what a signed webhook may carry: digits checked against the step's gather, and a status
 * callback's fields one by one.
 */
import { and, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { callResponses, calls } from "../../src/db/schema/index.js";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import { pinCheckSlots } from "../../src/voice/pin-check-slots.js";
import { DRIVERS, TEST_DATABASE_URL } from "../support/database.js";
import { call } from "../support/voice-app.js";
import {
  detailsOf,
  eventsOf,
  loansOf,
  login,
  prompt,
  spokenTrn,
  transactions,
  useDemoLine,
} from "./call-helpers.js";
import { apologyTwiml, busyTwiml, callParams, newCallSid, post } from "./signed-posts.js";

// The renew-all key is the fifth webhook: incoming 0, language 1, card 2, PIN 3, "0" is 4.
const RENEW_ALL_SEQ = 4;

describe.each(DRIVERS)("one commit per webhook on %s", (driver) => {
  const line = useDemoLine(driver);

  it("a renewal whose answer cannot be stored is not committed; the retry renews and hears the TRN", async () => {
    // The answer of the renew-all webhook fails to save, after the renewal has been made in the
    // same transaction: what a crash or a lost connection between the two would do.
    await line.demo.db.execute(
      sql.raw(`create function refuse_answer() returns trigger language plpgsql as $$
        begin if new.seq = ${RENEW_ALL_SEQ} then raise exception 'injected failure'; end if; return new; end $$`),
    );
    await line.demo.db.execute(
      sql.raw(
        "create trigger refuse_answer before insert on call_responses for each row execute function refuse_answer()",
      ),
    );
    try {
      const result = await call(line.app, [...login("2100000001", "135790"), "0"]);
      const renewAll = result.requests[RENEW_ALL_SEQ];
      if (!renewAll) throw new Error("no renew-all request");
      expect(renewAll.twiml).toBe(apologyTwiml("en"));

      // Nothing of it was committed: no renewal, no answer, the call still where it was.
      expect(await transactions(line.demo.db)).toEqual([]);
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        0, 0, 0,
      ]);
      const stored = await line.demo.db
        .select()
        .from(callResponses)
        .where(and(eq(callResponses.callSid, result.callSid), eq(callResponses.seq, RENEW_ALL_SEQ)));
      expect(stored).toEqual([]);
      expect(await detailsOf(line.demo.db, result.callSid, "renewal")).toEqual([]);
      // The console still sees that the webhook failed.
      expect(await detailsOf(line.demo.db, result.callSid, "error")).toHaveLength(1);

      await line.demo.db.execute(sql.raw("drop trigger refuse_answer on call_responses"));
      const retry = await post(renewAll.url, renewAll.params);
      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(retry.body).toContain(spokenTrn(transaction?.trn ?? "", "en"));
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        1, 1, 1,
      ]);
      // And the retry's answer was stored with it: a third delivery hears the same.
      expect((await post(renewAll.url, renewAll.params)).body).toBe(retry.body);
    } finally {
      await line.demo.db.execute(sql.raw("drop trigger if exists refuse_answer on call_responses"));
      await line.demo.db.execute(sql.raw("drop function if exists refuse_answer()"));
    }
  });
});

describe.each(DRIVERS)("a webhook's budget on %s", (driver) => {
  const gate = transactionGate(1);
  const line = useDemoLine(driver, { app: { lineGate: gate, webhookBudgetMs: 300 } });

  it("no connection free in time: the busy message at once, nothing changed, and the retry answers", async () => {
    const started = await call(line.app, []);
    const callSid = started.callSid;
    const url = `${line.app.baseUrl}/voice/step?seq=1`;
    const params = callParams(callSid, { CallStatus: "in-progress", Digits: "3" });

    // Every connection of the line's pool is taken (by webhooks stuck on the database).
    const release = await gate.acquire(0);
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(url, params);
    } finally {
      release();
    }
    // Before a language is chosen, the busy message is said in each language.
    expect(answer.body).toBe(busyTwiml("yue", "cmn", "en"));
    expect(answer.busy).toBe(true);
    const [row] = await line.demo.db.select().from(calls).where(eq(calls.callSid, callSid));
    expect(row).toMatchObject({ step: "language", nextSeq: 1, language: null });

    const retry = await post(url, params);
    expect(retry.body).toContain(prompt("en", "card.prompt"));
    expect(retry.busy).toBe(false);
  });

  it("a call under way hears the busy message in its own language, read from its action URL", async () => {
    const started = await call(line.app, ["3"]);
    const next = started.requests
      .at(-2)
      ?.twiml.match(/action="([^"]+)"/)?.[1]
      ?.replaceAll("&amp;", "&");
    expect(next).toMatch(/\/voice\/step\?seq=2&lang=en$/);
    const release = await gate.acquire(0);
    try {
      const answer = await post(next as string, callParams(started.callSid, { Digits: "2100000001" }));
      expect(answer.body).toBe(busyTwiml("en"));
    } finally {
      release();
    }
  });

  it("a new call past capacity is turned away with the busy message, and leaves no call behind", async () => {
    const callSid = newCallSid();
    const release = await gate.acquire(0);
    try {
      const answer = await post(`${line.app.baseUrl}/voice/incoming`, callParams(callSid));
      expect(answer.body).toBe(busyTwiml("yue", "cmn", "en"));
    } finally {
      release();
    }
    expect(await line.demo.db.select().from(calls).where(eq(calls.callSid, callSid))).toEqual([]);
  });
});

describe.each(DRIVERS)("PIN checks backed up, on %s", (driver) => {
  // Checks run one at a time and finish when the test lets them; past one waiting, new calls are refused.
  const release: Array<() => void> = [];
  const pinChecks = pinCheckSlots(
    async (pin, stored) => {
      await new Promise<void>((resolve) => release.push(resolve));
      return verifyPin(pin, stored);
    },
    { slots: 1, maxWaitMs: 10_000, refuseNewCallsPast: 1, refuseNewCallsAfterWaitMs: 60_000 },
  );
  const line = useDemoLine(driver, { app: { pinChecks } });

  it("turns new calls away at once with the busy message, and lets them in again after", async () => {
    const base = line.app.baseUrl;
    const callSids = [newCallSid(), newCallSid(), newCallSid()];
    for (const callSid of callSids) {
      await post(`${base}/voice/incoming`, callParams(callSid));
      await post(`${base}/voice/step?seq=1`, callParams(callSid, { Digits: "3" }));
      await post(`${base}/voice/step?seq=2&lang=en`, callParams(callSid, { Digits: "2100000001" }));
    }
    // Three PINs keyed at once: one is being checked, two wait.
    const logins = callSids.map((callSid) =>
      post(`${base}/voice/step?seq=3&lang=en`, callParams(callSid, { Digits: "135790" })),
    );
    await expect.poll(() => pinChecks.backedUp).toBe(true);

    const turnedAway = await post(`${base}/voice/incoming`, callParams(newCallSid()));
    expect(turnedAway.body).toBe(busyTwiml("yue", "cmn", "en"));
    expect(turnedAway.busy).toBe(true);

    // The calls under way are not turned away: their PINs are checked in turn.
    while (release.length > 0 || !(await Promise.race([Promise.all(logins).then(() => true), tick()]))) {
      release.shift()?.();
    }
    for (const login of await Promise.all(logins))
      expect(login.body).toContain(prompt("en", "summary.loans", { count: "3" }));
    const welcomed = await post(`${base}/voice/incoming`, callParams(newCallSid()));
    expect(welcomed.busy).toBe(false);
    expect(welcomed.body).toContain(prompt("en", "language.option"));
  });
});

const tick = () => new Promise<false>((resolve) => setTimeout(() => resolve(false), 10));

describe.each(DRIVERS)("what a signed webhook may carry, on %s", (driver) => {
  const line = useDemoLine(driver);

  it("several keys at a one-key step are a wrong key, and are not stored as typed", async () => {
    const started = await call(line.app, []);
    const answer = await post(
      `${line.app.baseUrl}/voice/step?seq=1`,
      callParams(started.callSid, { CallStatus: "in-progress", Digits: "31" }),
    );
    expect(answer.body).toContain(prompt("en", "invalidChoice"));
    expect(answer.body).toContain(prompt("en", "language.option"));
    const keys = (await eventsOf(line.demo.db, started.callSid)).filter((e) => e.kind === "key");
    expect(keys.map((e) => e.detail)).toEqual([{ invalidKeys: true }]);
    expect(JSON.stringify(await eventsOf(line.demo.db, started.callSid))).not.toContain("31");
  });

  it("a CallDuration no call can have still closes the call, with its duration unknown", async () => {
    const callSid = newCallSid();
    expect((await post(`${line.app.baseUrl}/voice/incoming`, callParams(callSid))).status).toBe(200);
    const status = await post(
      `${line.app.baseUrl}/voice/status`,
      callParams(callSid, { CallStatus: "completed", CallDuration: "99999999999999" }),
    );
    expect(status.status).toBe(200);
    const [row] = await line.demo.db.select().from(calls).where(eq(calls.callSid, callSid));
    expect(row?.endedAt).not.toBeNull();
    expect(row?.status).toBe("completed");
    expect(row?.durationSeconds).toBeNull();
  });
});

describe.runIf(TEST_DATABASE_URL)("two deliveries of one webhook on postgres", () => {
  const line = useDemoLine("postgres");

  it("the second, waiting on the first one's lock, hears the answer the first stored", async () => {
    const started = await call(line.app, []);
    const url = `${line.app.baseUrl}/voice/step?seq=1`;
    const params = callParams(started.callSid, { CallStatus: "in-progress", Digits: "3" });
    const first = postgres(line.demo.database.url ?? "", { max: 1, onnotice: () => {} });
    try {
      // The first delivery, played by hand: it holds the call while the second arrives, then
      // stores its answer and moves the call on.
      const answered = "<Response><Say>first</Say></Response>";
      let second: ReturnType<typeof post> | null = null;
      await first.begin(async (tx) => {
        await tx`select 1 from calls where call_sid = ${started.callSid} for update`;
        second = post(url, params);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx`insert into call_responses (call_sid, seq, twiml) values (${started.callSid}, 1, ${answered})`;
        await tx`update calls set next_seq = 2 where call_sid = ${started.callSid}`;
      });
      expect((await (second as unknown as ReturnType<typeof post>)).body).toBe(answered);
    } finally {
      await first.end();
    }
  });
});
