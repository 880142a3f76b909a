/**
 * The flow as a graph: one node per step, one transition per way the engine (engine.ts) can move a
 * call on, and one edge per pair of steps with the labels of all its transitions. Read from the
 * same FlowDefinition the line runs, and built from the same rules the engine follows (below), so
 * the diagram, the path tests (flow-paths.ts) and the calls cannot drift apart.
 */
import type { FlowDefinition, Step, Transition } from "./flow-definition.js";

// ---------------------------------------------------------------------------------------------
// How a call moves on. The engine asks these on every webhook; the graph lists what they allow.

/** The outcome the engine follows after a transition without an action; single-outcome actions answer it too. */
export const DONE = "done";

/** Where a transition leads once its action answered `outcome`: its `to` whatever the outcome, else the step `results` names. */
export function targetOf(t: Transition, outcome: string): string | undefined {
  return t.to ?? t.results?.[outcome];
}

/** Every step a transition can lead to, each with the outcome that leads there (none for `to`): targetOf, listed. */
export function targetsOf(t: Transition): { to: string; outcome?: string }[] {
  if (t.to !== undefined) return [{ to: t.to }];
  return Object.entries(t.results ?? {}).map(([outcome, to]) => ({ to, outcome }));
}

/**
 * The transition what the caller keyed follows, or undefined when it counts as a miss: at a digits
 * step anything but nothing; at a keys step the key's transition, if its condition holds.
 */
export function inputWay(
  step: Step,
  digits: string,
  holds: (condition: string) => boolean,
): Transition | undefined {
  if (step.digits) return digits === "" ? undefined : step.digits;
  const chosen = step.keys?.[digits];
  if (!chosen || (chosen.when && !holds(chosen.when))) return undefined;
  return chosen;
}

/**
 * Whether a miss after `missesSoFar` in a row is the one that goes to missLimitStep, rather than
 * asking again (flow.maxMisses in a row at one gather; voice-line.md: the third).
 */
export function isMissLimit(flow: FlowDefinition, missesSoFar: number): boolean {
  return missesSoFar + 1 >= flow.maxMisses;
}

// ---------------------------------------------------------------------------------------------
// The graph.

export type StepKind = "keys" | "digits" | "enter" | "dial" | "hangup";

export interface FlowStep {
  id: string;
  kind: StepKind;
  /** Short, for the box: "keys: 1 2 3", "digits: verifyPin", "enter: summariseAccount", "hang up". */
  kindLabel: string;
  /** Where every call begins (flow.start). */
  start: boolean;
  /** Keys typed here are never recorded (README: sensitive). */
  sensitive: boolean;
}

/**
 * What moves the call: a key at a keys step, the number typed at a digits step, arriving at an
 * enter step, the end of a staff call, or a miss (no key in time, or a key that does nothing).
 */
export type Trigger = "key" | "digits" | "enter" | "dial" | "miss" | "missLimit";

export interface FlowTransition {
  from: string;
  to: string;
  trigger: Trigger;
  /** The key pressed, for trigger "key". */
  key?: string;
  action?: string;
  args?: Record<string, string>;
  /** The action's result that leads here, when the transition uses `results`. */
  outcome?: string;
  /** The condition without which the key counts as a miss. */
  when?: string;
  /** Short, for the diagram: "1", "7 (dial)", "3 if smsAvailable", "ok", "3rd miss". */
  label: string;
}

/** Every transition from one step to another, drawn as one arrow. */
export interface FlowEdge {
  from: string;
  to: string;
  /** The transitions' labels, in flow order, each once. */
  labels: string[];
  transitions: FlowTransition[];
}

export interface FlowGraph {
  start: string;
  steps: FlowStep[];
  transitions: FlowTransition[];
  edges: FlowEdge[];
}

// The flow is read once at start and never changes while the app runs.
const graphs = new WeakMap<FlowDefinition, FlowGraph>();

