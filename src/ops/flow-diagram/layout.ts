/**
 * Where each step and arrow of the flow goes: dagre ranks and places the graph, and this module
 * turns its points into shapes the SVG can draw (boxes, arrow paths, label boxes). Pure, and
 * computed once per flow object.
 */
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from "@dagrejs/dagre";
import type { FlowDefinition } from "../../voice/flow-definition.js";
import { type FlowEdge, type FlowStep, type FlowTransition, flowGraph } from "../../voice/flow-graph.js";

/** Sizes in SVG user units (px at 100%); the text is measured by estimate, there is no browser here. */
export const GEOMETRY = {
  stepFontSize: 14,
  kindFontSize: 11,
  labelFontSize: 11,
  labelLineHeight: 14,
  stepHeight: 46,
  padX: 12,
  /** The loop a step's arrow back to itself makes, left of its label. */
  loopWidth: 30,
  entryRadius: 7,
  margin: 16,
} as const;

/** Wider than most glyphs of a sans serif at that size, so estimated boxes do not clip the text. */
const AVERAGE_CHAR_EM = 0.62;
/** A wrapped label line holds about this many characters; longer single labels keep their line. */
const LABEL_LINE_CHARS = 18;
const SELF_LABEL_LINE_CHARS = 28;

export interface PlacedStep extends FlowStep {
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Box {
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  labels: string[];
  transitions: FlowTransition[];
  /** The labels joined with " / " and wrapped to lines. */
  lines: string[];
  /** An SVG path from the source's border to the target's border. */
  d: string;
  /** Where the lines go: left-aligned in this box. */
  labelBox: Box;
}

export interface FlowLayout {
  width: number;
  height: number;
  steps: PlacedStep[];
  edges: PlacedEdge[];
  /** The dot and arrow into the step every call begins with. */
  entry: { cx: number; cy: number; d: string } | null;
}

// A node name no step can clash with in dagre's graph: step names come from a JSON file and may
// be any string, but never one that starts with a NUL.
const ENTRY_NODE = "\u0000entry";

const layouts = new WeakMap<FlowDefinition, FlowLayout>();

export function flowLayout(flow: FlowDefinition): FlowLayout {
  let layout = layouts.get(flow);
  if (!layout) {
    layout = computeLayout(flow);
    layouts.set(flow, layout);
  }
  return layout;
}

export function textWidth(text: string, fontSize: number): number {
  return Math.ceil([...text].length * fontSize * AVERAGE_CHAR_EM);
}

/** Greedy wrap of the labels, never splitting one: "1 (none) / 2 / 3 /", "7 (closed) / 9". */
export function wrapLabels(labels: readonly string[], lineChars = LABEL_LINE_CHARS): string[] {
  const lines: string[] = [];
  let line = "";
  for (const [index, label] of labels.entries()) {
    const piece = index < labels.length - 1 ? `${label} /` : label;
    if (line !== "" && line.length + 1 + piece.length > lineChars) {
      lines.push(line);
      line = piece;
    } else {
      line = line === "" ? piece : `${line} ${piece}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function computeLayout(flow: FlowDefinition): FlowLayout {
  const graph = flowGraph(flow);
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({
    rankdir: "TB",
    nodesep: 36,
    edgesep: 16,
    ranksep: 44,
    marginx: GEOMETRY.margin,
    marginy: GEOMETRY.margin,
  });

  for (const step of graph.steps) g.setNode(step.id, { width: stepWidth(step), height: GEOMETRY.stepHeight });
  const hasEntry = graph.steps.some((step) => step.start);
  if (hasEntry) {
    const size = GEOMETRY.entryRadius * 2;
    g.setNode(ENTRY_NODE, { width: size, height: size });
    g.setEdge(ENTRY_NODE, graph.start, { minlen: 1, weight: 4 });
  }

  const lines = new Map<FlowEdge, string[]>();
  for (const edge of graph.edges) {
    const self = edge.from === edge.to;
    // A loop's label sits beside its step, where a wide label costs less than a tall one.
    const wrapped = wrapLabels(edge.labels, self ? SELF_LABEL_LINE_CHARS : LABEL_LINE_CHARS);
    lines.set(edge, wrapped);
    g.setEdge(edge.from, edge.to, {
      width:
        Math.max(...wrapped.map((l) => textWidth(l, GEOMETRY.labelFontSize))) +
        6 +
        (self ? GEOMETRY.loopWidth : 0),
      height: wrapped.length * GEOMETRY.labelLineHeight + 4,
      // On its own line rather than beside it, where it could be read as a neighbour's label; the
      // label's halo breaks the line where it sits.
      labelpos: "c",
    });
  }

  dagre.layout(g);

  const steps = graph.steps.map((step): PlacedStep => {
    const node = g.node(step.id);
    return { ...step, x: node.x ?? 0, y: node.y ?? 0, width: node.width, height: node.height };
  });
  const byId = new Map(steps.map((step) => [step.id, step]));

  const edges = graph.edges.map((edge): PlacedEdge => {
    const label = g.edge(edge.from, edge.to) as EdgeLabel;
    const width = label.width ?? 0;
    const height = label.height ?? 0;
    const centre = { x: label.x ?? 0, y: label.y ?? 0 };
    const step = byId.get(edge.from);
    const self = edge.from === edge.to && step !== undefined;
    const box: Box = self
      ? // dagre keeps the space right of the step free up to its self-edge's label (the label's
        // dummy node comes next in the rank's order), so the label can sit just past the loop.
        {
          x: Math.min(centre.x - width / 2, step.x + step.width / 2) + GEOMETRY.loopWidth,
          y: step.y - (height - 4) / 2,
          width: width - GEOMETRY.loopWidth,
          height,
        }
      : { x: centre.x - width / 2, y: centre.y - height / 2, width, height };
    return {
      from: edge.from,
      to: edge.to,
      labels: edge.labels,
      transitions: edge.transitions,
      lines: lines.get(edge) ?? [],
      d: self ? selfLoop(step, box.x) : smoothPath(label.points ?? []),
      labelBox: box,
    };
  });

  const entryNode = hasEntry ? g.node(ENTRY_NODE) : undefined;
  const entryEdge = hasEntry ? (g.edge(ENTRY_NODE, graph.start) as EdgeLabel) : undefined;
  const entry =
    entryNode && entryEdge
      ? {
          cx: entryNode.x ?? 0,
          cy: entryNode.y ?? 0,
          // From the dot's rim, not its centre, so the line does not cross the dot.
          d: smoothPath(trimStart(entryEdge.points ?? [], GEOMETRY.entryRadius)),
        }
      : null;

  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), steps, edges, entry };
}

/** Arrows only a miss takes: drawn dashed, as the way out rather than the way through. */
export function isFallback(edge: FlowEdge): boolean {
  return edge.transitions.every((t) => t.trigger === "miss" || t.trigger === "missLimit");
}

function stepWidth(step: FlowStep): number {
  const text = Math.max(
    textWidth(step.id, GEOMETRY.stepFontSize),
    textWidth(step.kindLabel, GEOMETRY.kindFontSize),
  );
  return text + GEOMETRY.padX * 2;
}

/** An arrow that leaves the step's right side and comes back into it, bulging towards its label. */
function selfLoop(step: PlacedStep, labelLeft: number): string {
  const right = step.x + step.width / 2;
  const reach = Math.max(labelLeft - 6, right + 12);
  const dy = Math.min(10, step.height / 4);
  return `M ${n(right)} ${n(step.y - dy)} C ${n(reach)} ${n(step.y - dy - 14)} ${n(reach)} ${n(step.y + dy + 14)} ${n(right)} ${n(step.y + dy)}`;
}

/**
 * Through dagre's points with their corners rounded: each bend becomes a quadratic curve whose
 * control point is the bend, between the midpoints of the segments meeting there.
 */
export function smoothPath(points: readonly { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  if (rest.length <= 1)
    return `M ${n(first.x)} ${n(first.y)}${rest.map((p) => ` L ${n(p.x)} ${n(p.y)}`).join("")}`;
  let d = `M ${n(first.x)} ${n(first.y)}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const bend = rest[i];
    const next = rest[i + 1];
    if (!bend || !next) continue;
    d += ` Q ${n(bend.x)} ${n(bend.y)} ${n((bend.x + next.x) / 2)} ${n((bend.y + next.y) / 2)}`;
  }
  const last = rest[rest.length - 1];
  if (last) d += ` L ${n(last.x)} ${n(last.y)}`;
  return d;
}

function trimStart(points: readonly { x: number; y: number }[], by: number): { x: number; y: number }[] {
  const [a, b, ...rest] = points;
  if (!a || !b) return [...points];
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  if (length <= by) return [b, ...rest];
  const t = by / length;
  return [{ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, b, ...rest];
}

/** One decimal is enough on screen and keeps the markup short. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
