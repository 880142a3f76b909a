/**
 * A stand-in line for the simulator's tests: Express on port 0, every request's signature checked
 * with the twilio package (403 when it does not validate), TwiML built with VoiceResponse.
 */
import express from "express";
import twilio from "twilio";
import { listen } from "../../support/http.js";

export type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
export type RawAnswer = { status: number; contentType?: string; body: string };
export type Route = (params: Record<string, string>) => VoiceResponse | RawAnswer;

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Query and form parameters together. */
  params: Record<string, string>;
  contentType: string | undefined;
}

export interface TwimlServer {
  baseUrl: string;
  received: ReceivedRequest[];
  /** Requests for one path, in order. */
  to(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

const acknowledge: Route = () => ({ status: 204, body: "" });

export function twiml(build: (response: VoiceResponse) => void): VoiceResponse {
  const response = new twilio.twiml.VoiceResponse();
  build(response);
  return response;
}

export async function startTwimlServer(
  authToken: string,
  routes: Record<string, Route>,
): Promise<TwimlServer> {
  const received: ReceivedRequest[] = [];
  let baseUrl = "";
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const valid = twilio.validateRequest(
      authToken,
      req.header("X-Twilio-Signature") ?? "",
      baseUrl + req.originalUrl,
      req.method === "POST" ? body : {},
    );
    if (!valid) {
      res.status(403).type("text/plain").send("invalid signature");
      return;
    }
    const params = { ...(req.query as Record<string, string>), ...body };
    received.push({ method: req.method, path: req.path, params, contentType: req.header("content-type") });
    // Twilio ignores the body of the answer to a status callback.
    const route: Route | undefined =
      routes[req.path] ?? (req.path === "/voice/status" ? acknowledge : undefined);
    if (!route) {
      res.status(404).type("text/plain").send("not found");
      return;
    }
    const answer = route(params);
    if (answer instanceof twilio.twiml.VoiceResponse) {
      res.type("text/xml").send(answer.toString());
      return;
    }
    res
      .status(answer.status)
      .type(answer.contentType ?? "text/plain")
      .send(answer.body);
  });
  const server = await listen(app);
  baseUrl = server.baseUrl;
  return {
    baseUrl,
    received,
    to: (path) => received.filter((request) => request.path === path),
    close: server.close,
  };
}
