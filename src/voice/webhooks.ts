/**
 * The Twilio webhooks of voice-line.md. Thin: check the signature, load the call, step the
 * engine (running the actions it asks for), save, render. Every answer to a valid request is
 * TwiML; any failure inside becomes the apology.
 */
import express, { type Request, type Response, type Router } from "express";
import twilio from "twilio";
import {
  type Admission,
  BudgetExceededError,
  budgetedStatement,
  budgetedTransaction,
  withinBudget,
} from "../db/budgeted-transaction.js";
import type { Transaction } from "../db/database.js";
import { isLockNotAvailable } from "../db/lock-not-available.js";
import { countingQueries } from "../db/query-count.js";
import { NEW_CALL_ADMISSION_WAIT_MS, ONGOING_CALL_ADMISSION_WAIT_MS } from "../db/time-limits.js";
import {
  LineBusyError,
  PoolTimeoutError,
  type TransactionGate,
  transactionGate,
} from "../db/transaction-gate.js";
import { createEmbeddedLibrary } from "../library-system/embedded/embedded-library.js";
import type { LibrarySystem } from "../library-system/library-system.js";
import type { Logger } from "../logging/logger.js";
import { UNKNOWN_STEP, type WebhookRoute } from "../metrics/line-metrics.js";
import type { CallEventRecord, VoiceDeps } from "./actions/types.js";
import type { PinPrecheck } from "./authentication.js";
import { CallMemory } from "./call-memory.js";
import { keyEvent, replyWithoutActions, runToReply } from "./call-runner.js";
import { type CallState, initialCallState } from "./call-state.js";
import {
  closeCall,
  createCall,
  findCall,
  findStoredAnswer,
  insertEvents,
  lockCall,
  lockCallForWebhook,
  needsDurableCommit,
  saveAnsweredStep,
} from "./call-store.js";
import { type CallEvent, languagesOf } from "./engine.js";
import { LANGUAGES, type Language, type VoiceFlow } from "./flow-definition.js";
import { LINE_PIN_CHECKS, type PinCheckSlots } from "./pin-check-slots.js";
import { mayBePin, precheckPin } from "./pin-precheck.js";
import { renderHangup } from "./twiml.js";
import {
  callerNumberOf,
  callSidOf,
  FINAL_CALL_STATUSES,
  keyedDigits,
  statusCallbackOf,
} from "./webhook-input.js";

export interface VoiceRouterOptions extends VoiceDeps {
  voiceFlow: VoiceFlow;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  /** The line pool's acquire timeout (DatabaseHandle.lineGate); default: 10 permits. */
  lineGate?: TransactionGate;
  /** How long a webhook may take before the caller hears the apology (default: the library system's webhookBudgetMs). */
  webhookBudgetMs?: number;
}

/** What a webhook did, for the handler to send. */
interface Answer {
  twiml: string;
  /** A repeated delivery, answered with what was stored for the first. */
  repeated: boolean;
  /** The save of a new answer, which settles with the COMMIT (saveAnsweredStep): whether it stored it. */
  saved: Promise<boolean> | null;
  /** The call's state after a new answer, for CallMemory. */
  state: CallState | null;
}

function repeatedAnswer(twiml: string): Answer {
  return { twiml, repeated: true, saved: null, state: null };
}

const STATUS_ATTEMPTS = 3;

/** Marks the busy message, for load tests and proxies: the TwiML alone says the same. */
export const BUSY_HEADER = "x-renewline-busy";

