/**
 * pg_terminate_backend of every connection the line has open, 30 times, while calls stream in:
 * the process never exits (postgres.js 3.4.9 used to throw out of a setImmediate and kill it,
 * porsager/postgres #1154), every webhook still answers within its budget, a renew-all cut off
 * by a termination is either committed with its stored answer or not at all, and calls go
 * through again as soon as the terminations stop.
 */
import { afterAll, expect, it, onTestFailed } from "vitest";
import { type LineProcess, startLine, tail } from "../support/line-process.js";
import {
  answerOf,
  type CallerAtMenu,
  callerAtMenu,
  describeWebhook,
  overBudget,
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
  terminateLineConnections,
  useFaultRig,
} from "./fault-library.js";

const TERMINATIONS = 30;
/** Rounds while whole calls stream in; the rest cut into renew-alls. */
const STREAMED_ROUNDS = 20;
const EVERY_MS = 500;
/** Callers on the line at once during the terminations, each calling again as soon as done. */
const STREAMS = 4;

faultSuite("terminated backends", () => {
  const rig = useFaultRig();
  let line: LineProcess | undefined;

  afterAll(async () => {
    await line?.kill();
  });

  it(`pg_terminate_backend of every line connection ${TERMINATIONS} times during a stream of calls: the process never exits, every webhook answers in ≤ 5 s, no renewal goes unanswered, and calls complete afterwards`, async () => {
    const started = await startLine({ databaseUrl: rig.proxy.urlFor(rig.library.url) });
    line = started;
    onTestFailed(() => console.log(`the line's output:\n${tail(started.output())}`));

    let rounds = 0;
    let terminated = 0;
    const terminatedAt: number[] = [];
    const terminate = async () => {
      const killed = await terminateLineConnections(rig.library);
      if (killed === 0) return false;
      rounds++;
      terminated += killed;
      terminatedAt.push(Date.now());
      return true;
    };

    // Part 1: whole calls stream in (each stream calls again as soon as its call ends) while every
    // line connection is terminated every half second.
    let streaming = true;
    const streamed: TimedCall[] = [];
    const stream = async (first: number) => {
      // Each stream calls as readers of its own, so no two calls renew one account at once.
      for (let n = first; streaming; n += STREAMS) {
        const reader = RENEWERS[n % RENEWERS.length];
        if (reader) streamed.push(await timedCall(started, renewAllScript(reader)));
      }
    };
    const streams = Array.from({ length: STREAMS }, (_, i) => stream(i));
    const giveUpAt = Date.now() + 60_000;
    while (rounds < STREAMED_ROUNDS && Date.now() < giveUpAt && started.isRunning()) {
      await sleep(EVERY_MS);
      await terminate();
    }
    streaming = false;
    await Promise.all(streams);
    const webhooks = streamed.flatMap((call) => call.webhooks);
    const apologies = webhooks.filter((w) => answerOf(w).kind === "apology");
    // An apology to a webhook that began well after the last termination and saw none while it ran.
    const afterTheFact = apologies.filter(
      (w) => !terminatedAt.some((t) => t > w.startedAt - 200 && t < w.startedAt + w.ms),
    );
    console.log(
      `faults: pg_terminate_backend ${rounds} rounds during ${streamed.length} calls (${webhooks.length} webhooks, ` +
        `${apologies.length} apologies, ${afterTheFact.length} of them with no termination during or 200 ms before)`,
    );

    // Part 2: callers wait at the menu, key 0 together, and every line connection is terminated
    // while their renew-alls are being worked on, at a later moment each round.
    const renewAlls: Webhook[] = [];
    let cutOffBeforeMenu = 0;
    const reachMenu = async (reader: Reader | undefined): Promise<CallerAtMenu> => {
      if (!reader) throw new Error("no reader");
      for (let attempt = 1; ; attempt++) {
        try {
          return await callerAtMenu(started, reader, { webhooks });
        } catch (error) {
          // A call cut off by the last round's terminations: the caller calls again.
          cutOffBeforeMenu++;
          if (attempt === 3) throw error;
        }
      }
    };
    for (let round = 0; rounds < TERMINATIONS && Date.now() < giveUpAt && started.isRunning(); round++) {
      const readers = Array.from(
        { length: STREAMS },
        (_, i) => RENEWERS[(round * STREAMS + i) % RENEWERS.length],
      );
      const callers = await Promise.all(readers.map((reader) => reachMenu(reader)));
      const answers = Promise.all(callers.map((caller) => caller.renewAll()));
      await sleep((round * 40) % 250);
      await terminate();
      renewAlls.push(...(await answers));
    }
    const aliveAfterTerminations = started.isRunning();
    console.log(
      `faults: pg_terminate_backend ${rounds} rounds in all, ${terminated} connections terminated; ` +
        `${renewAlls.length} renew-alls cut into (${cutOffBeforeMenu} calls cut off before the menu and made again)`,
    );
    expect(aliveAfterTerminations, "the line exited").toBe(true);
    expect(rounds).toBe(TERMINATIONS);
    expect(overBudget(webhooks, WEBHOOK_BUDGET_MS)).toEqual([]);
    // Before any retry: whatever committed, committed with its answer.
    expect((await checkLedger(rig.library)).problems).toEqual([]);

    // Afterwards (the line recovers within 5 s of the database's return, and here the database
    // never left): each renew-all's TRN is committed, each apology's retry hears a TRN ...
    await sleep(Math.max(0, (terminatedAt.at(-1) ?? 0) + RECOVERY_BUDGET_MS - Date.now()));
    const report = await checkRenewAlls(rig.library, started, renewAlls, WEBHOOK_BUDGET_MS);
    console.log(
      `faults: renew-alls under terminations: ${report.trn} TRN, ${report.apology} apology; retried ` +
        `${report.retries.length}: ${report.stored} found their committed renewal, ${report.afresh} renewed afresh`,
    );
    expect(report.problems).toEqual([]);

    // ... and new calls go through, all of them.
    const after = await Promise.all(
      RENEWERS.slice(0, 8).map((reader) => timedCall(started, renewAllScript(reader))),
    );
    const heardAfter = after.map((call) => (call.renewAll ? answerOf(call.renewAll).kind : "no renew-all"));
    console.log(`faults: after the terminations, ${after.length} calls: ${heardAfter.join(", ")}`);
    for (const call of after.filter((call) => !call.renewAll)) {
      console.log(
        `faults: a call after the terminations that never keyed 0 (${call.result.endedBy}): ` +
          `${call.webhooks.map(describeWebhook).join("; ")}; heard: ${call.result.heard.join(" | ")}`,
      );
    }
    expect(
      overBudget(
        after.flatMap((call) => call.webhooks),
        WEBHOOK_BUDGET_MS,
      ),
    ).toEqual([]);
    expect(heardAfter).toEqual(after.map(() => "trn"));
    expect(started.isRunning()).toBe(true);

    const ledger = await checkLedger(rig.library);
    console.log(`faults: ledger: ${ledger.transactions} call renewals, ${ledger.renewed} loans renewed`);
    expect(ledger.problems).toEqual([]);
  }, 150_000);
});
