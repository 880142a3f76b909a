/**
 * Every step of voice-flows/flow.json is entered by some simulated call, every key of every step
 * is pressed, and every move from one step to another is made: a set of scripted calls through
 * the real app, then the "step" and "key" call events they left in the database, compared with
 * the flow graph of the flow the app runs (src/voice/flow-graph.ts). A step, key or move added to
 * the flow and never called fails here.
 */
import { asc, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callEvents } from "../../src/db/schema/index.js";
import type { DialCallStatus } from "../../src/simulator/call-simulator.js";
import { flowGraph } from "../../src/voice/flow-graph.js";
import { DRIVERS } from "../support/database.js";
import { call, startVoiceApp, VOICE_FLOW, type VoiceApp } from "../support/voice-app.js";
import { DEMO_NOW, type DemoDatabase, login, openDemoDatabase, TWINS, twinsFixture } from "./call-helpers.js";

const GRAPH = flowGraph(VOICE_FLOW.flow);

const ALL_STEPS = GRAPH.steps.map((step) => step.id).sort();
/** "step key" for every key of every keys step; a key whose action has several results is one key. */
const ALL_KEYS = [
  ...new Set(GRAPH.transitions.flatMap((t) => (t.trigger === "key" ? [`${t.from} ${t.key}`] : []))),
].sort();
const DIGIT_STEPS = GRAPH.steps
  .filter((step) => step.kind === "digits")
  .map((step) => step.id)
  .sort();
/** Moves between two different steps: every transition, the miss limit from every gather included. */
const ALL_MOVES = [
  ...new Set(GRAPH.transitions.filter((t) => t.to !== t.from).map((t) => `${t.from} -> ${t.to}`)),
].sort();

const READER_1 = ["2100000001", "135790"] as const;
const READER_2 = ["2100000002", "0202"] as const;

/** Reader 1's registered phone: a call from it meets the caller ID shortcut. */
const READER_1_PHONE = "+85291234567";

/** Scripts that between them go everywhere; each is one call (`from`: the caller's number). */
const SCRIPTS: { script: string[]; dial?: DialCallStatus[]; from?: string; note: string }[] = [
  {
    note: "Putonghua; renew all and its keys; renew one; loans, charges; staff unanswered, then answered",
    script: [
      ...login(...READER_1, "cmn"),
      // Renew all: reasons, reference, menu.
      "0",
      "1",
      "2",
      "9",
      // Renew one: next, repeat, renew; reference, another item, back to the menu.
      "1",
      "2",
      "3",
      "1",
      "2",
      "1",
      "9",
      // Renew one again, then the menu from after the renewal.
      "1",
      "1",
      "9",
      // Loans, charges, the menu again, staff twice.
      "2",
      "3",
      "9",
      "7",
      "7",
    ],
    dial: ["no-answer", "completed"],
  },
  { note: "Cantonese; an item offered, then the end", script: [...login(...READER_2, "yue"), "1", "*"] },
  {
    note: "another card after renew all; the end after renew all",
    script: [...login(...READER_1), "0", "8", `${READER_2[0]}#`, `${READER_2[1]}#`, "0", "*"],
  },
  {
    note: "another card after renewing one and from the menu; misses at the card step",
    script: [
      ...login("2100000003", "0303"),
      "1",
      "1",
      "8",
      "2100000004#",
      "0404#",
      "1",
      "1",
      "9",
      "8",
      "(timeout)",
      "(timeout)",
      "(timeout)",
    ],
  },
  {
    note: "a set renewed; the end after renewing one",
    script: [...login("2100000007", "0707"), "1", "1", "*"],
  },
  { note: "next past the last item", script: [...login("2100000007", "0707"), "1", "2", "*"] },
  {
    note: "nothing to offer; misses at the menu",
    script: [...login("2100000029", "2929"), "1", "4", "5", "6"],
  },
  {
    note: "the PIN fits two accounts: the card number decides",
    script: [...login(TWINS.hkidDigits, TWINS.pin), `${TWINS.first}#`, "*"],
  },
  {
    note: "the card number fits neither; then misses at the card-number step",
    script: [
      ...login(TWINS.hkidDigits, TWINS.pin),
      "2100000001#",
      `${TWINS.hkidDigits}#`,
      `${TWINS.pin}#`,
      "(timeout)",
      "(timeout)",
      "(timeout)",
    ],
  },
  {
    note: "three failed logins",
    script: [...login(READER_1[0], "1111"), `${READER_1[0]}#`, "2222#", `${READER_1[0]}#`, "3333#"],
  },
  { note: "caller ID: the PIN at the shortcut", from: READER_1_PHONE, script: ["3", `${READER_1[1]}#`, "*"] },
  {
    note: "caller ID: the card number at the shortcut, then its PIN",
    from: READER_1_PHONE,
    script: ["3", `${READER_1[0]}#`, `${READER_1[1]}#`, "*"],
  },
  { note: "caller ID: * for another card", from: READER_1_PHONE, script: ["3", "*"] },
  {
    note: "caller ID: misses at the shortcut",
    from: READER_1_PHONE,
    script: ["3", "(timeout)", "(timeout)", "(timeout)"],
  },
  { note: "misses at the language step", script: ["(timeout)", "(timeout)", "4"] },
  { note: "SMS after renew all", script: [...login(...READER_1), "0", "3", "*"] },
  { note: "SMS after renewing one", script: [...login(...READER_2), "1", "1", "3", "*"] },
  {
    note: "the short menu after information keys: each of its keys; the menu's 3 and 9",
    script: [
      ...login(...READER_2),
      // menu 2, then the short menu: 3, 9 back to the menu, whose 3 and 9 lead on.
      "2",
      "3",
      "9",
      "3",
      "2",
      "1",
      "9",
      "9",
      "2",
      "0",
      "9",
      "2",
      "8",
      `${READER_1[0]}#`,
      `${READER_1[1]}#`,
      "3",
      "7",
      "*",
    ],
  },
  {
    note: "renew another item after the last one",
    script: [...login("2100000007", "0707"), "1", "1", "1", "*"],
  },
];

