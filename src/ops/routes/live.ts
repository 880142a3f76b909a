/** Live calls: the page, and the event stream that keeps it current. */
import express, { type Router } from "express";
import type { ConsoleContext } from "../console-context.js";
import { callsInProgress } from "../console-data/live-calls.js";
import { sessionOf, viewerOf } from "../guard.js";
import { LiveFeed } from "../live-feed.js";
import { LiveCallsPage, liveCallViews } from "../views/live-calls.js";
import { sendPage } from "../views/page.js";

export function liveRoutes(context: ConsoleContext, feedOptions: { pollMs?: number } = {}): Router {
  const feed = new LiveFeed({ ...context, ...feedOptions });
  const router = express.Router();

  router.get("/live", async (_req, res) => {
    const now = context.clock.now();
    const calls = liveCallViews(await callsInProgress(context.db, now), context.timeZone);
    sendPage(res, LiveCallsPage({ viewer: viewerOf(res), calls, now }));
  });

  router.get("/live/events", (_req, res) => {
    const session = sessionOf(res);
    if (!session) return;
    feed.watch(res, session.id);
  });

  return router;
}
