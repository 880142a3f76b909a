/**
 * The statistics page (issue: "the statistics agree with the calls in the database"): known calls
 * are placed through the real line at chosen Hong Kong times, and every figure is checked against
 * what those calls did, worked out by hand below; then the page's tables, its charts' data, the
 * JSON, a refused period, and the guard. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStatistics, type Statistics } from "../../src/ops/console-data/statistics.js";
import { formatDuration } from "../../src/ops/views/format.js";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { type DemoDatabase, login, openDemoDatabase } from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { OpsClient, signedInClient } from "../support/ops-app.js";
import { type CallOptions, call, startVoiceApp, type VoiceApp } from "../support/voice-app.js";

const HK = "Asia/Hong_Kong";
/** The operator looks at the page at 18:00 on Wednesday 2 December: "today" is 2026-12-02. */
const LOOKING_AT = "2026-12-02T18:00:00+08:00";

/** Twilio never sends this call's status callback: it stays in progress. */
const withoutStatusCallback: CallOptions["fetch"] = async (input, init) =>
  String(input).endsWith("/voice/status")
    ? new Response("<Response/>", { headers: { "content-type": "text/xml" } })
    : fetch(input, init);

const UNKNOWN_CARD = "2199999999";

/**
 * The calls, in the order they are placed (Hong Kong times; UTC is 8 hours earlier). The period
 * under test is 1-2 December: H and I fall just outside it. A and I are on the other side of a
 * date line in UTC (A is 30 Nov 16:30 UTC, I is 2 Dec 16:00 UTC): counting by UTC dates would
 * drop A and take I.
 */
const CALLS: { name: string; at: string; script: string[]; options?: CallOptions }[] = [
  // Reader 11, renew all: RENEWAL_LIMIT. Outside the period (the day before).
  { name: "H", at: "2026-11-30T23:59:30+08:00", script: [...login("2100000011", "1111"), "0", "*"] },
  // Reader 1, renew all: 3 renewed. Hour 0.
  { name: "A", at: "2026-12-01T00:30:00+08:00", script: [...login("2100000001", "135790"), "0", "*"] },
  // Reader 3, renew all: 1 renewed, 1 RESERVED (partly renewed). Hour 9.
  { name: "B", at: "2026-12-01T09:15:00+08:00", script: [...login("2100000003", "0303"), "0", "*"] },
  // Reader 9, renew all: RESERVED and SET_MEMBER_REFUSED, nothing renewed. Hour 9.
  { name: "C", at: "2026-12-01T09:40:00+08:00", script: [...login("2100000009", "0909"), "0", "*"] },
  // Three failed logins: the line hangs up (login failed). Hour 23.
  {
    name: "D",
    at: "2026-12-01T23:50:00+08:00",
    script: [...login(UNKNOWN_CARD, "1111"), `${UNKNOWN_CARD}#`, "2222#", `${UNKNOWN_CARD}#`, "3333#"],
  },
  // Reader 29 (no loans) logs in and is put through to staff, who answer (transferred). Hour 10.
  {
    name: "K",
    at: "2026-12-02T10:05:00+08:00",
    script: [...login("2100000029", "2929"), "7"],
    options: { dialOutcome: () => "completed" },
  },
  // Reader 2: a wrong PIN, then the right one; renew all: 2 renewed. Hour 14.
  {
    name: "E",
    at: "2026-12-02T14:00:00+08:00",
    script: [...login("2100000002", "9999"), "2100000002#", "0202#", "0", "*"],
  },
  // Reader 21, renew all: ACCOUNT_SUSPENDED, nothing renewed. Hour 14.
  { name: "F", at: "2026-12-02T14:30:00+08:00", script: [...login("2100000021", "2121"), "0", "*"] },
  // Hangs up before choosing a language (abandoned). Hour 14.
  { name: "G", at: "2026-12-02T14:45:00+08:00", script: [] },
  // Reader 24 logs in by HKID digits; the call is never closed (in progress). Hour 15.
  {
    name: "J",
    at: "2026-12-02T15:10:00+08:00",
    script: [...login("1123582", "8888"), "*"],
    options: { fetch: withoutStatusCallback },
  },
  // Reader 13, renew all: ITEM_NOT_RENEWABLE. Outside the period (the day after, at midnight).
  { name: "I", at: "2026-12-03T00:00:00+08:00", script: [...login("2100000013", "1313"), "0", "*"] },
];

/** 24 hours, zeros but for `counts`. */
function hours(counts: Record<number, number>): Statistics["callsByHour"] {
  return Array.from({ length: 24 }, (_, hour) => ({ hour, calls: counts[hour] ?? 0 }));
}

