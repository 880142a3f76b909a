/**
 * The shortest path to every step and every transition of the shipped flow (src/voice/flow-paths.ts),
 * replayed through the pure engine with stubbed actions: each must end where the flow graph says.
 * A new branch in flow.json gets its path here by itself; the pinned count makes it visible. Then
 * the generator itself, on small flows written here.
 */
import { describe, expect, it } from "vitest";
import { VOCABULARY } from "../../../src/voice/actions/index.js";
import { initialCallState } from "../../../src/voice/call-state.js";
import { afterAction, type EngineContext, handleEvent } from "../../../src/voice/engine.js";
import type { FlowDefinition } from "../../../src/voice/flow-definition.js";
import { DONE, type FlowTransition, flowGraph } from "../../../src/voice/flow-graph.js";
import {
  ANY_DIAL_STATUS,
  ANY_DIGITS,
  type FlowPath,
  type PathEvent,
  pathName,
  shortestPaths,
} from "../../../src/voice/flow-paths.js";
import { SHIPPED } from "./shipped-flow.js";

/**
 * Reachable steps plus transitions of voice-flows/flow.json: one path each. It changes whenever a
 * branch is added to or taken from flow.json.
 */
const PINNED_PATH_COUNT = 96;

/** What one event did: each action run, as "step action {args}", then where the call waits, and its misses there. */
interface EventTrace {
  runs: string[];
  reaches: string;
  misses: number;
}

function runName(step: string, action: string, args: Record<string, string>): string {
  return `${step} ${action} ${JSON.stringify(args)}`;
}

/** What the path says each event does. */
function expectedTrace(path: FlowPath): EventTrace[] {
  return path.events.map((e) => ({
    runs: e.moves.flatMap(({ transition: t }) => (t.action ? [runName(t.from, t.action, t.args ?? {})] : [])),
    reaches: e.reaches,
    misses: e.misses,
  }));
}

/** What the engine does with the path's events, each action stubbed to answer the outcome the path needs. */
function replay(flow: FlowDefinition, path: FlowPath, ctx: EngineContext): EventTrace[] {
  let state = initialCallState(flow.start);
  return path.events.map(({ event, moves }) => {
    const answers = moves.flatMap((move) => (move.outcome === undefined ? [] : [move.outcome]));
    const runs: string[] = [];
    let instruction = handleEvent(flow, state, event, ctx);
    while (instruction.type === "run") {
      runs.push(runName(instruction.state.step, instruction.action, instruction.args));
      const outcome = answers.shift();
      // The path expected no more actions: stop here, and let the traces show the difference.
      if (outcome === undefined) break;
      instruction = afterAction(flow, instruction.state, instruction.transition, outcome, ctx);
    }
    state = instruction.state;
    return { runs, reaches: state.step, misses: state.misses };
  });
}

/** The steps the last event passes through: where the target step must be. */
function stepsOfLast(path: FlowPath): string[] {
  const last = path.events.at(-1) as PathEvent;
  return [...last.moves.map((move) => move.transition.from), last.reaches];
}

function movesOfLast(path: FlowPath): FlowTransition[] {
  return (path.events.at(-1) as PathEvent).moves.map((move) => move.transition);
}

function expectToEndAtTarget(path: FlowPath): void {
  if (path.target.kind === "step") expect(stepsOfLast(path)).toContain(path.target.step);
  else expect(movesOfLast(path)).toContain(path.target.transition);
}

/** Every condition holds, every speech says nothing: the paths take each key whatever its `when`. */
function stubContext(conditions: Iterable<string>, speeches: Iterable<string> = []): EngineContext {
  return {
    conditions: Object.fromEntries([...conditions].map((name) => [name, () => true])),
    speeches: Object.fromEntries([...speeches].map((name) => [name, () => []])),
  };
}

