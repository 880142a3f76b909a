/**
 * Who is asking, and may they: the session cookie is looked up on every request (expiry checked
 * each time), or on the API and the CSV export an operator's bearer token; pages without a session
 * go to the login, the API answers 401, a staff operator on an admin route gets 403, and every
 * state-changing request must carry the session's CSRF token.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Database } from "../db/database.js";
import type { OperatorRole } from "../db/schema/index.js";
import type { Clock } from "../time/clock.js";
import { operatorOfApiToken } from "./api-tokens.js";
import { type ActiveSession, findActiveSession, type SessionOperator } from "./sessions.js";
import { sameToken } from "./tokens.js";
import type { Viewer } from "./views/page.js";

export const SESSION_COOKIE = "renewline_session";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function isApi(req: Request): boolean {
  return /^\/api(\/|$)/.test(req.path);
}

/**
 * What a script may read with an API token: the JSON API, and the call log's CSV export (issue 8).
 * Never a page: a token in a script's hands opens no HTML.
 */
function acceptsApiToken(req: Request): boolean {
  return isApi(req) || req.path === "/calls.csv";
}

/**
 * Refused with 401 rather than sent to the login page: the API, and a script that came with a
 * token the export could not accept (a redirect to a form would only puzzle it).
 */
function refusesWith401(req: Request): boolean {
  return isApi(req) || (acceptsApiToken(req) && req.get("authorization") !== undefined);
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/**
 * Reads the session cookie into res.locals.session (null without a live session); where a token
 * is accepted and there is no session, an `Authorization: Bearer` API token into
 * res.locals.apiOperator.
 */
export function loadSession(deps: { db: Database; clock: Clock }): RequestHandler {
  return async (req, res, next) => {
    const token: unknown = req.cookies?.[SESSION_COOKIE];
    res.locals.session =
      typeof token === "string" && token !== ""
        ? await findActiveSession(deps.db, token, deps.clock.now())
        : null;
    res.locals.apiOperator = null;
    const bearer = BEARER.exec(req.get("authorization") ?? "")?.[1];
    if (!res.locals.session && acceptsApiToken(req) && bearer)
      res.locals.apiOperator = await operatorOfApiToken(deps.db, bearer);
    next();
  };
}

export function sessionOf(res: Response): ActiveSession | null {
  return (res.locals.session as ActiveSession | null | undefined) ?? null;
}

/** The operator an API token speaks for, when the request came with one instead of a session. */
function apiOperatorOf(res: Response): SessionOperator | null {
  return (res.locals.apiOperator as SessionOperator | null | undefined) ?? null;
}

/** Who is asking, by session or API token. */
export function operatorOf(res: Response): SessionOperator | null {
  return sessionOf(res)?.operator ?? apiOperatorOf(res);
}

/** The signed-in operator, for a page behind requireOperator. */
export function viewerOf(res: Response): Viewer {
  const session = sessionOf(res);
  if (!session) throw new Error("viewerOf used on a route outside requireOperator");
  return { operator: session.operator, csrf: session.csrfToken };
}

/** A live session, and for `role: "admin"` an admin's (an admin may do whatever staff may). */
export function requireOperator(options: { role?: OperatorRole } = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const operator = operatorOf(res);
    if (!operator) {
      if (refusesWith401(req)) res.status(401).json({ error: "not signed in" });
      else res.redirect(302, "/ops/login");
      return;
    }
    if (options.role === "admin" && operator.role !== "admin") {
      if (isApi(req)) res.status(403).json({ error: "admin only" });
      else res.status(403).type("text/plain").send("Only an admin may do this.");
      return;
    }
    next();
  };
}

/**
 * Blocks cross-site request forgery: a POST (or any unsafe method) must carry the session's token,
 * in the form field `csrf` or the X-CSRF-Token header, which another site cannot read.
 */
export function requireCsrf(): RequestHandler {
  return (req, res, next) => {
    // A bearer token is never sent by a browser on its own, so another site cannot forge it.
    if (SAFE_METHODS.has(req.method) || (!sessionOf(res) && apiOperatorOf(res))) {
      next();
      return;
    }
    const session = sessionOf(res);
    const body: unknown = req.body;
    const given =
      (body && typeof body === "object" ? (body as Record<string, unknown>).csrf : undefined) ??
      req.get("x-csrf-token");
    if (!session || !sameToken(given, session.csrfToken)) {
      if (isApi(req)) res.status(403).json({ error: "missing or wrong CSRF token" });
      else res.status(403).type("text/plain").send("This form has expired. Go back, reload and try again.");
      return;
    }
    next();
  };
}
