/**
 * Caller time (issue #10; voice-line.md, "The caller's time and the situation"): the standard
 * calls of src/simulator/standard-calls.ts through the real line, in each language, against the
 * budgets, in the simulator's speaking-rate estimate (text arithmetic, not the wall clock). The
 * figures are the ones `npm run call -- --report` prints.
 *
 * Each call is first checked to have done what it claims (renewed four of five with a reference
 * number the caller heard, failed to log in, …), so that no budget is met by a call that went
 * wrong. The estimate does not depend on the database driver: PGlite only.
 */
import { describe, expect, it } from "vitest";
import { readDemoFile } from "../../src/demo/demo-data.js";
import { claimProblems, referenceNumbersHeard } from "../../src/simulator/call-claims.js";
import { figureSeconds, promptsBeforeGather } from "../../src/simulator/call-figures.js";
import { type CallResult, placeCall } from "../../src/simulator/call-simulator.js";
import {
  type DemoReader,
  LANGUAGES,
  type Language,
  STANDARD_CALL_READERS,
  type StandardCall,
  type StandardCallId,
  standardCall,
  UNKNOWN_CALLER,
  UNKNOWN_CARD,
} from "../../src/simulator/standard-calls.js";
import { speakableTitle, speakDate } from "../../src/voice/speech-format.js";
import {
  DEMO_NOW,
  detailsOf,
  eventsOf,
  heard,
  NEW_DUE,
  patronIdOf,
  transactions,
  useDemoLine,
} from "./call-helpers.js";

const TODAY = DEMO_NOW.slice(0, 10);

/** The five loans every standard-call reader has (demo/README.md, readers 30-42), due-date order. */
const TITLES = ["Animal Farm", "家", "The Old Man and the Sea", "茶館", "The Remains of the Day"];

interface DemoFile {
  patrons: { cardNumber: string; pin?: string; phone?: string }[];
  loans: { cardNumber: string; returnedOn?: string }[];
}

describe("the standard calls' readers in demo/library.json", () => {
  const demo = readDemoFile() as DemoFile;

  it.each(STANDARD_CALL_READERS)(
    "reader $number: its PIN, a phone of its own and five loans",
    (reader: DemoReader) => {
      const patron = demo.patrons.find((p) => p.cardNumber === reader.card);
      expect(patron).toMatchObject({ pin: reader.pin, phone: reader.phone });
      // Caller ID picks the reader only when exactly one reader has the number.
      expect(demo.patrons.filter((p) => p.phone === reader.phone)).toHaveLength(1);
      expect(demo.loans.filter((l) => l.cardNumber === reader.card && !l.returnedOn)).toHaveLength(5);
    },
  );

  it("has no reader with the failed login's card, nor with the number the other calls come from", () => {
    expect(demo.patrons.some((p) => p.cardNumber === UNKNOWN_CARD)).toBe(false);
    expect(demo.patrons.some((p) => p.phone && UNKNOWN_CALLER.endsWith(p.phone))).toBe(false);
  });
});

