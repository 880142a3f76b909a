/**
 * Callers for the fault suite, driven by the project's own call simulator: every webhook timed to
 * the end of its answer and kept (URL with its ?seq=N, and form), so a test can hold a caller at
 * the menu until a fault is in place, and re-send a webhook as Twilio's retry does.
 */
import { randomBytes } from "node:crypto";
import { type CallResult, type FetchFunction, placeCall } from "../../src/simulator/call-simulator.js";
import { parseTwiml, type Verb } from "../../src/simulator/twiml-parser.js";
import { sendWebhook } from "../../src/simulator/webhook-request.js";
import { prompt, spokenTrn } from "../calls/call-helpers.js";
import type { LineProcess } from "../support/line-process.js";
import type { Reader } from "./fault-library.js";

/** The budgets the line promises (issue #8). */
export const WEBHOOK_BUDGET_MS = 5_000;
export const HEALTH_BUDGET_MS = 1_000;
export const RECOVERY_BUDGET_MS = 5_000;
export const RETRY_BUDGET_MS = 1_000;

export interface Webhook {
  /** The full URL, with its ?seq=N. */
  url: string;
  path: string;
  params: Record<string, string>;
  startedAt: number;
  /** From sending to the end of the answer's body. */
  ms: number;
  /** 0 when no answer came. */
  status: number;
  twiml: string;
  /** Why no answer came (refused, reset, timed out). */
  error?: string;
}

export type Answer =
  | { kind: "trn"; trn: string }
  | { kind: "apology" }
  | { kind: "other"; text: string }
  | { kind: "failed"; text: string };