export function voiceRouter(options: VoiceRouterOptions): Router {
  const router = express.Router();
  const gate = options.lineGate ?? transactionGate(10);
  const library = options.library ?? createEmbeddedLibrary(options);
  // An ILS over SIP2 may take seconds an answer: its webhooks get longer, within Twilio's 15 s.
  const budgetMs = options.webhookBudgetMs ?? library.webhookBudgetMs;
  const pinChecks = options.pinChecks ?? LINE_PIN_CHECKS;
  const memory = new CallMemory();
  // Made once: every webhook shares them.
  const answerOptions: AnswerOptions = { ...options, library, gate, budgetMs, pinChecks, memory };
  router.use(express.urlencoded({ extended: false, limit: "20kb" }));
  router.use(requireTwilioSignature(options));

  const webhook = (route: WebhookRoute, eventOf: (req: Request, state: CallState) => CallEvent) => {
    return (req: Request, res: Response) =>
      countingQueries((statements) =>
        answer(answerOptions, req, res, route, (state) => eventOf(req, state), statements),
      );
  };
  router.post(
    "/incoming",
    webhook("incoming", () => ({ type: "call" })),
  );
  router.post(
    "/step",
    webhook("step", (req, state) => {
      // Digits are checked against the gather the call was at: one key where it takes one.
      const keyed = keyedDigits(options.voiceFlow.flow.steps[state.step]?.gather, req.body?.Digits);
      if (keyed.kind === "invalid") return { type: "input", digits: "", invalid: true };
      return { type: "input", digits: keyed.kind === "keyed" ? keyed.digits : "" };
    }),
  );
  router.post(
    "/dial",
    webhook("dial", (req) => ({ type: "dialEnded", status: dialStatusOf(req) })),
  );
  router.post("/status", (req, res) => countingQueries((statements) => statusCallback(req, res, statements)));

  const statusCallback = async (req: Request, res: Response, statements: () => number) => {
    const observe = options.metrics?.timeWebhook("status");
    const deadline = Date.now() + budgetMs;
    const callback = statusCallbackOf(req.body);
    let step = UNKNOWN_STEP;
    try {
      if (!callback) {
        options.logger.warn("status callback ignored: no call or status Twilio sends");
      } else {
        const now = options.calendar.clock.now();
        // Its next webhook, if any (a call whose final status came early), reads the call.
        memory.forget(callback.callSid);
        // Twilio does not resend a status callback: a webhook of the same call that holds its row
        // a little longer than the lock timeout is waited for again while the budget lasts.
        for (let attempt = 1; ; attempt++) {
          try {
            await transactionWithin({ ...options, gate }, deadline, async (tx) => {
              // Locked first: the outcome is read from events that a webhook in flight may still add.
              const call = await lockCall(tx, callback.callSid);
              if (call) step = call.state.step;
              // Ringing and answered change nothing: the call is live until a final status closes it, once.
              if (call && FINAL_CALL_STATUSES.has(callback.callStatus)) {
                await closeCall(tx, callback.callSid, callback.callStatus, callback.callDuration, now);
              }
            });
            break;
          } catch (error) {
            if (attempt >= STATUS_ATTEMPTS || !isLockNotAvailable(error)) throw error;
          }
        }
      }
    } catch (error) {
      options.logger.error({ callSid: callback?.callSid, err: error }, "status callback failed");
    }
    sendTwiml(res, new twilio.twiml.VoiceResponse().toString());
    observe?.(step, statements());
  };

  // Any other /voice path or method, signed: still TwiML, never Express's HTML 404.
  router.use((req, res) => {
    options.logger.warn({ method: req.method, path: req.path }, "webhook to an unknown voice route: apology");
    sendTwiml(res, spokenHangup(options, "apology", ["en"]));
  });
  return router;
}

/**
 * Sends a webhook's TwiML. Node's own `end`, not Express's `send`: Twilio has no use for the ETag
 * `send` hashes every body for (a POST is never answered 304), and a string sent by `end` leaves
 * with its headers in one write, its Content-Length set by Node.
 */
function sendTwiml(res: Response, twiml: string): void {
  res.setHeader("Content-Type", "text/xml; charset=utf-8");
  res.end(twiml);
}

/** 403 for a missing or forged X-Twilio-Signature, checked by the twilio package (voice-line.md). */
function requireTwilioSignature(options: VoiceRouterOptions) {
  return (req: Request, res: Response, next: () => void) => {
    const signature = req.header("x-twilio-signature") ?? "";
    const url = `${options.publicBaseUrl}${req.originalUrl}`;
    const params = (req.body ?? {}) as Record<string, string>;
    if (!signature || !twilio.validateRequest(options.authToken, signature, url, params)) {
      options.logger.warn({ path: req.path }, "webhook refused: bad signature");
      res.status(403).type("text/plain").send("Forbidden");
      return;
    }
    next();
  };
}

