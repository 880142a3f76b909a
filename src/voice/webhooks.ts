/**
 * The Twilio webhooks of voice-line.md. Thin: check the signature, load the call, step the
 * engine (running the actions it asks for), save, render. Every answer to a valid request is
 * TwiML; any failure inside becomes the apology.
 */
import express, { type Request, type Response, type Router } from "express";
import twilio from "twilio";
import type { Logger } from "../logging/logger.js";
import { ACTIONS, engineContext } from "./actions/index.js";
import type { ActionContext, CallEventRecord, VoiceDeps } from "./actions/types.js";
import { type CallState, initialCallState } from "./call-state.js";
import {
  closeCall,
  createCall,
  findCall,
  insertEvents,
  saveAnsweredStep,
  storedResponse,
} from "./call-store.js";
import { afterAction, type CallEvent, handleEvent, type Instruction, type SpokenPart } from "./engine.js";
import type { Language, VoiceFlow } from "./flow-definition.js";
import { promptText, renderDial, renderGather, renderHangup } from "./twiml.js";

export interface VoiceRouterOptions extends VoiceDeps {
  voiceFlow: VoiceFlow;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
}

const FINAL_STATUSES = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

// A flow that runs actions in a loop without ever asking the caller is a bug; stop it.
const MAX_INSTRUCTIONS = 25;

export function voiceRouter(options: VoiceRouterOptions): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: "20kb" }));
  router.use(requireTwilioSignature(options));

  router.post("/incoming", (req, res) => answer(options, req, res, 0, { type: "call" }));
  router.post("/step", (req, res) =>
    answer(options, req, res, seqOf(req), { type: "input", digits: digitsOf(req) }),
  );
  router.post("/dial", (req, res) =>
    answer(options, req, res, seqOf(req), {
      type: "dialEnded",
      status: String(req.body?.DialCallStatus ?? ""),
    }),
  );
  router.post("/status", async (req, res) => {
    const callSid = String(req.body?.CallSid ?? "");
    const status = String(req.body?.CallStatus ?? "");
    const duration = Number.parseInt(String(req.body?.CallDuration ?? ""), 10);
    try {
      // Ringing and answered change nothing: the call is live until a final status closes it, once.
      if (FINAL_STATUSES.has(status) && (await findCall(options.db, callSid))) {
        const now = options.calendar.clock.now();
        await closeCall(options.db, callSid, status, Number.isNaN(duration) ? null : duration, now);
      }
    } catch (error) {
      options.logger.error({ callSid, err: error }, "status callback failed");
    }
    res.type("text/xml").send(new twilio.twiml.VoiceResponse().toString());
  });

  // Any other /voice path or method, signed: still TwiML, never Express's HTML 404.
  router.use((req, res) => {
    options.logger.warn({ method: req.method, path: req.path }, "webhook to an unknown voice route: apology");
    res.type("text/xml").send(apology(options, "en"));
  });
  return router;
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

