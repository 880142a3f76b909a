/**
 * `npm run bench`: issue #9's benchmark. Generates (or reuses) the 10k and 1M libraries in a
 * PostgreSQL database of their own, starts the line as `npm start` would, drives it from a
 * separate process with the project's simulator, prints each figure beside its target and writes
 * the JSON under bench/results/. See /tmp/readme-bench.md or the README's "Performance".
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Phase } from "./driver-job.js";
import { databaseUrl, ensureLibrary, type GeneratedLibrary, resetLibrary } from "./generate-library.js";
import { FIXED_NOW, LIBRARIES, type LibrarySize } from "./library-shape.js";
import { lineStart, REPO_ROOT, type ServerProcess, startServer } from "./line-process.js";
import { load1, machineFacts, waitForQuiet } from "./machine.js";
import { parseOptions, type ScenarioName } from "./options.js";
import { printTable, type Row, row, writeResults } from "./report.js";
import { runDriver } from "./run-driver.js";
import {
  type BenchContext,
  busyHour,
  imports,
  perStep,
  type ScenarioOutcome,
  scale,
  stress,
} from "./scenarios.js";

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const loadBefore = load1();
  const authToken = randomBytes(16).toString("hex");
  const metricsToken = randomBytes(16).toString("hex");
  const env = {
    NODE_ENV: "production",
    TWILIO_AUTH_TOKEN: authToken,
    IDENTITY_HASH_KEY: randomBytes(32).toString("hex"),
    METRICS_TOKEN: metricsToken,
    FIXED_NOW,
    LOG_LEVEL: "warn",
  };

  const libraries = new Map<string, GeneratedLibrary>();
  // One line at a time, so scenarios never share the machine with an idle line.
  const lines: { running: { size: LibrarySize; server: ServerProcess } | null } = { running: null };
  const stopLine = async () => {
    await lines.running?.server.stop();
    lines.running = null;
  };
  const ctx: BenchContext = {
    quick: options.quick,
    adminUrl: options.adminUrl,
    authToken,
    metricsToken,
    env,
    log,
    async library(size) {
      const known = libraries.get(size.name);
      if (known) {
        await resetLibrary(known.url);
        return known;
      }
      const library = await ensureLibrary(options.adminUrl, size, log);
      libraries.set(size.name, library);
      return library;
    },
    async line(size) {
      if (lines.running?.size.name === size.name) return lines.running.server;
      await stopLine();
      log(`starting the line on ${size.database}`);
      const server = await startServer(lineStart(), {
        ...env,
        DATABASE_URL: databaseUrl(options.adminUrl, size.database),
      });
      lines.running = { size, server };
      return server;
    },
    drive: (phases: Phase[]) => runDriver(authToken, phases),
  };
  const stopOnSignal = () => {
    void stopLine().finally(() => process.exit(130));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);

  // --quick keeps to the 10k library (2 minutes): one call at a time on 1M takes a minute to say much.
  const scaleSizes = options.quick ? [LIBRARIES["10k"]] : [LIBRARIES["10k"], LIBRARIES["1m"]];
  const main = LIBRARIES[options.library ?? (options.quick ? "10k" : "1m")];
  // --quick waits once, before the first scenario; a full run before each.
  let waits = 0;
  const quiet = () => waitForQuiet(options.quick && waits++ > 0 ? 0 : options.maxWaitSeconds * 1000, log);

  const plan: Record<ScenarioName, () => Promise<ScenarioOutcome>> = {
    scale: () => scale(ctx, scaleSizes, quiet),
    "busy-hour": () => busyHour(ctx, main),
    stress: () => stress(ctx, main),
    "per-step": () => perStep(ctx, main),
    import: () => imports(ctx, options.quick ? [10_000] : [10_000, 1_000_000]),
  };
  // Scale first: one call at a time is the figure most sensitive to a machine still busy.
  const order: ScenarioName[] = ["scale", "busy-hour", "stress", "per-step", "import"];
  const rows: Row[] = [];
  const scenarios: Record<string, unknown> = {};
  const machine = machineFacts(REPO_ROOT);
  let firstWait: Awaited<ReturnType<typeof quiet>> | null = null;
  try {
    for (const name of order.filter((n) => options.only.includes(n))) {
      // Libraries are generated before the wait: generating 1M is what makes the machine busy.
      if (name !== "import")
        for (const size of name === "scale" ? scaleSizes : [main]) await ctx.library(size);
      const wait = await quiet();
      firstWait ??= wait;
      log(`${name}: starting (1-minute load ${wait.load})`);
      const started = performance.now();
      try {
        const outcome = await plan[name]();
        rows.push(...outcome.rows);
        scenarios[name] = {
          loadBefore: wait.load,
          loadAfter: load1(),
          seconds: Math.round((performance.now() - started) / 1000),
          ...(outcome.data as object),
        };
        console.error(printTable(outcome.rows, [`${name}:`]));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${name} failed: ${message}`);
        rows.push(row(name, "scenario failed", message.split("\n")[0]?.slice(0, 160) ?? "", "", false));
        scenarios[name] = { error: message, lineOutput: lines.running?.server.output().slice(-4000) };
        await stopLine();
      }
    }
  } finally {
    await stopLine();
  }

  const loadAfter = load1();
  const header = [
    `Renewline benchmark, ${startedAt.toISOString()}${options.quick ? " (--quick)" : ""}`,
    `commit ${machine.commit.slice(0, 12)}${machine.dirty ? " (with uncommitted changes)" : ""}, ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}`,
    `1-minute load: ${loadBefore} at start, ${firstWait?.load ?? "n/a"} when measuring began${firstWait && !firstWait.quiet ? " (never quiet: measured anyway)" : ""}, ${loadAfter} at the end`,
  ];
  console.log(printTable(rows, header));
  const file = writeResults(join(REPO_ROOT, "bench", "results"), startedAt, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    machine,
    load: { atStart: loadBefore, whenMeasuringBegan: firstWait, atEnd: loadAfter },
    libraries: Object.fromEntries(
      [...libraries].map(([name, library]) => [
        name,
        {
          database: library.size.database,
          readers: library.size.readers,
          generatedSeconds: library.generatedSeconds,
          rows: library.counts,
        },
      ]),
    ),
    fixedNow: FIXED_NOW,
    rows,
    scenarios,
  });
  console.log(`\nwritten: ${file}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("bench failed:", error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
