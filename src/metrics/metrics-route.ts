/**
 * GET /metrics for Prometheus. Mounted only when METRICS_TOKEN is set (otherwise a 404), and
 * then only with `Authorization: Bearer <token>`: the figures are not public.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";
import type { LineMetrics } from "./line-metrics.js";

export interface MetricsRouteOptions {
  metrics: LineMetrics;
  token: string;
}

export function metricsRouter(options: MetricsRouteOptions): Router {
  const router = express.Router();
  router.get("/metrics", async (req, res) => {
    if (!bearerMatches(req.header("authorization"), options.token)) {
      res.status(401).set("WWW-Authenticate", "Bearer").type("text/plain").send("Unauthorized");
      return;
    }
    const text = await options.metrics.registry.metrics();
    res.type(options.metrics.registry.contentType).send(text);
  });
  return router;
}

/** Constant-time: digests first, so neither the length nor a common prefix shows in the timing. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match?.[1] ?? ""), digest(token));
}
