/**
 * Bodies the parsers refuse (express.urlencoded and express.json: body-parser 2 over raw-body 3)
 * answered with their own 4xx and a warn line, not the last-resort 500 at error level. The
 * parsers run before any route, so on /voice this answers before the signature check: it says
 * only what was wrong with the body, and logs the kind of refusal, never the body.
 */
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logging/logger.js";

/** The `type` body-parser or raw-body sets on each refusal, and what the answer says. */
const REFUSALS: Readonly<Record<string, string>> = {
  "entity.too.large": "Request body too large",
  "parameters.too.many": "Too many parameters",
  "charset.unsupported": "Unsupported charset",
  "encoding.unsupported": "Unsupported content encoding",
  "entity.parse.failed": "Malformed request body",
  // Only with `extended: true` (nesting deeper than `depth`); no parser here uses it yet.
  "querystring.parse.rangeError": "Malformed request body",
  "request.aborted": "Request aborted",
  "request.size.invalid": "Request body does not match its Content-Length",
};

// Not a body-parser type: its label for a body it could not read at all (see refusalOf).
const UNREADABLE = "body.unreadable";

export interface BodyRefusal {
  /** 400, 413 or 415, as body-parser set it. */
  status: number;
  /** body-parser's type, or "body.unreadable". */
  type: string;
  /** zlib's or the socket's error code for an unreadable body (Z_DATA_ERROR, ECONNRESET, ...). */
  code?: string;
}

/** What kind of refused body `error` reports, or null when it is not one. */
export function refusalOf(error: unknown): BodyRefusal | null {
  if (!(error instanceof Error)) return null;
  const { status, type, code, errno } = error as Error & Record<string, unknown>;
  if (typeof status !== "number" || status < 400 || status > 499) return null;
  if (typeof type === "string") return Object.hasOwn(REFUSALS, type) ? { status, type } : null;
  // A decompression stream that fails (a body that is not the gzip, deflate or br it claims) or
  // a socket error mid-body reaches raw-body as a stream error, which body-parser passes on as
  // a 400 with the stream's own error inside: Node's errno and code, and no type.
  if (status === 400 && typeof errno === "number" && typeof code === "string")
    return { status, type: UNREADABLE, code };
  return null;
}

/** The error middleware: a refused body gets its own 4xx; any other error goes on. */
export function refuseBadBodies(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const refusal = refusalOf(error);
    if (!refusal || res.headersSent) {
      next(error);
      return;
    }
    // The refusal's kind only: the error also carries the body (`body`) and messages quoting it.
    // The path only: a query string can carry what a caller keyed.
    (req.log ?? logger).warn(
      { refusal, req: { method: req.method, path: req.path } },
      "request body refused",
    );
    res
      .status(refusal.status)
      .type("text/plain")
      .send(REFUSALS[refusal.type] ?? "Unreadable request body");
  };
}
