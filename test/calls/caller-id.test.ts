/**
 * The caller ID shortcut, through the real app on a real database (voice-line.md, "The caller's
 * time and the situation"; issue #10): a caller whose number is the registered phone of exactly
 * one reader with a PIN keys that PIN for the card ending in its last four digits. Only the PIN
 * counts, the lockout rules are the usual ones, `*` and a card number keyed out of habit go on
 * as usual, and CALLER_ID_SHORTCUT=off turns it off. The number itself is never kept or logged.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { callResponses, calls } from "../../src/db/schema/index.js";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { pinCheckSlots } from "../../src/voice/pin-check-slots.js";
import { DRIVERS } from "../support/database.js";
import { extraReadersFixture } from "../support/library-fixture.js";
import { capturingLogger } from "../support/log-capture.js";
import { call, startVoiceApp, type VoiceApp } from "../support/voice-app.js";
import {
  CATALOGUES,
  callRow,
  DEMO_NOW,
  detailsOf,
  eventsOf,
  heard,
  LANGUAGE_KEY,
  type Language,
  lockOf,
  patronIdOf,
  prompt,
  STEPS_TO_SUMMARY,
  stepsOf,
  timesHeard,
  useDemoLine,
} from "./call-helpers.js";

/** Demo reader 1: registered phone 91234567 (stored as 8 local digits), PIN 135790. */
const READER_1 = { card: "2100000001", pin: "135790", callerNumber: "+85291234567" };
/** A reader whose phone is stored in E.164. */
const E164_READER = { card: "2100000083", pin: "8383", callerNumber: "+85293330000" };
/** Two readers with PINs whose registered phone is one number, written in both forms. */
const SHARED_PHONE = "+85292220000";

const extraReaders = extraReadersFixture([
  { cardNumber: "2100000081", name: "Sharing One", phone: "92220000", pin: "8181" },
  { cardNumber: "2100000082", name: "Sharing Two", phone: SHARED_PHONE, pin: "8282" },
  {
    cardNumber: E164_READER.card,
    name: "Abroad Once",
    phone: E164_READER.callerNumber,
    pin: E164_READER.pin,
  },
]);

/** The card ending "0001" as the shortcut speaks it, digit by digit. */
const ENDING_0001: Record<Language, string> = { en: "0 0 0 1", yue: "零 零 零 一", cmn: "零 零 零 一" };
const offerOf = (language: Language, ending = ENDING_0001[language]) =>
  prompt(language, "callerPin.prompt", { card: ending });
/** The words of the offer after the card ending, whatever card it names. */
const OFFER_WORDS = CATALOGUES.en.prompts["callerPin.prompt"]?.split("{card}").at(-1) ?? "";

/** The TwiML answering the keys at the shortcut (requests: incoming, language key, the shortcut's keys). */
const answerAtShortcut = (result: CallResult) => {
  expect(result.requests[2]?.url).toMatch(/\/voice\/step\?seq=2&lang=en$/);
  return result.requests[2]?.twiml;
};
const at = (minutesAfterDemo: number) =>
  new Date(Date.parse(DEMO_NOW) + minutesAfterDemo * 60_000).toISOString();

