/**
 * The library a fault test file calls: the demo library (unshifted: the line runs with FIXED_NOW on
 * the demo's day) and ten more readers, on a PostgreSQL database of the file's own, dropped
 * afterwards. Also the faults done with SQL, and the SQL that checks nothing was lost.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe } from "vitest";
import { openDemoDatabase } from "../calls/call-helpers.js";
import { DRIVERS, type DriverKind } from "../support/database.js";
import { extraReadersFixture } from "../support/library-fixture.js";
import type { LineProcess } from "../support/line-process.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { answerOf, describeWebhook, resend, seqOf, type Webhook } from "./fault-calls.js";

/** A TCP proxy, pg_terminate_backend and real locks need a real PostgreSQL. */
export const FAULT_DRIVERS = DRIVERS.filter((driver) => driver === "postgres");

/**
 * One describe block per fault driver (PostgreSQL only); without TEST_DATABASE_URL, a skipped
 * block whose name says what the suite needs.
 */
export function faultSuite(title: string, body: (driver: DriverKind) => void): void {
  if (FAULT_DRIVERS.length > 0) {
    describe.each(FAULT_DRIVERS)(`${title} on %s`, body);
    return;
  }
  const needs = `${title}: skipped, the fault suite needs PostgreSQL (set TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)`;
  console.warn(needs);
  describe.skip(needs, () => body("postgres"));
}

/** What every fault test file stands on, for one describe block: its database and the proxy to it. */
export interface FaultRig {
  readonly library: FaultLibrary;
  readonly proxy: TcpProxy;
}

/**
 * Registers the hooks that open the rig before the block (a fresh library, a proxy in front of
 * PostgreSQL) and close it after. Read its parts only inside tests and hooks.
 */
export function useFaultRig(): FaultRig {
  let library: FaultLibrary | undefined;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    library = await openFaultLibrary();
    proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
  });
  afterAll(async () => {
    await proxy?.close();
    await library?.dispose();
  });
  const opened = <T>(part: T | undefined): T => {
    if (!part) throw new Error("the fault rig opens in beforeAll: use it inside a test or hook");
    return part;
  };
  return {
    get library() {
      return opened(library);
    },
    get proxy() {
      return opened(proxy);
    },
  };
}

export interface Reader {
  card: string;
  /** The PIN, or the last four digits of the phone for a reader with none. */
  pin: string;
}

/** Demo readers whose renew-all renews at least one loan on 1 December (demo/README.md). */
export const DEMO_RENEWERS: readonly Reader[] = [
  { card: "2100000001", pin: "135790" },
  { card: "2100000002", pin: "0202" },
  { card: "2100000003", pin: "0303" },
  { card: "2100000004", pin: "0404" },
  { card: "2100000005", pin: "0505" },
  { card: "2100000007", pin: "0707" },
  // Four renewals so far: one more reaches the limit of 5.
  { card: "2100000010", pin: "1010" },
  { card: "2100000015", pin: "1515" },
  { card: "2100000016", pin: "1616" },
  { card: "2100000019", pin: "1919" },
  // No PIN: the last four digits of the phone.
  { card: "2100000024", pin: "8888" },
  { card: "2100000025", pin: "2525" },
  { card: "2100000026", pin: "2626" },
  { card: "2100000027", pin: "2727" },
  { card: "2100000028", pin: "2828" },
];

const EXTRA_PIN = "4826";
const EXTRA_CARDS = Array.from({ length: 10 }, (_, i) => `21900000${String(i + 1).padStart(2, "0")}`);

/** Ten more readers, each with two clean loans due 8 December, so 25 callers can renew at once. */
export const EXTRA_READERS: readonly Reader[] = EXTRA_CARDS.map((card) => ({ card, pin: EXTRA_PIN }));

/** Every reader who can renew: 25 of them. */
export const RENEWERS: readonly Reader[] = [...DEMO_RENEWERS, ...EXTRA_READERS];

function extraReaders() {
  return extraReadersFixture(
    EXTRA_CARDS.map((card, i) => ({
      cardNumber: card,
      name: `Fault Reader ${i + 1}`,
      phone: `9190${String(i + 1).padStart(4, "0")}`,
      pin: EXTRA_PIN,
      loans: ["A", "B"].map((copy) => ({
        barcode: `3919${card.slice(-4)}${copy}`,
        titleId: `FAULT-${card.slice(-2)}-${copy}`,
        title: `Fault Book ${i + 1}${copy}`,
      })),
    })),
  );
}

export interface FaultLibrary {
  /** The database's own URL (straight to PostgreSQL, not through a proxy). */
  url: string;
  name: string;
  /** The test's own connections, named "renewline-faults": locks, faults and checks. */
  sql: postgres.Sql;
  dispose(): Promise<void>;
}

