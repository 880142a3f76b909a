/**
 * A Twilio emulator for one inbound call: requests the line's webhooks as Twilio does (signed form
 * posts), runs the TwiML it gets back verb by verb, keys what a script or a person says to key,
 * and estimates how long the call takes. Works against any base URL: a test server, `npm start`,
 * or a deployed line.
 */
import { randomBytes } from "node:crypto";
import { parseKeys, resolveGather } from "./gather-input.js";
import { type CallerTurn, parseScriptStep, promptsHeardInFull, type ScriptStep } from "./script-entry.js";
import { keySeconds, promptSeconds, roundSeconds } from "./speech-timing.js";
import type { CallError, DialCallStatus, TranscriptEntry } from "./transcript.js";
import {
  type DialVerb,
  type GatherVerb,
  type HttpMethod,
  type PromptVerb,
  parseTwiml,
  TwimlError,
  type Verb,
} from "./twiml-parser.js";
import { type FetchFunction, sendWebhook, type WebhookExchange } from "./webhook-request.js";

export { KeysError, NO_INPUT } from "./gather-input.js";
export type { Listening, ScriptEntry, ScriptStep } from "./script-entry.js";
export type { CallError, CallErrorReason, DialCallStatus, TranscriptEntry } from "./transcript.js";
export type { FetchFunction, WebhookExchange } from "./webhook-request.js";

export interface DialAttempt {
  numbers: string[];
  timeoutSeconds: number;
}

export interface PlaceCallOptions {
  /** Where the line is served; the call starts at `${baseUrl}/voice/incoming`. */
  baseUrl: string;
  /** The Twilio auth token the line validates signatures with. */
  authToken: string;
  /**
   * The caller's number. Default "+85228000000", which is no demo reader's phone, so that a script
   * written for the card and PIN steps is not met by the caller ID shortcut.
   */
  from?: string;
  /** The line's number. Default "+85230001234". */
  to?: string;
  /**
   * What the caller keys, one entry per Gather, e.g. ["3", "2100000001#", "(timeout)"];
   * "" or "(timeout)" is no input. When it runs out, the caller hangs up. An entry may also say
   * how much of the Gather's prompts the caller hears before keying: "0@news", or
   * { keys: "0", listen: "news" } (script-entry.ts).
   */
  script?: readonly ScriptStep[];
  /**
   * The interactive alternative to `script`: asked at each Gather, after its prompts; null hangs up,
   * "" keys nothing. Anything a keypad cannot send rejects the call with a KeysError.
   */
  nextKeys?: () => Promise<string | null>;
  /** Each spoken text, as the caller hears it. */
  onPrompt?: (text: string) => void;
  /** How a <Dial> ends. Default "no-answer". */
  dialOutcome?: (attempt: DialAttempt) => DialCallStatus | Promise<DialCallStatus>;
  /**
   * A script caller presses keys as soon as a Gather starts, so its nested prompts are cut short:
   * they stay in the transcript, marked interrupted, and count no time. Default false: the caller
   * hears every prompt to its end. An entry that says how it listens overrides this for its Gather.
   */
  bargeIn?: boolean;
  fetch?: FetchFunction;
  /** Webhook requests allowed before the call is ended as a loop. Default 200. */
  maxRequests?: number;
  callSid?: string;
  accountSid?: string;
}

export interface CallResult {
  callSid: string;
  transcript: TranscriptEntry[];
  /** The spoken texts, in order. */
  heard: string[];
  /** Every webhook request, the status callback last. */
  requests: WebhookExchange[];
  /** The estimated length of the call, in tenths of a second. */
  durationSeconds: number;
  endedBy: "hangup" | "caller" | "error";
  /** The final `CallStatus`: "busy" or "no-answer" only for a call turned away with <Reject>. */
  callStatus: "completed" | "busy" | "no-answer";
  error?: CallError;
}