const APOLOGY = prompt("en", "apology");
/** The reference number as renewal.reference says it, its spoken digits caught. */
const REFERENCE = (() => {
  const [before = "", after = ""] = prompt("en", "renewal.reference", { trn: "\u0000" }).split("\u0000");
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${literal(before)}([0-9, ]+)${literal(after)}`);
})();

/** What a caller hears in one answer: the TRN of a renewal, the apology, or something else. */
export function answerOf(webhookOrTwiml: Webhook | string): Answer {
  if (typeof webhookOrTwiml !== "string" && webhookOrTwiml.status !== 200) {
    return { kind: "failed", text: webhookOrTwiml.error ?? `HTTP ${webhookOrTwiml.status}` };
  }
  const twiml = typeof webhookOrTwiml === "string" ? webhookOrTwiml : webhookOrTwiml.twiml;
  let verbs: Verb[];
  try {
    verbs = parseTwiml(twiml);
  } catch (error) {
    return { kind: "failed", text: `not TwiML (${(error as Error).message}): ${twiml.slice(0, 200)}` };
  }
  const said = verbs.flatMap((verb) => {
    if (verb.verb === "Say") return [verb.text];
    if (verb.verb === "Gather") return verb.prompts.flatMap((p) => (p.verb === "Say" ? [p.text] : []));
    return [];
  });
  // The apology is a <Say> (in each language the caller may speak) and then <Hangup/>.
  if (said.includes(APOLOGY) && verbs.at(-1)?.verb === "Hangup") return { kind: "apology" };
  for (const text of said) {
    const digits = REFERENCE.exec(text)?.[1]?.replace(/\D/g, "");
    if (
      digits?.length === 10 &&
      text.includes(prompt("en", "renewal.reference", { trn: spokenTrn(digits, "en") }))
    )
      return { kind: "trn", trn: digits };
  }
  return { kind: "other", text: said.join(" ") };
}

/** The webhook's number, from its ?seq=N. */
export function seqOf(webhook: Webhook): number {
  return Number(new URL(webhook.url).searchParams.get("seq"));
}

/** "/voice/step?seq=4 (CA…): 5230 ms, apology" for failure messages. */
export function describeWebhook(webhook: Webhook): string {
  const url = new URL(webhook.url);
  const answer = answerOf(webhook);
  const heard = answer.kind === "trn" ? `TRN ${answer.trn}` : answer.kind;
  return `${url.pathname}${url.search} (${webhook.params.CallSid ?? "?"}): ${webhook.ms} ms, ${heard}${
    webhook.error ? ` (${webhook.error})` : ""
  }`;
}

/** The webhooks that took longer than `budgetMs` or got no TwiML answer at all. */
export function overBudget(webhooks: readonly Webhook[], budgetMs: number): string[] {
  return webhooks.filter((w) => w.ms > budgetMs || w.status !== 200).map(describeWebhook);
}

export function newCallSid(): string {
  return `CA${randomBytes(16).toString("hex")}`;
}

interface RecordingOptions {
  /**
   * Whether the status callback reaches the line. A call kept open (no callback) can still be
   * answered by a retry, as when Twilio retries before it hangs up.
   */
  statusCallback: boolean;
  onAnswer?: (webhook: Webhook) => void;
}

/** A fetch that keeps and times every webhook of one call. */
function recordingFetch(webhooks: Webhook[], options: RecordingOptions): FetchFunction {
  const recording = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const path = new URL(url).pathname;
    if (path === "/voice/status" && !options.statusCallback) {
      return new Response("<Response/>", { status: 200, headers: { "content-type": "text/xml" } });
    }
    const webhook: Webhook = {
      url,
      path,
      params: Object.fromEntries(new URLSearchParams(String(init?.body ?? ""))),
      startedAt: Date.now(),
      ms: 0,
      status: 0,
      twiml: "",
    };
    webhooks.push(webhook);
    try {
      const response = await fetch(input, init);
      webhook.twiml = await response.text();
      webhook.status = response.status;
      webhook.ms = Date.now() - webhook.startedAt;
      options.onAnswer?.(webhook);
      return new Response(webhook.twiml, { status: response.status, headers: response.headers });
    } catch (error) {
      webhook.ms = Date.now() - webhook.startedAt;
      webhook.error = String((error as Error).cause ?? error);
      options.onAnswer?.(webhook);
      throw error;
    }
  };
  return recording as FetchFunction;
}

export interface TimedCall {
  callSid: string;
  webhooks: Webhook[];
  result: CallResult;
  /** The answer to key 0 at the menu, when the call got that far. */
  renewAll: Webhook | undefined;
}

/** A whole call keying `script`; the status callback reaches the line unless told otherwise. */
export async function timedCall(
  line: Pick<LineProcess, "baseUrl" | "authToken">,
  script: readonly string[],
  options: { statusCallback?: boolean } = {},
): Promise<TimedCall> {
  const webhooks: Webhook[] = [];
  const callSid = newCallSid();
  const result = await placeCall({
    baseUrl: line.baseUrl,
    authToken: line.authToken,
    callSid,
    script,
    fetch: recordingFetch(webhooks, { statusCallback: options.statusCallback ?? true }),
  });
  return { callSid, webhooks, result, renewAll: renewAllOf(webhooks) };
}

/** Language, card, PIN, renew all (key 0 at the menu), then the caller hangs up. */
export function renewAllScript(reader: Reader): string[] {
  return ["3", `${reader.card}#`, `${reader.pin}#`, "0"];
}

function renewAllOf(webhooks: readonly Webhook[]): Webhook | undefined {
  // The only key 0 of renewAllScript: no card number or PIN is "0" alone.
  return webhooks.find((w) => w.path === "/voice/step" && w.params.Digits === "0");
}

export interface CallerAtMenu {
  reader: Reader;
  callSid: string;
  /** Every webhook of the call so far (with those of others, when given a list to share). */
  webhooks: Webhook[];
  /** Keys 0 and resolves with that webhook once it is answered (or fails). */
  renewAll(): Promise<Webhook>;
  /** Hangs up without renewing. */
  hangUp(): Promise<void>;
}

/**
 * A caller who has chosen English, logged in and heard the menu, and waits there until told to
 * key 0. The status callback never reaches the line, so the call stays open for retries.
 */
export async function callerAtMenu(
  line: LineProcess,
  reader: Reader,
  options: { webhooks?: Webhook[] } = {},
): Promise<CallerAtMenu> {
  // The caller's own list of its webhooks, which may be shared with others.
  const webhooks = options.webhooks ?? [];
  const heard: string[] = [];
  const callSid = newCallSid();
  const atMenu = deferred<void>();
  const next = deferred<"0" | null>();
  const renewAllAnswered = deferred<Webhook>();
  let keyed: string | null = null;
  const keys = ["3", `${reader.card}#`, `${reader.pin}#`];
  const fetch = recordingFetch(webhooks, {
    statusCallback: false,
    onAnswer: (webhook) => {
      if (keyed === "0" && webhook.params.Digits === "0") renewAllAnswered.resolve(webhook);
    },
  });
  const done = placeCall({
    baseUrl: line.baseUrl,
    authToken: line.authToken,
    callSid,
    fetch,
    onPrompt: (text) => heard.push(text),
    nextKeys: async () => {
      const key = keys.shift();
      if (key !== undefined) return key;
      if (keyed !== null) return null;
      // Every reader here can renew, so the menu offers 0 (renew all).
      if (!heard.join(" ").includes(prompt("en", "menu.renewAll"))) {
        atMenu.reject(new Error(`${reader.card} did not reach the menu; heard: ${heard.join(" | ")}`));
        return null;
      }
      atMenu.resolve();
      keyed = await next.promise;
      return keyed;
    },
  });
  done.then(
    () => {
      atMenu.reject(new Error(`${reader.card}'s call ended before the menu; heard: ${heard.join(" | ")}`));
      renewAllAnswered.reject(new Error(`${reader.card}'s call ended without keying 0`));
    },
    (error: unknown) => {
      atMenu.reject(error);
      renewAllAnswered.reject(error);
    },
  );
  await atMenu.promise;
  return {
    reader,
    callSid,
    webhooks,
    renewAll: () => {
      next.resolve("0");
      return renewAllAnswered.promise;
    },
    hangUp: async () => {
      next.resolve(null);
      await done;
    },
  };
}

/**
 * Logs the readers in, a few at a time: every PIN check costs a scrypt, and twenty at once can
 * outlast a webhook's budget on a small machine before any fault is injected. All are at the
 * menu when this resolves.
 */
export async function callersAtMenu(line: LineProcess, readers: readonly Reader[]): Promise<CallerAtMenu[]> {
  const callers: CallerAtMenu[] = [];
  for (let i = 0; i < readers.length; i += LOGINS_AT_ONCE) {
    const batch = readers.slice(i, i + LOGINS_AT_ONCE);
    callers.push(...(await Promise.all(batch.map((reader) => callerAtMenu(line, reader)))));
  }
  return callers;
}

const LOGINS_AT_ONCE = 4;

/** Twilio's retry: the same URL (same ?seq=N), the same form, the same signature. */
export async function resend(line: LineProcess, webhook: Webhook): Promise<Webhook> {
  const startedAt = Date.now();
  const exchange = await sendWebhook(fetch, line.authToken, "POST", webhook.url, webhook.params);
  return {
    url: webhook.url,
    path: webhook.path,
    params: webhook.params,
    startedAt,
    ms: Date.now() - startedAt,
    status: exchange.status,
    twiml: exchange.twiml,
    ...(exchange.networkError ? { error: exchange.networkError } : {}),
  };
}

export interface HealthProbe {
  /** 0 when no answer came within the probe's patience. */
  status: number;
  ms: number;
  startedAt: number;
}

/** GET /healthz, waiting up to 3 s (three times the budget) so a slow answer is measured. */
export async function probeHealth(line: LineProcess): Promise<HealthProbe> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${line.baseUrl}/healthz`, { signal: AbortSignal.timeout(3_000) });
    await response.text();
    return { status: response.status, ms: Date.now() - startedAt, startedAt };
  } catch {
    return { status: 0, ms: Date.now() - startedAt, startedAt };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody waits for (the call ended after its answer was taken) is not an error.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