export async function openFaultLibrary(): Promise<FaultLibrary> {
  const demo = await openDemoDatabase("postgres", extraReaders());
  // The loader's pools call themselves "renewline", as the line's do: closed now, so that every
  // "renewline" connection on this database is the line's.
  await demo.database.close();
  const url = demo.database.url;
  if (!url) throw new Error("the fault suite needs PostgreSQL");
  const sql = postgres(url, {
    max: 4,
    onnotice: () => {},
    connection: { application_name: "renewline-faults" },
  });
  return {
    url,
    name: new URL(url).pathname.slice(1),
    sql,
    async dispose() {
      await sql.end({ timeout: 5 });
      await demo.dispose();
    },
  };
}

/** pg_terminate_backend of every connection the line has open on this database; how many. */
export async function terminateLineConnections(library: FaultLibrary): Promise<number> {
  const rows = await library.sql<{ terminated: boolean }[]>`
    select pg_terminate_backend(pid) as terminated
    from pg_stat_activity
    where datname = ${library.name} and application_name = 'renewline' and pid <> pg_backend_pid()`;
  return rows.filter((row) => row.terminated).length;
}

/**
 * A lock on `loans` held by a connection of its own (BEGIN; LOCK TABLE loans IN ACCESS EXCLUSIVE
 * MODE) until release(): every statement that reads or writes a loan waits for it.
 */
export async function lockLoans(library: FaultLibrary): Promise<{ release(): Promise<void> }> {
  const reserved = await library.sql.reserve();
  await reserved`begin`;
  await reserved`lock table loans in access exclusive mode`;
  return {
    async release() {
      await reserved`rollback`;
      reserved.release();
    },
  };
}

export interface LedgerSummary {
  /** Renewal transactions made by calls. */
  transactions: number;
  /** Loans renewed, in all. */
  renewed: number;
  /** Everything that does not add up; empty when nothing was lost. */
  problems: string[];
}

/**
 * Nothing lost, checked with SQL: every renewal a call committed has its stored answer, which
 * speaks its TRN, and its renewal event; no loan is past the limit of 5 renewals or renewed twice
 * on one library day; and each loan's count is what it was at load plus its renewed results (no
 * renewal without its record).
 */
export async function checkLedger(library: FaultLibrary): Promise<LedgerSummary> {
  const { sql } = library;
  const problems: string[] = [];
  const committed = await sql<{ trn: string; requestKey: string; twiml: string | null; events: number }[]>`
    select t.trn, t.request_key as "requestKey", r.twiml,
      (select count(*)::int from call_events e
        where e.call_sid = split_part(t.request_key, ':', 2) and e.kind = 'renewal'
          and e.detail->>'trn' = t.trn) as events
    from renewal_transactions t
    left join call_responses r
      on r.call_sid = split_part(t.request_key, ':', 2)
      and r.seq = split_part(t.request_key, ':', 3)::int
    where t.request_key like 'call:%'`;
  for (const row of committed) {
    if (row.twiml === null) {
      problems.push(`TRN ${row.trn} (${row.requestKey}) has no stored answer`);
      continue;
    }
    const heard = answerOf(row.twiml);
    if (heard.kind !== "trn" || heard.trn !== row.trn) {
      problems.push(`TRN ${row.trn} (${row.requestKey}): its stored answer says ${describeAnswer(heard)}`);
    }
    if (row.events !== 1)
      problems.push(`TRN ${row.trn} (${row.requestKey}) has ${row.events} renewal events, not 1`);
  }
  const pastLimit = await sql<{ id: number; renewals: number }[]>`
    select id, renewals from loans where renewals > 5`;
  for (const loan of pastLimit) problems.push(`loan ${loan.id} renewed ${loan.renewals} times, past 5`);
  const twice = await sql<{ loanId: number; day: string; n: number }[]>`
    select r.loan_id as "loanId", t.library_day::text as day, count(*)::int as n
    from renewal_results r join renewal_transactions t on t.id = r.transaction_id
    where r.outcome = 'renewed'
    group by r.loan_id, t.library_day
    having count(*) > 1`;
  for (const row of twice) problems.push(`loan ${row.loanId} renewed ${row.n} times on ${row.day}`);
  const unrecorded = await sql<{ id: number; renewals: number; before: number; recorded: number }[]>`
    select l.id, l.renewals, s.renewals as before,
      (select count(*)::int from renewal_results r where r.loan_id = l.id and r.outcome = 'renewed') as recorded
    from loans l join snapshot_loans s on s.id = l.id`;
  for (const loan of unrecorded) {
    if (loan.renewals !== loan.before + loan.recorded) {
      problems.push(
        `loan ${loan.id}: ${loan.renewals} renewals, but ${loan.before} at load and ${loan.recorded} recorded`,
      );
    }
  }
  const [renewed] = await sql<{ n: number }[]>`
    select count(*)::int as n from renewal_results where outcome = 'renewed'`;
  return { transactions: committed.length, renewed: renewed?.n ?? 0, problems };
}