// ---- Reading the rendered page (our own markup, as preact writes it) ----

function decode(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function textOf(markup: string): string {
  return decode(markup.replace(/<[^>]*>/g, "")).trim();
}

/** The body and footer rows of `<table id=…>`, each as its cells' text. */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (table === undefined) throw new Error(`no table #${id}`);
  const rows = table.replace(/<thead>[\s\S]*?<\/thead>/, "").matchAll(/<tr>([\s\S]*?)<\/tr>/g);
  return [...rows].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => textOf(cell[1] ?? "")),
  );
}

/** The headline `<dl>` as term → description. */
function headline(html: string): Record<string, string> {
  const list = /<dl [^>]*id="headline">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? "";
  const pairs = list.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g);
  return Object.fromEntries([...pairs].map((p) => [textOf(p[1] ?? ""), textOf(p[2] ?? "")]));
}

/** Every chart's `data-chart`, parsed, by its aria-label. */
function charts(html: string): Record<string, { labels: string[]; datasets: { data: unknown[] }[] }> {
  const canvases = html.matchAll(/<canvas data-chart="([^"]*)" role="img" aria-label="([^"]*)"/g);
  return Object.fromEntries([...canvases].map((c) => [decode(c[2] ?? ""), JSON.parse(decode(c[1] ?? ""))]));
}

