/**
 * GET /healthz for a load balancer: 200 when the database answers and every migration is
 * applied, 503 otherwise, and always within a second (HEALTH_CHECK_TIMEOUT_MS), whatever the
 * database does: a check that hangs tells the balancer nothing.
 */
import type { Request, Response } from "express";
import { BudgetExceededError, withinBudget } from "../db/budgeted-transaction.js";
import type { Database } from "../db/database.js";
import { isFullyMigrated } from "../db/migrations.js";
import { HEALTH_CHECK_TIMEOUT_MS } from "../db/time-limits.js";

export function healthCheck(db: Database) {
  return async (req: Request, res: Response) => {
    try {
      if (await withinBudget(Date.now() + HEALTH_CHECK_TIMEOUT_MS, isFullyMigrated(db))) {
        res.json({ status: "ok" });
        return;
      }
      res.status(503).json({ status: "unavailable", reason: "database not migrated" });
    } catch (error) {
      const timedOut = error instanceof BudgetExceededError;
      req.log.warn({ err: { name: error instanceof Error ? error.name : "unknown" } }, "health check failed");
      res.status(503).json({
        status: "unavailable",
        reason: timedOut ? "database not answering" : "database unreachable",
      });
    }
  };
}
