/**
 * The Express app: request logging and the routes. Built from its dependencies, so tests start
 * the whole app in-process on port 0.
 */
import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import type { Database } from "../db/database.js";
import type { TransactionGate } from "../db/transaction-gate.js";
import type { Logger } from "../logging/logger.js";
import type { LineMetrics } from "../metrics/line-metrics.js";
import { metricsRouter } from "../metrics/metrics-route.js";
import { type OpsRouterOptions, opsRouter } from "../ops/router.js";
import { type VoiceRouterOptions, voiceRouter } from "../voice/webhooks.js";
import { refuseBadBodies } from "./body-errors.js";
import { healthCheck } from "./health-check.js";

export interface AppDeps {
  /** The voice line's pool (DatabaseHandle.db). */
  db: Database;
  /** The console's pool; default: db. */
  consoleDb?: Database;
  /** /healthz's own connection; default: db. */
  healthDb?: Database;
  /** The line pool's acquire timeout (DatabaseHandle.lineGate). */
  lineGate?: TransactionGate;
  logger: Logger;
  /** The voice line's webhooks under /voice; absent in tests of the rest of the app. */
  voice?: Omit<VoiceRouterOptions, "db" | "logger" | "metrics">;
  /** The operator console under /ops; absent in tests of the rest of the app. */
  ops?: Omit<OpsRouterOptions, "db" | "logger">;
  /** GET /metrics behind a bearer token; absent (METRICS_TOKEN unset): no route, a 404. */
  metrics?: { lineMetrics: LineMetrics; token: string };
  /** Settings' TRUST_PROXY; absent or null: no proxy is trusted. */
  trustProxy?: number | string | null;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  if (deps.trustProxy !== undefined && deps.trustProxy !== null) app.set("trust proxy", deps.trustProxy);
  // The webhooks log what they do themselves (a line per webhook, with its CallSid, route and
  // step): pino-http's logger per request cost them 6 % of their CPU (issue #9). The console,
  // /healthz and /metrics keep it.
  const requestLogging = pinoHttp({
    logger: deps.logger,
    // Query strings can carry what a caller keyed; log the path only.
    serializers: {
      req: (req: { method: string; url: string; id: unknown }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split("?")[0],
      }),
    },
  });
  app.use((req, res, next) => {
    if (!req.path.startsWith("/voice/")) return requestLogging(req, res, next);
    // Made only when something logs about the request (a refused body, an error).
    let log: typeof deps.logger | undefined;
    Object.defineProperty(req, "log", {
      get: () => {
        log ??= deps.logger.child({ req: { method: req.method, path: req.path } });
        return log;
      },
    });
    next();
  });

  app.get("/healthz", healthCheck(deps.healthDb ?? deps.db, deps.voice?.library));

  if (deps.voice)
    app.use(
      "/voice",
      voiceRouter({
        ...deps.voice,
        db: deps.db,
        lineGate: deps.lineGate,
        logger: deps.logger,
        metrics: deps.metrics?.lineMetrics,
      }),
    );
  if (deps.metrics) app.use(metricsRouter({ metrics: deps.metrics.lineMetrics, token: deps.metrics.token }));

  if (deps.ops)
    app.use("/ops", opsRouter({ ...deps.ops, db: deps.consoleDb ?? deps.db, logger: deps.logger }));

  // Bodies the parsers refuse, on /voice and /ops: their own 4xx, not the 500 below.
  app.use(refuseBadBodies(deps.logger));

  // The one last-resort handler: a safe answer, never a stack trace or a message quoting values.
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // A client's mistake an Express middleware reports as an error (serve-static's 404 for a
    // missing /ops/assets file) keeps its own status: it is not the app failing.
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      (req.log ?? deps.logger).warn({ status }, "request refused");
      if (!res.headersSent)
        res
          .status(status)
          .type("text/plain")
          .send(status === 404 ? "Not found" : "Bad request");
      return;
    }
    (req.log ?? deps.logger).error(
      { err: { name: error instanceof Error ? error.name : "unknown" } },
      "unhandled error",
    );
    if (!res.headersSent) res.status(500).type("text/plain").send("Internal error");
  });

  return app;
}
