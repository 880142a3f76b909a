/** The reference-number enquiry page: the form, and under it the transaction or why there is none. */
import type { VNode } from "preact";
import { formatCentsAsHkd } from "../../money/hkd.js";
import type { RenewalTransactionRecord } from "../../renewals/renewal-records.js";
import { formatTrn } from "../../renewals/trn.js";
import { formatTime } from "./format.js";
import { Layout, type Viewer } from "./page.js";
import { type ReasonView, reasonView } from "./reasons.js";

/** One transaction as the page and GET /ops/api/trn/:trn show it: no patron id, no request key. */
export interface TrnTransactionView {
  trn: string;
  trnFormatted: string;
  createdAt: string;
  created: string;
  channel: string;
  cardLastFour: string;
  selection: "all" | "loan";
  libraryDay: string;
  accountBlocks: ReasonView[];
  renewed: number;
  refused: number;
  items: TrnItemView[];
}

export interface TrnItemView {
  barcode: string;
  title: string;
  outcome: "renewed" | "refused";
  oldDueOn: string;
  newDueOn: string | null;
  /** Every reason in priority order; the first is the one the caller heard. */
  reasons: ReasonView[];
  chargeRecordedCents: number;
}

export function trnTransactionView(record: RenewalTransactionRecord, timeZone: string): TrnTransactionView {
  return {
    trn: record.trn,
    trnFormatted: formatTrn(record.trn),
    createdAt: record.createdAt.toISOString(),
    created: formatTime(record.createdAt, timeZone),
    channel: record.channel,
    cardLastFour: record.cardLastFour,
    selection: record.selection,
    libraryDay: record.libraryDay,
    accountBlocks: record.accountBlocks.map(reasonView),
    renewed: record.results.filter((r) => r.outcome === "renewed").length,
    refused: record.results.filter((r) => r.outcome === "refused").length,
    items: record.results.map((r) => ({
      barcode: r.barcode,
      title: r.title,
      outcome: r.outcome,
      oldDueOn: r.oldDueOn,
      newDueOn: r.newDueOn,
      reasons: r.reasons.map(reasonView),
      chargeRecordedCents: r.chargeRecordedCents,
    })),
  };
}

const CHANNEL_LABELS: Record<string, string> = { phone: "Telephone" };
const SELECTION_LABELS: Record<TrnTransactionView["selection"], string> = {
  all: "Renew all",
  loan: "One item (or set)",
};

/** What the page answers under the form: nothing yet, a transaction, or a message saying why not. */
export type TrnAnswer =
  | { kind: "none" }
  | { kind: "found"; transaction: TrnTransactionView }
  | { kind: "refused"; message: string };

export function TrnPage(props: { viewer: Viewer; typed: string; answer: TrnAnswer }): VNode {
  const { answer } = props;
  const refused = answer.kind === "refused";
  return (
    <Layout title="Reference numbers" viewer={props.viewer} active="trn">
      <form method="get" action="/ops/trn" class="filters">
        <label for="trn">
          Reference number (TRN)
          <input
            id="trn"
            name="trn"
            value={props.typed}
            inputmode="numeric"
            autocomplete="off"
            spellcheck={false}
            aria-describedby={refused ? "trn-hint trn-error" : "trn-hint"}
            aria-invalid={refused ? "true" : undefined}
          />
        </label>
        <button type="submit">Look up</button>
        <span id="trn-hint" class="muted">
          10 digits, as in 12345 67890; spaces and dashes are fine.
        </span>
      </form>
      {refused && (
        <p role="alert" class="error" id="trn-error">
          {answer.message}
        </p>
      )}
      {answer.kind === "found" && <TransactionSection transaction={answer.transaction} />}
    </Layout>
  );
}

function TransactionSection(props: { transaction: TrnTransactionView }): VNode {
  const t = props.transaction;
  return (
    <section id="transaction" aria-labelledby="transaction-heading" class="card">
      <h2 id="transaction-heading">Transaction {t.trnFormatted}</h2>
      <dl class="facts">
        <dt>When</dt>
        <dd>
          <time datetime={t.createdAt}>{t.created}</time>
        </dd>
        <dt>Channel</dt>
        <dd>{CHANNEL_LABELS[t.channel] ?? t.channel}</dd>
        <dt>Reader</dt>
        <dd>Card ending {t.cardLastFour}</dd>
        <dt>Request</dt>
        <dd>{SELECTION_LABELS[t.selection]}</dd>
        <dt>Result</dt>
        <dd>
          {t.renewed} renewed, {t.refused} not renewed
        </dd>
        {t.accountBlocks.length > 0 && (
          <>
            <dt>Account blocked</dt>
            <dd>
              <Reasons reasons={t.accountBlocks} />
            </dd>
          </>
        )}
      </dl>
      {t.items.length === 0 ? (
        <p class="muted">The reader had nothing on loan to renew.</p>
      ) : (
        <table class="items">
          <caption class="muted">Each item in the request</caption>
          <thead>
            <tr>
              <th scope="col">Barcode</th>
              <th scope="col">Title</th>
              <th scope="col">Result</th>
              <th scope="col">Due before</th>
              <th scope="col">New due date</th>
              <th scope="col">Reasons not renewed</th>
              <th scope="col" class="num">
                Charge recorded (HK$)
              </th>
            </tr>
          </thead>
          <tbody>
            {t.items.map((item) => (
              <tr data-barcode={item.barcode} data-outcome={item.outcome}>
                <td>{item.barcode}</td>
                <td>{item.title}</td>
                <td class={item.outcome === "renewed" ? "ok" : "refused"}>
                  {item.outcome === "renewed" ? "Renewed" : "Not renewed"}
                </td>
                <td>{item.oldDueOn}</td>
                <td>{item.newDueOn ?? ""}</td>
                <td>{item.reasons.length > 0 && <Reasons reasons={item.reasons} />}</td>
                <td class="num">
                  {item.chargeRecordedCents > 0 ? formatCentsAsHkd(item.chargeRecordedCents) : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Reasons(props: { reasons: ReasonView[] }): VNode {
  return (
    <ul class="reasons">
      {props.reasons.map((reason) => (
        <li data-code={reason.code}>
          {reason.text} (<code>{reason.code}</code>)
        </li>
      ))}
    </ul>
  );
}
