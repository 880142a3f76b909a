/**
 * The database unreachable: packets dropped for 30 s (the proxy accepts connections and forwards
 * nothing, either way; connections open at the time stay dead after it), then connections refused
 * for 10 s. Meanwhile every webhook answers the apology within 5 s and /healthz says 503 within
 * 1 s; within 5 s of the database's return /healthz says 200 and a new call renews, and the calls
 * after it all go through.
 */
import { afterAll, beforeAll, expect, it, onTestFailed } from "vitest";
import { type LineProcess, startLine, tail } from "../support/line-process.js";
import type { ProxyMode } from "../support/tcp-proxy.js";
import {
  answerOf,
  type CallerAtMenu,
  callersAtMenu,
  HEALTH_BUDGET_MS,
  type HealthProbe,
  overBudget,
  probeHealth,
  RECOVERY_BUDGET_MS,
  renewAllScript,
  sleep,
  type TimedCall,
  timedCall,
  WEBHOOK_BUDGET_MS,
  type Webhook,
} from "./fault-calls.js";
import {
  checkLedger,
  checkRenewAlls,
  faultSuite,
  RENEWERS,
  type Reader,
  useFaultRig,
} from "./fault-library.js";

/** /healthz may still say 200 this long into an outage (a check already under way, a cached answer). */
const HEALTH_GRACE_MS = 2_000;

