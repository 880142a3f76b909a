/**
 * The benchmark's caller: a process of its own that places whole calls with the project's
 * simulator (signed form posts, as Twilio sends them), times every webhook, and writes what it
 * measured to the job's result file. Usage: tsx bench/driver.ts JOB.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type CallResult, placeCall } from "../src/simulator/call-simulator.js";
import { type CallPlan, type Key, makePlan, seededRandom } from "./call-plans.js";
import { cpuSince, cpuSnapshot } from "./cpu-usage.js";
import { type DriverJob, jobSchema, type LabelResult, type Phase, type PhaseResult } from "./driver-job.js";
import { keepAliveFetch } from "./keep-alive-fetch.js";
import { callerNumber } from "./library-shape.js";
import { promptTexts } from "./prompt-texts.js";
import { summarise } from "./stats.js";

interface Sample {
  label: string;
  login: boolean;
  /** Answered as it should be (no error): only these count towards a rate. */
  ok: boolean;
  ms: number;
  endedAt: number;
}

class PhaseRecorder {
  readonly samples: Sample[] = [];
  readonly busy: number[] = [];
  /** Busy answers to a call's first webhook: a caller beyond capacity, turned away. */
  readonly busyNewCalls: number[] = [];
  readonly errors: Record<string, number> = {};
  readonly callErrors: Record<string, number> = {};
  readonly errorSamples: string[] = [];
  readonly callEnds: { at: number; outcome: "asPlanned" | "busy" | "unexpected" | "cut" }[] = [];
  webhooks = 0;
  webhookErrors = 0;
  started = 0;

  error(kind: string, detail: string, of: "webhook" | "call" = "webhook"): void {
    const counts = of === "webhook" ? this.errors : this.callErrors;
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (this.errorSamples.length < 8) this.errorSamples.push(`${kind}: ${detail}`);
  }
}

const texts = promptTexts();
const SLOW_MS = 15_000;

/**
 * When a phase measures. A full-speed phase (a plan with a cycle) starts its clock only once
 * every caller is keying the cycle: bringing 50 calls through login first takes a while.
 */
class PhaseTiming {
  readonly began = performance.now();
  measureFrom: number;
  deadline: number;
  private readonly cycling = new Set<number>();
  private started = false;

  constructor(
    private readonly phase: Phase,
    hasCycle: boolean,
  ) {
    const setup = hasCycle ? SETUP_LIMIT_MS : 0;
    this.measureFrom = this.began + setup + phase.warmupMs;
    this.deadline = this.began + setup + phase.durationMs;
    if (hasCycle) setTimeout(() => this.startMeasuring(), SETUP_LIMIT_MS).unref();
  }

  enteredCycle(caller: number): void {
    this.cycling.add(caller);
    if (this.cycling.size === this.phase.concurrency) this.startMeasuring();
  }

  private startMeasuring(): void {
    if (this.started) return;
    this.started = true;
    const now = performance.now();
    this.measureFrom = now + this.phase.warmupMs;
    this.deadline = now + this.phase.durationMs;
  }
}

/** At most `permits` callers at once in a call's opening (logging in), so none time out queueing. */
function gate(permits: number) {
  let free = permits;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<() => void> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else free++;
      };
    },
  };
}

const SETUP_LIMIT_MS = 60_000;

/** A caller's pause before a key or a new call, drawn evenly from the phase's think time. */
async function think(phase: Phase): Promise<void> {
  const [min, max] = phase.thinkMs;
  // No timer at all without think time: the full-speed phases would wait a tick per key.
  if (max > 0) await sleep(min + Math.random() * (max - min));
}

