/**
 * The Express app: request logging and the routes. Built from its dependencies, so tests start
 * the whole app in-process on port 0.
 */
import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import type { Database } from "../db/database.js";
import { isFullyMigrated } from "../db/migrations.js";
import type { Logger } from "../logging/logger.js";
import type { LineMetrics } from "../metrics/line-metrics.js";
import { metricsRouter } from "../metrics/metrics-route.js";
import { type OpsRouterOptions, opsRouter } from "../ops/router.js";
import { type VoiceRouterOptions, voiceRouter } from "../voice/webhooks.js";

export interface AppDeps {
  db: Database;
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
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Query strings can carry what a caller keyed; log the path only.
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split("?")[0],
        }),
      },
    }),
  );

  // 200 once the database answers and every migration is applied; 503 otherwise.
  app.get("/healthz", async (req, res) => {
    try {
      if (await isFullyMigrated(deps.db)) {
        res.json({ status: "ok" });
        return;
      }
      res.status(503).json({ status: "unavailable", reason: "database not migrated" });
    } catch (error) {
      req.log.warn({ err: error }, "health check: database unreachable");
      res.status(503).json({ status: "unavailable", reason: "database unreachable" });
    }
  });

  if (deps.voice)
    app.use(
      "/voice",
      voiceRouter({ ...deps.voice, db: deps.db, logger: deps.logger, metrics: deps.metrics?.lineMetrics }),
    );
  if (deps.metrics) app.use(metricsRouter({ metrics: deps.metrics.lineMetrics, token: deps.metrics.token }));

  if (deps.ops) app.use("/ops", opsRouter({ ...deps.ops, db: deps.db, logger: deps.logger }));

  // The one last-resort handler: a safe answer, never a stack trace or a message quoting values.
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    req.log?.error({ err: { name: error instanceof Error ? error.name : "unknown" } }, "unhandled error");
    if (!res.headersSent) res.status(500).type("text/plain").send("Internal error");
  });

  return app;
}
