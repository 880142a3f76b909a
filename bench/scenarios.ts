/**
 * The scenarios of issue #9, each a function from the bench's context to rows of the table (each
 * figure beside its target) and the raw figures for the JSON.
 */
import type { Phase, PhaseResult } from "./driver-job.js";
import type { GeneratedLibrary } from "./generate-library.js";
import { type ImportResult, measureImport } from "./import-scenario.js";
import { LIBRARIES, type LibrarySize } from "./library-shape.js";
import { type ServerProcess, sampleRss, startServer } from "./line-process.js";
import { queriesPerWebhook, readQueryCounts } from "./query-metrics.js";
import { formatMs, formatRate, type Row, row } from "./report.js";
import { atMost, type LatencySummary } from "./stats.js";

export interface BenchContext {
  quick: boolean;
  adminUrl: string;
  authToken: string;
  metricsToken: string;
  /** The environment every server and db:load gets (tokens, keys, FIXED_NOW). */
  env: Record<string, string>;
  log(line: string): void;
  /** The library of this size, generated or reused, with the previous run's calls undone. */
  library(size: LibrarySize): Promise<GeneratedLibrary>;
  /** The line serving this library (started, or the one already running on it). */
  line(size: LibrarySize): Promise<ServerProcess>;
  drive(phases: Phase[]): Promise<PhaseResult[]>;
}

export interface ScenarioOutcome {
  rows: Row[];
  data: unknown;
}

const phase = (
  fields: Omit<Phase, "rampMs" | "seed" | "openingConcurrency"> &
    Partial<Pick<Phase, "rampMs" | "seed" | "openingConcurrency">>,
): Phase => ({
  rampMs: 0,
  seed: 1,
  openingConcurrency: 4,
  ...fields,
});

function errorsOf(result: PhaseResult): number {
  return result.webhooks.errors + result.calls.unexpected;
}

function errorText(result: PhaseResult): string {
  if (errorsOf(result) === 0) return "0";
  const kinds = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
  const calls = result.calls.unexpected > 0 ? `; ${result.calls.unexpected} calls astray` : "";
  return `${result.webhooks.errors} webhooks (${kinds(result.errors)})${calls}`;
}

function coresText(result: PhaseResult): string {
  const { lineCores, driverCores, machineCores } = result.cpu;
  return `${lineCores ?? "n/a"} / ${driverCores} / ${machineCores ?? "n/a"}`;
}

/** 500 callers at once, each pausing 2-8 s before every key, calling again when done. */
export async function busyHour(ctx: BenchContext, size: LibrarySize): Promise<ScenarioOutcome> {
  const library = await ctx.library(size);
  const line = await ctx.line(size);
  const durationMs = ctx.quick ? 25_000 : 180_000;
  const before = await readQueryCounts(line.baseUrl, ctx.metricsToken);
  const rss = sampleRss(line.pid);
  const [result] = await ctx.drive([
    phase({
      name: "busy hour",
      baseUrl: line.baseUrl,
      linePid: line.pid,
      plan: "visit",
      readers: library.size.readers,
      concurrency: 500,
      durationMs,
      warmupMs: ctx.quick ? 8_000 : 30_000,
      // Callers arrive over about one call's length, as they would in a busy hour's steady state.
      rampMs: ctx.quick ? 8_000 : 30_000,
      thinkMs: [2000, 8000],
    }),
  ]);
  const memory = rss.stop();
  const after = await readQueryCounts(line.baseUrl, ctx.metricsToken);
  if (!result) throw new Error("the driver returned no busy-hour result");
  const queries = queriesPerWebhook(before, after);
  const s = `busy hour (${size.name}, 500 calls, 2-8 s think, ${durationMs / 1000} s)`;
  const rows = [
    row(
      s,
      "non-login webhook p99",
      formatMs(result.nonLogin.p99),
      "≤ 50 ms",
      atMost(result.nonLogin.p99, 50),
    ),
    row(s, "login webhook p99", formatMs(result.login.p99), "≤ 300 ms", atMost(result.login.p99, 300)),
    row(s, "errors", errorText(result), "0", errorsOf(result) === 0),
    row(
      s,
      "webhooks / calls as planned / cut at the end",
      `${result.webhooks.total} / ${result.calls.asPlanned} / ${result.calls.cutAtDeadline}`,
    ),
    row(s, "busy answers (load shed)", String(result.webhooks.busy)),
    row(s, "cores busy: line / driver / machine", coresText(result)),
    row("memory", "line RSS peak in the busy hour", `${memory.peakMb} MB`, "≤ 200 MB", memory.peakMb <= 200),
    ...queryRows(queries),
  ];
  return { rows, data: { result, memory, queriesPerWebhook: queries } };
}

