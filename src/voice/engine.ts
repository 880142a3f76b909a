/**
 * The step function: (flow, call state, event) → the next instruction. Pure: it runs no action
 * and touches no database; the webhook handler runs the actions it asks for and feeds their
 * outcomes back (the shape of xstate's transition()).
 */
import type { CallState } from "./call-state.js";
import type { FlowDefinition, GatherSpec, Language, PromptRef, Step, Transition } from "./flow-definition.js";
// Where each event leads is decided in the graph module, so the diagram and the path tests list
// exactly the moves made here.
import { DONE, inputWay, isMissLimit, targetOf } from "./flow-graph.js";

/** One prompt to speak: a catalogue key, its filled-in placeholders, and its language if not the call's. */
export interface SpokenPart {
  key: string;
  params?: Record<string, string>;
  language?: Language;
  /** Starts a <Say> of its own even after a part in the same voice: news, then the options. */
  breakBefore?: boolean;
}

export type CallEvent =
  | { type: "call" }
  /**
   * What the caller keyed at a gather; "" when nothing came before the timeout. `invalid`: keys
   * this gather cannot produce (webhook-input.ts), heard as a wrong key.
   */
  | { type: "input"; digits: string; invalid?: boolean }
  | { type: "dialEnded"; status: string };

export type Instruction =
  | {
      type: "run";
      action: string;
      args: Record<string, string>;
      /** The digits keyed, or the dial status, for the action to use. */
      input: string;
      transition: Transition;
      state: CallState;
    }
  | {
      type: "reply";
      state: CallState;
      say: SpokenPart[];
      gather: GatherSpec | null;
      dial: boolean;
      hangup: boolean;
    };

/** Named conditions and spoken parts computed from the state, supplied by the code. */
export interface EngineContext {
  conditions: Record<string, (state: CallState) => boolean>;
  speeches: Record<string, (state: CallState) => SpokenPart[]>;
}

export function stepOf(flow: FlowDefinition, state: CallState): Step {
  const step = flow.steps[state.step];
  if (!step) throw new Error(`call is at unknown step "${state.step}"`);
  return step;
}

export function handleEvent(
  flow: FlowDefinition,
  state: CallState,
  event: CallEvent,
  ctx: EngineContext,
): Instruction {
  if (event.type === "call") return enterStep(flow, { ...state, step: flow.start, misses: 0 }, ctx);
  const step = stepOf(flow, state);

  if (event.type === "dialEnded") {
    if (!step.dial) throw new Error(`a dial ended at step "${state.step}", which dials nobody`);
    return runOrFollow(flow, state, step.dial, event.status, ctx);
  }

  if (event.invalid) return miss(flow, state, true, ctx);
  const way = inputWay(step, event.digits, (condition) => isTrue(ctx, condition, state));
  if (!way) return miss(flow, state, event.digits !== "", ctx);
  return runOrFollow(flow, state, way, event.digits, ctx);
}

/** After the handler ran an action: follow the transition for the action's outcome. */
export function afterAction(
  flow: FlowDefinition,
  state: CallState,
  transition: Transition,
  outcome: string,
  ctx: EngineContext,
): Instruction {
  const target = targetOf(transition, outcome);
  if (!target)
    throw new Error(
      `action "${transition.action}" gave outcome "${outcome}", which the flow does not handle`,
    );
  return enterStep(flow, { ...state, step: target, misses: 0 }, ctx);
}

/** What a step does on entry: run its entry action, or ask, dial or hang up. */
export function enterStep(
  flow: FlowDefinition,
  state: CallState,
  ctx: EngineContext,
  before: SpokenPart[] = [],
): Instruction {
  const step = stepOf(flow, state);
  if (step.enter) return runOrFollow(flow, state, step.enter, "", ctx);
  return {
    type: "reply",
    state,
    say: [...before, ...promptsOf(step, state, ctx)],
    gather: step.gather ?? null,
    dial: Boolean(step.dial),
    hangup: step.hangup === true,
  };
}

function runOrFollow(
  flow: FlowDefinition,
  state: CallState,
  t: Transition,
  input: string,
  ctx: EngineContext,
): Instruction {
  if (t.action) return { type: "run", action: t.action, args: t.args ?? {}, input, transition: t, state };
  return afterAction(flow, state, t, DONE, ctx);
}

/**
 * No input or an invalid key: say so (for a wrong key) and ask again; the last miss allowed
 * ends the call politely (voice-line.md: "The third miss in a row at one step ends the call").
 */
function miss(flow: FlowDefinition, state: CallState, wrongKey: boolean, ctx: EngineContext): Instruction {
  const step = stepOf(flow, state);
  // At a step spoken in several languages (the language menu), say so in each of them.
  const inEach = (key: string): SpokenPart[] => {
    const languages = languagesOf(step);
    return languages.length === 0 ? [{ key }] : languages.map((language) => ({ key, language }));
  };
  if (isMissLimit(flow, state.misses)) {
    return enterStep(
      flow,
      { ...state, step: flow.missLimitStep, misses: 0 },
      ctx,
      inEach(flow.missLimitPrompt),
    );
  }
  return {
    type: "reply",
    state: { ...state, misses: state.misses + 1 },
    say: [...(wrongKey ? inEach(flow.missPrompt) : []), ...promptsOf(step, state, ctx)],
    gather: step.gather ?? null,
    dial: false,
    hangup: false,
  };
}

/** The languages a step's prompts name explicitly, in order. */
export function languagesOf(step: Step): Language[] {
  const named = (step.prompts ?? []).flatMap((p) =>
    typeof p === "object" && "key" in p && p.language ? [p.language] : [],
  );
  return [...new Set(named)];
}

function promptsOf(step: Step, state: CallState, ctx: EngineContext): SpokenPart[] {
  return (step.prompts ?? []).flatMap((prompt: PromptRef): SpokenPart[] => {
    if (typeof prompt === "string") return [{ key: prompt }];
    if (prompt.when && !isTrue(ctx, prompt.when, state)) return [];
    if ("speech" in prompt) {
      const speech = ctx.speeches[prompt.speech];
      if (!speech) throw new Error(`unknown speech "${prompt.speech}"`);
      return speech(state);
    }
    return [prompt.language ? { key: prompt.key, language: prompt.language } : { key: prompt.key }];
  });
}

function isTrue(ctx: EngineContext, name: string, state: CallState): boolean {
  const condition = ctx.conditions[name];
  if (!condition) throw new Error(`unknown condition "${name}"`);
  return condition(state);
}
