/**
 * Logging in by telephone, through the real app on a real database (voice-line.md steps 1-4,
 * "Authentication and lockout"): card or HKID digits, then PIN or the phone's last four digits;
 * shared HKID digits; the same answer for every failure; three failures end the call; five in a
 * row across calls lock the account for 30 minutes.
 */
import { describe, expect, it } from "vitest";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import {
  callRow,
  DEMO_NOW,
  detailsOf,
  heard,
  lockOf,
  login,
  patronIdOf,
  prompt,
  STEPS_TO_SUMMARY,
  stepsOf,
  TWINS,
  timesHeard,
  twinsFixture,
  useDemoLine,
} from "./call-helpers.js";

const READER_1 = { card: "2100000001", pin: "135790", hkid: "1234563" };
const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);
/** Reader 1's summary (3 loans, none overdue, no charges, no block)... */
const READER_1_SUMMARY = en("summary.loans", { count: "3" });
/** ...and the main menu that fits it: every key that does something for this reader. */
const READER_1_MENU = [
  "menu.renewAll",
  "menu.renewOne",
  "menu.loans",
  "menu.staff",
  "menu.anotherCard",
  "menu.end",
]
  .map((key) => en(key))
  .join(" ");
/** A <Say> in the English voice as the TwiML writes it, its text escaped for a regex. */
const sayRegex = (text: string) =>
  `<Say voice="Polly\\.Amy" language="en-GB">${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</Say>`;
/** The TwiML answering the PIN (requests: incoming, language key, card digits, PIN). */
const answerToPin = (result: CallResult) => {
  expect(result.requests[3]?.url).toMatch(/\/voice\/step\?seq=3&lang=en$/);
  return result.requests[3]?.twiml;
};
const at = (minutesAfterDemo: number) =>
  new Date(Date.parse(DEMO_NOW) + minutesAfterDemo * 60_000).toISOString();

