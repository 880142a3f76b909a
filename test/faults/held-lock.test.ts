/**
 * A lock held on `loans` for 20 s (a connection of its own: LOCK TABLE loans IN ACCESS EXCLUSIVE
 * MODE) while 15 callers key renew all, a few at a time through the hold, the last just before it
 * ends: every webhook answers within 5 s, each caller hears the TRN or the apology, and every
 * renewal committed has its answer stored, so the retry of an apology hears a TRN.
 */
import { afterAll, expect, it, onTestFailed } from "vitest";
import { type LineProcess, startLine, tail } from "../support/line-process.js";
import {
  answerOf,
  callersAtMenu,
  HEALTH_BUDGET_MS,
  type HealthProbe,
  overBudget,
  probeHealth,
  renewAllScript,
  sleep,
  type TimedCall,
  timedCall,
  WEBHOOK_BUDGET_MS,
} from "./fault-calls.js";
import {
  checkLedger,
  checkRenewAlls,
  DEMO_RENEWERS,
  EXTRA_READERS,
  faultSuite,
  lockLoans,
  useFaultRig,
} from "./fault-library.js";

const HOLD_MS = 20_000;
/** When the callers key 0, from the start of the hold: three at each, the last just before it ends. */
const PRESSES_AT_MS = [0, 5_000, 10_000, 15_000, 19_400];

faultSuite("a held lock on loans", () => {
  const rig = useFaultRig();
  let line: LineProcess | undefined;

  afterAll(async () => {
    await line?.kill();
  });

  it(`a ${HOLD_MS / 1000} s lock on loans while ${DEMO_RENEWERS.length} callers renew all: each answered in ≤ 5 s with the TRN or the apology, every committed renewal has its answer, and each apology's retry hears a TRN`, async () => {
    const started = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url) });
    line = started;
    onTestFailed(() => console.log(`the line's output:\n${tail(started.output())}`));
    const callers = await callersAtMenu(started, DEMO_RENEWERS);

    const lock = await lockLoans(rig.library);
    const lockedAt = Date.now();
    const until = (ms: number) => sleep(Math.max(0, lockedAt + ms - Date.now()));
    let released = false;
    const presses = PRESSES_AT_MS.flatMap((at, wave) =>
      callers.slice(wave * 3, wave * 3 + 3).map(async (caller) => {
        await until(at);
        return caller.renewAll();
      }),
    );
    // Meanwhile /healthz (the database is up, only busy) and a new caller from the start.
    const probes: HealthProbe[] = [];
    const probing = (async () => {
      while (!released) {
        probes.push(await probeHealth(started));
        await sleep(1_000);
      }
    })();
    const newCall: Promise<TimedCall> = until(8_000).then(() =>
      timedCall(started, renewAllScript(EXTRA_READERS[0] ?? { card: "", pin: "" })),
    );

    await until(HOLD_MS);
    await lock.release();
    released = true;
    const renewAlls = await Promise.all(presses);
    await probing;
    const late = await newCall;

    const kinds = renewAlls.map((w) => answerOf(w).kind);
    console.log(
      `faults: lock on loans held 1 time for ${HOLD_MS / 1000} s; ${renewAlls.length} renew-alls: ` +
        `${kinds.filter((k) => k === "trn").length} TRN, ${kinds.filter((k) => k === "apology").length} apology; ` +
        `slowest ${Math.max(...renewAlls.map((w) => w.ms))} ms; ${probes.length} /healthz probes, slowest ` +
        `${Math.max(...probes.map((p) => p.ms))} ms; a caller new during the hold heard ` +
        `${late.webhooks.map((w) => answerOf(w).kind).join(", ")}`,
    );
    expect(overBudget(renewAlls, WEBHOOK_BUDGET_MS)).toEqual([]);
    expect(overBudget(late.webhooks, WEBHOOK_BUDGET_MS)).toEqual([]);
    expect(probes.filter((p) => p.status !== 200 || p.ms > HEALTH_BUDGET_MS)).toEqual([]);

    // Before any retry: whatever committed, committed with its answer.
    expect((await checkLedger(rig.library)).problems).toEqual([]);
    const report = await checkRenewAlls(rig.library, started, renewAlls, WEBHOOK_BUDGET_MS);
    console.log(
      `faults: after the lock, ${report.retries.length} apologies retried: ${report.stored} found their ` +
        `committed renewal, ${report.afresh} renewed afresh`,
    );
    expect(report.problems).toEqual([]);

    const ledger = await checkLedger(rig.library);
    console.log(`faults: ledger: ${ledger.transactions} call renewals, ${ledger.renewed} loans renewed`);
    expect(ledger.problems).toEqual([]);
  }, 120_000);
});
