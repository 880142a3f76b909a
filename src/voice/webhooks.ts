/**
 * The Twilio webhooks of voice-line.md. Thin: check the signature, load the call, step the
 * engine (running the actions it asks for), save, render. Every answer to a valid request is
 * TwiML; any failure inside becomes the apology.
 */
import express, { type Request, type Response, type Router } from "express";
import twilio from "twilio";
import type { Logger } from "../logging/logger.js";
import { UNKNOWN_STEP, type WebhookRoute } from "../metrics/line-metrics.js";
import type { CallEventRecord, VoiceDeps } from "./actions/types.js";
import { keyEvent, runToReply } from "./call-runner.js";
import { initialCallState } from "./call-state.js";
import {
  claimWebhook,
  closeCall,
  createCall,
  findCall,
  insertEvents,
  saveAnsweredStep,
  saveApology,
  storedResponse,
} from "./call-store.js";
import { type CallEvent, languagesOf } from "./engine.js";
import type { Language, VoiceFlow } from "./flow-definition.js";
import { renderHangup } from "./twiml.js";

export interface VoiceRouterOptions extends VoiceDeps {
  voiceFlow: VoiceFlow;
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
}

const FINAL_STATUSES = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

// Twilio gives up on a webhook after 15 s; a repeated delivery waits at most this for the first.
const WAIT_FOR_FIRST_DELIVERY_MS = 8000;

export function voiceRouter(options: VoiceRouterOptions): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: "20kb" }));
  router.use(requireTwilioSignature(options));

  router.post("/incoming", (req, res) => answer(options, req, res, "incoming", 0, { type: "call" }));
  router.post("/step", (req, res) =>
    answer(options, req, res, "step", seqOf(req), { type: "input", digits: digitsOf(req) }),
  );
  router.post("/dial", (req, res) =>
    answer(options, req, res, "dial", seqOf(req), {
      type: "dialEnded",
      status: String(req.body?.DialCallStatus ?? ""),
    }),
  );
  router.post("/status", async (req, res) => {
    const callSid = String(req.body?.CallSid ?? "");
    const status = String(req.body?.CallStatus ?? "");
    const duration = Number.parseInt(String(req.body?.CallDuration ?? ""), 10);
    const observe = options.metrics?.timeWebhook("status");
    let step = UNKNOWN_STEP;
    try {
      const call = await findCall(options.db, callSid);
      if (call) step = call.state.step;
      // Ringing and answered change nothing: the call is live until a final status closes it, once.
      if (FINAL_STATUSES.has(status) && call) {
        const now = options.calendar.clock.now();
        await closeCall(options.db, callSid, status, Number.isNaN(duration) ? null : duration, now);
      }
    } catch (error) {
      options.logger.error({ callSid, err: error }, "status callback failed");
    }
    res.type("text/xml").send(new twilio.twiml.VoiceResponse().toString());
    observe?.(step);
  });

  // Any other /voice path or method, signed: still TwiML, never Express's HTML 404.
  router.use((req, res) => {
    options.logger.warn({ method: req.method, path: req.path }, "webhook to an unknown voice route: apology");
    res.type("text/xml").send(apology(options, ["en"]));
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
  route: WebhookRoute,
  seq: number,
  event: CallEvent,
): Promise<void> {
  const observe = options.metrics?.timeWebhook(route);
  // The step the call was at when this webhook arrived: the histogram's label.
  let stepOnArrival = UNKNOWN_STEP;
  const callSid = String(req.body?.CallSid ?? "");
  const log = options.logger.child({ callSid, seq });
  const now = options.calendar.clock.now();
  // Before a language is chosen, the apology is said in every language the first step offers.
  let languages: Language[] = languagesOf(options.voiceFlow.flow.steps[options.voiceFlow.flow.start] ?? {});
  let claimed = false;
  try {
    let call = await findCall(options.db, callSid);
    if (!call && event.type === "call" && /^CA[0-9a-f]{32}$/i.test(callSid)) {
      await createCall(options.db, callSid, initialCallState(options.voiceFlow.flow.start), now);
      call = await findCall(options.db, callSid);
    }
    if (!call) throw new WebhookError("unknown call");
    stepOnArrival = call.state.step;
    if (call.state.step !== options.voiceFlow.flow.start) languages = [call.state.language];

    const repeated = await storedResponse(options.db, callSid, seq);
    if (repeated !== null) {
      log.info("repeated webhook: same answer again");
      res.type("text/xml").send(repeated);
      return;
    }
    // Claim the webhook before any side effect: of two deliveries racing, one runs the actions
    // (an SMS, a PIN attempt, a renewal) and the other waits for its answer.
    if (!(await claimWebhook(options.db, callSid, seq))) {
      // Taken (read afresh: the claim may have happened since `call` was read), or out of order.
      const expected = (await findCall(options.db, callSid))?.nextSeq ?? -1;
      const first = seq === expected - 1 ? await waitForResponse(options.db, callSid, seq) : null;
      if (first === null) throw new WebhookError(`webhook ${seq} out of order (expected ${expected})`);
      res.type("text/xml").send(first);
      return;
    }
    claimed = true;

    const events: CallEventRecord[] =
      event.type === "input" ? [keyEvent(options.voiceFlow.flow, call.state, event.digits)] : [];
    const { state, twiml } = await runToReply(options, call.state, event, { callSid, seq, events, log });
    res
      .type("text/xml")
      .send(await saveAnsweredStep(options.db, { callSid, seq, twiml, state, events, now }));
  } catch (error) {
    log.error({ err: error }, "webhook failed: apology");
    const twiml = apology(options, languages);
    try {
      if (claimed) {
        // A retry of this webhook gets the same apology.
        await saveApology(
          options.db,
          callSid,
          seq,
          twiml,
          [{ kind: "error", detail: { error: errorKind(error) } }],
          now,
        );
      } else if (await findCall(options.db, callSid)) {
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
    res.type("text/xml").send(twiml);
  } finally {
    observe?.(stepOnArrival);
  }
}

async function waitForResponse(
  db: VoiceRouterOptions["db"],
  callSid: string,
  seq: number,
): Promise<string | null> {
  const deadline = Date.now() + WAIT_FOR_FIRST_DELIVERY_MS;
  while (Date.now() < deadline) {
    const twiml = await storedResponse(db, callSid, seq);
    if (twiml !== null) return twiml;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

function apology(options: VoiceRouterOptions, languages: Language[]): string {
  const parts = (languages.length > 0 ? languages : (["en"] as Language[])).map((language) => ({
    key: "apology",
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
  return error instanceof Error ? error.name : "unknown";
}
