/** The flow: the diagram page, and the same graph as JSON. */
import express, { type Router } from "express";
import type { ConsoleContext } from "../console-context.js";
import { flowGraphDocument } from "../flow-diagram/flow-graph-document.js";
import { viewerOf } from "../guard.js";
import { FlowPage } from "../views/flow-page.js";
import { sendPage } from "../views/page.js";

export function flowRoutes(context: ConsoleContext): Router {
  const { flow } = context.voiceFlow;
  const router = express.Router();

  router.get("/flow", (_req, res) => {
    sendPage(res, FlowPage({ viewer: viewerOf(res), flow }));
  });

  router.get("/api/flow", (_req, res) => {
    res.json(flowGraphDocument(flow));
  });

  return router;
}