describe("every path of the shipped flow", () => {
  const flow = SHIPPED.flow;
  const graph = flowGraph(flow);
  const { paths, unreachable } = shortestPaths(flow);
  const ctx = stubContext(VOCABULARY.conditions, VOCABULARY.speeches);

  it("has one path to every step and every transition, and no step out of reach", () => {
    expect(unreachable).toEqual([]);
    const steps = paths.flatMap((p) => (p.target.kind === "step" ? [p.target.step] : []));
    const transitions = paths.flatMap((p) => (p.target.kind === "transition" ? [p.target.transition] : []));
    expect(steps).toEqual(graph.steps.map((s) => s.id));
    expect(transitions).toEqual(graph.transitions);
    expect(
      paths.length,
      `flow.json now has ${paths.length} paths, not ${PINNED_PATH_COUNT}: a branch was added or ` +
        "removed. Look at the new branch's paths (the test names below), check that they replay, " +
        `then set PINNED_PATH_COUNT to ${paths.length}.`,
    ).toBe(PINNED_PATH_COUNT);
  });

  for (const path of paths) {
    it(`replays ${pathName(path)}`, () => {
      expectToEndAtTarget(path);
      expect(replay(flow, path, ctx)).toEqual(expectedTrace(path));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The generator on a flow small enough to know every answer by heart.

const SMALL: FlowDefinition = {
  start: "menu",
  maxMisses: 3,
  missPrompt: "invalidChoice",
  missLimitPrompt: "tooManyMisses",
  missLimitStep: "bye",
  steps: {
    menu: {
      prompts: ["menu.options"],
      gather: { numDigits: 1, timeout: 5 },
      keys: {
        // First in flow order, but three keys to the account where "2" takes one.
        "1": { to: "long" },
        "2": { action: "lookUp", results: { found: "account", none: "menu" } },
        "3": { when: "open", action: "transfer", to: "staff" },
      },
    },
    long: { prompts: ["p"], gather: { numDigits: 1, timeout: 5 }, keys: { "1": { to: "longer" } } },
    longer: { prompts: ["p"], gather: { numDigits: 1, timeout: 5 }, keys: { "1": { to: "account" } } },
    account: { enter: { action: "summarise", to: "pin" } },
    pin: { prompts: ["p"], gather: { finishOnKey: "#", timeout: 5 }, digits: { action: "check", to: "bye" } },
    staff: { dial: { action: "afterCall", results: { answered: "bye", unanswered: "menu" } } },
    bye: { prompts: ["goodbye"], hangup: true },
    orphan: { prompts: ["p"], gather: { numDigits: 1, timeout: 5 }, keys: { "1": { to: "bye" } } },
  },
};

const SMALL_PATHS = shortestPaths(SMALL).paths;

function pathTo(name: string): FlowPath {
  const path = SMALL_PATHS.find((p) => pathName(p) === name);
  if (!path) throw new Error(`no path "${name}" among: ${SMALL_PATHS.map(pathName).join(", ")}`);
  return path;
}

/** Each event, with the outcome each of its moves needs and where it leads: "2: found→account, done→pin". */
function summary(path: FlowPath): string[] {
  return path.events.map(({ event, moves }) => {
    const what =
      event.type === "input"
        ? event.digits || "(timeout)"
        : event.type === "dialEnded"
          ? "dial ended"
          : "call";
    const made = moves.map((m) => `${m.outcome ?? "-"}→${m.transition.to}`).join(", ");
    return made ? `${what}: ${made}` : what;
  });
}

describe("the path generator", () => {
  it("takes the route with the fewest events, not the first in flow order", () => {
    expect(summary(pathTo("step longer"))).toEqual(["call", "1: -→long", "1: -→longer"]);
    // "2" reaches the account in one event, where "1" takes three.
    expect(summary(pathTo("step account"))).toEqual(["call", `2: found→account, ${DONE}→pin`]);
    // Three misses at the menu reach bye too, but that is three events to the two of a key and
    // then the digits (or the staff call's end).
    const bye = summary(pathTo("step bye"));
    expect(bye).toHaveLength(3);
    expect(bye.filter((event) => event.startsWith("(timeout)"))).toEqual([]);
    expect(summary(pathTo("pin digits → bye"))).toEqual([
      "call",
      `2: found→account, ${DONE}→pin`,
      `${ANY_DIGITS}: ${DONE}→bye`,
    ]);
  });

  it("runs an enter step's action in the event that arrives there", () => {
    const path = pathTo("account enter → pin");
    expect(path.events).toHaveLength(2);
    expect(path.events[1]?.reaches).toBe("pin");
    expect(path.events[1]?.moves.map((m) => m.transition.action)).toEqual(["lookUp", "summarise"]);
  });

  it("gives each result of an action its own path, with the outcome the action must answer", () => {
    expect(summary(pathTo("menu key 2 (found) → account"))).toEqual([
      "call",
      `2: found→account, ${DONE}→pin`,
    ]);
    expect(summary(pathTo("menu key 2 (none) → menu"))).toEqual(["call", "2: none→menu"]);
    expect(summary(pathTo("staff dial (unanswered) → menu"))).toEqual([
      "call",
      `3: ${DONE}→staff`,
      "dial ended: unanswered→menu",
    ]);
    const dial = pathTo("staff dial (answered) → bye").events.at(-1);
    expect(dial?.event).toEqual({ type: "dialEnded", status: ANY_DIAL_STATUS });
    // The key that needs a condition is taken: the path says which.
    expect(pathTo("menu key 3 → staff").events[1]?.moves[0]?.transition.when).toBe("open");
  });

  it("counts one miss as a timeout that asks again, and the maxMisses-th as the way to missLimitStep", () => {
    const once = pathTo("menu miss → menu");
    expect(summary(once)).toEqual(["call", "(timeout): -→menu"]);
    expect(once.events.map((e) => e.misses)).toEqual([0, 1]);
    const limit = pathTo("menu missLimit → bye");
    expect(summary(limit)).toEqual(["call", "(timeout): -→menu", "(timeout): -→menu", "(timeout): -→bye"]);
    expect(limit.events.map((e) => e.misses)).toEqual([0, 1, 2, 0]);

    const oneMissEnds = shortestPaths({ ...SMALL, maxMisses: 1 }).paths;
    expect(oneMissEnds.some((p) => pathName(p) === "menu miss → menu")).toBe(false);
    const at = oneMissEnds.find((p) => pathName(p) === "menu missLimit → bye");
    expect(at && summary(at)).toEqual(["call", "(timeout): -→bye"]);
  });

  it("reports a step no call can reach, and gives neither it nor its transitions a path", () => {
    const { paths, unreachable } = shortestPaths(SMALL);
    expect(unreachable).toEqual(["orphan"]);
    expect(paths.filter((p) => pathName(p).startsWith("orphan") || pathName(p) === "step orphan")).toEqual(
      [],
    );
    // Every other step and transition has its path.
    const graph = flowGraph(SMALL);
    expect(paths).toHaveLength(
      graph.steps.length - 1 + graph.transitions.filter((t) => t.from !== "orphan").length,
    );
  });

  it("stops at enter steps that lead round in a loop, which would run actions for ever", () => {
    const looping: FlowDefinition = {
      ...SMALL,
      start: "a",
      steps: { a: { enter: { action: "x", to: "b" } }, b: { enter: { action: "y", to: "a" } } },
    };
    expect(() => shortestPaths(looping)).toThrow(/enter steps lead round in a loop at "a"/);
  });

  it("gives paths the engine follows to the end", () => {
    const ctx = stubContext(["open"]);
    for (const path of SMALL_PATHS) {
      expectToEndAtTarget(path);
      expect(replay(SMALL, path, ctx), pathName(path)).toEqual(expectedTrace(path));
    }
    // The replay can fail: a path that answers the wrong outcome ends elsewhere.
    const wrong = structuredClone(pathTo("menu key 2 (found) → account"));
    const move = wrong.events[1]?.moves[0];
    if (move) move.outcome = "none";
    expect(replay(SMALL, wrong, ctx)).not.toEqual(expectedTrace(wrong));
  });
});
