/**
 * The flow diagram: the graph has every transition the engine can take (worked out here from the
 * raw flow.json, not from the graph module), and the SVG draws every step and arrow, lights up
 * exactly one call's path, survives a path from an older flow, and escapes what the file holds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { FlowDiagram } from "../../../src/ops/flow-diagram/flow-diagram.js";
import { flowGraphDocument } from "../../../src/ops/flow-diagram/flow-graph-document.js";
import { flowLayout } from "../../../src/ops/flow-diagram/layout.js";
import { type FlowDefinition, VOICE_FLOWS_DIR } from "../../../src/voice/flow-definition.js";
import { flowGraph } from "../../../src/voice/flow-graph.js";
import { SHIPPED } from "../voice/shipped-flow.js";

const flow = SHIPPED.flow;

// ---------------------------------------------------------------------------------------------
// The expected transitions, from the file as JSON. Any object under a step that has `to` or
// `results` is a transition, wherever it sits, so a new kind of transition in the schema shows up
// here even if the graph module does not know it.

interface RawFlow {
  start: string;
  maxMisses: number;
  missLimitStep: string;
  steps: Record<string, Record<string, unknown>>;
}

const RAW = JSON.parse(readFileSync(join(VOICE_FLOWS_DIR, "flow.json"), "utf8")) as RawFlow;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "from | how | outcome → to" for every transition found by walking the raw step. */
function rawTransitions(raw: RawFlow): string[] {
  const found: string[] = [];
  const walk = (from: string, value: unknown, path: string[]) => {
    if (!isObject(value)) return;
    const to = value.to;
    const results = value.results;
    if (typeof to === "string" || isObject(results)) {
      const how = path[0] === "keys" ? `key ${path[1]}` : path.join(".");
      if (typeof to === "string") found.push(`${from} | ${how} | - → ${to}`);
      if (isObject(results)) {
        for (const [outcome, target] of Object.entries(results))
          found.push(`${from} | ${how} | ${outcome} → ${String(target)}`);
      }
      return;
    }
    for (const [name, child] of Object.entries(value)) walk(from, child, [...path, name]);
  };
  for (const [name, step] of Object.entries(raw.steps)) {
    walk(name, step, []);
    // The engine's misses (engine.ts: miss): only a gather waits for keys; it asks again, and
    // the maxMisses-th miss in a row goes to missLimitStep.
    if (isObject(step.gather)) {
      if (raw.maxMisses > 1) found.push(`${name} | miss | - → ${name}`);
      found.push(`${name} | missLimit | - → ${raw.missLimitStep}`);
    }
  }
  return found.sort();
}

function graphTransitions(definition: FlowDefinition): string[] {
  return flowGraph(definition)
    .transitions.map((t) => {
      const how = t.trigger === "key" ? `key ${t.key}` : t.trigger;
      return `${t.from} | ${how} | ${t.outcome ?? "-"} → ${t.to}`;
    })
    .sort();
}

// ---------------------------------------------------------------------------------------------
// The rendered SVG, parsed as XML, flattened to its elements.

interface Element {
  name: string;
  attrs: Record<string, string>;
  /** All text inside, tspans and titles included. */
  text: string;
  children: Element[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
});

type Ordered = Record<string, unknown>;

function toElements(entries: Ordered[]): Element[] {
  return entries.flatMap((entry) => {
    const name = Object.keys(entry).find((k) => k !== ":@");
    if (!name || name === "#text") return [];
    const children = toElements(entry[name] as Ordered[]);
    const ownText = (entry[name] as Ordered[])
      .filter((child) => "#text" in child)
      .map((child) => String(child["#text"]))
      .join("");
    return [
      {
        name,
        attrs: (entry[":@"] ?? {}) as Record<string, string>,
        text: ownText + children.map((c) => c.text).join(""),
        children,
      },
    ];
  });
}

function all(element: Element): Element[] {
  return [element, ...element.children.flatMap(all)];
}

function render(definition: FlowDefinition, path?: readonly string[]): { markup: string; svg: Element } {
  const markup = renderToString(h(FlowDiagram, { flow: definition, path }));
  expect(XMLValidator.validate(markup)).toBe(true);
  const [svg, ...rest] = toElements(parser.parse(markup) as Ordered[]);
  expect(rest).toEqual([]);
  if (!svg) throw new Error("no svg element");
  expect(svg.name).toBe("svg");
  return { markup, svg };
}

function classesOf(element: Element): string[] {
  return (element.attrs.class ?? "").split(/\s+/).filter(Boolean);
}

function stepBoxes(svg: Element): Element[] {
  return all(svg).filter((e) => classesOf(e).includes("flow-step"));
}