async function runPhase(job: DriverJob, phase: Phase): Promise<PhaseResult> {
  const recorder = new PhaseRecorder();
  const http = keepAliveFetch(phase.concurrency + 16);
  const probe = makePlan(phase.plan, phase.readers, seededRandom(0));
  const timing = new PhaseTiming(phase, probe.cycle !== undefined);
  const opening = gate(
    probe.cycle && probe.opening.length > 0 ? phase.openingConcurrency : phase.concurrency,
  );
  const random = seededRandom(phase.seed);
  let callNumber = phase.seed * 1_000_000;

  const caller = async (index: number) => {
    await sleep((phase.rampMs * index) / phase.concurrency);
    while (performance.now() < timing.deadline) {
      const plan = makePlan(phase.plan, phase.readers, random);
      const release = await opening.acquire();
      const call: CallContext = {
        job,
        phase,
        plan,
        sequence: callNumber++,
        timing,
        recorder,
        caller: index,
        release,
      };
      const outcome = await oneCall(call, http.fetch).finally(release);
      // A caller turned away hears the busy message to its end (Twilio speaks it, then hangs up)
      // before ringing again: no telephone redials while the line is still talking.
      if (outcome.busyMessageSeconds > 0) {
        await sleep(
          Math.min(outcome.busyMessageSeconds * 1000, Math.max(0, timing.deadline - performance.now())),
        );
      }
      // A caller whose call ended (or failed) rings again after a pause, not in the same instant.
      await think(phase);
    }
  };
  const cpuBefore = cpuSnapshot(phase.linePid);
  await Promise.all(Array.from({ length: phase.concurrency }, (_, index) => caller(index)));
  const ended = performance.now();
  const cpu = cpuSince(cpuBefore, cpuSnapshot(phase.linePid));
  http.close();
  return { ...summarisePhase(phase, recorder, timing, ended), cpu };
}

interface CallContext {
  job: DriverJob;
  phase: Phase;
  plan: CallPlan;
  sequence: number;
  timing: PhaseTiming;
  recorder: PhaseRecorder;
  caller: number;
  /** Gives the opening's permit back: once in the cycle, or when the call ends. */
  release: () => void;
}

interface CallOutcome {
  /** How long the busy message takes to say, when the call was turned away; else 0. */
  busyMessageSeconds: number;
}

async function oneCall(call: CallContext, fetchFunction: typeof fetch): Promise<CallOutcome> {
  const { job, phase, plan, timing, recorder } = call;
  recorder.started++;
  let current: Key = { keys: "", label: phase.plan === "floorLoop" ? "floor:incoming" : "incoming" };
  let position = 0;
  const nextKeys = async (): Promise<string | null> => {
    // At the deadline every caller hangs up, so a phase ends on time (its call counts as cut).
    const next =
      performance.now() >= timing.deadline
        ? undefined
        : position < plan.opening.length
          ? plan.opening[position]
          : plan.cycle?.[(position - plan.opening.length) % plan.cycle.length];
    if (plan.cycle && position === plan.opening.length) {
      call.release();
      timing.enteredCycle(call.caller);
    }
    position++;
    if (!next) return null;
    await think(phase);
    current = next;
    return next.keys;
  };
  const timedFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const label = String(input).includes("/voice/status") ? "status" : current.label;
    const login = label === current.label && current.login === true;
    const started = performance.now();
    recorder.webhooks++;
    try {
      const response = await fetchFunction(input, init);
      const body = await response.text();
      const ms = performance.now() - started;
      if (response.headers.get("x-renewline-busy") === "1" || texts.busy.some((t) => body.includes(t))) {
        recorder.busy.push(ms);
        if (label === "incoming") recorder.busyNewCalls.push(ms);
      } else {
        const kind =
          response.status < 200 || response.status > 299
            ? `http-${response.status}`
            : texts.apology.some((t) => body.includes(t))
              ? "apology"
              : ms > SLOW_MS
                ? "slow"
                : null;
        recorder.samples.push({ label, login, ok: kind === null, ms, endedAt: performance.now() });
        if (kind) {
          recorder.webhookErrors++;
          recorder.error(kind, `${label} after ${Math.round(ms)} ms`);
        }
      }
      return new Response(body, { status: response.status, headers: response.headers });
    } catch (error) {
      recorder.webhookErrors++;
      const name = error instanceof Error ? error.name : "";
      recorder.error(
        name === "TimeoutError" || name === "AbortError" ? "timeout" : "network",
        `${label}: ${String(error)}`,
      );
      throw error;
    }
  }) as typeof fetch;

  let result: CallResult | null = null;
  try {
    result = await placeCall({
      baseUrl: phase.baseUrl,
      authToken: job.authToken,
      from: callerNumber(call.sequence),
      nextKeys,
      fetch: timedFetch,
      maxRequests: 100_000,
    });
  } catch (error) {
    recorder.error("threw", String(error), "call");
  }
  const cut = position <= plan.opening.length && result?.endedBy === "caller" && !result.error;
  const outcome = cut ? "cut" : outcomeOf(plan, result, recorder);
  recorder.callEnds.push({ at: performance.now(), outcome });
  return { busyMessageSeconds: outcome === "busy" && result ? busyMessageSeconds(result) : 0 };
}

