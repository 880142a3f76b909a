/**
 * SIGTERM (a deploy, a scale-in) while webhooks are in flight: each one gets its whole answer
 * before the process exits, and the exit is clean. The webhooks are held in flight by stalling
 * the database's packets at the proxy.
 */
import { afterEach, expect, it, onTestFailed } from "vitest";
import { type LineExit, type LineProcess, startLine, tail } from "../support/line-process.js";
import {
  answerOf,
  type CallerAtMenu,
  callersAtMenu,
  describeWebhook,
  overBudget,
  seqOf,
  sleep,
  WEBHOOK_BUDGET_MS,
  type Webhook,
} from "./fault-calls.js";
import { checkLedger, committedTrn, faultSuite, RENEWERS, useFaultRig } from "./fault-library.js";

const CALLERS = 10;

faultSuite("SIGTERM with webhooks in flight", () => {
  const rig = useFaultRig();
  let line: LineProcess | undefined;

  afterEach(async () => {
    rig.proxy.setMode("forward");
    await line?.kill();
  });

  /** Callers at the menu, then their renew-alls sent and held at the proxy until `stall` says. */
  async function renewAllsInFlight(readers: typeof RENEWERS) {
    line = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url) });
    const started = line;
    onTestFailed(() => console.log(`the line's output:\n${tail(started.output())}`));
    const callers = await callersAtMenu(started, readers);
    const before = rig.proxy.counts().stalledChunks;
    rig.proxy.setMode("stall");
    const answers = callers.map((caller) => caller.renewAll());
    // In flight: the line has sent the database something for each of them, and heard nothing.
    const deadline = Date.now() + 2_000;
    while (rig.proxy.counts().stalledChunks - before < callers.length && Date.now() < deadline)
      await sleep(20);
    await sleep(200);
    return { line: started, callers, answers };
  }

  async function expectEveryAnswerStored(callers: CallerAtMenu[], answered: Webhook[]) {
    for (const [i, webhook] of answered.entries()) {
      const answer = answerOf(webhook);
      const trn = await committedTrn(rig.library, callers[i]?.callSid ?? "", seqOf(webhook));
      if (answer.kind === "trn") expect(trn, describeWebhook(webhook)).toBe(answer.trn);
      else
        expect(trn, `${describeWebhook(webhook)}: renewed, but the caller heard ${answer.kind}`).toBeNull();
    }
    const ledger = await checkLedger(rig.library);
    expect(ledger.problems).toEqual([]);
    return ledger;
  }

  it(`lets ${CALLERS} renew-alls held for 1.5 s finish: each caller hears the TRN before the process exits 0`, async () => {
    const { line, callers, answers } = await renewAllsInFlight(RENEWERS.slice(0, CALLERS));
    const signalledAt = Date.now();
    let exit: LineExit | null = null;
    void line.exited.then((seen) => {
      exit = seen;
    });
    line.child.kill("SIGTERM");
    await sleep(1_300);
    expect(exit, "the process exited with webhooks still in flight").toBeNull();
    rig.proxy.setMode("forward");
    const answered = await Promise.all(answers);
    const ended = await Promise.race([line.exited, sleep(15_000).then(() => null)]);

    console.log(
      `faults: SIGTERM 1 with ${CALLERS} webhooks in flight (${rig.proxy.counts().stalledChunks} chunks stalled); ` +
        `answers: ${answered.map((w) => answerOf(w).kind).join(", ")}; ` +
        `exit ${ended ? `${ended.code ?? ended.signal} after ${ended.at - signalledAt} ms` : "none within 15 s"}`,
    );
    expect(overBudget(answered, WEBHOOK_BUDGET_MS)).toEqual([]);
    expect(answered.map((w) => answerOf(w).kind)).toEqual(answered.map(() => "trn"));
    expect(ended).toMatchObject({ code: 0, signal: null });
    await expectEveryAnswerStored(callers, answered);
  }, 90_000);

  it(`answers ${CALLERS} renew-alls stalled past their budget (the apology, in 5 s) before it exits 0, renewing nothing unanswered`, async () => {
    const { line, callers, answers } = await renewAllsInFlight(RENEWERS.slice(CALLERS, 2 * CALLERS));
    const signalledAt = Date.now();
    line.child.kill("SIGTERM");
    // The database stays silent until the process is gone.
    const ended = await Promise.race([line.exited, sleep(20_000).then(() => null)]);
    const answered = await Promise.all(answers);
    rig.proxy.setMode("forward");

    console.log(
      `faults: SIGTERM 1 with ${CALLERS} webhooks stalled past their budget; ` +
        `answers: ${answered.map((w) => answerOf(w).kind).join(", ")}; ` +
        `exit ${ended ? `${ended.code ?? ended.signal} after ${ended.at - signalledAt} ms` : "none within 20 s"}`,
    );
    expect(overBudget(answered, WEBHOOK_BUDGET_MS)).toEqual([]);
    expect(answered.map((w) => answerOf(w).kind)).toEqual(answered.map(() => "apology"));
    expect(ended).toMatchObject({ code: 0, signal: null });
    await expectEveryAnswerStored(callers, answered);
  }, 90_000);
});
