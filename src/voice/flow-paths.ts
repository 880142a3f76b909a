/**
 * Paths through the flow for tests, in the manner of xstate's graph helpers (getShortestPaths, and
 * one path per transition): from the flow graph, the fewest caller events from flow.start to every
 * step, and to every transition. A path is a list of the engine's events, each with the moves it
 * makes and the outcome each move's action must answer, so that a test can replay it through the
 * pure engine with stubbed actions and see it end where the path says.
 *
 * A path takes every condition (`when`) on its keys to hold.
 */
import type { CallEvent } from "./engine.js";
import type { FlowDefinition } from "./flow-definition.js";
import { DONE, type FlowGraph, type FlowTransition, flowGraph } from "./flow-graph.js";

/** Keyed at a digits step: the action is stubbed, so any digits will do. */
export const ANY_DIGITS = "1234";
/** How a staff call ends: the action after it is stubbed, and its outcome picks the way on. */
export const ANY_DIAL_STATUS = "completed";
/** A miss: no key before the timeout, which counts at every gather, keys or digits. */
const NO_INPUT: CallEvent = { type: "input", digits: "" };

/** One move along a transition of the graph. */
export interface PathMove {
  transition: FlowTransition;
  /** What the transition's action must answer for the call to go this way; absent when it runs none. */
  outcome?: string;
}

export interface PathEvent {
  event: CallEvent;
  /**
   * The moves the event makes, in order: its own transition (none for the call's start), then
   * the way on from every enter step it arrives at, whose action the engine runs on arrival.
   */
  moves: PathMove[];
  /** Where the call then waits for the caller, dials, or hangs up. */
  reaches: string;
  /** Misses in a row at `reaches` after the event. */
  misses: number;
}

export type PathTarget = { kind: "step"; step: string } | { kind: "transition"; transition: FlowTransition };

export interface FlowPath {
  target: PathTarget;
  /** Starts with the call itself ({ type: "call" }). */
  events: PathEvent[];
}

export interface FlowPaths {
  /** One path to every reachable step, in flow order, then one to every transition from one. */
  paths: FlowPath[];
  /** Steps no call can reach from flow.start; neither they nor their transitions have a path. */
  unreachable: string[];
}

export function shortestPaths(flow: FlowDefinition): FlowPaths {
  const graph = flowGraph(flow);
  const leaving = transitionsByStep(graph);
  const arrivals = shortestArrivals(flow, graph, leaving);
  const routeTo = (step: string): FlowTransition[] => {
    const route: FlowTransition[] = [];
    for (let t = arrivals.get(step); t; t = arrivals.get(t.from)) route.unshift(t);
    return route;
  };
  const along = (route: FlowTransition[]) => eventsAlong(flow, graph.start, leaving, route);

  const stepPaths = graph.steps
    .filter((step) => arrivals.has(step.id))
    .map((step): FlowPath => ({ target: { kind: "step", step: step.id }, events: along(routeTo(step.id)) }));
  const transitionPaths = graph.transitions
    .filter((t) => arrivals.has(t.from))
    .map(
      (t): FlowPath => ({
        target: { kind: "transition", transition: t },
        events: along([...routeTo(t.from), t]),
      }),
    );
  return {
    paths: [...stepPaths, ...transitionPaths],
    unreachable: graph.steps.filter((step) => !arrivals.has(step.id)).map((step) => step.id),
  };
}

/** A name for a path's target, unique within a flow: "step menu", "menu key 1 (ok) → itemOffer". */
export function pathName(path: FlowPath): string {
  const { target } = path;
  if (target.kind === "step") return `step ${target.step}`;
  const t = target.transition;
  const key = t.key === undefined ? "" : ` ${t.key}`;
  const outcome = t.outcome === undefined ? "" : ` (${t.outcome})`;
  return `${t.from} ${t.trigger}${key}${outcome} → ${t.to}`;
}

function transitionsByStep(graph: FlowGraph): Map<string, FlowTransition[]> {
  const leaving = new Map<string, FlowTransition[]>();
  for (const t of graph.transitions) leaving.set(t.from, [...(leaving.get(t.from) ?? []), t]);
  return leaving;
}