function arrows(svg: Element): Element[] {
  return all(svg).filter((e) => e.attrs["data-from"] !== undefined);
}

const pair = (from: string, to: string) => `${from} → ${to}`;

// ---------------------------------------------------------------------------------------------

describe("the flow graph", () => {
  it("has one transition for every transition in flow.json, and every miss the engine counts", () => {
    const expected = rawTransitions(RAW);
    // The walk itself must find the kinds the shipped flow uses, or it proves nothing.
    for (const how of ["| key 1 |", "| digits |", "| enter |", "| dial |", "| miss |", "| missLimit |"])
      expect(expected.some((line) => line.includes(how))).toBe(true);
    expect(expected.some((line) => line.includes("| ok →"))).toBe(true);
    expect(graphTransitions(flow)).toEqual(expected);
  });

  it("leads only to steps that exist, and draws one arrow per pair of steps with every label on it", () => {
    const graph = flowGraph(flow);
    const steps = new Set(Object.keys(flow.steps));
    expect(graph.steps.map((s) => s.id)).toEqual(Object.keys(flow.steps));
    for (const t of graph.transitions) {
      expect(steps.has(t.from), t.from).toBe(true);
      expect(steps.has(t.to), t.to).toBe(true);
    }
    const pairs = graph.edges.map((e) => pair(e.from, e.to));
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(new Set(pairs)).toEqual(new Set(graph.transitions.map((t) => pair(t.from, t.to))));
    for (const edge of graph.edges) {
      const labels = graph.transitions
        .filter((t) => t.from === edge.from && t.to === edge.to)
        .map((t) => t.label);
      expect(edge.labels).toEqual([...new Set(labels)]);
    }
  });

  it("labels keys, results and conditions as the caller meets them", () => {
    const labels = (from: string, to: string) =>
      flowGraph(flow).edges.find((e) => e.from === from && e.to === to)?.labels;
    expect(labels("language", "callerId")).toEqual(["1", "2", "3"]);
    expect(labels("callerId", "card")).toEqual(["unknown"]);
    expect(labels("menu", "staffCall")).toEqual(["7 (dial)"]);
    expect(labels("pin", "cardNumber")).toEqual(["ambiguous"]);
    expect(labels("afterRenewAll", "afterRenewAll")).toContain("3 if smsAvailable");
    expect(labels("menu", "goodbye")).toEqual(["*", "3rd miss"]);
    expect(labels("summary", "menu")).toEqual(["then"]);
  });

  it("answers the API with the same steps and arrows", () => {
    const document = flowGraphDocument(flow);
    expect(document.start).toBe(flow.start);
    expect(document.steps.map((s) => s.id)).toEqual(Object.keys(flow.steps));
    expect(document.edges).toContainEqual({ from: "language", to: "callerId", label: "1 / 2 / 3" });
    expect(document.edges).toHaveLength(flowGraph(flow).edges.length);
  });
});