function digitsOf(req: Request): string {
  const digits = String(req.body?.Digits ?? "");
  return /^[0-9*#]{0,32}$/.test(digits) ? digits : "";
}

async function answer(
  options: VoiceRouterOptions,
  req: Request,
  res: Response,
  seq: number,
  event: CallEvent,
): Promise<void> {
  const callSid = String(req.body?.CallSid ?? "");
  const log = options.logger.child({ callSid, seq });
  const now = options.calendar.clock.now();
  let language: Language = "en";
  try {
    let call = await findCall(options.db, callSid);
    if (!call && event.type === "call" && /^CA[0-9a-f]{32}$/i.test(callSid)) {
      await createCall(options.db, callSid, initialCallState(options.voiceFlow.flow.start), now);
      call = await findCall(options.db, callSid);
    }
    if (!call) throw new WebhookError("unknown call");
    language = call.state.language;

    const repeated = await storedResponse(options.db, callSid, seq);
    if (repeated !== null) {
      log.info("repeated webhook: same answer again");
      res.type("text/xml").send(repeated);
      return;
    }
    if (seq !== call.nextSeq)
      throw new WebhookError(`webhook ${seq} out of order (expected ${call.nextSeq})`);

    const events: CallEventRecord[] = [];
    if (event.type === "input") {
      const step = options.voiceFlow.flow.steps[call.state.step];
      // Digits steps (card, PIN) are masked whatever the flow file says.
      const sensitive = step?.sensitive === true || step?.digits !== undefined;
      // Never which digits at the card and PIN steps (voice-line.md).
      const detail =
        event.digits === "" ? { noInput: true } : sensitive ? { keyed: "masked" } : { key: event.digits };
      events.push({ kind: "key", step: call.state.step, detail });
    }
    const { state, twiml } = await runToReply(options, call.state, event, { callSid, seq, events, log });
    const saved = await saveAnsweredStep(options.db, { callSid, seq, twiml, state, events, now });
    res.type("text/xml").send(saved);
  } catch (error) {
    log.error({ err: error }, "webhook failed: apology");
    try {
      if (await findCall(options.db, callSid)) {
        await insertEvents(
          options.db,
          callSid,
          [{ kind: "error", detail: { error: errorKind(error) } }],
          now,
        );
      }
    } catch {
      // The database itself may be what failed; the caller still hears the apology.
    }
    res.type("text/xml").send(apology(options, language));
  }
}

interface RunContext {
  callSid: string;
  seq: number;
  events: CallEventRecord[];
  log: Logger;
}

async function runToReply(
  options: VoiceRouterOptions,
  start: CallState,
  event: CallEvent,
  run: RunContext,
): Promise<{ state: CallState; twiml: string }> {
  const { flow, catalogues } = options.voiceFlow;
  const ctx = engineContext(options);
  const said: SpokenPart[] = [];
  let previousStep = start.step;
  let instruction: Instruction = handleEvent(flow, start, event, ctx);

  for (let i = 0; i < MAX_INSTRUCTIONS; i++) {
    if (instruction.state.step !== previousStep || (event.type === "call" && i === 0)) {
      previousStep = instruction.state.step;
      run.events.push({ kind: "step", step: previousStep });
    }
    if (instruction.type === "reply") {
      const state = instruction.state;
      const parts = [...said, ...instruction.say];
      const target = { catalogues, language: state.language };
      const nextUrl = (path: string) => `${options.publicBaseUrl}/voice/${path}?seq=${run.seq + 1}`;
      if (instruction.gather)
        return { state, twiml: renderGather(parts, instruction.gather, nextUrl("step"), target) };
      if (instruction.dial && options.staff.phoneNumber) {
        return { state, twiml: renderDial(parts, options.staff.phoneNumber, nextUrl("dial"), target) };
      }
      return { state, twiml: renderHangup(parts, target) };
    }
    const action = ACTIONS[instruction.action];
    if (!action) throw new Error(`unknown action "${instruction.action}"`);
    const actionContext: ActionContext = {
      ...options,
      callSid: run.callSid,
      seq: run.seq,
      text: (key, language, params) => promptText(catalogues, key, language, params),
      record: (e) => run.events.push({ ...e, step: e.step ?? instruction.state.step }),
    };
    const result = await action(actionContext, instruction.state, instruction.input, instruction.args);
    said.push(...result.say);
    instruction = afterAction(flow, result.state, instruction.transition, result.outcome, ctx);
  }
  throw new Error("the flow ran too many actions without asking the caller");
}

function apology(options: VoiceRouterOptions, language: Language): string {
  return renderHangup([{ key: "apology" }], { catalogues: options.voiceFlow.catalogues, language });
}

class WebhookError extends Error {
  override name = "WebhookError";
}

/** Only an error's kind reaches call events: messages can quote the values that failed. */
function errorKind(error: unknown): string {
  if (error instanceof WebhookError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.name : "unknown";
}