function queryRows(queries: ReturnType<typeof queriesPerWebhook>): Row[] {
  if (!queries) return [row("queries", "statements per webhook (renewline_webhook_queries)", "n/a")];
  return Object.entries(queries)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, q]) =>
      row("queries", `per webhook: ${kind}`, `${q.queriesPerWebhook} (${q.webhooks} webhooks)`),
    );
}

/** 50, 200 and 500 callers keying with 0-200 ms pauses: does the line hold up, or collapse? */
export async function stress(ctx: BenchContext, size: LibrarySize): Promise<ScenarioOutcome> {
  const library = await ctx.library(size);
  const line = await ctx.line(size);
  const levels = [50, 200, 500];
  const results = await ctx.drive(
    levels.map((concurrency, index) =>
      phase({
        name: `stress ${concurrency}`,
        baseUrl: line.baseUrl,
        linePid: line.pid,
        plan: "visit",
        readers: library.size.readers,
        concurrency,
        durationMs: ctx.quick ? 8_000 : 45_000,
        warmupMs: ctx.quick ? 2_000 : 10_000,
        rampMs: 1_000,
        thinkMs: [0, 200],
        seed: 100 + index,
      }),
    ),
  );
  const rows: Row[] = [];
  for (const result of results) {
    const s = `stress ${result.concurrency} (${size.name}, 0-200 ms think)`;
    rows.push(
      row(s, "completed calls/s", formatRate(result.calls.perSecond)),
      row(s, "non-login p50 / p99", `${formatMs(result.nonLogin.p50)} / ${formatMs(result.nonLogin.p99)}`),
      row(s, "login p50 / p99", `${formatMs(result.login.p50)} / ${formatMs(result.login.p99)}`),
      row(s, "errors", errorText(result)),
      row(s, "busy answers, p99", `${result.webhooks.busy}, ${formatMs(result.busyAnswers.p99)}`),
      row(s, "of which to new calls, p99", busyText(result.busyNewCalls)),
      row(s, "of which during a call, count", String(result.busyAnswers.count - result.busyNewCalls.count)),
    );
  }
  const at50 = results[0]?.calls.perSecond ?? 0;
  const at500 = results[2]?.calls.perSecond ?? 0;
  const share = at50 > 0 ? at500 / at50 : 0;
  // Callers beyond capacity are the new calls turned away; one shed during its call is counted above.
  const busy = results[2]?.busyNewCalls;
  rows.push(
    row(
      "stress",
      "calls/s at 500 vs at 50",
      at50 > 0
        ? `${Math.round(share * 100)} % (${formatRate(at500)} vs ${formatRate(at50)})`
        : "n/a: no call completed at 50",
      "≥ 90 %",
      at50 > 0 && share >= 0.9,
    ),
    row(
      "stress",
      "busy answer p99 at 500, new calls",
      busy && busy.count > 0 ? busyText(busy) : "n/a (no busy answers)",
      "≤ 1 s",
      busy && busy.count > 0 ? atMost(busy.p99, 1000) : null,
    ),
  );
  return { rows, data: { results } };
}