describe.each(DRIVERS)("the caller ID shortcut on %s", (driver) => {
  const gate = transactionGate(10);
  /** Line pool permits held at each PIN hash: 0 when it ran before the webhook's transaction. */
  const hashes: number[] = [];
  const line = useDemoLine(driver, {
    extra: extraReaders,
    app: {
      lineGate: gate,
      pinChecks: pinCheckSlots(
        async (pin, stored) => {
          hashes.push(gate.held);
          return verifyPin(pin, stored);
        },
        { slots: 10, maxWaitMs: 5_000, refuseNewCallsPast: 100, refuseNewCallsAfterWaitMs: 60_000 },
      ),
    },
  });

  /** A call from reader 1's phone, in English unless said. */
  const fromReader1 = (keys: string[], language: Language = "en") =>
    call(line.app, [LANGUAGE_KEY[language], ...keys], { from: READER_1.callerNumber });

  it.each(["en", "yue", "cmn"] as const)(
    "accepts the PIN for the card ending 0001 (%s)",
    async (language) => {
      hashes.length = 0;
      const result = await fromReader1([`${READER_1.pin}#`, "*"], language);

      const text = heard(result);
      expect(text).toContain(offerOf(language));
      expect(text).not.toContain(prompt(language, "card.prompt"));
      expect(text).not.toContain(prompt(language, "pin.prompt"));
      expect(text).not.toContain(prompt(language, "login.failed"));
      const row = await callRow(line.demo.db, result.callSid);
      expect(row).toMatchObject({
        patronId: await patronIdOf(line.demo.db, READER_1.card),
        cardLastFour: "0001",
      });
      expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
        "language",
        "callerId",
        "callerPin",
        "summary",
        "menu",
        "goodbye",
      ]);
      expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
        { result: "ok", via: "callerId", cardLastFour: "0001" },
      ]);
      // The keys at the shortcut are masked like any PIN.
      expect((await detailsOf(line.demo.db, result.callSid, "key"))[1]).toEqual({ keyed: "masked" });
      // One hash, done before the webhook's transaction (pin-precheck.ts), holding no connection.
      expect(hashes).toEqual([0]);
    },
  );

  it("asks at the shortcut for the PIN ended by the hash key, at a step whose keys are never recorded", async () => {
    const result = await fromReader1(["(timeout)", "(timeout)", "(timeout)"]);
    expect(result.requests[1]?.twiml).toMatch(/<Gather [^>]*timeout="6" finishOnKey="#"/);
    // No input re-prompts with the offer; the third miss ends the call.
    expect(timesHeard(result, offerOf("en"))).toBe(3);
    expect(heard(result)).toContain(prompt("en", "tooManyMisses"));
    expect((await stepsOf(line.demo.db, result.callSid)).at(-1)).toBe("goodbye");
  });

  it("recognises a phone stored in E.164 as well as one stored as 8 local digits", async () => {
    const result = await call(line.app, ["3", `${E164_READER.pin}#`, "*"], {
      from: E164_READER.callerNumber,
    });
    expect(heard(result)).toContain(offerOf("en", "0 0 8 3"));
    expect((await callRow(line.demo.db, result.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, E164_READER.card),
    );
  });

  it("refuses the phone's last four digits, with the same answer as a wrong PIN", async () => {
    const lastFour = await fromReader1(["4567#", "(timeout)"]);
    const wrongPin = await fromReader1(["999999#", "(timeout)"]);

    const answer = answerAtShortcut(lastFour);
    expect(answer).toContain(prompt("en", "login.failed"));
    expect(answer).toContain(prompt("en", "card.prompt"));
    expect(answerAtShortcut(wrongPin)).toBe(answer);
    expect((await callRow(line.demo.db, lastFour.callSid))?.patronId).toBeNull();
    expect(await detailsOf(line.demo.db, lastFour.callSid, "login")).toEqual([
      { result: "failed", via: "callerId", attempt: 1 },
    ]);
    // Each counted as a failed PIN on the account, as on the usual path.
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(2);
  });

  it("locks the account after five wrong PINs in a row, for 30 minutes, as on the usual path", async () => {
    const wrongAnswers: (string | undefined)[] = [];
    for (const wrong of ["111111", "222222", "333333", "444444", "555555"]) {
      wrongAnswers.push(answerAtShortcut(await fromReader1([`${wrong}#`])));
    }
    const locked = await lockOf(line.demo.db, READER_1.card);
    expect(locked.phoneLockedAt?.toISOString()).toBe(new Date(DEMO_NOW).toISOString());
    expect(locked.phoneLockedUntil?.toISOString()).toBe(at(30));

    // Locked: the right PIN gets the generic answer, byte for byte, and the lock is not extended.
    line.app.setNow(at(10));
    const rightPinLocked = await fromReader1([`${READER_1.pin}#`, "(timeout)"]);
    expect(answerAtShortcut(rightPinLocked)).toBe(wrongAnswers[0]);
    expect((await callRow(line.demo.db, rightPinLocked.callSid))?.patronId).toBeNull();
    expect((await lockOf(line.demo.db, READER_1.card)).phoneLockedUntil?.toISOString()).toBe(at(30));

    line.app.setNow(at(30));
    const unlocked = await fromReader1([`${READER_1.pin}#`, "*"]);
    expect((await callRow(line.demo.db, unlocked.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, READER_1.card),
    );
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual({
      failedPinAttempts: 0,
      phoneLockedAt: null,
      phoneLockedUntil: null,
    });
  });

  it("counts a failure at the shortcut among the call's three failed logins", async () => {
    const result = await fromReader1([
      "111111#",
      `${READER_1.card}#`,
      "222222#",
      `${READER_1.card}#`,
      "333333#",
      "9",
    ]);
    expect(timesHeard(result, prompt("en", "login.failed"))).toBe(3);
    expect(heard(result)).toContain(prompt("en", "login.tooManyFailures"));
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "failed", via: "callerId", attempt: 1 },
      { result: "failed", attempt: 2 },
      { result: "failed", attempt: 3 },
    ]);
    expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
      patronId: null,
      outcome: "login_failed",
    });
  });

  it("is not offered when the number is the phone of two readers with PINs, or of a reader with none", async () => {
    const shared = await call(line.app, ["3", "8181#", "(timeout)"], { from: SHARED_PHONE });
    // Reader 24 has no PIN: the phone's last four are how they log in, and never on the shortcut.
    const noPin = await call(line.app, ["3", "(timeout)"], { from: "+85261238888" });
    for (const result of [shared, noPin]) {
      expect(heard(result)).not.toContain(OFFER_WORDS);
      expect(heard(result)).toContain(prompt("en", "card.prompt"));
      expect((await stepsOf(line.demo.db, result.callSid)).slice(0, 3)).toEqual([
        "language",
        "callerId",
        "card",
      ]);
    }
    // 8181 went to the card step as a card number: no account, no login.
    expect((await callRow(line.demo.db, shared.callSid))?.patronId).toBeNull();
  });

  it("goes to the usual card step on *, with no failed PIN counted", async () => {
    hashes.length = 0;
    const result = await fromReader1(["*", `${READER_1.card}#`, `${READER_1.pin}#`, "*"]);
    const text = heard(result);
    expect(text).toContain(`${offerOf("en")} ${prompt("en", "card.prompt")}`);
    expect(text).not.toContain(prompt("en", "login.failed"));
    expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
      "language",
      "callerId",
      "callerPin",
      "card",
      "pin",
      "summary",
      "menu",
      "goodbye",
    ]);
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "ok", cardLastFour: "0001" },
    ]);
    // Only the PIN at the PIN step was hashed.
    expect(hashes).toEqual([0]);
  });

  it("takes a whole card number keyed at the shortcut as the card, and asks for its PIN", async () => {
    hashes.length = 0;
    // Reader 1's own card out of habit, then its PIN at the PIN step.
    const own = await fromReader1([`${READER_1.card}#`, `${READER_1.pin}#`, "*"]);
    expect(heard(own)).toContain(`${offerOf("en")} ${prompt("en", "pin.prompt")}`);
    expect(heard(own)).not.toContain(prompt("en", "login.failed"));
    expect(await stepsOf(line.demo.db, own.callSid)).toEqual([
      "language",
      "callerId",
      "callerPin",
      "pin",
      "summary",
      "menu",
      "goodbye",
    ]);
    expect(await detailsOf(line.demo.db, own.callSid, "login")).toEqual([
      { result: "ok", cardLastFour: "0001" },
    ]);
    // The card number was never hashed as a PIN: one hash, the PIN's.
    expect(hashes).toEqual([0]);

    // Another reader's card from this phone: that reader's PIN logs them in.
    const other = await fromReader1(["2100000002#", "0202#", "*"]);
    expect((await callRow(line.demo.db, other.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, "2100000002"),
    );
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(0);
  });

  it("never lets the caller's number reach a log line, a call event, a URL or the stored call", async () => {
    const captured = capturingLogger();
    const logged: VoiceApp = await startVoiceApp({
      db: line.demo.db,
      now: DEMO_NOW,
      logger: captured.logger,
    });
    try {
      const result = await call(logged, ["3", "4567#", "(timeout)", "(timeout)", "(timeout)"], {
        from: READER_1.callerNumber,
      });
      const again = await call(logged, ["3", `${READER_1.pin}#`, "0", "*"], { from: READER_1.callerNumber });
      expect(heard(again)).toContain(offerOf("en"));
      for (const { callSid, requests } of [result, again]) {
        const stored = JSON.stringify([
          await eventsOf(line.demo.db, callSid),
          await line.demo.db.select().from(calls).where(eq(calls.callSid, callSid)),
          await line.demo.db.select().from(callResponses).where(eq(callResponses.callSid, callSid)),
          requests.map((r) => r.url),
        ]);
        expect(stored).not.toContain("91234567");
        expect(stored).not.toContain(READER_1.pin);
      }
      expect(captured.lines().length).toBeGreaterThan(5);
      expect(captured.text()).not.toContain("91234567");
      expect(captured.text()).not.toContain(READER_1.pin);
    } finally {
      await logged.close();
    }
  });
});

describe.each(DRIVERS)("CALLER_ID_SHORTCUT=off on %s", (driver) => {
  const line = useDemoLine(driver, { app: { callerIdShortcut: false } });

  it("asks every caller for the card, even from a reader's registered phone", async () => {
    const result = await call(line.app, ["3", `${READER_1.card}#`, `${READER_1.pin}#`, "*"], {
      from: READER_1.callerNumber,
    });
    const text = heard(result);
    expect(text).not.toContain(OFFER_WORDS);
    expect(text).toContain(prompt("en", "card.prompt"));
    expect(await stepsOf(line.demo.db, result.callSid)).toEqual([...STEPS_TO_SUMMARY, "menu", "goodbye"]);
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "ok", cardLastFour: "0001" },
    ]);
  });
});