describe.each(DRIVERS)("statistics on %s", (driver) => {
  let demo: DemoDatabase;
  let app: VoiceApp;
  let client: OpsClient;
  const placed = new Map<string, CallResult>();
  /** The duration Twilio reports for a placed call: whole seconds. */
  const seconds = (name: string) => Math.round(placed.get(name)?.durationSeconds ?? Number.NaN);

  beforeAll(async () => {
    demo = await openDemoDatabase(driver);
    app = await startVoiceApp({ db: demo.db, now: LOOKING_AT, ops: true });
    for (const planned of CALLS) {
      app.setNow(planned.at);
      placed.set(planned.name, await call(app, planned.script, planned.options));
    }
    app.setNow(LOOKING_AT);
    client = await signedInClient(app.baseUrl, demo.db, "staff1", "staff");
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await demo?.dispose();
  });

  /** 1-2 December: calls A, B, C, D, K, E, F, G and J, worked out from what each call did. */
  function expectedTwoDays(): Statistics {
    const timed = ["A", "B", "C", "D", "K", "E", "F", "G"];
    const total = timed.reduce((sum, name) => sum + seconds(name), 0);
    return {
      period: { from: "2026-12-01", to: "2026-12-02", timeZone: HK },
      calls: 9,
      callsByHour: hours({ 0: 1, 9: 2, 10: 1, 14: 3, 15: 1, 23: 1 }),
      // Most calls first; ties by outcome, in progress (null) last.
      outcomes: [
        { outcome: "nothing_renewed", calls: 2 },
        { outcome: "renewed", calls: 2 },
        { outcome: "abandoned", calls: 1 },
        { outcome: "login_failed", calls: 1 },
        { outcome: "partly_renewed", calls: 1 },
        { outcome: "transferred", calls: 1 },
        { outcome: null, calls: 1 },
      ],
      duration: {
        // J is still in progress: no duration yet.
        timedCalls: 8,
        averageSeconds: total / 8,
        byOutcome: [
          { outcome: "nothing_renewed", timedCalls: 2, averageSeconds: (seconds("C") + seconds("F")) / 2 },
          { outcome: "renewed", timedCalls: 2, averageSeconds: (seconds("A") + seconds("E")) / 2 },
          { outcome: "abandoned", timedCalls: 1, averageSeconds: seconds("G") },
          { outcome: "login_failed", timedCalls: 1, averageSeconds: seconds("D") },
          { outcome: "partly_renewed", timedCalls: 1, averageSeconds: seconds("B") },
          { outcome: "transferred", timedCalls: 1, averageSeconds: seconds("K") },
        ],
      },
      renewals: {
        // A 3, B 1, E 2.
        itemsRenewed: 6,
        perCall: 6 / 9,
        callsByItemsRenewed: [
          { itemsRenewed: 0, calls: 6 },
          { itemsRenewed: 1, calls: 1 },
          { itemsRenewed: 2, calls: 1 },
          { itemsRenewed: 3, calls: 1 },
        ],
      },
      // Succeeded: A, B, C, K, E, F, J. Failed: D three times, E once.
      logins: { succeeded: 7, failed: 4, failedShare: 4 / 11 },
      refusals: {
        refusedItems: 4,
        topReasons: [
          { reason: "RESERVED", items: 2 },
          { reason: "ACCOUNT_SUSPENDED", items: 1 },
          { reason: "SET_MEMBER_REFUSED", items: 1 },
        ],
      },
    };
  }

  it("agrees with the calls placed in the period, and leaves out those just outside it", async () => {
    expect(await loadStatistics(demo.db, { from: "2026-12-01", to: "2026-12-02" }, HK)).toEqual(
      expectedTwoDays(),
    );
  });

  it("counts a call on the library's day and hour, not UTC's", async () => {
    // A started at 00:30 in Hong Kong, 16:30 the day before in UTC.
    const first = await loadStatistics(demo.db, { from: "2026-12-01", to: "2026-12-01" }, HK);
    expect(first.calls).toBe(4);
    expect(first.callsByHour).toEqual(hours({ 0: 1, 9: 2, 23: 1 }));
    expect(first.renewals.itemsRenewed).toBe(4);
    expect(first.logins).toEqual({ succeeded: 3, failed: 3, failedShare: 0.5 });
    expect(first.refusals.topReasons).toEqual([
      { reason: "RESERVED", items: 2 },
      { reason: "SET_MEMBER_REFUSED", items: 1 },
    ]);

    // H (23:59:30 on the 30th) and I (midnight on the 3rd) are each alone on their day.
    const before = await loadStatistics(demo.db, { from: "2026-11-30", to: "2026-11-30" }, HK);
    expect(before.calls).toBe(1);
    expect(before.callsByHour).toEqual(hours({ 23: 1 }));
    expect(before.refusals.topReasons).toEqual([{ reason: "RENEWAL_LIMIT", items: 1 }]);
    const after = await loadStatistics(demo.db, { from: "2026-12-03", to: "2026-12-03" }, HK);
    expect(after.calls).toBe(1);
    expect(after.callsByHour).toEqual(hours({ 0: 1 }));
    expect(after.refusals.topReasons).toEqual([{ reason: "ITEM_NOT_RENEWABLE", items: 1 }]);
  });

  it("gives zeros and no averages for a period without calls", async () => {
    expect(await loadStatistics(demo.db, { from: "2026-11-01", to: "2026-11-07" }, HK)).toEqual({
      period: { from: "2026-11-01", to: "2026-11-07", timeZone: HK },
      calls: 0,
      callsByHour: hours({}),
      outcomes: [],
      duration: { timedCalls: 0, averageSeconds: null, byOutcome: [] },
      renewals: { itemsRenewed: 0, perCall: null, callsByItemsRenewed: [] },
      logins: { succeeded: 0, failed: 0, failedShare: null },
      refusals: { refusedItems: 0, topReasons: [] },
    });
  });

  it("shows the same figures on the page: headline, tables and the charts' data", async () => {
    const response = await client.request("/ops/statistics?from=2026-12-01&to=2026-12-02");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();

    // Chart.js first, then the page's script; nothing inline.
    expect([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="/ops/assets/vendor/chart.umd.min.js" defer>',
      '<script src="/ops/assets/statistics.js" defer>',
    ]);
    expect(html).toContain('<input type="date" name="from" value="2026-12-01" required/>');
    expect(html).toContain('<input type="date" name="to" value="2026-12-02" required/>');

    const timed = ["A", "B", "C", "D", "K", "E", "F", "G"];
    const average = timed.reduce((sum, name) => sum + seconds(name), 0) / 8;
    expect(headline(html)).toEqual({
      Calls: "9",
      "Average call duration": `${formatDuration(average)} (over 8 closed calls)`,
      "Renewals per call": "0.67 (6 items renewed in 9 calls)",
      "Logins failed": "36.4% (4 of 11 attempts)",
    });

    const byHour = tableRows(html, "calls-by-hour");
    expect(byHour).toHaveLength(24);
    expect(byHour.filter(([, calls]) => calls !== "0")).toEqual([
      ["00:00", "1"],
      ["09:00", "2"],
      ["10:00", "1"],
      ["14:00", "3"],
      ["15:00", "1"],
      ["23:00", "1"],
    ]);
    expect(tableRows(html, "outcomes")).toEqual([
      ["Renewed", "2"],
      ["Partly renewed", "1"],
      ["Nothing renewed", "2"],
      ["Login failed", "1"],
      ["Abandoned", "1"],
      ["Transferred", "1"],
      ["Error", "0"],
      ["In progress", "1"],
      ["All calls", "9"],
    ]);
    const d = (...names: string[]) =>
      formatDuration(names.reduce((sum, name) => sum + seconds(name), 0) / names.length);
    expect(tableRows(html, "durations")).toEqual([
      ["Renewed", "2", d("A", "E")],
      ["Partly renewed", "1", d("B")],
      ["Nothing renewed", "2", d("C", "F")],
      ["Login failed", "1", d("D")],
      ["Abandoned", "1", d("G")],
      ["Transferred", "1", d("K")],
      ["All closed calls", "8", d(...timed)],
    ]);
    expect(tableRows(html, "renewals-per-call")).toEqual([
      ["0", "6"],
      ["1", "1"],
      ["2", "1"],
      ["3", "1"],
      ["Items renewed in all", "6"],
      ["Per call", "0.67"],
    ]);
    expect(tableRows(html, "logins")).toEqual([
      ["Succeeded", "7"],
      ["Failed", "4"],
      ["All attempts", "11"],
      ["Share failed", "36.4%"],
    ]);
    expect(tableRows(html, "refusal-reasons")).toEqual([
      ["Reserved by another reader, and no other copy is available", "RESERVED", "2"],
      ["The account is suspended", "ACCOUNT_SUSPENDED", "1"],
      ["Another item of its set cannot be renewed", "SET_MEMBER_REFUSED", "1"],
      ["Items refused in all", "4"],
    ]);

    const drawn = charts(html);
    expect(Object.keys(drawn)).toHaveLength(6);
    expect(drawn["Calls per hour of the day"]?.datasets[0]?.data).toEqual(byHour.map(([, n]) => Number(n)));
    expect(drawn["Calls by outcome"]?.datasets[0]?.data).toEqual([2, 1, 2, 1, 1, 1, 0, 1]);
    expect(drawn["Calls by number of items renewed"]?.datasets[0]?.data).toEqual([6, 1, 1, 1]);
    expect(drawn["Login attempts, succeeded and failed"]?.datasets[0]?.data).toEqual([7, 4]);
    expect(drawn["Refused items by reason"]).toMatchObject({
      labels: [
        "Reserved by another reader, and no other copy is available",
        "The account is suspended",
        "Another item of its set cannot be renewed",
      ],
      datasets: [{ data: [2, 1, 1] }],
    });
    expect(drawn["Average call duration by outcome"]?.datasets[0]?.data.at(-1)).toBe(average);
  });

  it("answers the same figures as JSON", async () => {
    const response = await client.request("/ops/api/statistics?from=2026-12-01&to=2026-12-02");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expectedTwoDays());
  });

  it("without dates shows the last 7 days up to today in the library's zone", async () => {
    const response = await client.request("/ops/api/statistics");
    const body = (await response.json()) as Statistics;
    // 26 November to 2 December: H and the nine calls of 1-2 December; I is tomorrow's.
    expect(body.period).toEqual({ from: "2026-11-26", to: "2026-12-02", timeZone: HK });
    expect(body.calls).toBe(10);
    const page = await (await client.request("/ops/statistics")).text();
    expect(page).toContain('name="from" value="2026-11-26"');
    expect(headline(page).Calls).toBe("10");
    // A blank field is no field.
    const blank = await client.request("/ops/api/statistics?from=&to=2026-12-01");
    expect(((await blank.json()) as Statistics).period).toMatchObject({
      from: "2026-11-25",
      to: "2026-12-01",
    });
  });

  it.each([
    ["to before from", "from=2026-12-02&to=2026-12-01", "The period ends before it starts"],
    ["more than 366 days", "from=2026-01-01&to=2027-01-02", "The period is too long: at most 366 days."],
    ["not a date", "from=2026-02-30&to=2026-03-01", "“From” is not a date: write it as YYYY-MM-DD."],
    ["not a date at all", "from=2026-12-01&to=tomorrow", "“To” is not a date: write it as YYYY-MM-DD."],
    ["a date given twice", "from=2026-12-01&from=2026-12-02", "Give one “From” date."],
  ])("refuses a bad period (%s) with 400 and says why", async (_, query, message) => {
    const page = await client.request(`/ops/statistics?${query}`);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain(`<p role="alert" class="error">${message}`);
    expect(html).not.toContain('id="headline"');
    const api = await client.request(`/ops/api/statistics?${query}`);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: string }).error).toContain(message);
  });

  it("takes a period of exactly 366 days", async () => {
    const response = await client.request("/ops/api/statistics?from=2026-01-01&to=2027-01-01");
    expect(response.status).toBe(200);
    expect(((await response.json()) as Statistics).calls).toBe(11);
  });

  it("refuses the page and the API without a session", async () => {
    const stranger = new OpsClient(app.baseUrl);
    const page = await stranger.request("/ops/statistics?from=2026-12-01&to=2026-12-02");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/ops/login");
    const api = await stranger.request("/ops/api/statistics?from=2026-12-01&to=2026-12-02");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "not signed in" });
  });
});
