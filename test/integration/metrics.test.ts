/**
 * GET /metrics: off (404) without METRICS_TOKEN, 401 without the bearer token, and with it the
 * Prometheus text of simulated calls on the demo library: renewals by result and reason, login
 * failures, locks, webhook latency by step, calls in progress. No label names a reader or a call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../src/config/settings.js";
import { readDemoFile } from "../../src/demo/demo-data.js";
import { VOCABULARY } from "../../src/voice/actions/index.js";
import { loadVoiceFlow } from "../../src/voice/flow-definition.js";
import { DEMO_NOW, type DemoDatabase, login, openDemoDatabase } from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { call, startVoiceApp, type VoiceApp } from "../support/voice-app.js";

const TOKEN = "metrics-token-0123456789abcdef";
const FLOW = loadVoiceFlow(VOCABULARY).flow;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (comment lines skipped). */
function samples(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with this name and exactly these labels; undefined when absent. */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`several samples ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(app: VoiceApp, authorization?: string): Promise<Response> {
  return fetch(`${app.baseUrl}/metrics`, authorization ? { headers: { authorization } } : {});
}

async function metricsText(app: VoiceApp): Promise<string> {
  const response = await scrape(app, `Bearer ${TOKEN}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** Three wrong PINs end a call; the caller keys the card again after each failure. */
function wrongPins(card: string, pins: string[]): string[] {
  const [first, ...rest] = pins;
  return [...login(card, first ?? ""), ...rest.flatMap((pin) => [`${card}#`, `${pin}#`])];
}

describe("the METRICS_TOKEN setting", () => {
  it("is off when unset or empty, and must be at least 16 characters", () => {
    expect(loadSettings({}).metricsToken).toBeNull();
    expect(loadSettings({ METRICS_TOKEN: "" }).metricsToken).toBeNull();
    expect(loadSettings({ METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(() => loadSettings({ METRICS_TOKEN: "too-short" })).toThrow(SettingsError);
    expect(() => loadSettings({ METRICS_TOKEN: "too-short" })).toThrow(/METRICS_TOKEN/);
  });
});

describe.each(DRIVERS)("GET /metrics on %s", (driver) => {
  let demo: DemoDatabase;
  let app: VoiceApp;

  beforeAll(async () => {
    demo = await openDemoDatabase(driver);
  });
  afterAll(async () => {
    await demo?.dispose();
  });
  // A fresh app per test: counters live in the app's registry, the database is restored.
  beforeEach(async () => {
    await demo.restore();
    app = await startVoiceApp({ db: demo.db, now: DEMO_NOW, metrics: { token: TOKEN } });
  });
  afterEach(async () => {
    await app?.close();
  });

  it("answers 404 when METRICS_TOKEN is unset", async () => {
    const off = await startVoiceApp({ db: demo.db, now: DEMO_NOW });
    try {
      expect((await scrape(off)).status).toBe(404);
      expect((await scrape(off, `Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it("answers 401 without the token, with a wrong one, or another scheme", async () => {
    for (const authorization of [
      undefined,
      "Bearer ",
      "Bearer wrong-token-0123456789abcdef",
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`,
      TOKEN,
    ]) {
      const response = await scrape(app, authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      expect(await response.text()).not.toContain("renewline_");
    }
  });

  it("counts renewals by result and reason, login failures and webhook latency by step", async () => {
    const before = await metricsText(app);
    expect(sampleValue(before, "renewline_calls_in_progress")).toBe(0);
    expect(sampleValue(before, "renewline_login_failures_total")).toBe(0);
    expect(sampleValue(before, "renewline_phone_locks_in_force")).toBe(0);

    // Reader 1 renews all three loans; reader 3 renews one and is refused one (RESERVED).
    const renewedAll = await call(app, [...login("2100000001", "135790"), "0", "*"]);
    const renewedPart = await call(app, [...login("2100000003", "0303"), "0", "*"]);
    const wrongPin = await call(app, login("2100000002", "999999"));
    // A caller still on the line: Twilio's final status callback has not come yet.
    const onTheLine = await call(app, ["3"], {
      fetch: (input, init) =>
        String(input).includes("/voice/status")
          ? Promise.resolve(new Response("<Response/>", { headers: { "content-type": "text/xml" } }))
          : fetch(input, init),
    });

    const text = await metricsText(app);
    expect(sampleValue(text, "renewline_renewals_total", { result: "renewed", reason: "none" })).toBe(4);
    expect(sampleValue(text, "renewline_renewals_total", { result: "refused", reason: "RESERVED" })).toBe(1);
    expect(samples(text).filter((s) => s.name === "renewline_renewals_total")).toHaveLength(2);
    expect(sampleValue(text, "renewline_login_failures_total")).toBe(1);
    expect(sampleValue(text, "renewline_phone_locks_total")).toBe(0);
    expect(sampleValue(text, "renewline_calls_in_progress")).toBe(1);

    // Every webhook answered is in the histogram once, labelled with a step of the flow.
    const counts = samples(text).filter((s) => s.name === "renewline_webhook_duration_seconds_count");
    const calls = [renewedAll, renewedPart, wrongPin, onTheLine];
    const webhooks = calls.reduce((n, c) => n + c.requests.length, 0) - 1; // one status swallowed
    expect(counts.reduce((n, s) => n + s.value, 0)).toBe(webhooks);
    for (const sample of counts) {
      expect(Object.keys(sample.labels).sort()).toEqual(["route", "step"]);
      expect(Object.keys(FLOW.steps)).toContain(sample.labels.step);
    }
    expect(
      sampleValue(text, "renewline_webhook_duration_seconds_count", { route: "incoming", step: FLOW.start }),
    ).toBe(4);
    // The calls' next webhooks arrive at the language choice, the card prompt, the PIN prompt...
    const stepRoutes = new Set(counts.filter((s) => s.labels.route === "step").map((s) => s.labels.step));
    expect(stepRoutes.size).toBeGreaterThanOrEqual(4);
    expect(stepRoutes).toContain(FLOW.start);
    expect(counts.filter((s) => s.labels.route === "status").reduce((n, s) => n + s.value, 0)).toBe(3);
    const bucket = sampleValue(text, "renewline_webhook_duration_seconds_bucket", {
      route: "incoming",
      step: FLOW.start,
      le: "+Inf",
    });
    expect(bucket).toBe(4);
    // The statements each webhook sent: a new call is created and its answer saved, two each.
    const queries = { route: "incoming", step: FLOW.start };
    expect(sampleValue(text, "renewline_webhook_queries_count", queries)).toBe(4);
    expect(sampleValue(text, "renewline_webhook_queries_sum", queries)).toBe(8);

    // Nothing that names a reader or a call: card numbers, phones, PINs, CallSids, in any label.
    const labelsAndNames = text
      .split("\n")
      .map((line) => (line.startsWith("#") ? line : line.replace(/ \S+$/, "")))
      .join("\n");
    const demoFile = readDemoFile() as { patrons: { cardNumber: string; phone?: string; pin?: string }[] };
    const secrets = [
      ...demoFile.patrons.flatMap((p) => [p.cardNumber, p.cardNumber.slice(-4), p.phone ?? "", p.pin ?? ""]),
      ...calls.map((c) => c.callSid),
      "999999",
    ].filter((s) => s !== "");
    for (const secret of secrets) expect(labelsAndNames).not.toContain(secret);
    expect(labelsAndNames).not.toMatch(/CA[0-9a-f]{32}/i);
  });

  it("counts a phone lock when placed, and the locks in force at the app's time", async () => {
    // Three failures end the first call; two more in the second reach the limit of five.
    await call(app, wrongPins("2100000001", ["111111", "222222", "333333"]));
    await call(app, wrongPins("2100000001", ["444444", "555555"]));

    const locked = await metricsText(app);
    expect(sampleValue(locked, "renewline_login_failures_total")).toBe(5);
    expect(sampleValue(locked, "renewline_phone_locks_total")).toBe(1);
    expect(sampleValue(locked, "renewline_phone_locks_in_force")).toBe(1);

    // 30 minutes later the lock has run out: no longer in force, still counted as placed.
    app.setNow(new Date(Date.parse(DEMO_NOW) + 31 * 60_000).toISOString());
    const later = await metricsText(app);
    expect(sampleValue(later, "renewline_phone_locks_in_force")).toBe(0);
    expect(sampleValue(later, "renewline_phone_locks_total")).toBe(1);
  });
});