function seqOf(req: Request): number {
  const seq = Number.parseInt(String(req.query.seq ?? ""), 10);
  return Number.isInteger(seq) && seq > 0 ? seq : -1;
}

// Twilio's DialCallStatus values; anything else is heard as a failed transfer.
const DIAL_STATUSES = new Set(["completed", "answered", "busy", "no-answer", "failed", "canceled"]);

function dialStatusOf(req: Request): string {
  const status = req.body?.DialCallStatus;
  return typeof status === "string" && DIAL_STATUSES.has(status) ? status : "failed";
}

type AnswerOptions = VoiceRouterOptions & {
  library: LibrarySystem;
  gate: TransactionGate;
  budgetMs: number;
  pinChecks: PinCheckSlots;
  memory: CallMemory;
};

/**
 * A webhook's transaction, answered by its deadline: the result, or BudgetExceededError at the
 * deadline while the transaction finishes (and rolls back) on its own.
 */
function transactionWithin<T>(
  options: { db: VoiceRouterOptions["db"]; gate: TransactionGate },
  deadline: number,
  work: (tx: Transaction) => Promise<T>,
  admission?: Admission,
): Promise<T> {
  return withinBudget(deadline, budgetedTransaction(options.db, options.gate, deadline, work, admission));
}

/** A webhook's lone statement (budgetedStatement), answered by its deadline as a transaction is. */
function statementWithin<T>(
  options: { db: VoiceRouterOptions["db"]; gate: TransactionGate },
  deadline: number,
  statement: (db: VoiceRouterOptions["db"], startBy: number) => Promise<T>,
  admission?: Admission,
): Promise<T> {
  return withinBudget(deadline, budgetedStatement(options.db, options.gate, deadline, statement, admission));
}

/** How long a webhook may wait for a connection before the caller hears the busy message. */
function admissionOf(route: WebhookRoute): Admission {
  return route === "incoming"
    ? { priority: "new", waitMs: NEW_CALL_ADMISSION_WAIT_MS }
    : { priority: "ongoing", waitMs: ONGOING_CALL_ADMISSION_WAIT_MS };
}

/**
 * One webhook, one transaction: lock the call (finding any answer already stored for this
 * delivery), run the actions, store the answer with the call's new state, its events and any
 * renewal, commit. Within the budget, or the caller hears the apology and nothing is committed.
 */
