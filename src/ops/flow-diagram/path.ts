/**
 * Which steps and arrows one call's path lights up. The path comes from recorded calls, which
 * may predate a change to the flow: a step the flow no longer has is skipped, and a move between
 * two steps that the flow has no arrow for lights nothing.
 */
import type { FlowDefinition } from "../../voice/flow-definition.js";
import { flowGraph } from "../../voice/flow-graph.js";

export interface PathHighlight {
  /** The first step of the path that the flow still has. */
  first: string | null;
  visitedCount: number;
  isVisited(stepId: string): boolean;
  isTaken(from: string, to: string): boolean;
}

export function highlightPath(flow: FlowDefinition, path: readonly string[]): PathHighlight {
  const graph = flowGraph(flow);
  const known = new Set(graph.steps.map((step) => step.id));
  const arrows = new Set(graph.edges.map((edge) => pairKey(edge.from, edge.to)));
  const visited = new Set(path.filter((step) => known.has(step)));
  const taken = new Set<string>();
  // Only steps next to each other in the path: an unknown step between two known ones breaks the
  // chain rather than inventing a move the call never made.
  for (let i = 1; i < path.length; i++) {
    const key = pairKey(path[i - 1] ?? "", path[i] ?? "");
    if (arrows.has(key)) taken.add(key);
  }
  return {
    first: path.find((step) => known.has(step)) ?? null,
    visitedCount: visited.size,
    isVisited: (stepId) => visited.has(stepId),
    isTaken: (from, to) => taken.has(pairKey(from, to)),
  };
}

function pairKey(from: string, to: string): string {
  return JSON.stringify([from, to]);
}