function busyText(busy: LatencySummary): string {
  return busy.count > 0 ? `${busy.count}, p99 ${formatMs(busy.p99)}` : "0";
}

/** The cheapest step after login, the login, and the floor, each at full speed, in one driver run. */
export async function perStep(ctx: BenchContext, size: LibrarySize): Promise<ScenarioOutcome> {
  const library = await ctx.library(size);
  const line = await ctx.line(size);
  const floor = await startServer({ args: ["--import", "tsx", "bench/floor-server.ts"] }, ctx.env);
  const concurrency = ctx.quick ? 20 : 50;
  const loginConcurrency = 16;
  const durationMs = ctx.quick ? 5_000 : 30_000;
  const warmupMs = ctx.quick ? 1_000 : 5_000;
  const common = {
    readers: library.size.readers,
    concurrency,
    durationMs,
    warmupMs,
    thinkMs: [0, 0] as [number, number],
  };
  let results: PhaseResult[];
  try {
    results = await ctx.drive([
      phase({ ...common, name: "floor", baseUrl: floor.baseUrl, linePid: floor.pid, plan: "floorLoop" }),
      phase({
        ...common,
        name: "menu again",
        baseUrl: line.baseUrl,
        linePid: line.pid,
        plan: "menuLoop",
        seed: 2,
      }),
      // Fewer logins at once than menus: past saturation, queued logins only run out of budget.
      phase({
        ...common,
        name: "login",
        baseUrl: line.baseUrl,
        linePid: line.pid,
        plan: "loginLoop",
        seed: 3,
        concurrency: loginConcurrency,
      }),
      // The floor again: the ratio uses both, so a machine getting busier or quieter evens out.
      phase({
        ...common,
        name: "floor again",
        baseUrl: floor.baseUrl,
        linePid: floor.pid,
        plan: "floorLoop",
        seed: 4,
      }),
    ]);
  } finally {
    await floor.stop();
  }
  const [floorResult, menuResult, loginResult, floorAgain] = results;
  const floorRates = [floorResult, floorAgain].map((r) => r?.byLabel["floor:9"]?.perSecond ?? 0);
  const floorRate = floorRates.reduce((sum, rate) => sum + rate, 0) / floorRates.length;
  const floorStep = floorResult?.byLabel["floor:9"];
  const menuStep = menuResult?.byLabel["menu:9"];
  const loginStep = loginResult?.byLabel.pin;
  const share = menuStep && floorRate > 0 ? menuStep.perSecond / floorRate : 0;
  const s = `per step (${size.name}, no think; ${concurrency} calls, ${loginConcurrency} for logins)`;
  const latency = (step: typeof menuStep) =>
    step ? `p50 ${formatMs(step.p50)}, p99 ${formatMs(step.p99)}` : "n/a";
  const rows = [
    row(
      s,
      "floor webhooks/s (Express+signature+TwiML), before / after",
      floorRates.map(formatRate).join(" / "),
    ),
    row(s, "floor latency", latency(floorStep)),
    row(
      s,
      "menu again (9) webhooks/s",
      menuStep ? formatRate(menuStep.perSecond) : "n/a",
      "≥ 1,000/s",
      (menuStep?.perSecond ?? 0) >= 1000,
    ),
    row(s, "menu again / floor (mean of the two)", `${(share * 100).toFixed(1)} %`, "≥ 40 %", share >= 0.4),
    row(s, "menu again latency", latency(menuStep)),
    row(
      s,
      "logins/s (PIN webhooks)",
      loginStep ? formatRate(loginStep.perSecond) : "n/a",
      "≥ 25/s",
      (loginStep?.perSecond ?? 0) >= 25,
    ),
    row(s, "login latency", latency(loginStep)),
    row(s, "errors (floor, menu, login, floor)", results.map(errorText).join("; ")),
    row(
      s,
      "cores busy: server / driver / machine (floor, menu, login, floor)",
      results.map(coresText).join("; "),
    ),
  ];
  return { rows, data: { results, menuShareOfFloor: share } };
}