export function flowGraph(flow: FlowDefinition): FlowGraph {
  let graph = graphs.get(flow);
  if (!graph) {
    graph = buildGraph(flow);
    graphs.set(flow, graph);
  }
  return graph;
}

function buildGraph(flow: FlowDefinition): FlowGraph {
  const entries = Object.entries(flow.steps);
  const steps = entries.map(([id, step]) => describeStep(id, step, flow.start));
  const transitions = entries.flatMap(([id, step]) => transitionsOf(flow, id, step));
  return { start: flow.start, steps, transitions, edges: edgesOf(transitions) };
}

export function stepKind(step: Step): StepKind {
  if (step.gather) return step.digits ? "digits" : "keys";
  if (step.enter) return "enter";
  if (step.dial) return "dial";
  return "hangup";
}

function describeStep(id: string, step: Step, start: string): FlowStep {
  const kind = stepKind(step);
  const action = (kind === "digits" ? step.digits : kind === "enter" ? step.enter : step.dial)?.action;
  const kindLabel =
    kind === "hangup"
      ? "hang up"
      : kind === "keys"
        ? `keys: ${Object.keys(step.keys ?? {}).join(" ")}`
        : action
          ? `${kind}: ${action}`
          : kind;
  return { id, kind, kindLabel, start: id === start, sensitive: step.sensitive === true };
}

function transitionsOf(flow: FlowDefinition, from: string, step: Step): FlowTransition[] {
  const out: FlowTransition[] = [];
  for (const [key, t] of Object.entries(step.keys ?? {})) out.push(...follow(from, t, "key", key));
  if (step.digits) out.push(...follow(from, step.digits, "digits"));
  if (step.enter) out.push(...follow(from, step.enter, "enter"));
  if (step.dial) out.push(...follow(from, step.dial, "dial"));
  // Only a gather waits for the caller, so only a gather counts misses: it asks again until the
  // miss that isMissLimit, which says missLimitPrompt and goes to missLimitStep.
  if (step.gather) {
    if (flow.maxMisses > 1) out.push({ from, to: from, trigger: "miss", label: "miss" });
    out.push({
      from,
      to: flow.missLimitStep,
      trigger: "missLimit",
      label: `${ordinal(flow.maxMisses)} miss`,
    });
  }
  return out;
}

/** One graph transition per step the transition can lead to (targetsOf). */
function follow(from: string, t: Transition, trigger: Trigger, key?: string): FlowTransition[] {
  const base = {
    from,
    trigger,
    ...(key !== undefined && { key }),
    ...(t.action && { action: t.action }),
    ...(t.args && { args: t.args }),
    ...(t.when && { when: t.when }),
  };
  return targetsOf(t).map(({ to, outcome }) => ({
    ...base,
    to,
    ...(outcome !== undefined && { outcome }),
    label: labelOf(trigger, key, outcome, t.when),
  }));
}

function labelOf(trigger: Trigger, key: string | undefined, outcome: string | undefined, when?: string) {
  if (trigger === "key") {
    const withOutcome = outcome ? `${key} (${outcome})` : (key ?? "");
    return when ? `${withOutcome} if ${when}` : withOutcome;
  }
  // A digits, enter or dial step has one way on; its outcome, if any, is what tells the arrows apart.
  if (outcome) return outcome;
  return trigger === "digits" ? "digits" : trigger === "dial" ? "call ended" : "then";
}

function edgesOf(transitions: FlowTransition[]): FlowEdge[] {
  const edges = new Map<string, FlowEdge>();
  for (const t of transitions) {
    const id = JSON.stringify([t.from, t.to]);
    let edge = edges.get(id);
    if (!edge) {
      edge = { from: t.from, to: t.to, labels: [], transitions: [] };
      edges.set(id, edge);
    }
    edge.transitions.push(t);
    if (!edge.labels.includes(t.label)) edge.labels.push(t.label);
  }
  return [...edges.values()];
}

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}
