/**
 * Runs one webhook's event through the flow: steps the pure engine, runs each action it asks for,
 * and renders the reply it ends on. Records the call events along the way.
 */

import type { Transaction } from "../db/database.js";
import type { LibrarySystem } from "../library-system/library-system.js";
import { ACTIONS, engineContext } from "./actions/index.js";
import type { ActionContext, CallEventRecord } from "./actions/types.js";
import type { PinPrecheck } from "./authentication.js";
import type { CallState } from "./call-state.js";
import { afterAction, type CallEvent, handleEvent, type Instruction, type SpokenPart } from "./engine.js";
import type { FlowDefinition } from "./flow-definition.js";
import type { PinCheckSlots } from "./pin-check-slots.js";
import { promptText, renderDial, renderGather, renderHangup } from "./twiml.js";
import type { VoiceRouterOptions } from "./webhooks.js";

// A flow that runs actions in a loop without ever asking the caller is a bug; stop it.
const MAX_INSTRUCTIONS = 25;

/** The key event of an input: never which digits at a digits step (card, PIN), whatever the flow file says. */
export function keyEvent(
  flow: FlowDefinition,
  state: CallState,
  input: { digits: string; invalid?: boolean },
): CallEventRecord {
  const step = flow.steps[state.step];
  const sensitive = step?.sensitive === true || step?.digits !== undefined;
  // Keys the gather could not have produced are not stored as typed: they may be anything.
  const detail = input.invalid
    ? { invalidKeys: true }
    : input.digits === ""
      ? { noInput: true }
      : sensitive
        ? { keyed: "masked" }
        : { key: input.digits };
  return { kind: "key", step: state.step, detail };
}

export interface RunContext {
  /** The webhook's transaction, which every action runs in. */
  tx: Transaction;
  callSid: string;
  seq: number;
  events: CallEventRecord[];
  /** The PIN keyed at this webhook, checked before the transaction (pin-precheck.ts). */
  pinPrecheck: PinPrecheck | null;
  /** The caller's number, for the caller ID shortcut only (ActionContext.callerNumber). */
  callerNumber: string | null;
}

export async function runToReply(
  options: VoiceRouterOptions & { pinChecks: PinCheckSlots; library: LibrarySystem },
  start: CallState,
  event: CallEvent,
  run: RunContext,
): Promise<{ state: CallState; twiml: string }> {
  const { flow, catalogues } = options.voiceFlow;
  const ctx = engineContext(options);
  const said: SpokenPart[] = [];
  let previousStep = start.step;
  let instruction: Instruction = handleEvent(flow, start, event, ctx);

  for (let i = 0; i < MAX_INSTRUCTIONS; i++) {
    if (instruction.state.step !== previousStep || (event.type === "call" && i === 0)) {
      previousStep = instruction.state.step;
      run.events.push({ kind: "step", step: previousStep });
    }
    if (instruction.type === "reply") return renderReply(options, instruction, said, run.seq);
    const action = ACTIONS[instruction.action];
    if (!action) throw new Error(`unknown action "${instruction.action}"`);
    const actionContext: ActionContext = {
      ...options,
      db: run.tx,
      callSid: run.callSid,
      seq: run.seq,
      text: (key, language, params) => promptText(catalogues, key, language, params),
      record: (e) => run.events.push({ ...e, step: e.step ?? instruction.state.step }),
      pinPrecheck: run.pinPrecheck,
      callerNumber: run.callerNumber,
    };
    const result = await action(actionContext, instruction.state, instruction.input, instruction.args);
    said.push(...result.say);
    instruction = afterAction(flow, result.state, instruction.transition, result.outcome, ctx);
  }
  throw new Error("the flow ran too many actions without asking the caller");
}

/**
 * The reply to an event that runs no action (a menu key, a wrong key, the options again), with
 * the step event it records: the engine alone, no database. Null when the event runs an action,
 * which only runToReply, in a transaction, may do.
 */
export function replyWithoutActions(
  options: VoiceRouterOptions & { library: LibrarySystem },
  start: CallState,
  event: CallEvent,
  run: Pick<RunContext, "seq" | "events">,
): { state: CallState; twiml: string } | null {
  if (event.type === "call") return null;
  const instruction = handleEvent(options.voiceFlow.flow, start, event, engineContext(options));
  if (instruction.type !== "reply") return null;
  if (instruction.state.step !== start.step) run.events.push({ kind: "step", step: instruction.state.step });
  return renderReply(options, instruction, [], run.seq);
}

/** The TwiML of the step the call stopped at, after what the actions said on the way. */
function renderReply(
  options: VoiceRouterOptions,
  instruction: Extract<Instruction, { type: "reply" }>,
  said: SpokenPart[],
  seq: number,
): { state: CallState; twiml: string } {
  const { catalogues } = options.voiceFlow;
  const state = instruction.state;
  // The news the actions spoke and the step's own prompts are separate <Say>s: a caller who
  // knows the keys hears the news (the reference number) and presses ahead of the options.
  const [firstPrompt, ...otherPrompts] = instruction.say;
  const parts =
    said.length > 0 && firstPrompt
      ? [...said, { ...firstPrompt, breakBefore: true }, ...otherPrompts]
      : [...said, ...instruction.say];
  const target = { catalogues, language: state.language };
  // The call's language rides on the URL once chosen (signed by Twilio with the rest), so
  // that a webhook turned away before it reads the call is still answered in that language.
  const lang = state.languageChosen ? `&lang=${state.language}` : "";
  const nextUrl = (path: string) => `${options.publicBaseUrl}/voice/${path}?seq=${seq + 1}${lang}`;
  if (instruction.gather)
    return { state, twiml: renderGather(parts, instruction.gather, nextUrl("step"), target) };
  if (instruction.dial && options.staff.phoneNumber) {
    return { state, twiml: renderDial(parts, options.staff.phoneNumber, nextUrl("dial"), target) };
  }
  return { state, twiml: renderHangup(parts, target) };
}
