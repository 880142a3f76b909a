/** Locked accounts: the page, lifting a lock (admins only), and the list as JSON. */
import express, { type Response, type Router } from "express";
import { z } from "zod";
import type { ConsoleContext } from "../console-context.js";
import { liftLock, locksInForce } from "../console-data/locks.js";
import { requireOperator, viewerOf } from "../guard.js";
import { type LocksNotice, LocksPage, lockViews } from "../views/locks-page.js";
import { sendPage } from "../views/page.js";

// A patron id is a serial: a positive int4. Anything else names no account.
const liftParams = z.object({
  patronId: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .transform(Number)
    .pipe(z.number().max(2_147_483_647)),
});

// The redirect after a lift says what happened, and carries nothing about the reader.
const pageQuery = z.object({ lifted: z.literal("1").optional(), notLocked: z.literal("1").optional() });

export function locksRoutes(context: ConsoleContext): Router {
  const router = express.Router();

  async function sendLocksPage(res: Response, notice: LocksNotice, status = 200): Promise<void> {
    const locks = lockViews(await locksInForce(context.db, context.clock.now()), context.timeZone);
    sendPage(res, LocksPage({ viewer: viewerOf(res), locks, notice }), status);
  }

  router.get("/locks", async (req, res) => {
    const query = pageQuery.safeParse(req.query);
    const notice: LocksNotice = !query.success
      ? { kind: "none" }
      : query.data.lifted
        ? { kind: "lifted" }
        : query.data.notLocked
          ? { kind: "not_locked" }
          : { kind: "none" };
    await sendLocksPage(res, notice);
  });

  router.post("/locks/:patronId/lift", requireOperator({ role: "admin" }), async (req, res) => {
    const params = liftParams.safeParse(req.params);
    if (!params.success) {
      await sendLocksPage(res, { kind: "bad_request", message: "There is no such account." }, 400);
      return;
    }
    const { patronId } = params.data;
    const operator = viewerOf(res).operator.name;
    const result = await liftLock(context.db, patronId, context.clock.now());
    if (result === "lifted") {
      context.logger.info({ operator, patronId }, "ops lock lifted");
      res.redirect(303, "/ops/locks?lifted=1");
    } else {
      context.logger.info({ operator, patronId }, "ops lock lift: not locked");
      res.redirect(303, "/ops/locks?notLocked=1");
    }
  });

  router.get("/api/locks", async (_req, res) => {
    const locks = lockViews(await locksInForce(context.db, context.clock.now()), context.timeZone);
    res.json({ locks });
  });

  return router;
}