/** The speaking time of the busy message(s) in a call's transcript, as the simulator estimates it. */
function busyMessageSeconds(result: CallResult): number {
  return result.transcript.reduce(
    (total, entry) => total + (entry.kind === "say" && texts.busy.includes(entry.text) ? entry.seconds : 0),
    0,
  );
}

function outcomeOf(plan: CallPlan, result: CallResult | null, recorder: PhaseRecorder) {
  if (!result) return "unexpected" as const;
  if (result.heard.some((text) => texts.busy.includes(text))) return "busy" as const;
  const astray = result.heard.find((text) => texts.astray.includes(text));
  const why = result.error
    ? result.error.reason
    : astray !== undefined
      ? "heard-failure"
      : result.endedBy !== plan.endedBy
        ? "ended-early"
        : null;
  if (!why) return "asPlanned" as const;
  recorder.error(why, result.error?.message ?? astray ?? `ended by ${result.endedBy}`, "call");
  return "unexpected" as const;
}

function summarisePhase(
  phase: Phase,
  recorder: PhaseRecorder,
  timing: PhaseTiming,
  ended: number,
): Omit<PhaseResult, "cpu"> {
  const began = timing.began;
  const windowStart = timing.measureFrom;
  const windowEnd = timing.deadline;
  const windowSeconds = Math.max(0.001, (windowEnd - windowStart) / 1000);
  const inWindow = (at: number) => at >= windowStart && at <= windowEnd;
  const byLabel: Record<string, LabelResult> = {};
  const groups = new Map<string, Sample[]>();
  for (const sample of recorder.samples) {
    const group = groups.get(sample.label) ?? [];
    group.push(sample);
    groups.set(sample.label, group);
  }
  for (const [label, samples] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    byLabel[label] = {
      ...summarise(samples.map((s) => s.ms)),
      login: samples.some((s) => s.login),
      perSecond: round(samples.filter((s) => s.ok && inWindow(s.endedAt)).length / windowSeconds),
    };
  }
  const count = (outcome: string) => recorder.callEnds.filter((end) => end.outcome === outcome).length;
  const timed = recorder.samples.filter((s) => s.label !== "status");
  return {
    name: phase.name,
    plan: phase.plan,
    concurrency: phase.concurrency,
    wallSeconds: round((ended - began) / 1000),
    windowSeconds: round(windowSeconds),
    calls: {
      started: recorder.started,
      asPlanned: count("asPlanned"),
      busy: count("busy"),
      unexpected: count("unexpected"),
      cutAtDeadline: count("cut"),
      perSecond: round(
        recorder.callEnds.filter((end) => end.outcome === "asPlanned" && inWindow(end.at)).length /
          windowSeconds,
      ),
    },
    webhooks: { total: recorder.webhooks, errors: recorder.webhookErrors, busy: recorder.busy.length },
    errors: recorder.errors,
    callErrors: recorder.callErrors,
    errorSamples: recorder.errorSamples,
    byLabel,
    login: summarise(timed.filter((s) => s.login).map((s) => s.ms)),
    nonLogin: summarise(timed.filter((s) => !s.login).map((s) => s.ms)),
    busyAnswers: summarise(recorder.busy),
    busyNewCalls: summarise(recorder.busyNewCalls),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: tsx bench/driver.ts JOB.json");
  const job = jobSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const results: PhaseResult[] = [];
  for (const phase of job.phases) results.push(await runPhase(job, phase));
  writeFileSync(job.resultFile, JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
