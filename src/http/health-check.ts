/**
 * GET /healthz for a load balancer: 200 when the database answers and every migration is
 * applied, 503 otherwise, and always within a second (HEALTH_CHECK_TIMEOUT_MS), whatever the
 * database does: a check that hangs tells the balancer nothing. With the sip2 library system, the
 * ILS must answer too, and a 503 names SIP2 (library-system.md, "SIP2 connection").
 */
import type { Request, Response } from "express";
import { BudgetExceededError, withinBudget } from "../db/budgeted-transaction.js";
import type { Database } from "../db/database.js";
import { isFullyMigrated } from "../db/migrations.js";
import { HEALTH_CHECK_TIMEOUT_MS } from "../db/time-limits.js";
import type { LibrarySystem, LibrarySystemHealth } from "../library-system/library-system.js";

export function healthCheck(db: Database, library?: Pick<LibrarySystem, "health">) {
  return async (req: Request, res: Response) => {
    try {
      const deadline = Date.now() + HEALTH_CHECK_TIMEOUT_MS;
      // Both at once, so the answer still comes within the one budget.
      const [migrated, libraryHealth] = await Promise.all<[Promise<boolean>, Promise<LibrarySystemHealth>]>([
        withinBudget(deadline, isFullyMigrated(db)),
        library
          ? withinBudget(deadline, library.health()).catch(() => ({
              ok: false,
              reason: "the library system is not answering",
            }))
          : Promise.resolve({ ok: true }),
      ]);
      if (!migrated) {
        res.status(503).json({ status: "unavailable", reason: "database not migrated" });
        return;
      }
      if (!libraryHealth.ok) {
        res
          .status(503)
          .json({ status: "unavailable", reason: libraryHealth.reason ?? "library system down" });
        return;
      }
      res.json({ status: "ok" });
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
