/**
 * The statistics page: a form for the period, the headline figures, and one chart per figure.
 * Each chart is a <canvas> whose data sits in `data-chart` (JSON, escaped by preact as any
 * attribute) for statistics.js to draw with Chart.js; under it, a table of the same figures, which
 * is what the page says without JavaScript.
 */
import type { ComponentChildren, VNode } from "preact";
import { type Statistics, TOP_REFUSAL_REASONS } from "../console-data/statistics.js";
import { CALL_OUTCOMES, formatDuration, outcomeLabel } from "./format.js";
import { Layout, type Viewer } from "./page.js";
import { reasonView } from "./reasons.js";

export const STATISTICS_SCRIPTS = ["/ops/assets/vendor/chart.umd.min.js", "/ops/assets/statistics.js"];

function refusalLabel(code: string): string {
  return reasonView(code).text;
}

/** What statistics.js reads from `data-chart`. */
export interface ChartSpec {
  type: "bar" | "doughnut";
  /** Bars run across, for long labels. */
  horizontal?: boolean;
  /** "seconds" values read as m:ss in tooltips and on the axis. */
  unit?: "seconds";
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  /** One per label, for a doughnut whose parts mean good or bad. */
  tones?: ("good" | "bad")[];
}

export function StatisticsPage(props: {
  viewer: Viewer;
  /** The dates in the form: the period shown, or what was typed when it was refused. */
  form: { from: string; to: string };
  error?: string | undefined;
  statistics?: Statistics | undefined;
}): VNode {
  const { statistics } = props;
  return (
    <Layout
      title="Statistics"
      viewer={props.viewer}
      active="statistics"
      scripts={statistics ? STATISTICS_SCRIPTS : undefined}
    >
      <form method="get" action="/ops/statistics" class="filters">
        <label>
          From <input type="date" name="from" value={props.form.from} required />
        </label>
        <label>
          To <input type="date" name="to" value={props.form.to} required />
        </label>
        <button type="submit">Show</button>
      </form>
      {props.error && (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
      {statistics && <Figures statistics={statistics} />}
    </Layout>
  );
}

function Figures({ statistics: s }: { statistics: Statistics }): VNode {
  return (
    <>
      <p class="muted">
        Calls that started from {s.period.from} to {s.period.to} (both days included), library time (
        {s.period.timeZone}). A call counts on the day and hour it started, whenever it ended.
      </p>
      <dl class="facts card" id="headline">
        <dt>Calls</dt>
        <dd>{s.calls}</dd>
        <dt>Average call duration</dt>
        <dd>{averageDuration(s)}</dd>
        <dt>Renewals per call</dt>
        <dd>{renewalsPerCall(s)}</dd>
        <dt>Logins failed</dt>
        <dd>{failedLogins(s)}</dd>
      </dl>
      <div class="charts">
        <CallsByHour statistics={s} />
        <Outcomes statistics={s} />
        <Durations statistics={s} />
        <RenewalsPerCall statistics={s} />
        <Logins statistics={s} />
        <RefusalReasons statistics={s} />
      </div>
    </>
  );
}

function Chart(props: { title: string; spec: ChartSpec }): VNode {
  // Hidden until statistics.js draws it: without JavaScript, the table alone.
  return <canvas data-chart={JSON.stringify(props.spec)} role="img" aria-label={props.title} hidden />;
}

/** One figure: its heading, what it counts, its chart, and then `children`, its table. */
function ChartCard(props: {
  id: string;
  heading: string;
  note: ComponentChildren;
  chart: { title: string; spec: ChartSpec };
  children: ComponentChildren;
}): VNode {
  return (
    <section class="card" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>{props.heading}</h2>
      <p class="muted">{props.note}</p>
      <Chart title={props.chart.title} spec={props.chart.spec} />
      {props.children}
    </section>
  );
}

/** A table of counts: a label and a number a row, and totals in the foot. */
function CountTable(props: {
  id: string;
  head: [label: string, count: string];
  rows: [label: ComponentChildren, count: ComponentChildren][];
  foot?: [label: string, value: ComponentChildren][];
}): VNode {
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th>{props.head[0]}</th>
          <th class="num">{props.head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map(([label, count]) => (
          <tr>
            <td>{label}</td>
            <td class="num">{count}</td>
          </tr>
        ))}
      </tbody>
      {props.foot && (
        <tfoot>
          {props.foot.map(([label, value]) => (
            <tr>
              <th>{label}</th>
              <td class="num">{value}</td>
            </tr>
          ))}
        </tfoot>
      )}
    </table>
  );
}

function CallsByHour({ statistics: s }: { statistics: Statistics }): VNode {
  const hours = s.callsByHour.map((h) => `${String(h.hour).padStart(2, "0")}:00`);
  return (
    <ChartCard
      id="calls-by-hour"
      heading="Calls per hour"
      note="Calls by the hour of the day they started, in library time."
      chart={{
        title: "Calls per hour of the day",
        spec: {
          type: "bar",
          labels: hours,
          datasets: [{ label: "Calls", data: s.callsByHour.map((h) => h.calls) }],
        },
      }}
    >
      <CountTable
        id="calls-by-hour"
        head={["Hour", "Calls"]}
        rows={s.callsByHour.map((h, i) => [hours[i], h.calls])}
      />
    </ChartCard>
  );
}

/** Every known outcome, zeros included, then any other the database holds, then in progress. */
function outcomeRows(s: Statistics): { label: string; calls: number }[] {
  const counted = new Map(s.outcomes.map((o) => [o.outcome, o.calls]));
  const known = new Set<string | null>(CALL_OUTCOMES);
  const others = s.outcomes.map((o) => o.outcome).filter((o) => o !== null && !known.has(o));
  return [...CALL_OUTCOMES, ...others, null].map((outcome) => ({
    label: outcomeLabel(outcome),
    calls: counted.get(outcome) ?? 0,
  }));
}

function Outcomes({ statistics: s }: { statistics: Statistics }): VNode {
  const rows = outcomeRows(s);
  return (
    <ChartCard
      id="outcomes"
      heading="Outcomes"
      note={
        <>
          How the calls ended. In progress: the telephone service has not yet reported the end of the call. A
          call that renewed anything counts as renewed (all), partly renewed or nothing renewed, whatever else
          happened in it.
        </>
      }
      chart={{
        title: "Calls by outcome",
        spec: {
          type: "bar",
          horizontal: true,
          labels: rows.map((r) => r.label),
          datasets: [{ label: "Calls", data: rows.map((r) => r.calls) }],
        },
      }}
    >
      <CountTable
        id="outcomes"
        head={["Outcome", "Calls"]}
        rows={rows.map((r) => [r.label, r.calls])}
        foot={[["All calls", s.calls]]}
      />
    </ChartCard>
  );
}

function Durations({ statistics: s }: { statistics: Statistics }): VNode {
  const byOutcome = [...s.duration.byOutcome].sort(
    (a, b) => outcomeOrder(a.outcome) - outcomeOrder(b.outcome) || a.outcome.localeCompare(b.outcome),
  );
  return (
    <ChartCard
      id="durations"
      heading="Average call duration"
      note={
        <>
          The mean length of the ended calls the telephone service reported a duration for, by outcome and
          overall. Calls in progress are not counted.
        </>
      }
      chart={{
        title: "Average call duration by outcome",
        spec: {
          type: "bar",
          horizontal: true,
          unit: "seconds",
          labels: [...byOutcome.map((d) => outcomeLabel(d.outcome)), "All closed calls"],
          datasets: [
            {
              label: "Average duration",
              data: [...byOutcome.map((d) => d.averageSeconds), s.duration.averageSeconds],
            },
          ],
        },
      }}
    >
      <table id="durations">
        <thead>
          <tr>
            <th>Outcome</th>
            <th class="num">Closed calls</th>
            <th class="num">Average duration</th>
          </tr>
        </thead>
        <tbody>
          {byOutcome.map((d) => (
            <tr>
              <td>{outcomeLabel(d.outcome)}</td>
              <td class="num">{d.timedCalls}</td>
              <td class="num">{formatDuration(d.averageSeconds)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>All closed calls</th>
            <td class="num">{s.duration.timedCalls}</td>
            <td class="num">{formatDuration(s.duration.averageSeconds) || "–"}</td>
          </tr>
        </tfoot>
      </table>
    </ChartCard>
  );
}

function outcomeOrder(outcome: string): number {
  const index = (CALL_OUTCOMES as readonly string[]).indexOf(outcome);
  return index === -1 ? CALL_OUTCOMES.length : index;
}

function RenewalsPerCall({ statistics: s }: { statistics: Statistics }): VNode {
  const rows = s.renewals.callsByItemsRenewed;
  return (
    <ChartCard
      id="renewals"
      heading="Renewals per call"
      note={
        <>
          Items renewed in the calls (what the renewal service recorded for their renewal requests), divided
          by the number of calls; and how many calls renewed none, one, two or more items.
        </>
      }
      chart={{
        title: "Calls by number of items renewed",
        spec: {
          type: "bar",
          labels: rows.map((r) => String(r.itemsRenewed)),
          datasets: [{ label: "Calls", data: rows.map((r) => r.calls) }],
        },
      }}
    >
      <CountTable
        id="renewals-per-call"
        head={["Items renewed in the call", "Calls"]}
        rows={rows.map((r) => [r.itemsRenewed, r.calls])}
        foot={[
          ["Items renewed in all", s.renewals.itemsRenewed],
          ["Per call", formatRatio(s.renewals.perCall)],
        ]}
      />
    </ChartCard>
  );
}

function Logins({ statistics: s }: { statistics: Statistics }): VNode {
  const { succeeded, failed, failedShare } = s.logins;
  return (
    <ChartCard
      id="logins"
      heading="Share of logins failed"
      note={
        <>
          Login attempts in the calls (card or HKID digits, then PIN) that failed, out of all that succeeded
          or failed. A PIN that fits several accounts is counted once, by how the card number that follows
          ends.
        </>
      }
      chart={{
        title: "Login attempts, succeeded and failed",
        spec: {
          type: "doughnut",
          labels: ["Succeeded", "Failed"],
          datasets: [{ label: "Login attempts", data: [succeeded, failed] }],
          tones: ["good", "bad"],
        },
      }}
    >
      <CountTable
        id="logins"
        head={["Login attempts", "Count"]}
        rows={[
          ["Succeeded", succeeded],
          ["Failed", failed],
        ]}
        foot={[
          ["All attempts", succeeded + failed],
          ["Share failed", formatShare(failedShare)],
        ]}
      />
    </ChartCard>
  );
}

function RefusalReasons({ statistics: s }: { statistics: Statistics }): VNode {
  const rows = s.refusals.topReasons.map((r) => ({
    code: r.reason ?? "",
    label: r.reason === null ? "No reason recorded" : refusalLabel(r.reason),
    items: r.items,
  }));
  return (
    <ChartCard
      id="refusals"
      heading="Most common refusal reasons"
      note={
        <>
          Items the calls asked to renew that were refused, by the reason the caller heard (the first in the
          rules' order when several applied). The {TOP_REFUSAL_REASONS} commonest, most first.
        </>
      }
      chart={{
        title: "Refused items by reason",
        spec: {
          type: "bar",
          horizontal: true,
          labels: rows.map((r) => r.label),
          datasets: [{ label: "Items refused", data: rows.map((r) => r.items) }],
        },
      }}
    >
      <table id="refusal-reasons">
        <thead>
          <tr>
            <th>Reason</th>
            <th>Code</th>
            <th class="num">Items</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{r.label}</td>
              <td>
                <code>{r.code}</code>
              </td>
              <td class="num">{r.items}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th colSpan={2}>Items refused in all</th>
            <td class="num">{s.refusals.refusedItems}</td>
          </tr>
        </tfoot>
      </table>
    </ChartCard>
  );
}

function averageDuration(s: Statistics): string {
  if (s.duration.averageSeconds === null) return "– (no closed calls)";
  const calls = s.duration.timedCalls;
  return `${formatDuration(s.duration.averageSeconds)} (over ${calls} closed ${calls === 1 ? "call" : "calls"})`;
}

function renewalsPerCall(s: Statistics): string {
  if (s.renewals.perCall === null) return "– (no calls)";
  const items = s.renewals.itemsRenewed;
  return `${formatRatio(s.renewals.perCall)} (${items} ${items === 1 ? "item" : "items"} renewed in ${s.calls} ${s.calls === 1 ? "call" : "calls"})`;
}

function failedLogins(s: Statistics): string {
  const { failed, succeeded, failedShare } = s.logins;
  if (failedShare === null) return "– (no login attempts)";
  return `${formatShare(failedShare)} (${failed} of ${failed + succeeded} attempts)`;
}

/** 0.67 */
export function formatRatio(value: number | null): string {
  return value === null ? "–" : value.toFixed(2);
}

/** 36.4% */
export function formatShare(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)}%`;
}
