/** One call: its facts, its timeline, its renewals with their TRNs, and its path through the flow. */
import type { ComponentChildren, VNode } from "preact";
import { formatCentsAsHkd } from "../../money/hkd.js";
import type { RenewalTransactionRecord } from "../../renewals/renewal-records.js";
import { formatTrn } from "../../renewals/trn.js";
import type { CallDetail } from "../console-data/call-detail.js";
import { describeEvent } from "./call-events.js";
import { formatDuration, formatTime, languageLabel, outcomeLabel } from "./format.js";
import { Layout, type Viewer } from "./page.js";
import { reasonView } from "./reasons.js";

export function RenewalItems(props: { record: RenewalTransactionRecord }): VNode {
  return (
    <table class="renewal-items">
      <thead>
        <tr>
          <th>Item</th>
          <th>Title</th>
          <th>Was due</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {props.record.results.map((item) => (
          <tr>
            <td>{item.barcode}</td>
            <td>{item.title}</td>
            <td>{item.oldDueOn}</td>
            <td>
              {item.outcome === "renewed" ? (
                <span class="ok">Renewed to {item.newDueOn}</span>
              ) : (
                <span class="refused">
                  Refused:{" "}
                  {item.reasons
                    .map(reasonView)
                    .map((reason) => `${reason.text} (${reason.code})`)
                    .join("; ")}
                </span>
              )}
              {item.chargeRecordedCents > 0 && (
                <span class="muted">
                  {" "}
                  (overdue charge {formatCentsAsHkd(item.chargeRecordedCents)} recorded)
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CallDetailPage(props: {
  viewer: Viewer;
  timeZone: string;
  detail: CallDetail;
  diagram?: ComponentChildren;
}): VNode {
  const { call, events, renewals } = props.detail;
  return (
    <Layout title={`Call ${call.callSid}`} viewer={props.viewer} active="calls">
      <section class="card" aria-label="The call">
        <dl class="facts">
          <dt>Started</dt>
          <dd>{formatTime(call.startedAt, props.timeZone)}</dd>
          <dt>Ended</dt>
          <dd>{call.endedAt ? formatTime(call.endedAt, props.timeZone) : "In progress"}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(call.durationSeconds)}</dd>
          <dt>Twilio status</dt>
          <dd>{call.status}</dd>
          <dt>Outcome</dt>
          <dd id="call-outcome">{outcomeLabel(call.outcome)}</dd>
          <dt>Language</dt>
          <dd>{languageLabel(call.language)}</dd>
          <dt>Reader</dt>
          <dd>{call.cardLastFour ? `Card ending ${call.cardLastFour}` : "Not logged in"}</dd>
        </dl>
      </section>

      <h2>Renewals</h2>
      {renewals.length === 0 ? (
        <p class="muted">This call renewed nothing.</p>
      ) : (
        renewals.map((record) => (
          <section class="card renewal" data-trn={record.trn}>
            <p>
              TRN{" "}
              <a class="trn" href={`/ops/trn?trn=${record.trn}`}>
                {formatTrn(record.trn)}
              </a>{" "}
              at {formatTime(record.createdAt, props.timeZone)},{" "}
              {record.selection === "all" ? "renew all" : "one item"}
              {record.accountBlocks.length > 0 && (
                <span class="refused">
                  {" "}
                  (account blocked: {record.accountBlocks.map((code) => reasonView(code).text).join("; ")})
                </span>
              )}
            </p>
            <RenewalItems record={record} />
          </section>
        ))
      )}

      <h2>Timeline</h2>
      <table id="timeline">
        <thead>
          <tr>
            <th>Time</th>
            <th>Step</th>
            <th>What happened</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr class={`event-${event.kind}`}>
              <td>{formatTime(event.at, props.timeZone)}</td>
              <td>{event.step ?? ""}</td>
              <td>{describeEvent(event)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {props.diagram && (
        <>
          <h2>The path through the flow</h2>
          <div class="diagram">{props.diagram}</div>
        </>
      )}
    </Layout>
  );
}

/** A page for a call that is not there (a mistyped or old link). */
export function CallNotFoundPage(props: { viewer: Viewer }): VNode {
  return (
    <Layout title="Call not found" viewer={props.viewer} active="calls">
      <p role="alert" class="error">
        No call has this identifier. <a href="/ops/calls">Back to the call log</a>
      </p>
    </Layout>
  );
}