/** One call at a time through every step, on 10k and on 1M readers: each step's p50 side by side. */
export async function scale(
  ctx: BenchContext,
  sizes: LibrarySize[],
  waitQuiet: () => Promise<unknown>,
): Promise<ScenarioOutcome> {
  const byLibrary: Record<string, PhaseResult> = {};
  for (const size of sizes) {
    const library = await ctx.library(size);
    const line = await ctx.line(size);
    await waitQuiet();
    const common = {
      baseUrl: line.baseUrl,
      linePid: line.pid,
      plan: "tour" as const,
      readers: library.size.readers,
      concurrency: 1,
      warmupMs: 0,
      thinkMs: [0, 0] as [number, number],
    };
    // The first phase warms the line up (JIT, connections, caches) and is not counted.
    const [, measured] = await ctx.drive([
      phase({ ...common, name: `warm-up ${size.name}`, durationMs: ctx.quick ? 2_000 : 10_000, seed: 7 }),
      phase({
        ...common,
        name: `one at a time ${size.name}`,
        durationMs: ctx.quick ? 8_000 : 60_000,
        seed: 8,
      }),
    ]);
    if (measured) byLibrary[size.name] = measured;
  }
  const small = byLibrary[LIBRARIES["10k"].name];
  const large = byLibrary[LIBRARIES["1m"].name];
  const rows: Row[] = [];
  for (const [name, result] of Object.entries(byLibrary)) {
    rows.push(
      row(
        `scale ${name}`,
        "calls (one at a time) / errors",
        `${result.calls.asPlanned} / ${errorText(result)}`,
      ),
    );
  }
  if (small && !large) {
    for (const [label, step] of Object.entries(small.byLabel)) {
      rows.push(row("scale 10k", `p50 ${label}`, formatMs(step.p50)));
    }
    rows.push(row("scale", "1M vs 10k", "n/a (--quick: 10k only)", "≤ 1.25×", null));
    return { rows, data: { byLibrary } };
  }
  if (!small || !large) return { rows, data: { byLibrary } };
  let worst = 0;
  let worstLabel = "";
  for (const [label, step] of Object.entries(large.byLabel)) {
    const base = small.byLabel[label];
    if (!base) continue;
    if (base.p50 === null || step.p50 === null) continue;
    const ratio = step.p50 / base.p50;
    if (ratio > worst) [worst, worstLabel] = [ratio, label];
    rows.push(
      row(
        "scale 1M vs 10k",
        `p50 ${label}`,
        `${formatMs(base.p50)} → ${formatMs(step.p50)} (×${ratio.toFixed(2)})`,
        "≤ 1.25×",
        ratio <= 1.25,
      ),
    );
  }
  rows.push(
    row("scale 1M vs 10k", "worst step", `${worstLabel} ×${worst.toFixed(2)}`, "≤ 1.25×", worst <= 1.25),
  );
  return { rows, data: { byLibrary } };
}

/** db:load of 10k and 1M readers with pinHash into a scratch database. */
export async function imports(ctx: BenchContext, readersList: number[]): Promise<ScenarioOutcome> {
  const results: ImportResult[] = [];
  const rows: Row[] = [];
  for (const readers of readersList) {
    const result = await measureImport(ctx.adminUrl, readers, ctx.env, ctx.log);
    results.push(result);
    const figure = `db:load ${readers.toLocaleString("en")} readers`;
    const target = readers >= 1_000_000 ? "≤ 10 min" : "";
    if (!result.available) rows.push(row("import", figure, `not available (${result.reason})`, target, null));
    else if (!result.ok)
      rows.push(
        row("import", figure, `failed: ${result.error.slice(0, 200)}`, target, target ? false : null),
      );
    else
      rows.push(row("import", figure, `${result.seconds} s`, target, target ? result.seconds <= 600 : null));
  }
  return { rows, data: { results } };
}
