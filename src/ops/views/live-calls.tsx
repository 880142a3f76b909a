/** The live calls page: the list as it stands when the page loads, kept up to date by live.js. */
import type { VNode } from "preact";
import type { LiveCall } from "../console-data/live-calls.js";
import { formatDuration, formatTime, languageLabel } from "./format.js";
import { Layout, type Viewer } from "./page.js";

/** One call as the page and the event stream show it (the same fields, so live.js draws the same rows). */
export interface LiveCallView {
  callSid: string;
  startedAt: string;
  started: string;
  step: string;
  language: string;
  card: string;
}

export function liveCallViews(calls: LiveCall[], timeZone: string): LiveCallView[] {
  return calls.map((call) => ({
    callSid: call.callSid,
    startedAt: call.startedAt.toISOString(),
    started: formatTime(call.startedAt, timeZone),
    step: call.step,
    language: languageLabel(call.language),
    card: call.cardLastFour ? `…${call.cardLastFour}` : "",
  }));
}

export function LiveCallsPage(props: { viewer: Viewer; calls: LiveCallView[]; now: Date }): VNode {
  return (
    <Layout title="Live calls" viewer={props.viewer} active="live" scripts={["/ops/assets/live.js"]}>
      <p class="live-status muted" id="live-status" aria-live="polite">
        {props.calls.length === 1 ? "1 call in progress." : `${props.calls.length} calls in progress.`}
      </p>
      <table id="live-calls" data-stream="/ops/live/events" data-now={props.now.toISOString()}>
        <thead>
          <tr>
            <th>Started</th>
            <th>Duration</th>
            <th>Step</th>
            <th>Language</th>
            <th>Card</th>
            <th>Call</th>
          </tr>
        </thead>
        <tbody>
          {props.calls.map((call) => (
            <tr data-call-sid={call.callSid} data-started-at={call.startedAt}>
              <td>{call.started}</td>
              <td class="num duration">
                {formatDuration((props.now.getTime() - Date.parse(call.startedAt)) / 1000)}
              </td>
              <td>{call.step}</td>
              <td>{call.language}</td>
              <td>{call.card}</td>
              <td>
                <a href={`/ops/calls/${encodeURIComponent(call.callSid)}`}>{call.callSid}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
