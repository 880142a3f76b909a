/** The reference-number enquiry: the page with its form, and the same answer as JSON. */
import express, { type Router } from "express";
import { z } from "zod";
import type { ConsoleContext } from "../console-context.js";
import { enquireTrn, TRN_NOT_FOUND, TRN_REJECTIONS, type TrnEnquiry } from "../console-data/trn-enquiry.js";
import { viewerOf } from "../guard.js";
import { sendPage } from "../views/page.js";
import { type TrnAnswer, TrnPage, trnTransactionView } from "../views/trn-page.js";

// Long enough for 10 digits with any spacing an operator might use; longer is not a TRN.
const MAX_TYPED = 40;
const pageQuery = z.object({ trn: z.string().max(MAX_TYPED).optional() });
const apiParams = z.object({ trn: z.string().max(MAX_TYPED) });

const STATUS: Record<TrnEnquiry["kind"], number> = { found: 200, not_found: 404, rejected: 400 };

export function trnRoutes(context: ConsoleContext): Router {
  const router = express.Router();

  router.get("/trn", async (req, res) => {
    const viewer = viewerOf(res);
    const query = pageQuery.safeParse(req.query);
    if (!query.success) {
      const answer: TrnAnswer = { kind: "refused", message: TRN_REJECTIONS.not_ten_digits };
      sendPage(res, TrnPage({ viewer, typed: "", answer }), 400);
      return;
    }
    const typed = query.data.trn;
    if (typed === undefined) {
      sendPage(res, TrnPage({ viewer, typed: "", answer: { kind: "none" } }));
      return;
    }
    const enquiry = await enquireTrn(context.db, typed);
    sendPage(
      res,
      TrnPage({ viewer, typed, answer: answerOf(enquiry, context.timeZone) }),
      STATUS[enquiry.kind],
    );
  });

  router.get("/api/trn/:trn", async (req, res) => {
    const params = apiParams.safeParse(req.params);
    const enquiry: TrnEnquiry = params.success
      ? await enquireTrn(context.db, params.data.trn)
      : { kind: "rejected", reason: "not_ten_digits" };
    res.status(STATUS[enquiry.kind]);
    if (enquiry.kind === "found")
      res.json({ transaction: trnTransactionView(enquiry.transaction, context.timeZone) });
    else if (enquiry.kind === "not_found") res.json({ error: TRN_NOT_FOUND });
    else res.json({ error: TRN_REJECTIONS[enquiry.reason], reason: enquiry.reason });
  });

  return router;
}

function answerOf(enquiry: TrnEnquiry, timeZone: string): TrnAnswer {
  if (enquiry.kind === "found")
    return { kind: "found", transaction: trnTransactionView(enquiry.transaction, timeZone) };
  if (enquiry.kind === "not_found") return { kind: "refused", message: TRN_NOT_FOUND };
  return { kind: "refused", message: TRN_REJECTIONS[enquiry.reason] };
}