describe("the layout", () => {
  it("is computed once per flow", () => {
    expect(flowLayout(flow)).toBe(flowLayout(flow));
  });

  it("places every step inside the drawing, with no two boxes overlapping", () => {
    const layout = flowLayout(flow);
    for (const s of layout.steps) {
      expect(s.x - s.width / 2).toBeGreaterThanOrEqual(0);
      expect(s.y - s.height / 2).toBeGreaterThanOrEqual(0);
      expect(s.x + s.width / 2).toBeLessThanOrEqual(layout.width);
      expect(s.y + s.height / 2).toBeLessThanOrEqual(layout.height);
    }
    for (const [i, a] of layout.steps.entries()) {
      for (const b of layout.steps.slice(i + 1)) {
        const apart =
          Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
    for (const edge of layout.edges) {
      expect(edge.d).toMatch(/^M [\d.]+ [\d.]+ /);
      expect(edge.lines.join(" ")).toBe(edge.labels.join(" / "));
    }
  });
});

describe("the diagram", () => {
  it("draws a box for every step and an arrow for every pair of steps a transition joins", () => {
    const { svg } = render(flow);
    const boxes = stepBoxes(svg);
    expect(boxes.map((b) => b.attrs.id).sort()).toEqual(
      Object.keys(flow.steps)
        .map((id) => `flow-step-${id}`)
        .sort(),
    );
    for (const box of boxes) {
      const id = box.attrs.id?.replace(/^flow-step-/, "") ?? "";
      expect(box.children.find((c) => c.name === "title")?.text).toContain(id);
      expect(box.text).toContain(id);
    }
    const drawn = arrows(svg).map((a) => pair(a.attrs["data-from"] ?? "", a.attrs["data-to"] ?? ""));
    expect(drawn.sort()).toEqual(
      flowGraph(flow)
        .edges.map((e) => pair(e.from, e.to))
        .sort(),
    );
    expect(all(svg).some((e) => classesOf(e).includes("visited") || classesOf(e).includes("taken"))).toBe(
      false,
    );
    // The step every call begins with is marked.
    expect(classesOf(boxes.find((b) => b.attrs.id === `flow-step-${flow.start}`) as Element)).toContain(
      "start",
    );
  });

  it("lights up exactly the steps a call visited and the arrows between consecutive steps", () => {
    const path = [
      "language",
      "callerId",
      "card",
      "pin",
      "summary",
      "menu",
      "afterRenewAll",
      "menu",
      "goodbye",
    ];
    const { svg } = render(flow, path);

    const visited = stepBoxes(svg).filter((b) => classesOf(b).includes("visited"));
    expect(visited.map((b) => b.attrs.id).sort()).toEqual(
      [...new Set(path)].map((id) => `flow-step-${id}`).sort(),
    );
    for (const box of stepBoxes(svg)) {
      const isVisited = classesOf(box).includes("visited");
      expect(box.attrs["aria-label"]?.includes("visited")).toBe(isVisited);
      expect(box.children.find((c) => c.name === "title")?.text.includes("visited")).toBe(isVisited);
    }

    const taken = arrows(svg)
      .filter((a) => classesOf(a).includes("taken"))
      .map((a) => pair(a.attrs["data-from"] ?? "", a.attrs["data-to"] ?? ""));
    const consecutive = path.slice(1).map((to, i) => pair(path[i] ?? "", to));
    expect(taken.sort()).toEqual([...new Set(consecutive)].sort());
    for (const arrow of arrows(svg).filter((a) => classesOf(a).includes("taken")))
      expect(arrow.children.find((c) => c.name === "path")?.attrs["marker-end"]).toBe(
        "url(#flow-arrow-taken)",
      );

    const starts = stepBoxes(svg).filter((b) => classesOf(b).includes("path-start"));
    expect(starts.map((b) => b.attrs.id)).toEqual(["flow-step-language"]);
  });

  it("ignores steps the flow no longer has, without inventing the moves around them", () => {
    const { svg } = render(flow, ["retired", "language", "callerId", "card", "oldStep", "pin"]);
    expect(
      stepBoxes(svg)
        .filter((b) => classesOf(b).includes("visited"))
        .map((b) => b.attrs.id)
        .sort(),
    ).toEqual(["flow-step-callerId", "flow-step-card", "flow-step-language", "flow-step-pin"]);
    const taken = arrows(svg)
      .filter((a) => classesOf(a).includes("taken"))
      .map((a) => pair(a.attrs["data-from"] ?? "", a.attrs["data-to"] ?? ""));
    // card → pin is an arrow of the flow, but this call went through "oldStep" between them.
    expect(taken.sort()).toEqual([pair("callerId", "card"), pair("language", "callerId")]);
    expect(
      stepBoxes(svg)
        .filter((b) => classesOf(b).includes("path-start"))
        .map((b) => b.attrs.id),
    ).toEqual(["flow-step-language"]);
    expect(() => render(flow, ["nowhere", "nothing"])).not.toThrow();
  });

  it("escapes step names and labels from the file", () => {
    const hostile = "<script>alert(1)</script>";
    const quote = 'bye"><img src=x onerror=alert(1)>';
    const synthetic: FlowDefinition = {
      start: hostile,
      maxMisses: 2,
      missPrompt: "invalidChoice",
      missLimitPrompt: "tooManyMisses",
      missLimitStep: quote,
      steps: {
        [hostile]: {
          prompts: ["menu.end"],
          gather: { numDigits: 1, timeout: 5 },
          keys: { "1": { action: "<b>act</b>", results: { "<ok>": quote, "&amp;": hostile } } },
        },
        [quote]: { prompts: ["goodbye"], hangup: true },
      },
    };
    const { markup, svg } = render(synthetic, [hostile, quote]);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img");
    expect(markup).not.toContain("<b>");
    expect(markup).toContain("&lt;script>alert(1)&lt;/script>");
    expect(all(svg).some((e) => ["script", "img", "b"].includes(e.name))).toBe(false);
    expect(stepBoxes(svg).map((b) => b.attrs.id)).toEqual([`flow-step-${hostile}`, `flow-step-${quote}`]);
    expect(svg.text).toContain("1 (<ok>)");
    expect(svg.text).toContain("1 (&amp;)");
    expect(
      arrows(svg)
        .filter((a) => classesOf(a).includes("taken"))
        .map((a) => pair(a.attrs["data-from"] ?? "", a.attrs["data-to"] ?? "")),
    ).toEqual([pair(hostile, quote)]);
  });
});
