/** The shipped voice-flows/ and small lookups into it, shared by the voice unit suites. */
import { SITUATIONS, VOCABULARY } from "../../../src/voice/actions/index.js";
import type { EngineContext, SpokenPart } from "../../../src/voice/engine.js";
import {
  type FlowDefinition,
  loadVoiceFlow,
  type Step,
  type Transition,
} from "../../../src/voice/flow-definition.js";

export const SHIPPED = loadVoiceFlow(VOCABULARY);

export function stepIn(flow: FlowDefinition, name: string): Step {
  const step = flow.steps[name];
  if (!step) throw new Error(`the flow has no step "${name}"`);
  return step;
}

export function keyIn(flow: FlowDefinition, stepName: string, key: string): Transition {
  const transition = stepIn(flow, stepName).keys?.[key];
  if (!transition) throw new Error(`step "${stepName}" has no key "${key}"`);
  return transition;
}

/** What the stub `offeredItem` speech says: a fixed part, so tests can find it in a reply. */
export const OFFERED_ITEM: SpokenPart = {
  key: "itemOffer.item",
  params: { title: "The Sea, the Sea", date: "Friday 7 March" },
};

/** What the stub `recognisedCard` speech says: the caller ID shortcut's offer. */
export const RECOGNISED_CARD: SpokenPart = { key: "callerPin.prompt", params: { card: "0 0 0 1" } };

/**
 * The engine's context without the app: `smsAvailable` is what the test says it is; the other
 * conditions are the line's own, read from the call state; the library system is embedded's
 * (HKID digits accepted).
 */
export function stubContext(smsAvailable: boolean): EngineContext {
  return {
    conditions: {
      ...SITUATIONS,
      smsAvailable: () => smsAvailable,
      hkidAccepted: () => true,
      cardOnly: () => false,
    },
    speeches: { offeredItem: () => [OFFERED_ITEM], recognisedCard: () => [RECOGNISED_CARD] },
  };
}