type Ending = Pick<CallResult, "endedBy" | "callStatus">;
type Navigation = { method: HttpMethod; url: string; extra: Record<string, string> };
type Step = { kind: "navigate"; to: Navigation } | ({ kind: "end" } & Ending);
type TwimlDocument = { url: string; verbs: Verb[] };

const DIAL_STATUSES: readonly DialCallStatus[] = [
  "completed",
  "answered",
  "busy",
  "no-answer",
  "failed",
  "canceled",
];

/** The caller's number unless one is given: no demo reader's registered phone. */
export const DEFAULT_CALLER_NUMBER = "+85228000000";

export async function placeCall(options: PlaceCallOptions): Promise<CallResult> {
  return new SimulatedCall(options).run();
}

class SimulatedCall {
  private readonly baseUrl: string;
  private readonly callSid: string;
  private readonly callParams: Record<string, string>;
  private readonly fetch: FetchFunction;
  private readonly maxRequests: number;
  /** The caller's next turn; null hangs up. */
  private readonly nextTurn: () => Promise<CallerTurn | null>;
  private readonly keysKnownAhead: boolean;
  private readonly transcript: TranscriptEntry[] = [];
  private readonly heard: string[] = [];
  private readonly requests: WebhookExchange[] = [];
  private twimlRequests = 0;
  private error: CallError | undefined;