/**
 * The caller events a transition takes. Arriving at an enter step takes none (the engine runs its
 * action straight away), and the miss limit takes every miss before it as well: so this is a
 * shortest-path search with weights, not a plain breadth-first one.
 */
function eventsToTake(flow: FlowDefinition, t: FlowTransition): number {
  if (t.trigger === "enter") return 0;
  if (t.trigger === "missLimit") return flow.maxMisses;
  return 1;
}

/**
 * Dijkstra from flow.start: for every reachable step, the transition its shortest route arrives
 * by (null for the start). On a tie the route found first stays, so routes follow flow order.
 */
function shortestArrivals(
  flow: FlowDefinition,
  graph: FlowGraph,
  leaving: Map<string, FlowTransition[]>,
): Map<string, FlowTransition | null> {
  const arrivals = new Map<string, FlowTransition | null>([[graph.start, null]]);
  const cost = new Map<string, number>([[graph.start, 0]]);
  const settled = new Set<string>();
  for (;;) {
    let nearest: { step: string; cost: number } | null = null;
    for (const [step, c] of cost) {
      if (!settled.has(step) && (nearest === null || c < nearest.cost)) nearest = { step, cost: c };
    }
    if (nearest === null) return arrivals;
    settled.add(nearest.step);
    for (const t of leaving.get(nearest.step) ?? []) {
      const via = nearest.cost + eventsToTake(flow, t);
      if (via < (cost.get(t.to) ?? Number.POSITIVE_INFINITY)) {
        cost.set(t.to, via);
        arrivals.set(t.to, t);
      }
    }
  }
}

/** The events that take a call along a route from flow.start, then on through any enter steps. */
function eventsAlong(
  flow: FlowDefinition,
  start: string,
  leaving: Map<string, FlowTransition[]>,
  route: FlowTransition[],
): PathEvent[] {
  const events: PathEvent[] = [{ event: { type: "call" }, moves: [], reaches: start, misses: 0 }];
  const last = (): PathEvent => events[events.length - 1] as PathEvent;
  const newEvent = (event: CallEvent, t: FlowTransition, misses = 0) =>
    events.push({ event, moves: [moveAlong(t)], reaches: t.to, misses });

  const take = (t: FlowTransition): void => {
    switch (t.trigger) {
      case "enter":
        last().moves.push(moveAlong(t));
        last().reaches = t.to;
        break;
      case "key":
        newEvent({ type: "input", digits: t.key ?? "" }, t);
        break;
      case "digits":
        newEvent({ type: "input", digits: ANY_DIGITS }, t);
        break;
      case "dial":
        newEvent({ type: "dialEnded", status: ANY_DIAL_STATUS }, t);
        break;
      case "miss":
        newEvent(NO_INPUT, t, last().misses + 1);
        break;
      case "missLimit": {
        // Every miss before the last asks again at the same step.
        const missAgain = leaving.get(t.from)?.find((m) => m.trigger === "miss");
        for (let i = 1; i < flow.maxMisses; i++) {
          if (!missAgain) throw new Error(`step "${t.from}" has a miss limit above 1 but no miss`);
          take(missAgain);
        }
        newEvent(NO_INPUT, t);
        break;
      }
    }
  };

  for (const t of route) take(t);
  // The engine goes on through enter steps by itself; where one has several ways on, any will do.
  const passed = new Set<string>();
  for (let on = firstEnter(leaving, last().reaches); on; on = firstEnter(leaving, last().reaches)) {
    if (passed.has(on.from)) throw new Error(`enter steps lead round in a loop at "${on.from}"`);
    passed.add(on.from);
    take(on);
  }
  return events;
}

function firstEnter(leaving: Map<string, FlowTransition[]>, step: string): FlowTransition | undefined {
  return leaving.get(step)?.find((t) => t.trigger === "enter");
}

function moveAlong(t: FlowTransition): PathMove {
  return t.action ? { transition: t, outcome: t.outcome ?? DONE } : { transition: t };
}