async function answer(
  options: AnswerOptions,
  req: Request,
  res: Response,
  route: WebhookRoute,
  eventOf: (state: CallState) => CallEvent,
  statements: () => number,
): Promise<void> {
  const observe = options.metrics?.timeWebhook(route);
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const seq = route === "incoming" ? 0 : seqOf(req);
  // Only a CallSid of Twilio's format goes into a log line or a query.
  const callSid = callSidOf(req.body);
  // The webhook's logger, made only when something is logged: at the line's usual level (warn)
  // most webhooks log nothing, and a child logger per webhook cost 1 % of the menu key's CPU.
  let webhookLog: Logger | undefined;
  const log = () => {
    webhookLog ??= options.logger.child({ callSid: callSid ?? "invalid", seq });
    return webhookLog;
  };
  const now = options.calendar.clock.now();
  const { flow } = options.voiceFlow;
  // The step the call was at when this webhook arrived: the histogram's label.
  let stepOnArrival = UNKNOWN_STEP;
  // Before a language is chosen, the apology is said in every language the first step offers;
  // after, the action URL names the call's language, so even the busy message needs no lookup.
  const chosen = languageOf(req);
  let languages: Language[] = chosen ? [chosen] : languagesOf(flow.steps[flow.start] ?? {});
  try {
    if (!callSid) throw new WebhookError("no CallSid of Twilio's format");
    // Past capacity at the PIN, a new call would only join the queue there: turned away now.
    if (route === "incoming" && !options.pinChecks.admitNewCall()) {
      throw new LineBusyError("PIN checks are backed up");
    }
    const pinPrecheck = await precheckWithin(options, req, route, callSid, eventOf, deadline);
    const remembered = route === "incoming" ? null : options.memory.recall(callSid, seq);
    if (remembered) {
      stepOnArrival = remembered.step;
      if (remembered.step !== flow.start) languages = [remembered.language];
    }
    const { twiml, repeated, saved, state } =
      (remembered &&
        (await answerFromMemory(options, callSid, seq, route, remembered, eventOf, deadline, now))) ||
      (await transactionWithin(
        options,
        deadline,
        async (tx): Promise<Answer> => {
          const created =
            route === "incoming" ? await createCall(tx, callSid, initialCallState(flow.start), now) : null;
          const call = created ?? (await lockCallForWebhook(tx, callSid, seq));
          if (!call) throw new WebhookError("unknown call");
          stepOnArrival = call.state.step;
          if (call.state.step !== flow.start) languages = [call.state.language];
          if (call.storedAnswer !== null) return repeatedAnswer(call.storedAnswer);
          if (call.nextSeq !== seq) {
            // A second delivery that waited for the first one's lock sees the call row as the first
            // left it, but the joined answer as it was when it began waiting (READ COMMITTED
            // rechecks only the locked row): look again.
            const stored = call.nextSeq > seq ? await findStoredAnswer(tx, callSid, seq) : null;
            if (stored !== null) return repeatedAnswer(stored);
            throw new WebhookError(`webhook ${seq} out of order (expected ${call.nextSeq})`);
          }

          const event = eventOf(call.state);
          const events: CallEventRecord[] = event.type === "input" ? [keyEvent(flow, call.state, event)] : [];
          const { state, twiml } = await runToReply(options, call.state, event, {
            tx,
            callSid,
            seq,
            events,
            pinPrecheck,
            callerNumber: callerNumberOf(req.body),
          });
          const durable = needsDurableCommit(events);
          const saved = saveAnsweredStep(tx, { callSid, seq, twiml, state, events, now, durable });
          return { twiml, repeated: false, saved, state };
        },
        admissionOf(route),
      ));
    // The save went out with the COMMIT; had it failed, the COMMIT rolled back: not answered.
    // With the call locked, it cannot have found the call elsewhere (CallMemory's check).
    if (saved && !(await saved)) throw new Error("the locked call was not at this webhook");
    if (repeated) log().info("repeated webhook: same answer again");
    else if (state) options.memory.remember(callSid, seq + 1, state);
    sendTwiml(res, twiml);
  } catch (error) {
    // Whatever the call's state now, its next webhook reads it.
    if (callSid) options.memory.forget(callSid);
    if (error instanceof LineBusyError) {
      // Past capacity: nothing was started, and the caller is told at once to call again later.
      log().warn({ route }, "line busy: webhook shed");
      options.metrics?.countShed(route);
      res.setHeader(BUSY_HEADER, "1");
      sendTwiml(res, spokenHangup(options, "busy", languages));
      return;
    }
    if (error instanceof WebhookError) log().warn({ reason: error.message }, "webhook refused: apology");
    else log().error({ err: error }, "webhook failed: apology");
    // Nothing of this webhook was committed, and a retry answers afresh. The console still sees
    // that it failed, when the database lets us say so in a moment.
    if (callSid && !(error instanceof WebhookError && error.message === "unknown call")) {
      await recordFailure(options, callSid, error, now);
    }
    sendTwiml(res, spokenHangup(options, "apology", languages));
  } finally {
    observe?.(stepOnArrival, statements());
    if (options.logger.isLevelEnabled("info")) {
      log().info({ route, step: stepOnArrival, ms: Date.now() - started }, "webhook answered");
    }
  }
}

/**
 * A key that runs no action, answered from the state this process left the call in, without
 * reading the call: the answer, the state and the events go in one statement, committed by itself,
 * one round trip (call-memory.ts). Null, having stored nothing, when the event runs an
 * action or the call had moved on elsewhere: then the webhook locks and reads the call.
 */
