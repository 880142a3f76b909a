/**
 * "The flow": voice-flows/flow.json as the line runs it, drawn as a diagram, and the same steps and
 * transitions as a table for reading, searching and screen readers.
 */
import type { VNode } from "preact";
import type { FlowDefinition } from "../../voice/flow-definition.js";
import { type FlowStep, type FlowTransition, flowGraph, ordinal } from "../../voice/flow-graph.js";
import { FlowDiagram, stepElementId } from "../flow-diagram/flow-diagram.js";
import { Layout, type Viewer } from "./page.js";

export function FlowPage(props: { viewer: Viewer; flow: FlowDefinition }): VNode {
  const { flow } = props;
  const graph = flowGraph(flow);
  return (
    <Layout title="The flow" viewer={props.viewer} active="flow">
      <p class="muted">
        What a caller goes through, read from <code>voice-flows/flow.json</code>, the file the line runs.
        Every call begins at <a href={`#${stepElementId(flow.start)}`}>{flow.start}</a>. Arrows are labelled
        with the key pressed, or the result of the step's action. Dashed arrows are misses: no key in time, or
        a key that does nothing there. After a miss the step asks again; the {ordinal(flow.maxMisses)} miss in
        a row goes to {flow.missLimitStep}.
      </p>
      <div class="diagram">
        <FlowDiagram flow={flow} />
      </div>
      <h2>Steps and transitions</h2>
      <table class="flow-steps">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Kind</th>
            <th scope="col">Key or event</th>
            <th scope="col">Runs</th>
            <th scope="col">Result</th>
            <th scope="col">Goes to</th>
          </tr>
        </thead>
        {graph.steps.map((step) => (
          <StepRows
            step={step}
            transitions={graph.transitions.filter((t) => t.from === step.id)}
            flow={flow}
          />
        ))}
      </table>
    </Layout>
  );
}

/** One tbody per step, so its name and kind span its transitions' rows. */
function StepRows(props: { step: FlowStep; transitions: FlowTransition[]; flow: FlowDefinition }): VNode {
  const { step, transitions, flow } = props;
  const rows = transitions.length === 0 ? [null] : transitions;
  return (
    <tbody id={rowId(step.id)}>
      {rows.map((t, index) => (
        <tr>
          {index === 0 && (
            <>
              <th scope="rowgroup" rowSpan={rows.length}>
                {step.id}
              </th>
              <td rowSpan={rows.length}>
                {step.kindLabel}
                {step.start && <div class="muted">every call begins here</div>}
                {step.sensitive && <div class="muted">keys typed here are never recorded</div>}
              </td>
            </>
          )}
          {t ? (
            <>
              <td>{eventOf(t, flow)}</td>
              <td>{runsOf(t, flow)}</td>
              <td>{t.outcome ?? ""}</td>
              <td>
                <a href={`#${rowId(t.to)}`}>{t.to}</a>
              </td>
            </>
          ) : (
            <td colSpan={4} class="muted">
              {step.kind === "hangup" ? "The call ends." : "Nothing leads on from here."}
            </td>
          )}
        </tr>
      ))}
    </tbody>
  );
}

function rowId(stepId: string): string {
  return `flow-row-${stepId}`;
}

function eventOf(t: FlowTransition, flow: FlowDefinition): string {
  switch (t.trigger) {
    case "key":
      return t.when ? `key ${t.key} (only if ${t.when})` : `key ${t.key}`;
    case "digits":
      return "digits typed";
    case "enter":
      return "on arrival";
    case "dial":
      return "the staff call ends";
    case "miss":
      return "a miss";
    case "missLimit":
      return `the ${ordinal(flow.maxMisses)} miss in a row`;
  }
}

function runsOf(t: FlowTransition, flow: FlowDefinition): string {
  if (t.trigger === "miss") return `asks again (after a wrong key, says ${flow.missPrompt} first)`;
  if (t.trigger === "missLimit") return `says ${flow.missLimitPrompt}`;
  if (!t.action) return "";
  const args = Object.entries(t.args ?? {}).map(([name, value]) => `${name}: ${value}`);
  return args.length > 0 ? `${t.action} (${args.join(", ")})` : t.action;
}
