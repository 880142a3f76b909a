/**
 * GET /ops/api/flow: the graph the diagram draws (src/voice/flow-graph.ts), as the console's API
 * gives it. Its shape is the console's promise to API readers; the graph's own may change.
 */
import type { FlowDefinition } from "../../voice/flow-definition.js";
import { type FlowTransition, flowGraph, type StepKind } from "../../voice/flow-graph.js";

/** The same graph the diagram draws, as data. */
export interface FlowGraphDocument {
  start: string;
  maxMisses: number;
  missLimitStep: string;
  steps: { id: string; kind: StepKind; label: string; start: boolean; sensitive: boolean }[];
  edges: { from: string; to: string; label: string }[];
  transitions: FlowTransition[];
}

export function flowGraphDocument(flow: FlowDefinition): FlowGraphDocument {
  const graph = flowGraph(flow);
  return {
    start: graph.start,
    maxMisses: flow.maxMisses,
    missLimitStep: flow.missLimitStep,
    steps: graph.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      label: s.kindLabel,
      start: s.start,
      sensitive: s.sensitive,
    })),
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, label: e.labels.join(" / ") })),
    transitions: graph.transitions,
  };
}
