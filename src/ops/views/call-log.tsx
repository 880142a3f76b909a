/** The call log: the filter form, one page of calls, paging, and the CSV link for the same filter. */
import type { VNode } from "preact";
import { type CallLogRow, OUTCOME_FILTERS } from "../console-data/call-log.js";
import { formatDuration, formatTime, LANGUAGE_LABELS, languageLabel, outcomeLabel } from "./format.js";
import { Layout, type Viewer } from "./page.js";

export interface CallLogView {
  viewer: Viewer;
  timeZone: string;
  /** The filter as typed, to put back into the form and the links. */
  form: { from?: string; to?: string; outcome?: string; language?: string; card?: string };
  problems: string[];
  rows: CallLogRow[];
  total: number;
  page: number;
  pageSize: number;
}

function queryOf(form: CallLogView["form"], extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...form, ...extra }))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function CallLogPage(props: CallLogView): VNode {
  const { form, rows, total, page, pageSize } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <Layout title="Call log" viewer={props.viewer} active="calls">
      <form method="get" action="/ops/calls" class="filters" aria-label="Filter calls">
        <label>
          Started from
          <input type="datetime-local" name="from" value={form.from ?? ""} />
        </label>
        <label>
          Started before
          <input type="datetime-local" name="to" value={form.to ?? ""} />
        </label>
        <label>
          Outcome
          <select name="outcome">
            <option value="">Any</option>
            {OUTCOME_FILTERS.map((outcome) => (
              <option value={outcome} selected={form.outcome === outcome}>
                {outcome === "in_progress" ? "In progress" : outcomeLabel(outcome)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Language
          <select name="language">
            <option value="">Any</option>
            {Object.entries(LANGUAGE_LABELS).map(([code, label]) => (
              <option value={code} selected={form.language === code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Card last four
          <input
            name="card"
            inputmode="numeric"
            pattern="[0-9]{4}"
            maxlength={4}
            size={5}
            value={form.card ?? ""}
          />
        </label>
        <button type="submit">Filter</button>
        <a href="/ops/calls">Clear</a>
      </form>
      {props.problems.length > 0 ? (
        <div role="alert" class="error">
          {props.problems.map((problem) => (
            <p>{problem}</p>
          ))}
        </div>
      ) : (
        <>
          <p class="pager">
            <span id="call-count">
              {total === 0 ? "No calls match." : `Calls ${first}–${last} of ${total}, newest first.`}
            </span>
            <a href={`/ops/calls.csv${queryOf(form)}`} download>
              Export these {total} calls as CSV
            </a>
          </p>
          <table id="call-log">
            <thead>
              <tr>
                <th>Started</th>
                <th class="num">Duration</th>
                <th>Language</th>
                <th>Outcome</th>
                <th>Card</th>
                <th>Call</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr data-call-sid={row.callSid}>
                  <td>{formatTime(row.startedAt, props.timeZone)}</td>
                  <td class="num">{formatDuration(row.durationSeconds)}</td>
                  <td>{languageLabel(row.language)}</td>
                  <td>{outcomeLabel(row.outcome)}</td>
                  <td>{row.cardLastFour ? `…${row.cardLastFour}` : ""}</td>
                  <td>
                    <a href={`/ops/calls/${encodeURIComponent(row.callSid)}`}>{row.callSid}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 && (
            <nav class="pager" aria-label="Pages">
              {page > 1 && <a href={`/ops/calls${queryOf(form, { page: String(page - 1) })}`}>Newer</a>}
              <span>
                Page {page} of {pages}
              </span>
              {page < pages && <a href={`/ops/calls${queryOf(form, { page: String(page + 1) })}`}>Older</a>}
            </nav>
          )}
        </>
      )}
    </Layout>
  );
}