describe.each(DRIVERS)("logging in on %s", (driver) => {
  const line = useDemoLine(driver, { extra: twinsFixture() });

  /** Logs in, ends at the menu with `*`, and returns who the call row says logged in. */
  async function loggedInAs(identifier: string, secret: string) {
    const result = await call(line.app, [...login(identifier, secret), "*"]);
    const row = await callRow(line.demo.db, result.callSid);
    return { result, patronId: row?.patronId ?? null, cardLastFour: row?.cardLastFour ?? null };
  }

  it("logs in by card number and PIN: the summary, then the menu", async () => {
    const { result, patronId, cardLastFour } = await loggedInAs(READER_1.card, READER_1.pin);

    const text = heard(result);
    expect(text).toContain(prompt("en", "card.prompt"));
    expect(text).toContain(prompt("en", "pin.prompt"));
    expect(text).toContain(`${READER_1_SUMMARY} ${READER_1_MENU}`);
    // No charges: the menu does not offer 3; no block: staff come after the loans.
    expect(text).not.toContain(en("menu.charges"));
    expect(text).not.toContain(en("login.failed"));
    // Nothing was renewed, so the goodbye has no reference number to remind of.
    expect(text.endsWith(`${READER_1_MENU} ${en("goodbye")}`)).toBe(true);
    expect(text).not.toContain(en("goodbye.withReference"));
    expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });

    expect(patronId).toBe(await patronIdOf(line.demo.db, READER_1.card));
    expect(cardLastFour).toBe("0001");
    expect(await stepsOf(line.demo.db, result.callSid)).toEqual([...STEPS_TO_SUMMARY, "menu", "goodbye"]);
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "ok", cardLastFour: "0001" },
    ]);
    const row = await callRow(line.demo.db, result.callSid);
    expect(row).toMatchObject({ status: "completed", language: "en", step: "goodbye", outcome: "abandoned" });
    expect(row?.endedAt).not.toBeNull();
    expect(row?.durationSeconds).toBe(Math.round(result.durationSeconds));

    // The summary and the menu nest inside the <Gather>, so a caller can press ahead; the news
    // and the options are <Say>s of their own.
    expect(result.requests[3]?.twiml).toMatch(
      new RegExp(
        `^<\\?xml[^>]*\\?><Response><Gather input="dtmf" action="http://127\\.0\\.0\\.1:\\d+/voice/step\\?seq=4&amp;lang=en" method="POST" timeout="8" finishOnKey="" numDigits="1" actionOnEmptyResult="true">${sayRegex(READER_1_SUMMARY)}${sayRegex(READER_1_MENU)}</Gather><Redirect method="POST">http://127\\.0\\.0\\.1:\\d+/voice/step\\?seq=4&amp;lang=en</Redirect></Response>$`,
      ),
    );
  });

  it("logs in a reader with no PIN by card number and the phone's last four digits", async () => {
    const { result, patronId } = await loggedInAs("2100000024", "8888");
    expect(heard(result)).toContain(en("summary.oneLoan"));
    expect(patronId).toBe(await patronIdOf(line.demo.db, "2100000024"));
  });

  it("logs in by HKID digits and the phone's last four digits (reader 24)", async () => {
    const { result, patronId, cardLastFour } = await loggedInAs("1123582", "8888");
    expect(heard(result)).toContain(en("summary.oneLoan"));
    expect(patronId).toBe(await patronIdOf(line.demo.db, "2100000024"));
    expect(cardLastFour).toBe("0024");
  });

  it("logs in by HKID digits and PIN (reader 1)", async () => {
    const { result, patronId } = await loggedInAs(READER_1.hkid, READER_1.pin);
    expect(heard(result)).toContain(READER_1_SUMMARY);
    expect(patronId).toBe(await patronIdOf(line.demo.db, READER_1.card));
  });

  it("where two accounts share the HKID digits, the PIN decides (readers 25 and 26)", async () => {
    const as25 = await loggedInAs("3579135", "2525");
    const as26 = await loggedInAs("3579135", "2626");
    expect(as25.patronId).toBe(await patronIdOf(line.demo.db, "2100000025"));
    expect(as26.patronId).toBe(await patronIdOf(line.demo.db, "2100000026"));
    for (const { result } of [as25, as26]) {
      expect(heard(result)).toContain(en("summary.oneLoan"));
      expect(heard(result)).not.toContain(prompt("en", "cardNumber.prompt"));
    }
  });

  it("where the PIN fits more than one account, asks for the card number, then logs in", async () => {
    const result = await call(line.app, [...login(TWINS.hkidDigits, TWINS.pin), `${TWINS.second}#`, "*"]);

    const text = heard(result);
    expect(text).toContain(prompt("en", "cardNumber.prompt"));
    expect(text).toContain(en("summary.oneLoan"));
    expect(text).not.toContain(prompt("en", "login.failed"));
    expect((await callRow(line.demo.db, result.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, TWINS.second),
    );
    expect(await stepsOf(line.demo.db, result.callSid)).toEqual([
      "language",
      "callerId",
      "card",
      "pin",
      "cardNumber",
      "summary",
      "menu",
      "goodbye",
    ]);
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "ambiguous" },
      { result: "ok", cardLastFour: "0092" },
    ]);
  });

  it("where the PIN fits more than one account, a card number that is neither fails like any login", async () => {
    const result = await call(line.app, [...login(TWINS.hkidDigits, TWINS.pin), "2100000001#", "(timeout)"]);
    const text = heard(result);
    expect(text).toContain(`${prompt("en", "login.failed")} ${prompt("en", "card.prompt")}`);
    expect((await callRow(line.demo.db, result.callSid))?.patronId).toBeNull();
    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "ambiguous" },
      { result: "failed", attempt: 1 },
    ]);
  });

  it("gives a wrong PIN, an unknown card and unknown HKID digits the very same answer", async () => {
    const wrongPin = await call(line.app, login(READER_1.card, "999999"));
    const unknownCard = await call(line.app, login("2199999999", READER_1.pin));
    const unknownHkid = await call(line.app, login("7654321", READER_1.pin));

    // The answer to the PIN: same TwiML, byte for byte.
    const answers = [wrongPin, unknownCard, unknownHkid].map(answerToPin);
    expect(answers[0]).toContain(prompt("en", "login.failed"));
    expect(answers[0]).toContain(prompt("en", "card.prompt"));
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    for (const result of [wrongPin, unknownCard, unknownHkid]) {
      expect((await callRow(line.demo.db, result.callSid))?.patronId).toBeNull();
    }
  });

  it("ends the call after three failed logins", async () => {
    const result = await call(line.app, [
      ...login(READER_1.card, "111111"),
      `${READER_1.card}#`,
      "222222#",
      `${READER_1.card}#`,
      "333333#",
      "9",
    ]);

    const text = heard(result);
    expect(timesHeard(result, prompt("en", "login.failed"))).toBe(3);
    // The call ends with the plain goodbye: no reference number was given, so none to keep.
    expect(text.endsWith(`${en("login.failed")} ${en("login.tooManyFailures")} ${en("goodbye")}`)).toBe(true);
    expect(text).not.toContain(en("goodbye.withReference"));
    expect(text).not.toContain(en("menu.anotherCard"));
    // The caller's last key ("9") was never asked for: the line hung up.
    expect(result.transcript.filter((e) => e.kind === "gather")).toHaveLength(7);
    expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });

    expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
      { result: "failed", attempt: 1 },
      { result: "failed", attempt: 2 },
      { result: "failed", attempt: 3 },
    ]);
    expect((await stepsOf(line.demo.db, result.callSid)).at(-1)).toBe("goodbye");
    expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
      patronId: null,
      outcome: "login_failed",
    });
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(3);
  });

  it("counts every failed login of the call, also those after another card (key 8)", async () => {
    // voice-line.md: "Three failed logins in one call end the call."
    const result = await call(line.app, [
      ...login(READER_1.card, "111111"),
      `${READER_1.card}#`,
      "222222#",
      "2100000002#",
      "0202#",
      "8",
      `${READER_1.card}#`,
      "333333#",
      "(timeout)",
    ]);
    expect(timesHeard(result, prompt("en", "login.failed"))).toBe(3);
    expect(heard(result)).toContain(prompt("en", "login.tooManyFailures"));
    expect((await stepsOf(line.demo.db, result.callSid)).at(-1)).toBe("goodbye");
  });

  it("locks an account after five failed PINs in a row across calls, for 30 minutes", async () => {
    // Three failures end the first call; two more in the second reach five.
    await call(line.app, [
      ...login(READER_1.card, "111111"),
      `${READER_1.card}#`,
      "222222#",
      `${READER_1.card}#`,
      "333333#",
    ]);
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual({
      failedPinAttempts: 3,
      phoneLockedAt: null,
      phoneLockedUntil: null,
    });
    const wrongAnswer = answerToPin(await call(line.app, login(READER_1.card, "444444")));
    await call(line.app, login(READER_1.card, "555555"));

    const locked = await lockOf(line.demo.db, READER_1.card);
    expect(locked.phoneLockedAt?.toISOString()).toBe(new Date(DEMO_NOW).toISOString());
    expect(locked.phoneLockedUntil?.toISOString()).toBe(at(30));

    // Locked: even the right PIN gets the generic answer, byte for byte.
    line.app.setNow(at(10));
    const rightPinLocked = await call(line.app, [...login(READER_1.card, READER_1.pin), "(timeout)"]);
    expect(answerToPin(rightPinLocked)).toBe(wrongAnswer);
    expect(wrongAnswer).toContain(prompt("en", "login.failed"));
    expect(heard(rightPinLocked)).not.toContain(READER_1_SUMMARY);
    expect(heard(rightPinLocked)).not.toContain(en("menu.anotherCard"));
    expect((await callRow(line.demo.db, rightPinLocked.callSid))?.patronId).toBeNull();
    // Attempts on a locked account change nothing: the lock is not extended.
    expect((await lockOf(line.demo.db, READER_1.card)).phoneLockedUntil?.toISOString()).toBe(at(30));

    line.app.setNow(at(29.9));
    const stillLocked = await call(line.app, [...login(READER_1.card, READER_1.pin), "(timeout)"]);
    expect((await callRow(line.demo.db, stillLocked.callSid))?.patronId).toBeNull();

    line.app.setNow(at(30));
    const unlocked = await call(line.app, [...login(READER_1.card, READER_1.pin), "*"]);
    expect(heard(unlocked)).toContain(READER_1_SUMMARY);
    expect((await callRow(line.demo.db, unlocked.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, READER_1.card),
    );
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual({
      failedPinAttempts: 0,
      phoneLockedAt: null,
      phoneLockedUntil: null,
    });
  });

  it("a successful login ends the run of failed PINs, so four failures and a login never lock", async () => {
    for (const wrong of ["111111", "222222"]) {
      await call(line.app, [...login(READER_1.card, wrong), `${READER_1.card}#`, `${wrong}0#`]);
    }
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(4);
    await call(line.app, [...login(READER_1.card, READER_1.pin), "*"]);
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(0);
    await call(line.app, login(READER_1.card, "666666"));
    expect(await lockOf(line.demo.db, READER_1.card)).toMatchObject({
      failedPinAttempts: 1,
      phoneLockedUntil: null,
    });
  });

  it("a login through the card-number question also ends the run of failed PINs", async () => {
    // Four failures on the first twin's card, then a login by HKID digits, PIN and card number.
    for (const wrong of ["1111", "2222"]) {
      await call(line.app, [...login(TWINS.first, wrong), `${TWINS.first}#`, `${wrong}0#`]);
    }
    expect((await lockOf(line.demo.db, TWINS.first)).failedPinAttempts).toBe(4);
    const result = await call(line.app, [...login(TWINS.hkidDigits, TWINS.pin), `${TWINS.first}#`, "*"]);
    expect((await callRow(line.demo.db, result.callSid))?.patronId).toBe(
      await patronIdOf(line.demo.db, TWINS.first),
    );

    expect((await lockOf(line.demo.db, TWINS.first)).failedPinAttempts).toBe(0);
    // One more failure is the first of a new run, not the fifth of the old one.
    await call(line.app, login(TWINS.first, "9999"));
    expect((await lockOf(line.demo.db, TWINS.first)).phoneLockedUntil).toBeNull();
  });
});