async function answerFromMemory(
  options: AnswerOptions,
  callSid: string,
  seq: number,
  route: WebhookRoute,
  remembered: CallState,
  eventOf: (state: CallState) => CallEvent,
  deadline: number,
  now: Date,
): Promise<Answer | null> {
  const event = eventOf(remembered);
  const events: CallEventRecord[] =
    event.type === "input" ? [keyEvent(options.voiceFlow.flow, remembered, event)] : [];
  const reply = replyWithoutActions(options, remembered, event, { seq, events });
  if (!reply) return null;
  const { twiml, state } = reply;
  // The save is one statement: PostgreSQL's implicit transaction commits it, with no BEGIN or
  // COMMIT to send, and nothing else of this webhook to hold a transaction open for.
  const saving = statementWithin(
    options,
    deadline,
    (db, startBy) =>
      saveAnsweredStep(db, {
        callSid,
        seq,
        twiml,
        state,
        events,
        now,
        durable: needsDurableCommit(events),
        startBy,
      }),
    admissionOf(route),
  );
  // Held by another transaction (a second delivery of this webhook, another instance): the save
  // did not wait for it, and the locking path does, within the budget. Not stored (the call had
  // moved on, or the database began the save too late): the locking path decides, too.
  const saved = await saving.catch((error: unknown) => {
    if (isLockNotAvailable(error)) return false;
    throw error;
  });
  if (!saved) {
    options.memory.forget(callSid);
    return null;
  }
  return { twiml, repeated: false, saved: null, state };
}

/**
 * Keys that may be a PIN are checked against the call's candidates before the transaction, with
 * no connection held while hashing; within the webhook's budget like the rest.
 */
async function precheckWithin(
  options: AnswerOptions,
  req: Request,
  route: WebhookRoute,
  callSid: string,
  eventOf: (state: CallState) => CallEvent,
  deadline: number,
): Promise<PinPrecheck | null> {
  const digits = typeof req.body?.Digits === "string" ? req.body.Digits : "";
  // Only where PINs are hashed here: an ILS checks its own PINs (sip2).
  if (route !== "step" || !mayBePin(digits) || !options.library.features.pinPrecheck) return null;
  const { flow } = options.voiceFlow;
  return withinBudget(
    deadline,
    precheckPin(options.db, flow, callSid, (state) => keyedInput(eventOf(state)), options.pinChecks.verify),
  );
}

/** The digits of a key event the gather could have produced, else null. */
function keyedInput(event: CallEvent): string | null {
  return event.type === "input" && !event.invalid ? event.digits : null;
}

/** The call's language, as its action URL names it once chosen (twiml nextUrl). */
function languageOf(req: Request): Language | null {
  const lang = req.query.lang;
  return LANGUAGES.find((language) => language === lang) ?? null;
}

// Before the apology, so the console shows it as soon as the caller hears it; a short budget of
// its own, so the apology still comes within Twilio's patience, and a failure here is only logged.
const FAILURE_RECORD_BUDGET_MS = 750;

async function recordFailure(
  options: AnswerOptions,
  callSid: string,
  error: unknown,
  now: Date,
): Promise<void> {
  const deadline = Date.now() + FAILURE_RECORD_BUDGET_MS;
  await transactionWithin(options, deadline, async (tx) => {
    if (await findCall(tx, callSid)) {
      await insertEvents(tx, callSid, [{ kind: "error", detail: { error: errorKind(error) } }], now);
    }
  }).catch((failure: unknown) => {
    options.logger.warn({ callSid, err: { name: errorKind(failure) } }, "could not record a failed webhook");
  });
}

/** The apology, or the busy message, said in each language given, then hang up. */
function spokenHangup(options: VoiceRouterOptions, key: "apology" | "busy", languages: Language[]): string {
  const parts = (languages.length > 0 ? languages : (["en"] as Language[])).map((language) => ({
    key,
    language,
  }));
  return renderHangup(parts, {
    catalogues: options.voiceFlow.catalogues,
    language: parts[0]?.language ?? "en",
  });
}

class WebhookError extends Error {
  override name = "WebhookError";
}

/** Only an error's kind reaches call events: messages can quote the values that failed. */
function errorKind(error: unknown): string {
  if (error instanceof WebhookError) return `${error.name}: ${error.message}`;
  if (error instanceof BudgetExceededError || error instanceof PoolTimeoutError) return error.name;
  return error instanceof Error ? error.name : "unknown";
}
