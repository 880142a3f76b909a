/** The call log (page, CSV, API) and one call's detail (page, API). */
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import express, { type Request, type Response, type Router } from "express";
import { h } from "preact";
import type { RenewalTransactionRecord } from "../../renewals/renewal-records.js";
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
import { CallLogPage } from "../views/call-log.js";
import { formatTime } from "../views/format.js";
import { sendPage } from "../views/page.js";

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
  return { at: event.at.toISOString(), kind: event.kind, step: event.step, detail: event.detail };
}

export function renewalJson(record: RenewalTransactionRecord) {
  return {
    trn: record.trn,
    createdAt: record.createdAt.toISOString(),
    channel: record.channel,
    cardLastFour: record.cardLastFour,
    selection: record.selection,
    libraryDay: record.libraryDay,
    accountBlocks: record.accountBlocks,
    items: record.results.map((r) => ({
      barcode: r.barcode,
      title: r.title,
      outcome: r.outcome,
      oldDueOn: r.oldDueOn,
      newDueOn: r.newDueOn,
      reasons: r.reasons,
      chargeRecordedCents: r.chargeRecordedCents,
    })),
  };
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
    const records = Readable.from(allCalls(db, parsed.filter)).pipe(
      new Transform({
        objectMode: true,
        transform(row: CallLogRow, _encoding, done) {
          done(null, csvRecord(row, timeZone));
        },
      }),
    );
    await pipeline(records, stringify({ header: true, columns: CSV_COLUMNS }), res);
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
      renewals: detail.renewals.map(renewalJson),
      path: detail.path,
    });
  });

  return router;
}