describe.each(DRIVERS)("flow coverage on %s", (driver) => {
  let demo: DemoDatabase;
  let app: VoiceApp;
  let events: { callSid: string; kind: string; step: string | null; detail: unknown }[] = [];

  beforeAll(async () => {
    demo = await openDemoDatabase(driver, twinsFixture());
    app = await startVoiceApp({ db: demo.db, now: DEMO_NOW, sms: async () => {} });
    const callSids: string[] = [];
    for (const { script, dial, from } of SCRIPTS) {
      const outcomes = [...(dial ?? [])];
      const result = await call(app, script, {
        dialOutcome: () => outcomes.shift() ?? "no-answer",
        ...(from ? { from } : {}),
      });
      callSids.push(result.callSid);
    }
    events = await demo.db
      .select({
        callSid: callEvents.callSid,
        kind: callEvents.kind,
        step: callEvents.step,
        detail: callEvents.detail,
      })
      .from(callEvents)
      .where(inArray(callEvents.callSid, callSids))
      .orderBy(asc(callEvents.id));
  });
  afterAll(async () => {
    await app?.close();
    await demo?.dispose();
  });

  it("reads a flow with steps, keys and moves to cover", () => {
    expect(ALL_STEPS).toContain(GRAPH.start);
    expect(ALL_STEPS.length).toBeGreaterThanOrEqual(11);
    expect(ALL_KEYS.length).toBeGreaterThan(20);
    expect(ALL_MOVES.length).toBeGreaterThan(20);
  });

  it("enters every step of flow.json", () => {
    const entered = new Set(events.filter((e) => e.kind === "step").map((e) => e.step));
    const missing = ALL_STEPS.filter((step) => !entered.has(step));
    expect(missing, `steps no call entered: ${missing.join(", ")}`).toEqual([]);
    expect([...entered].sort()).toEqual(ALL_STEPS);
  });

  it("presses every key of every step, and keys digits at every digits step", () => {
    const pressed = new Set(
      events
        .filter((e) => e.kind === "key")
        .flatMap((e) => {
          const key = (e.detail as { key?: string }).key;
          return key ? [`${e.step} ${key}`] : [];
        }),
    );
    const missing = ALL_KEYS.filter((key) => !pressed.has(key));
    expect(missing, `keys no call pressed (and had answered): ${missing.join(", ")}`).toEqual([]);

    const keyed = new Set(
      events.filter((e) => e.kind === "key" && (e.detail as { keyed?: string }).keyed).map((e) => e.step),
    );
    expect(DIGIT_STEPS.filter((step) => !keyed.has(step))).toEqual([]);
  });

  it("makes every move from one step to another", () => {
    const made = new Set<string>();
    const byCall = new Map<string, string[]>();
    for (const e of events) {
      if (e.kind !== "step" || !e.step) continue;
      byCall.set(e.callSid, [...(byCall.get(e.callSid) ?? []), e.step]);
    }
    for (const steps of byCall.values()) {
      expect(steps[0]).toBe(GRAPH.start);
      for (let i = 1; i < steps.length; i++) made.add(`${steps[i - 1]} -> ${steps[i]}`);
    }
    const missing = ALL_MOVES.filter((move) => !made.has(move));
    expect(missing, `moves no call made: ${missing.join(", ")}`).toEqual([]);
    // Nothing moved where flow.json has no way.
    expect([...made].filter((move) => !ALL_MOVES.includes(move))).toEqual([]);
  });
});
