/** The call log (page, CSV, API) and one call's detail (page, API). */
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import express, { type Request, type Response, type Router } from "express";
import { h } from "preact";
import { safeErrorMessage } from "../../logging/safe-error.js";
import type { ConsoleContext } from "../console-context.js";
import { loadCallDetail, type StoredCallEvent } from "../console-data/call-detail.js";
import {
  allCalls,
  CALL_LOG_PAGE_SIZE,
  type CallLogRow,
  findCalls,
  parseCallFilter,
} from "../console-data/call-log.js";
import { FlowDiagram } from "../flow-diagram/flow-diagram.js";
import { viewerOf } from "../guard.js";
import { CallDetailPage, CallNotFoundPage } from "../views/call-detail.js";
import { knownEventDetail } from "../views/call-events.js";
import { CallLogPage } from "../views/call-log.js";
import { formatTime } from "../views/format.js";
import { sendPage } from "../views/page.js";
import { trnTransactionView } from "../views/trn-page.js";

const CSV_COLUMNS = [
  { key: "call_sid", header: "call_sid" },
  { key: "started", header: "started (library time)" },
  { key: "started_at", header: "started_at (UTC)" },
  { key: "ended_at", header: "ended_at (UTC)" },
  { key: "duration_seconds", header: "duration_seconds" },
  { key: "language", header: "language" },
  { key: "outcome", header: "outcome" },
  { key: "card_last_four", header: "card_last_four" },
  { key: "last_step", header: "last_step" },
];

function csvRecord(row: CallLogRow, timeZone: string): Record<string, string | number> {
  return {
    call_sid: row.callSid,
    started: formatTime(row.startedAt, timeZone),
    started_at: row.startedAt.toISOString(),
    ended_at: row.endedAt?.toISOString() ?? "",
    duration_seconds: row.durationSeconds ?? "",
    language: row.language ?? "",
    outcome: row.outcome ?? "in_progress",
    card_last_four: row.cardLastFour ?? "",
    last_step: row.step,
  };
}

function callJson(row: CallLogRow) {
  return {
    callSid: row.callSid,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    durationSeconds: row.durationSeconds,
    status: row.status,
    language: row.language,
    outcome: row.outcome,
    cardLastFour: row.cardLastFour,
    step: row.step,
  };
}

function eventJson(event: StoredCallEvent) {
  return { at: event.at.toISOString(), kind: event.kind, step: event.step, detail: knownEventDetail(event) };
}

/** Why a page number asks for nothing (page 9 of 3), or null. An empty log still has page 1. */
function pageAfterTheLast(page: number, total: number): string | null {
  const pages = Math.max(1, Math.ceil(total / CALL_LOG_PAGE_SIZE));
  return page > pages
    ? `There is no page ${page}: these calls fill ${pages} page${pages === 1 ? "" : "s"}.`
    : null;
}

export function callsRoutes(context: ConsoleContext): Router {
  const { db, timeZone } = context;
  const router = express.Router();

  router.get("/calls", async (req, res) => {
    const parsed = parseCallFilter(req.query, timeZone);
    const viewer = viewerOf(res);
    if (!parsed.ok) {
      const page = CallLogPage({
        viewer,
        timeZone,
        form: parsed.form,
        problems: parsed.problems,
        rows: [],
        total: 0,
        page: 1,
        pageSize: CALL_LOG_PAGE_SIZE,
      });
      sendPage(res, page, 400);
      return;
    }
    const { rows, total } = await findCalls(db, parsed.filter, parsed.form.page);
    const { page: pageNumber, ...form } = parsed.form;
    const pastTheEnd = pageAfterTheLast(pageNumber, total);
    if (pastTheEnd) {
      const page = CallLogPage({
        viewer,
        timeZone,
        form,
        problems: [pastTheEnd],
        rows: [],
        total,
        page: 1,
        pageSize: CALL_LOG_PAGE_SIZE,
      });
      sendPage(res, page, 404);
      return;
    }
    sendPage(
      res,
      CallLogPage({
        viewer,
        timeZone,
        form,
        problems: [],
        rows,
        total,
        page: pageNumber,
        pageSize: CALL_LOG_PAGE_SIZE,
      }),
    );
  });

  router.get("/calls.csv", async (req: Request, res: Response) => {
    const parsed = parseCallFilter(req.query, timeZone);
    if (!parsed.ok) {
      res.status(400).type("text/plain").send(parsed.problems.join("\n"));
      return;
    }
    const stamp = formatTime(context.clock.now(), timeZone).replace(/[-: ]/g, "").slice(0, 12);
    res.status(200).type("text/csv; charset=utf-8").attachment(`renewline-calls-${stamp}.csv`);
    try {
      // Every stage inside one pipeline: a failed batch query ends the download, not the process.
      await pipeline(
        allCalls(db, parsed.filter),
        async function* (rows: AsyncIterable<CallLogRow>) {
          for await (const row of rows) yield csvRecord(row, timeZone);
        },
        stringify({ header: true, columns: CSV_COLUMNS }),
        res,
      );
    } catch (error) {
      // The operator closing the download is not a failure of ours.
      if ((error as { code?: unknown }).code === "ERR_STREAM_PREMATURE_CLOSE") return;
      context.logger.error({ error: safeErrorMessage(error) }, "call log export failed");
      // The status line is gone already: a cut-off download is the only way left to say so.
      res.destroy();
    }
  });

  router.get("/calls/:callSid", async (req, res) => {
    const viewer = viewerOf(res);
    const detail = await loadCallDetail(db, req.params.callSid);
    if (!detail) {
      sendPage(res, CallNotFoundPage({ viewer }), 404);
      return;
    }
    const diagram = h(FlowDiagram, { flow: context.voiceFlow.flow, path: detail.path });
    sendPage(res, CallDetailPage({ viewer, timeZone, detail, diagram }));
  });

  router.get("/api/calls", async (req, res) => {
    const parsed = parseCallFilter(req.query, timeZone);
    if (!parsed.ok) {
      res.status(400).json({ error: "bad filter", problems: parsed.problems });
      return;
    }
    const { rows, total } = await findCalls(db, parsed.filter, parsed.form.page);
    const pastTheEnd = pageAfterTheLast(parsed.form.page, total);
    if (pastTheEnd) {
      res.status(404).json({ error: pastTheEnd });
      return;
    }
    res.json({ calls: rows.map(callJson), total, page: parsed.form.page, pageSize: CALL_LOG_PAGE_SIZE });
  });

  router.get("/api/calls/:callSid", async (req, res) => {
    const detail = await loadCallDetail(db, req.params.callSid);
    if (!detail) {
      res.status(404).json({ error: "no call has this identifier" });
      return;
    }
    res.json({
      call: callJson(detail.call),
      events: detail.events.map(eventJson),
      renewals: detail.renewals.map((record) => trnTransactionView(record, timeZone)),
      path: detail.path,
    });
  });

  return router;
}