  constructor(private readonly options: PlaceCallOptions) {
    if (!/^https?:\/\//.test(options.baseUrl))
      throw new TypeError(`baseUrl must be an http(s) URL: ${options.baseUrl}`);
    if (!options.authToken) throw new TypeError("authToken is required: the line refuses unsigned requests");
    if (options.script && options.nextKeys) throw new TypeError("give either script or nextKeys, not both");
    if (options.callSid !== undefined && !/^CA[0-9a-f]{32}$/.test(options.callSid)) {
      throw new TypeError(`callSid must be "CA" and 32 hex digits: ${options.callSid}`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.callSid = options.callSid ?? newSid("CA");
    this.callParams = {
      AccountSid: options.accountSid ?? newSid("AC"),
      ApiVersion: "2010-04-01",
      CallSid: this.callSid,
      Direction: "inbound",
      From: options.from ?? DEFAULT_CALLER_NUMBER,
      To: options.to ?? "+85230001234",
    };
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxRequests = options.maxRequests ?? 200;
    if (options.nextKeys) {
      const ask = options.nextKeys;
      // A person types after hearing the prompts through.
      this.nextTurn = async () => {
        const line = await ask();
        return line === null ? null : { keys: parseKeys(line), listen: "all" };
      };
      this.keysKnownAhead = false;
    } else {
      // Checked whole before dialling, so a typo fails at once rather than mid-call.
      const fallback = options.bargeIn ? "none" : "all";
      const turns = (options.script ?? []).map((step) => parseScriptStep(step, fallback));
      this.nextTurn = async () => turns.shift() ?? null;
      this.keysKnownAhead = true;
    }
  }

  async run(): Promise<CallResult> {
    let next: Navigation = { method: "POST", url: `${this.baseUrl}/voice/incoming`, extra: {} };
    let ending: Ending;
    for (;;) {
      const step = await this.load(next).then((document) => this.execute(document));
      if (step.kind === "navigate") {
        next = step.to;
        continue;
      }
      ending = step;
      break;
    }
    await this.sendStatusCallback(ending.callStatus);
    return {
      callSid: this.callSid,
      transcript: this.transcript,
      heard: this.heard,
      requests: this.requests,
      durationSeconds: this.durationSeconds(),
      ...ending,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private async load(navigation: Navigation): Promise<TwimlDocument | CallError> {
    if (this.twimlRequests >= this.maxRequests) {
      return {
        reason: "max-requests",
        message: `more than ${this.maxRequests} webhook requests in one call`,
      };
    }
    const params = {
      ...this.callParams,
      // Twilio's first request comes while the call is still ringing.
      CallStatus: this.twimlRequests === 0 ? "ringing" : "in-progress",
      ...navigation.extra,
    };
    this.twimlRequests++;
    const exchange = await sendWebhook(
      this.fetch,
      this.options.authToken,
      navigation.method,
      navigation.url,
      params,
    );
    this.requests.push(exchange);
    const where = `${navigation.method} ${navigation.url}`;
    if (exchange.networkError !== undefined) {
      return { reason: "unreachable", message: `${where}: ${exchange.networkError}` };
    }
    if (exchange.status !== 200) {
      return { reason: "http-status", message: `${where} answered HTTP ${exchange.status}` };
    }
    const mediaType = exchange.contentType?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "text/xml") {
      return {
        reason: "content-type",
        message: `${where} answered ${exchange.contentType ?? "no Content-Type"}, not text/xml`,
      };
    }
    try {
      return { url: navigation.url, verbs: parseTwiml(exchange.twiml) };
    } catch (error) {
      if (error instanceof TwimlError) return { reason: "twiml", message: `${where}: ${error.message}` };
      throw error;
    }
  }

  private async execute(document: TwimlDocument | CallError): Promise<Step> {
    if ("reason" in document) return this.fail(document);
    try {
      for (const [index, verb] of document.verbs.entries()) {
        const step = await this.executeVerb(verb, document.url, index === 0 && this.twimlRequests === 1);
        if (step) return step;
      }
    } catch (error) {
      if (error instanceof TwimlError) return this.fail({ reason: "twiml", message: error.message });
      throw error;
    }
    // No verbs left: Twilio hangs up.
    this.record({ kind: "hangup", by: "app", seconds: 0 });
    return { kind: "end", endedBy: "hangup", callStatus: "completed" };
  }

  private async executeVerb(verb: Verb, documentUrl: string, firstOfCall: boolean): Promise<Step | null> {
    switch (verb.verb) {
      case "Say":
      case "Play":
      case "Pause":
        this.speak(verb, false);
        return null;
      case "Gather":
        return this.gather(verb, documentUrl);
      case "Redirect":
        return navigate(verb.method, resolveUrl(verb.url, documentUrl), {});
      case "Dial":
        return this.dial(verb, documentUrl);
      case "Hangup":
        this.record({ kind: "hangup", by: "app", seconds: 0 });
        return { kind: "end", endedBy: "hangup", callStatus: "completed" };
      case "Reject":
        this.record({ kind: "reject", reason: verb.reason, seconds: 0 });
        // Only a <Reject> that comes first keeps Twilio from answering; later it ends an answered call.
        if (!firstOfCall) return { kind: "end", endedBy: "hangup", callStatus: "completed" };
        return { kind: "end", endedBy: "hangup", callStatus: verb.reason === "busy" ? "busy" : "no-answer" };
    }
  }

  private async gather(gather: GatherVerb, documentUrl: string): Promise<Step | null> {
    if (!gather.input.includes("dtmf")) {
      throw new TwimlError(
        `<Gather input="${gather.input.join(" ")}">: the simulated caller only presses keys`,
      );
    }
    // Twilio stops the nested prompts at the first key. A script caller's keys are known before
    // the prompts start, so the entry decides how much is heard first; a caller who keys nothing,
    // or whose script has run out, hears everything.
    let turn = this.keysKnownAhead ? await this.nextTurn() : undefined;
    const heardInFull =
      turn && turn.keys !== ""
        ? promptsHeardInFull(gather.prompts, turn.listen)
        : gather.prompts.map(() => true);
    for (const [index, prompt] of gather.prompts.entries()) this.speak(prompt, !heardInFull[index]);
    if (turn === undefined) turn = await this.nextTurn();
    if (turn === null) {
      this.record({ kind: "hangup", by: "caller", seconds: 0 });
      return { kind: "end", endedBy: "caller", callStatus: "completed" };
    }

    const result = resolveGather(turn.keys, gather);
    // No digits (a timeout, or the finish key alone): Twilio goes on with the next verb unless
    // actionOnEmptyResult asks for the action anyway.
    const sentToAction = result.digits !== "" || gather.actionOnEmptyResult;
    this.record({
      kind: "gather",
      keys: result.pressed,
      digits: result.digits,
      endedBy: result.endedBy,
      sentToAction,
      ignored: result.ignored,
      // Twilio waits `timeout` seconds after the last key (or the prompts) before it gives up.
      seconds: roundSeconds(keySeconds(result.pressed) + (result.endedBy === "timeout" ? gather.timeout : 0)),
    });
    if (!sentToAction) return null;
    // Without an action, Twilio posts to the URL of the current document.
    return navigate(gather.method, resolveUrl(gather.action ?? documentUrl, documentUrl), {
      Digits: result.digits,
    });
  }

  private async dial(dial: DialVerb, documentUrl: string): Promise<Step | null> {
    const status =
      (await this.options.dialOutcome?.({ numbers: dial.numbers, timeoutSeconds: dial.timeout })) ??
      "no-answer";
    if (!DIAL_STATUSES.includes(status))
      throw new TypeError(`dialOutcome returned "${status}", not a DialCallStatus`);
    // The caller hears ringing until the timeout; talk time on an answered dial is not estimated.
    this.record({
      kind: "dial",
      numbers: dial.numbers,
      status,
      seconds: status === "no-answer" ? dial.timeout : 0,
    });
    // Without an action, Twilio goes on with the verb after <Dial> (and hangs up if there is none).
    if (!dial.action) return null;
    const connected = status === "completed" || status === "answered";
    return navigate(dial.method, resolveUrl(dial.action, documentUrl), {
      DialCallStatus: status,
      DialCallSid: newSid("CA"),
      ...(connected ? { DialCallDuration: "0" } : {}),
    });
  }

  private speak(prompt: PromptVerb, interrupted: boolean): void {
    const seconds = interrupted ? 0 : roundSeconds(promptSeconds(prompt));
    if (prompt.verb === "Say") {
      this.record({
        kind: "say",
        text: prompt.text,
        ...(prompt.voice ? { voice: prompt.voice } : {}),
        ...(prompt.language ? { language: prompt.language } : {}),
        seconds,
        interrupted,
      });
      for (let time = 0; time < prompt.loop; time++) {
        this.heard.push(prompt.text);
        this.options.onPrompt?.(prompt.text);
      }
    } else if (prompt.verb === "Play") {
      this.record({ kind: "play", url: prompt.url, seconds, interrupted });
    } else {
      this.record({ kind: "pause", seconds, interrupted });
    }
  }

  private fail(error: CallError): Step {
    // Twilio tells the caller "an application error has occurred" and hangs up.
    this.error = error;
    this.record({ kind: "error", reason: error.reason, message: error.message, seconds: 0 });
    return { kind: "end", endedBy: "error", callStatus: "completed" };
  }

  private async sendStatusCallback(callStatus: CallResult["callStatus"]): Promise<void> {
    const params: Record<string, string> = { ...this.callParams, CallStatus: callStatus };
    // Twilio sends CallDuration, in whole seconds, only with the completed event.
    if (callStatus === "completed") params.CallDuration = String(Math.round(this.durationSeconds()));
    const exchange = await sendWebhook(
      this.fetch,
      this.options.authToken,
      "POST",
      `${this.baseUrl}/voice/status`,
      params,
    );
    this.requests.push(exchange);
  }

  private record(entry: TranscriptEntry): void {
    this.transcript.push(entry);
  }

  private durationSeconds(): number {
    return roundSeconds(this.transcript.reduce((total, entry) => total + entry.seconds, 0));
  }
}

function navigate(method: HttpMethod, url: string, extra: Record<string, string>): Step {
  return { kind: "navigate", to: { method, url, extra } };
}

/** Relative action and Redirect URLs resolve against the URL of the document that holds them. */
function resolveUrl(target: string, documentUrl: string): string {
  try {
    return new URL(target, documentUrl).toString();
  } catch {
    throw new TwimlError(`"${target}" is not a URL`);
  }
}

function newSid(prefix: "CA" | "AC"): string {
  return prefix + randomBytes(16).toString("hex");
}