/** The committed renewal of one webhook (request key call:SID:SEQ), if any. */
export async function committedTrn(
  library: FaultLibrary,
  callSid: string,
  seq: number,
): Promise<string | null> {
  const [row] = await library.sql<{ trn: string }[]>`
    select trn from renewal_transactions where request_key = ${`call:${callSid}:${seq}`}`;
  return row?.trn ?? null;
}

/** What call_responses holds for a webhook, in words. */
async function storedAnswerOf(library: FaultLibrary, webhook: Webhook): Promise<string> {
  const [row] = await library.sql<{ twiml: string }[]>`
    select twiml from call_responses where call_sid = ${webhook.params.CallSid ?? ""} and seq = ${seqOf(webhook)}`;
  return row ? describeAnswer(answerOf(row.twiml)) : "none";
}

function describeAnswer(answer: ReturnType<typeof answerOf>): string {
  if (answer.kind === "trn") return `TRN ${answer.trn}`;
  if (answer.kind === "apology") return "the apology";
  return `"${answer.text.slice(0, 120)}"`;
}

export interface RenewAllReport {
  trn: number;
  apology: number;
  /** Retries that found the renewal their first delivery had committed. */
  stored: number;
  /** Retries that renewed afresh. */
  afresh: number;
  retries: Webhook[];
  /** Everything that breaks the promise; empty when kept. */
  problems: string[];
}

/**
 * Each renew-all webhook answered under a fault: the TRN, which must be the renewal committed for
 * it, or the apology. Each apology is then re-sent as Twilio's retry (a few at a time) once the
 * fault is gone: it hears the TRN its first delivery committed, if it did (the stored answer), or
 * renews afresh and hears the new TRN; either way that TRN is the one committed for the webhook.
 */
export async function checkRenewAlls(
  library: FaultLibrary,
  line: LineProcess,
  renewAlls: readonly Webhook[],
  retryBudgetMs: number,
): Promise<RenewAllReport> {
  const report: RenewAllReport = { trn: 0, apology: 0, stored: 0, afresh: 0, retries: [], problems: [] };
  const apologised: Webhook[] = [];
  for (const webhook of renewAlls) {
    const heard = answerOf(webhook);
    const committed = await committedTrn(library, webhook.params.CallSid ?? "", seqOf(webhook));
    if (heard.kind === "trn") {
      report.trn++;
      if (committed !== heard.trn)
        report.problems.push(
          `${describeWebhook(webhook)}, but the renewal committed is ${committed ?? "none"}`,
        );
    } else if (heard.kind === "apology") {
      report.apology++;
      apologised.push(webhook);
    } else {
      report.problems.push(`${describeWebhook(webhook)}: neither a TRN nor the apology`);
    }
  }
  for (let i = 0; i < apologised.length; i += 5) {
    const batch = apologised.slice(i, i + 5);
    const before = await Promise.all(
      batch.map((webhook) => committedTrn(library, webhook.params.CallSid ?? "", seqOf(webhook))),
    );
    const retries = await Promise.all(batch.map((webhook) => resend(line, webhook)));
    for (const [j, retry] of retries.entries()) {
      report.retries.push(retry);
      const heard = answerOf(retry);
      const committedBefore = before[j] ?? null;
      const committedAfter = await committedTrn(library, retry.params.CallSid ?? "", seqOf(retry));
      if (committedBefore) report.stored++;
      else report.afresh++;
      if (retry.ms > retryBudgetMs)
        report.problems.push(`retry ${describeWebhook(retry)}: over ${retryBudgetMs} ms`);
      if (heard.kind !== "trn")
        report.problems.push(
          `retry ${describeWebhook(retry)}: no TRN (stored answer: ${await storedAnswerOf(library, retry)})`,
        );
      else if (committedBefore && heard.trn !== committedBefore)
        report.problems.push(
          `retry ${describeWebhook(retry)}, but ${committedBefore} was committed before it`,
        );
      else if (committedAfter !== heard.trn)
        report.problems.push(
          `retry ${describeWebhook(retry)}, but the renewal committed is ${committedAfter ?? "none"}`,
        );
    }
  }
  return report;
}
