/**
 * The flow drawn as SVG from its cached layout, optionally with the path one call took. Styled by
 * presentation attributes so it reads the same without the stylesheet; the classes (visited,
 * taken, path-start) are there for the stylesheet and for tests.
 */
import type { VNode } from "preact";
import type { FlowDefinition } from "../../voice/flow-definition.js";
import { flowLayout, GEOMETRY, isFallback, type PlacedEdge, type PlacedStep } from "./layout.js";
import { highlightPath } from "./path.js";

const INK = "#1c2430";
const MUTED = "#5b6675";
const LINE = "#8b95a3";
const ACCENT = "#0b5cad";
const VISITED_FILL = "#e3eefb";
const PAPER = "#ffffff";

export interface FlowDiagramProps {
  flow: FlowDefinition;
  /** The step ids one call visited, in order; steps no longer in the flow are left out. */
  path?: readonly string[] | undefined;
}

/** The id a step's box has in the page, for links such as `#flow-step-menu`. */
export function stepElementId(stepId: string): string {
  return `flow-step-${stepId}`;
}

export function FlowDiagram(props: FlowDiagramProps): VNode {
  const layout = flowLayout(props.flow);
  const highlight = highlightPath(props.flow, props.path ?? []);
  // Taken arrows last, so they are drawn over the ones they cross.
  const edges = [...layout.edges].sort(
    (a, b) => Number(highlight.isTaken(a.from, a.to)) - Number(highlight.isTaken(b.from, b.to)),
  );
  const summary = props.path
    ? `The call flow, ${layout.steps.length} steps; this call visited ${highlight.visitedCount} of them.`
    : `The call flow, ${layout.steps.length} steps.`;

  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      class="flow-diagram"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
    >
      <title>{summary}</title>
      <defs>
        <Arrowhead id="flow-arrow" fill={LINE} />
        <Arrowhead id="flow-arrow-taken" fill={ACCENT} />
      </defs>
      {layout.entry && (
        <g class="flow-entry">
          <circle cx={layout.entry.cx} cy={layout.entry.cy} r={GEOMETRY.entryRadius} fill={INK} />
          <path
            d={layout.entry.d}
            fill="none"
            stroke={INK}
            stroke-width={1.5}
            marker-end="url(#flow-arrow)"
          />
        </g>
      )}
      <g class="flow-edges">
        {edges.map((edge) => (
          <EdgePath edge={edge} taken={highlight.isTaken(edge.from, edge.to)} />
        ))}
      </g>
      {/* Above every line, so no arrow is drawn across another's label. */}
      <g class="flow-edge-labels">
        {edges.map((edge) => (
          <EdgeLabel edge={edge} taken={highlight.isTaken(edge.from, edge.to)} />
        ))}
      </g>
      <g class="flow-steps">
        {layout.steps.map((step) => (
          <StepBox
            step={step}
            visited={highlight.isVisited(step.id)}
            pathStart={highlight.first === step.id}
          />
        ))}
      </g>
    </svg>
  );
}

function Arrowhead(props: { id: string; fill: string }): VNode {
  return (
    <marker
      id={props.id}
      viewBox="0 0 10 10"
      refX="9"
      refY="5"
      markerWidth="7"
      markerHeight="7"
      markerUnits="strokeWidth"
      orient="auto"
    >
      <path d="M 0 0 L 10 5 L 0 10 z" fill={props.fill} />
    </marker>
  );
}

function StepBox(props: { step: PlacedStep; visited: boolean; pathStart: boolean }): VNode {
  const { step, visited, pathStart } = props;
  const left = step.x - step.width / 2;
  const top = step.y - step.height / 2;
  const classes = ["flow-step", `kind-${step.kind}`];
  if (step.start) classes.push("start");
  if (step.sensitive) classes.push("sensitive");
  if (visited) classes.push("visited");
  if (pathStart) classes.push("path-start");
  const notes = [
    step.kindLabel,
    step.start ? "every call begins here" : null,
    step.sensitive ? "keys typed here are never recorded" : null,
    visited ? "visited" : null,
    pathStart ? "where this call began" : null,
  ].filter((note): note is string => note !== null);
  const description = `${step.id}: ${notes.join("; ")}`;

  return (
    <g id={stepElementId(step.id)} class={classes.join(" ")} aria-label={description}>
      <title>{description}</title>
      <rect
        x={left}
        y={top}
        width={step.width}
        height={step.height}
        rx={8}
        fill={visited ? VISITED_FILL : PAPER}
        stroke={visited ? ACCENT : MUTED}
        stroke-width={pathStart ? 3 : visited ? 2 : 1}
      />
      <text
        x={step.x}
        y={top + 19}
        text-anchor="middle"
        font-size={GEOMETRY.stepFontSize}
        font-weight={700}
        fill={INK}
      >
        {step.id}
      </text>
      <text x={step.x} y={top + 36} text-anchor="middle" font-size={GEOMETRY.kindFontSize} fill={MUTED}>
        {step.kindLabel}
      </text>
    </g>
  );
}

function EdgePath(props: { edge: PlacedEdge; taken: boolean }): VNode {
  const { edge, taken } = props;
  const fallback = isFallback(edge);
  const classes = ["flow-edge", ...(fallback ? ["fallback"] : []), ...(taken ? ["taken"] : [])];
  const description = `${edge.from} → ${edge.to}: ${edge.transitions.map(briefly).join("; ")}${taken ? " (taken by this call)" : ""}`;
  return (
    <g class={classes.join(" ")} data-from={edge.from} data-to={edge.to}>
      <title>{description}</title>
      <path
        d={edge.d}
        fill="none"
        stroke={taken ? ACCENT : LINE}
        stroke-width={taken ? 2.5 : 1.25}
        stroke-dasharray={fallback && !taken ? "5 4" : undefined}
        marker-end={taken ? "url(#flow-arrow-taken)" : "url(#flow-arrow)"}
      />
    </g>
  );
}

/** Centred on its arrow, with a halo of paper that interrupts the lines it sits on. */
function EdgeLabel(props: { edge: PlacedEdge; taken: boolean }): VNode {
  const { edge, taken } = props;
  const box = edge.labelBox;
  const self = edge.from === edge.to;
  const x = self ? box.x + 3 : box.x + box.width / 2;
  return (
    <text
      class={taken ? "flow-edge-label taken" : "flow-edge-label"}
      x={x}
      y={box.y}
      text-anchor={self ? "start" : "middle"}
      font-size={GEOMETRY.labelFontSize}
      fill={taken ? ACCENT : INK}
      font-weight={taken ? 700 : 400}
      stroke={PAPER}
      stroke-width={4}
      stroke-linejoin="round"
      paint-order="stroke"
    >
      {edge.lines.map((line, index) => (
        <tspan x={x} y={box.y + (index + 1) * GEOMETRY.labelLineHeight - 1}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

function briefly(t: PlacedEdge["transitions"][number]): string {
  return t.action ? `${t.label} (${t.action})` : t.label;
}
