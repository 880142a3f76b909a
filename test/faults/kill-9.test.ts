/**
 * kill -9 of the line in the middle of 20 concurrent renew-alls, then a restart: no renewal is
 * committed without its stored answer, and Twilio's retry of each renew-all is answered at once
 * (no wait for a claim that died with the process) with the TRN.
 */
import { afterAll, expect, it, onTestFailed } from "vitest";
import { type LineProcess, startLine, tail } from "../support/line-process.js";
import {
  answerOf,
  callersAtMenu,
  describeWebhook,
  overBudget,
  RETRY_BUDGET_MS,
  resend,
  seqOf,
  type Webhook,
} from "./fault-calls.js";
import { checkLedger, committedTrn, faultSuite, RENEWERS, useFaultRig } from "./fault-library.js";

const CALLERS = 20;
const RETRIES_AT_ONCE = 5;
const KILL_AFTER_ANSWERS = 5;

faultSuite("kill -9 amid renew-alls", () => {
  const rig = useFaultRig();
  const lines: LineProcess[] = [];

  afterAll(async () => {
    for (const line of lines) await line.kill();
  });

  it(`kill -9 during ${CALLERS} concurrent renew-alls, then a restart: no renewal without its stored answer, and each retry answers in ≤ 1 s with the TRN`, async () => {
    const first = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url) });
    lines.push(first);
    onTestFailed(() =>
      console.log(`the line's output:\n${lines.map((l) => tail(l.output())).join("\n---\n")}`),
    );
    const callers = await callersAtMenu(first, RENEWERS.slice(0, CALLERS));

    // The kill lands as the fifth renew-all is answered: the others are still being worked on.
    let answers = 0;
    const answered = await Promise.all(
      callers.map((caller) =>
        caller.renewAll().then((webhook) => {
          if (++answers === KILL_AFTER_ANSWERS) void first.kill();
          return webhook;
        }),
      ),
    );
    const exit = await first.exited;
    const before = answered.filter((w) => w.status === 200);
    console.log(
      `faults: kill -9 1, with ${CALLERS} renew-alls sent: ${before.length} answered before it, ` +
        `${CALLERS - before.length} cut off`,
    );
    expect(exit.signal).toBe("SIGKILL");
    expect(CALLERS - before.length, "the kill came after every renew-all was answered").toBeGreaterThan(0);
    for (const webhook of before) expect(answerOf(webhook).kind, describeWebhook(webhook)).toBe("trn");

    // What the crash left: every renewal it committed has its answer, with its TRN.
    const crashed = await checkLedger(rig.library);
    expect(crashed.problems).toEqual([]);
    const committedAtCrash = await Promise.all(
      callers.map((caller, i) => committedTrn(rig.library, caller.callSid, seqOf(answered[i] as Webhook))),
    );

    const second = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url), port: first.port });
    lines.push(second);
    // Twilio's retries, a few at a time: twenty at once on a process just started would measure
    // its throughput (each renew-all is a dozen statements), not whether a retry is stuck.
    const retries: Webhook[] = [];
    for (let i = 0; i < answered.length; i += RETRIES_AT_ONCE) {
      const batch = answered.slice(i, i + RETRIES_AT_ONCE);
      retries.push(...(await Promise.all(batch.map((webhook) => resend(second, webhook)))));
    }
    const stored = committedAtCrash.filter((trn) => trn !== null).length;
    console.log(
      `faults: restarted; ${CALLERS} retries: ${stored} found their committed renewal, ${CALLERS - stored} renewed afresh; ` +
        `slowest retry ${Math.max(...retries.map((r) => r.ms))} ms`,
    );
    expect(overBudget(retries, RETRY_BUDGET_MS)).toEqual([]);
    for (const [i, retry] of retries.entries()) {
      const heard = answerOf(retry);
      expect(heard.kind, describeWebhook(retry)).toBe("trn");
      if (heard.kind !== "trn") continue;
      const firstHeard = answerOf(answered[i] as Webhook);
      // A retry of an answered webhook hears the same answer; of a committed one, its TRN.
      if (firstHeard.kind === "trn") expect(heard.trn, describeWebhook(retry)).toBe(firstHeard.trn);
      const atCrash = committedAtCrash[i];
      if (atCrash) expect(heard.trn, describeWebhook(retry)).toBe(atCrash);
      expect(await committedTrn(rig.library, retry.params.CallSid ?? "", seqOf(retry))).toBe(heard.trn);
    }

    const ledger = await checkLedger(rig.library);
    console.log(
      `faults: ledger after kill -9: ${ledger.transactions} call renewals, ${ledger.renewed} loans renewed`,
    );
    expect(ledger.problems).toEqual([]);
    expect(second.isRunning()).toBe(true);
  }, 90_000);
});
