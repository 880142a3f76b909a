/**
 * The webhook form's fields, checked one by one (issue 8, "Bad bodies" and the smaller items): a
 * CallSid is Twilio's format before it is logged, a status callback's duration never stops the
 * close, and Digits are what the step's gather can send. The gather's oracle is the simulator's
 * model of Twilio (resolveGather) run on the gather as the line renders it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveGather } from "../../../src/simulator/gather-input.js";
import { type GatherVerb, parseTwiml } from "../../../src/simulator/twiml-parser.js";
import type { GatherSpec } from "../../../src/voice/flow-definition.js";
import { renderGather } from "../../../src/voice/twiml.js";
import {
  CALL_STATUSES,
  callSidOf,
  FINAL_CALL_STATUSES,
  keyedDigits,
  MAX_CALL_DURATION_SECONDS,
  MAX_KEYED_DIGITS,
  statusCallbackOf,
} from "../../../src/voice/webhook-input.js";
import { SHIPPED, stepIn } from "./shipped-flow.js";

const SID = `CA${"0123456789abcdef".repeat(2)}`;
const NUM_RUNS = 300;

describe("callSidOf", () => {
  it("gives a CallSid of Twilio's format", () => {
    expect(callSidOf({ CallSid: SID, From: "+85291234567" })).toBe(SID);
  });

  it.each([
    ["uppercase hex", `CA${"0123456789ABCDEF".repeat(2)}`],
    ["another kind of SID", `PN${"0123456789abcdef".repeat(2)}`],
    ["31 hex digits", SID.slice(0, -1)],
    ["33 hex digits", `${SID}0`],
    ["a trailing newline", `${SID}\n`],
    ["a leading space", ` ${SID}`],
    ["empty", ""],
    ["10 kB of junk", "CA".repeat(5000)],
  ])("refuses %s", (_, value) => {
    expect(callSidOf({ CallSid: value })).toBeNull();
  });

  it.each([
    ["no body", undefined],
    ["a null body", null],
    ["a string body", SID],
    ["no CallSid", { AccountSid: SID }],
    ["a repeated CallSid (the parser makes an array)", { CallSid: [SID, SID] }],
    ["a number", { CallSid: 7 }],
  ])("refuses %s", (_, body) => {
    expect(callSidOf(body)).toBeNull();
  });

  it("gives back only what matches /^CA[0-9a-f]{32}$/", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^CA[0-9a-fA-F]{30,34}$/)),
        (sid) => {
          const result = callSidOf({ CallSid: sid });
          expect(result).toBe(/^CA[0-9a-f]{32}$/.test(sid) ? sid : null);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("statusCallbackOf", () => {
  const callback = (fields: Record<string, unknown>) => statusCallbackOf({ CallSid: SID, ...fields });

  it("reads a completed call's status and duration", () => {
    expect(callback({ CallStatus: "completed", CallDuration: "42", Duration: "1" })).toEqual({
      callSid: SID,
      callStatus: "completed",
      callDuration: 42,
    });
  });

  it("takes every one of Twilio's call statuses, and no other", () => {
    for (const status of CALL_STATUSES) expect(callback({ CallStatus: status })?.callStatus).toBe(status);
    for (const status of ["Completed", "complete", "in_progress", "", "answered", "cancelled"])
      expect(callback({ CallStatus: status }), status).toBeNull();
    expect(callback({})).toBeNull();
    expect(callback({ CallStatus: ["completed", "busy"] })).toBeNull();
  });

  it("knows which statuses end a call", () => {
    expect([...FINAL_CALL_STATUSES].sort()).toEqual(["busy", "canceled", "completed", "failed", "no-answer"]);
  });

  it("names no call without a CallSid of Twilio's format", () => {
    expect(statusCallbackOf({ CallSid: "CA123", CallStatus: "completed" })).toBeNull();
    expect(statusCallbackOf({ CallStatus: "completed" })).toBeNull();
    expect(statusCallbackOf(undefined)).toBeNull();
  });

  it("gives no duration when CallDuration is absent (Twilio sends it only once a call is over)", () => {
    expect(callback({ CallStatus: "ringing" })?.callDuration).toBeNull();
    expect(callback({ CallStatus: "completed", CallDuration: "" })?.callDuration).toBeNull();
  });

  it("keeps the close when the duration is out of range: 99999999999999 is unknown, not a failure", () => {
    // The bug: this duration overflowed the integer column, the close failed, and the call stayed
    // "in progress" for ever.
    expect(callback({ CallStatus: "completed", CallDuration: "99999999999999" })).toEqual({
      callSid: SID,
      callStatus: "completed",
      callDuration: null,
    });
  });

  it.each([
    ["0", 0],
    ["0007", 7],
    [String(MAX_CALL_DURATION_SECONDS), MAX_CALL_DURATION_SECONDS],
    [String(MAX_CALL_DURATION_SECONDS + 1), null],
    ["2147483648", null],
    ["-1", null],
    ["1.5", null],
    ["1e3", null],
    [" 12", null],
    ["12 ", null],
    ["0x10", null],
    ["Infinity", null],
    ["١٢", null],
  ])("reads CallDuration %j as %j", (duration, expected) => {
    expect(callback({ CallStatus: "completed", CallDuration: duration })?.callDuration).toBe(expected);
  });

  it("never refuses a valid call and status whatever CallDuration holds, and gives a storable duration", () => {
    const duration = fc.oneof(
      fc.string(),
      fc.nat().map(String),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
      fc.array(fc.nat().map(String), { minLength: 2, maxLength: 3 }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(fc.constantFrom(...CALL_STATUSES), duration, (status, callDuration) => {
        const result = callback({ CallStatus: status, CallDuration: callDuration });
        expect(result?.callStatus).toBe(status);
        const seconds = result?.callDuration ?? null;
        if (seconds !== null) {
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(0);
          expect(seconds).toBeLessThanOrEqual(MAX_CALL_DURATION_SECONDS);
          expect(String(seconds)).toBe(String(Number(callDuration)));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("keyedDigits", () => {
  const gatherOf = (step: string): GatherSpec => {
    const gather = stepIn(SHIPPED.flow, step).gather;
    if (!gather) throw new Error(`step "${step}" gathers nothing`);
    return gather;
  };
  const language = gatherOf("language");
  const card = gatherOf("card");

  it.each([
    ["1", { kind: "keyed", digits: "1" }],
    ["*", { kind: "keyed", digits: "*" }],
    // The menu's gathers have no finish key: "#" is a key like any other (and a wrong one there).
    ["#", { kind: "keyed", digits: "#" }],
    ["", { kind: "none" }],
    [undefined, { kind: "none" }],
    // The bug: a signed "12" at this one-key step was stored as keyed.
    ["12", { kind: "invalid" }],
    ["1#", { kind: "invalid" }],
    ["a", { kind: "invalid" }],
    [" 1", { kind: "invalid" }],
    ["１", { kind: "invalid" }],
    [["1", "2"], { kind: "invalid" }],
    [["1"], { kind: "invalid" }],
    [1, { kind: "invalid" }],
  ])("at the language menu (one key), Digits %j is %j", (digits, expected) => {
    expect(keyedDigits(language, digits)).toEqual(expected);
  });

  it.each([
    ["2100000001", { kind: "keyed", digits: "2100000001" }],
    ["12*34", { kind: "keyed", digits: "12*34" }],
    ["1".repeat(MAX_KEYED_DIGITS), { kind: "keyed", digits: "1".repeat(MAX_KEYED_DIGITS) }],
    ["1".repeat(MAX_KEYED_DIGITS + 1), { kind: "invalid" }],
    // "#" finishes this gather: Twilio leaves it out of Digits, so it can never be in them.
    ["2100000001#", { kind: "invalid" }],
    ["#", { kind: "invalid" }],
    ["", { kind: "none" }],
  ])("at the card step (finished by #), Digits %j is %j", (digits, expected) => {
    expect(keyedDigits(card, digits)).toEqual(expected);
  });

  it("takes no key at a step that gathers nothing", () => {
    expect(keyedDigits(undefined, "1")).toEqual({ kind: "invalid" });
    expect(keyedDigits(undefined, "")).toEqual({ kind: "none" });
  });

  it("at every gather of the shipped flow, takes a single key exactly where numDigits is 1", () => {
    const gathers = Object.entries(SHIPPED.flow.steps).flatMap(([name, step]) =>
      step.gather ? [{ name, gather: step.gather }] : [],
    );
    expect(gathers.length).toBeGreaterThan(5);
    for (const { name, gather } of gathers) {
      if (gather.numDigits === 1) expect(keyedDigits(gather, "11").kind, name).toBe("invalid");
      else expect(keyedDigits(gather, "11").kind, name).toBe("keyed");
    }
  });

  const gatherSpec: fc.Arbitrary<GatherSpec> = fc.record(
    {
      numDigits: fc.integer({ min: 1, max: 20 }),
      finishOnKey: fc.constantFrom("#" as const, "*" as const, "" as const),
      timeout: fc.integer({ min: 1, max: 60 }),
    },
    { requiredKeys: ["timeout"] },
  );
  const gathers = fc.oneof(
    fc.constantFrom(
      ...Object.values(SHIPPED.flow.steps).flatMap((step) => (step.gather ? [step.gather] : [])),
    ),
    gatherSpec,
  );
  const keypad = fc.string({ unit: fc.constantFrom(..."0123456789*#"), maxLength: 40 });

  /** The <Gather> a caller meets at `gather`, read back from the TwiML the line renders. */
  function rendered(gather: GatherSpec): GatherVerb {
    const twiml = renderGather([], gather, "https://line.example/voice/step?seq=1", {
      catalogues: SHIPPED.catalogues,
      language: "en",
    });
    const verb = parseTwiml(twiml).find((v): v is GatherVerb => v.verb === "Gather");
    if (!verb) throw new Error("no <Gather> rendered");
    return verb;
  }

  it("takes every Digits Twilio can send for the gather the caller heard, as keyed", () => {
    fc.assert(
      fc.property(gathers, keypad, (gather, pressed) => {
        const { digits } = resolveGather(pressed, rendered(gather));
        // Without numDigits, a caller may key past our cap: that is the one refusal allowed here.
        fc.pre(gather.numDigits !== undefined || digits.length <= MAX_KEYED_DIGITS);
        expect(keyedDigits(gather, digits)).toEqual(
          digits === "" ? { kind: "none" } : { kind: "keyed", digits },
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("takes nothing a keypad cannot send, nor more keys than the gather allows", () => {
    const anything = fc.oneof(
      fc.string({ maxLength: 40 }),
      keypad,
      fc.array(keypad, { maxLength: 3 }),
      fc.integer(),
    );
    fc.assert(
      fc.property(gathers, anything, (gather, digits) => {
        const result = keyedDigits(gather, digits);
        if (result.kind !== "keyed") return;
        expect(result.digits).toBe(digits);
        expect(result.digits).toMatch(/^[0-9*#]+$/);
        expect(result.digits.length).toBeLessThanOrEqual(gather.numDigits ?? MAX_KEYED_DIGITS);
        if (gather.finishOnKey) expect(result.digits).not.toContain(gather.finishOnKey);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
