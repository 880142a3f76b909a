/**
 * The operator console under /ops: its assets, login and logout, the guard in front of everything
 * else, and each page's routes. Thin: parse, call the use case, answer.
 */

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import cookieParser from "cookie-parser";
import express, { type CookieOptions, type Router } from "express";
import { z } from "zod";
import type { Database } from "../db/database.js";
import type { Logger } from "../logging/logger.js";
import { MAX_PASSWORD_LENGTH } from "../security/password-hash.js";
import type { Clock } from "../time/clock.js";
import type { VoiceFlow } from "../voice/flow-definition.js";
import type { ConsoleContext } from "./console-context.js";
import { loadSession, operatorOf, requireCsrf, requireOperator, SESSION_COOKIE, sessionOf } from "./guard.js";
import { logIn } from "./login.js";
import { LOGIN_FAILURE_WINDOW_MINUTES } from "./login-throttle.js";
import { noStore, securityHeaders } from "./response-headers.js";
import { callsRoutes } from "./routes/calls.js";
import { flowRoutes } from "./routes/flow.js";
import { liveRoutes } from "./routes/live.js";
import { locksRoutes } from "./routes/locks.js";
import { operatorsRoutes } from "./routes/operators.js";
import { statisticsRoutes } from "./routes/statistics.js";
import { trnRoutes } from "./routes/trn.js";
import { closeSession } from "./sessions.js";
import { randomToken, sameToken } from "./tokens.js";
import { LoginPage } from "./views/login.js";
import { sendPage } from "./views/page.js";

export interface OpsRouterOptions {
  db: Database;
  clock: Clock;
  /** https here makes the cookies Secure, and brings HSTS and upgrade-insecure-requests. */
  publicBaseUrl: string;
  logger: Logger;
  /** OPS_SESSION_HOURS. */
  sessionHours: number;
  /** LIBRARY_TZ. */
  timeZone: string;
  voiceFlow: VoiceFlow;
}

const ASSETS_DIR = fileURLToPath(new URL("./assets", import.meta.url));
// Chart.js's browser build, served from node_modules so the console needs nothing from outside.
const CHART_JS_FILE = join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.min.js");

/** Before there is a session, the login form's CSRF token is double-submitted: cookie and field. */
export const LOGIN_CSRF_COOKIE = "renewline_login_csrf";

export const LOGIN_REFUSED = "The name or password is not correct.";
const LOGIN_THROTTLED = `Too many failed attempts. Try again in ${LOGIN_FAILURE_WINDOW_MINUTES} minutes.`;

const loginForm = z.object({
  name: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  csrf: z.string().min(1),
});

export function opsRouter(options: OpsRouterOptions): Router {
  const { db, clock, logger } = options;
  const overHttps = options.publicBaseUrl.startsWith("https:");
  const cookieOptions: CookieOptions = {
    httpOnly: true,
    sameSite: "strict",
    secure: overHttps,
    path: "/ops",
  };

  const context: ConsoleContext = {
    db,
    clock,
    logger,
    timeZone: options.timeZone,
    voiceFlow: options.voiceFlow,
  };

  const router = express.Router();
  router.use(securityHeaders({ overHttps }));
  // The stylesheet and scripts hold nothing private; the login page needs them before a session.
  router.get("/assets/vendor/chart.umd.min.js", (_req, res) => {
    res.sendFile(CHART_JS_FILE, { maxAge: "1h" });
  });
  router.use("/assets", express.static(ASSETS_DIR, { fallthrough: false, index: false, maxAge: "1h" }));
  // Everything else, from the login page on, is an operator's and is never cached.
  router.use(noStore());
  router.use(cookieParser());
  router.use(express.urlencoded({ extended: false, limit: "10kb" }));
  router.use(express.json({ limit: "10kb" }));
  router.use(loadSession({ db, clock }));

  router.get("/login", (_req, res) => {
    if (sessionOf(res)) {
      res.redirect(302, "/ops");
      return;
    }
    const csrf = randomToken();
    res.cookie(LOGIN_CSRF_COOKIE, csrf, { ...cookieOptions, maxAge: 60 * 60_000 });
    sendPage(res, LoginPage({ csrf }));
  });

  router.post("/login", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const cookieCsrf: unknown = req.cookies?.[LOGIN_CSRF_COOKIE];
    if (typeof cookieCsrf !== "string" || !sameToken(body.csrf, cookieCsrf)) {
      res.status(403).type("text/plain").send("This form has expired. Go back, reload and try again.");
      return;
    }
    const form = loginForm.safeParse(body);
    if (!form.success) {
      sendPage(res, LoginPage({ csrf: cookieCsrf, error: LOGIN_REFUSED }), 400);
      return;
    }
    const { name, password } = form.data;
    const result = await logIn(db, {
      name,
      password,
      ip: req.ip ?? "unknown",
      now: clock.now(),
      sessionHours: options.sessionHours,
    });
    if (result.kind === "throttled") {
      // The name is not logged: people type their password into it by mistake.
      logger.warn({ ip: req.ip, limit: result.by }, "ops login throttled");
      res.set("Retry-After", String(LOGIN_FAILURE_WINDOW_MINUTES * 60));
      sendPage(res, LoginPage({ csrf: cookieCsrf, error: LOGIN_THROTTLED }), 429);
      return;
    }
    if (result.kind === "refused") {
      logger.warn({ ip: req.ip }, "ops login refused");
      sendPage(res, LoginPage({ csrf: cookieCsrf, error: LOGIN_REFUSED, name }), 401);
      return;
    }
    logger.info({ operator: result.operator.name }, "ops login");
    res.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions);
    // A lifetime relative to the browser's own clock (Max-Age), never an Expires from the app's
    // clock: with FIXED_NOW in the past (tests, demos) an absolute date is already gone.
    res.cookie(SESSION_COOKIE, result.token, { ...cookieOptions, maxAge: options.sessionHours * 3_600_000 });
    res.redirect(303, "/ops");
  });

  // Everything below needs a live session, and a CSRF token on anything that changes state.
  router.use(requireOperator());
  router.use(requireCsrf());

  router.post("/logout", async (_req, res) => {
    const session = sessionOf(res);
    if (session) {
      await closeSession(db, session.id);
      logger.info({ operator: session.operator.name }, "ops logout");
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.redirect(303, "/ops/login");
  });

  router.get("/", (_req, res) => {
    res.redirect(302, "/ops/live");
  });
  router.use(liveRoutes(context));
  router.use(callsRoutes(context));
  router.use(trnRoutes(context));
  router.use(locksRoutes(context));
  router.use(statisticsRoutes(context));
  router.use(flowRoutes(context));
  router.use(operatorsRoutes(context));

  router.get("/api/me", (_req, res) => {
    const operator = operatorOf(res);
    if (!operator) return;
    res.json({ name: operator.name, role: operator.role });
  });

  router.use("/api", (_req, res) => {
    res.status(404).json({ error: "not found" });
  });
  return router;
}