describe("caller time, the standard calls on the demo library (PGlite)", () => {
  const line = useDemoLine("pglite");

  async function place(id: StandardCallId, language: Language) {
    const call = standardCall(id, language);
    const result = await placeCall({
      baseUrl: line.app.publicBaseUrl,
      authToken: line.app.authToken,
      script: call.script,
      from: call.from,
    });
    return { call, result, seconds: figureSeconds(call.measure, result) };
  }

  /** The one renewal the call made, for its reader: what was renewed and refused, and why. */
  async function renewalOf(call: StandardCall) {
    const all = await transactions(line.demo.db);
    expect(all).toHaveLength(1);
    const [transaction] = all;
    if (!transaction || !call.reader) throw new Error("no renewal, or no reader");
    expect(transaction.patronId).toBe(await patronIdOf(line.demo.db, call.reader.card));
    return {
      trn: transaction.trn,
      renewed: transaction.results.filter((r) => r.outcome === "renewed").map((r) => r.newDueOn),
      refused: transaction.results.filter((r) => r.outcome === "refused").map((r) => r.primaryReason),
    };
  }

  /** Renewed four, refused the reserved one, and the caller heard that reference number in full. */
  async function expectRenewedAll(call: StandardCall, result: CallResult) {
    expect(claimProblems(call, result)).toEqual([]);
    const renewal = await renewalOf(call);
    expect(renewal.renewed).toEqual([NEW_DUE, NEW_DUE, NEW_DUE, NEW_DUE]);
    expect(renewal.refused).toEqual(["RESERVED"]);
    expect(referenceNumbersHeard(result, { inFullOnly: true })).toContain(renewal.trn);
  }

  function budget(call: StandardCall): number {
    if (call.budgetSeconds === null) throw new Error(`${call.id} has no budget`);
    return call.budgetSeconds;
  }

  describe.each(LANGUAGES)("%s", (language) => {
    it(`renew all, listening to everything until the goodbye: ≤ 60 s`, async () => {
      const { call, result, seconds } = await place("renewAllListening", language);
      await expectRenewedAll(call, result);
      expect(result.transcript.some((entry) => "interrupted" in entry && entry.interrupted)).toBe(false);
      expect(seconds, `${language}: ${seconds} s`).toBeLessThanOrEqual(budget(call));
    });

    it("renew all, pressing ahead but hearing the counts, the reference number, the due date and the goodbye: ≤ 20 s", async () => {
      const { call, result, seconds } = await place("renewAllPressingAhead", language);
      await expectRenewedAll(call, result);
      // The news of renew all, in the Gather where the caller keyed `*`, heard to its end.
      const news = promptsBeforeGather(result.transcript, -1).flatMap((prompt) =>
        prompt.kind === "say" && !prompt.interrupted ? [prompt.text] : [],
      );
      expect(news.join(" ")).toContain(speakDate(NEW_DUE, TODAY, language));
      // Up to the last key, the news is all the caller heard: every other prompt was cut short.
      const upToLastKey = result.transcript.slice(
        0,
        result.transcript.findLastIndex((e) => e.kind === "gather"),
      );
      expect(upToLastKey.filter((entry) => entry.kind === "say" && !entry.interrupted)).toHaveLength(
        news.length,
      );
      // The goodbye, after the last key, heard whole; then the line hangs up.
      expect(result.transcript.at(-2)).toMatchObject({ kind: "say", interrupted: false });
      expect(result.transcript.at(-1)).toMatchObject({ kind: "hangup", by: "app" });
      expect(seconds, `${language}: ${seconds} s`).toBeLessThanOrEqual(budget(call));
    });

    it("the main menu, for a reader with loans and no block, heard again after 9: ≤ 12 s", async () => {
      const { call, result, seconds } = await place("mainMenu", language);
      expect(claimProblems(call, result)).toEqual([]);
      expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
        { result: "ok", cardLastFour: "0030" },
      ]);
      const keys = (await eventsOf(line.demo.db, result.callSid)).filter((e) => e.kind === "key");
      expect(keys.slice(-2)).toEqual([
        { kind: "key", step: "menu", detail: { key: "9" } },
        { kind: "key", step: "menu", detail: { key: "*" } },
      ]);
      expect(seconds, `${language}: ${seconds} s`).toBeLessThanOrEqual(budget(call));
    });

    // From the reader's own phone: the PIN alone after the language menu (the caller-ID shortcut).
    it("recognised by caller ID, renew all, listening to everything: ≤ 45 s", async () => {
      const { call, result, seconds } = await place("callerIdRenewAll", language);
      await expectRenewedAll(call, result);
      expect(seconds, `${language}: ${seconds} s`).toBeLessThanOrEqual(budget(call));
    });

    it("renew one item renews the first item offered, with a reference number", async () => {
      const { call, result } = await place("renewOne", language);
      expect(claimProblems(call, result)).toEqual([]);
      const renewal = await renewalOf(call);
      expect(renewal).toMatchObject({ renewed: [NEW_DUE], refused: [] });
      expect(referenceNumbersHeard(result, { inFullOnly: true })).toContain(renewal.trn);
    });

    it("hear loans reads the five titles and renews nothing", async () => {
      const { call, result } = await place("hearLoans", language);
      expect(claimProblems(call, result)).toEqual([]);
      for (const title of TITLES) expect(heard(result)).toContain(speakableTitle(title, language));
      expect(await transactions(line.demo.db)).toEqual([]);
    });

    it("a failed login fails three times and the line ends the call", async () => {
      const { call, result } = await place("failedLogin", language);
      expect(claimProblems(call, result)).toEqual([]);
      expect(await detailsOf(line.demo.db, result.callSid, "login")).toEqual([
        { result: "failed", attempt: 1 },
        { result: "failed", attempt: 2 },
        { result: "failed", attempt: 3 },
      ]);
      expect(result.endedBy).toBe("hangup");
      expect(await transactions(line.demo.db)).toEqual([]);
    });
  });
});