faultSuite("the database unreachable", () => {
  const rig = useFaultRig();
  let line: LineProcess;

  beforeAll(async () => {
    line = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url) });
  });
  afterAll(async () => {
    await line?.kill();
  });

  interface Outage {
    /** Renew-alls keyed during the outage by callers who were at the menu when it began. */
    renewAlls: Webhook[];
    /** Calls that began during the outage. */
    newCalls: TimedCall[];
    probes: HealthProbe[];
    startedAt: number;
  }

  /**
   * Puts the proxy in `mode` for `ms`: waves of webhooks (renew-alls of callers waiting at the
   * menu, and new calls) at the given moments, and /healthz every second.
   */
  async function outage(mode: ProxyMode, ms: number, waves: number[], readers: Reader[]): Promise<Outage> {
    const [first, ...rest] = readers;
    if (!first) throw new Error("no readers");
    // Before: the line works.
    const before = await timedCall(line, renewAllScript(first));
    expect(before.renewAll && answerOf(before.renewAll).kind, "the line did not work before the outage").toBe(
      "trn",
    );
    const waiting: CallerAtMenu[] = await callersAtMenu(line, rest.slice(0, 2 * waves.length));
    const callers = rest.slice(2 * waves.length);

    rig.proxy.setMode(mode);
    const startedAt = Date.now();
    let over = false;
    const probes: HealthProbe[] = [];
    const probing = (async () => {
      while (!over) {
        probes.push(await probeHealth(line));
        await sleep(1_000);
      }
    })();
    const renewAlls: Promise<Webhook>[] = [];
    const newCalls: Promise<TimedCall>[] = [];
    for (const [wave, at] of waves.entries()) {
      await sleep(Math.max(0, startedAt + at - Date.now()));
      for (const caller of waiting.slice(2 * wave, 2 * wave + 2)) renewAlls.push(caller.renewAll());
      const reader = callers[wave];
      if (reader) newCalls.push(timedCall(line, renewAllScript(reader)));
    }
    await sleep(Math.max(0, startedAt + ms - Date.now()));
    over = true;
    await probing;
    return {
      renewAlls: await Promise.all(renewAlls),
      newCalls: await Promise.all(newCalls),
      probes,
      startedAt,
    };
  }

  /**
   * From the database's return: /healthz polled until 200, and calls made one after another until
   * one renews; then ten calls at once, all of which must renew.
   */
  async function recovery(readers: readonly Reader[]) {
    rig.proxy.setMode("forward");
    const returnedAt = Date.now();
    const healthy = (async () => {
      while (Date.now() < returnedAt + 3 * RECOVERY_BUDGET_MS) {
        const probe = await probeHealth(line);
        if (probe.status === 200) return probe.startedAt + probe.ms - returnedAt;
        await sleep(200);
      }
      return null;
    })();
    const attempts: TimedCall[] = [];
    let renewedFromMs: number | null = null;
    for (let n = 0; Date.now() < returnedAt + 3 * RECOVERY_BUDGET_MS; n++) {
      const callStartedAt = Date.now();
      const attempt = await timedCall(line, renewAllScript(readers[n % 5] ?? { card: "", pin: "" }));
      attempts.push(attempt);
      if (attempt.renewAll && answerOf(attempt.renewAll).kind === "trn") {
        renewedFromMs = callStartedAt - returnedAt;
        break;
      }
      await sleep(100);
    }
    const healthyAfterMs = await healthy;
    const after = await Promise.all(
      readers.slice(5, 15).map((reader) => timedCall(line, renewAllScript(reader))),
    );
    return { healthyAfterMs, renewedFromMs, attempts, after };
  }

  function expectOutageAnswered(seen: Outage, what: string) {
    const calls = seen.newCalls.flatMap((call) => call.webhooks);
    const twiml = calls.filter((w) => w.path !== "/voice/status");
    const statusCallbacks = calls.filter((w) => w.path === "/voice/status");
    const late = seen.probes.filter((p) => p.startedAt >= seen.startedAt + HEALTH_GRACE_MS);
    console.log(
      `faults: ${what}; renew-alls heard ${seen.renewAlls.map((w) => answerOf(w).kind).join(", ")}; ` +
        `new calls heard ${twiml.map((w) => answerOf(w).kind).join(", ")}; slowest webhook ` +
        `${Math.max(...[...seen.renewAlls, ...calls].map((w) => w.ms))} ms; /healthz ${seen.probes
          .map((p) => `${p.status || "none"} in ${p.ms} ms`)
          .join(", ")}`,
    );
    expect(overBudget([...seen.renewAlls, ...calls], WEBHOOK_BUDGET_MS)).toEqual([]);
    // Nothing can be done without the database: every answer is the apology (and a status
    // callback, which has nothing to say, an empty answer).
    expect([...seen.renewAlls, ...twiml].map((w) => answerOf(w).kind)).toEqual(
      [...seen.renewAlls, ...twiml].map(() => "apology"),
    );
    expect(statusCallbacks.map((w) => w.status)).toEqual(statusCallbacks.map(() => 200));
    expect(seen.probes.filter((p) => p.ms > HEALTH_BUDGET_MS || p.status === 0)).toEqual([]);
    expect(late.length).toBeGreaterThan(0);
    expect(late.map((p) => p.status)).toEqual(late.map(() => 503));
  }

  function expectRecovered(recovered: Awaited<ReturnType<typeof recovery>>, what: string) {
    const afterKinds = recovered.after.map((call) =>
      call.renewAll ? answerOf(call.renewAll).kind : "no renew-all",
    );
    console.log(
      `faults: ${what} returned: /healthz 200 after ${recovered.healthyAfterMs ?? "never"} ms; first call that ` +
        `renewed began ${recovered.renewedFromMs ?? "never"} ms after (${recovered.attempts.length} tried); ` +
        `${recovered.after.length} calls after it: ${afterKinds.join(", ")}`,
    );
    expect(recovered.healthyAfterMs, "/healthz did not say 200 again").not.toBeNull();
    expect(recovered.healthyAfterMs ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(RECOVERY_BUDGET_MS);
    expect(recovered.renewedFromMs, "no call renewed after the database returned").not.toBeNull();
    expect(recovered.renewedFromMs ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(RECOVERY_BUDGET_MS);
    expect(
      overBudget(
        recovered.attempts.flatMap((call) => call.webhooks),
        WEBHOOK_BUDGET_MS,
      ),
    ).toEqual([]);
    expect(
      overBudget(
        recovered.after.flatMap((call) => call.webhooks),
        WEBHOOK_BUDGET_MS,
      ),
    ).toEqual([]);
    expect(afterKinds).toEqual(recovered.after.map(() => "trn"));
  }

  /** Before any retry, whatever committed, committed with its answer; then every retry renews. */
  async function expectNothingLost(seen: { renewAlls: Parameters<typeof checkRenewAlls>[2] }) {
    expect((await checkLedger(rig.library)).problems).toEqual([]);
    const report = await checkRenewAlls(rig.library, line, seen.renewAlls, WEBHOOK_BUDGET_MS);
    expect(report.problems).toEqual([]);
    expect((await checkLedger(rig.library)).problems).toEqual([]);
  }

  it("packets dropped for 30 s: apologies in ≤ 5 s, /healthz 503 in ≤ 1 s, and full recovery within 5 s of the return", async () => {
    onTestFailed(() => console.log(`the line's output:\n${tail(line.output())}`));
    const seen = await outage("drop", 30_000, [1_000, 12_000, 24_000], RENEWERS.slice(0, 10));
    expectOutageAnswered(
      seen,
      `packets dropped 1 time for 30 s (${rig.proxy.counts().blackholed} connections blackholed)`,
    );

    const recovered = await recovery(RENEWERS.slice(10));
    expectRecovered(recovered, "after the drop, the database");
    expect(line.isRunning()).toBe(true);

    await expectNothingLost(seen);
  }, 120_000);

  it("connections refused for 10 s: apologies in ≤ 5 s, /healthz 503 in ≤ 1 s, and full recovery within 5 s of the return", async () => {
    onTestFailed(() => console.log(`the line's output:\n${tail(line.output())}`));
    const before = rig.proxy.counts();
    const seen = await outage(
      "refuse",
      10_000,
      [1_000, 6_000],
      [...RENEWERS.slice(15), ...RENEWERS.slice(0, 5)],
    );
    const counts = rig.proxy.counts();
    expectOutageAnswered(
      seen,
      `connections refused 1 time for 10 s (${counts.refused - before.refused} refused, ${counts.reset - before.reset} reset)`,
    );

    const recovered = await recovery(RENEWERS.slice(5));
    expectRecovered(recovered, "after the refusals, the database");
    expect(line.isRunning()).toBe(true);

    await expectNothingLost(seen);
  }, 90_000);
});
