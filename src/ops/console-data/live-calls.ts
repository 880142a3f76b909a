/** Calls in progress, as the live page shows them: read from the database, which every instance shares. */
import { and, asc, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/database.js";
import { calls } from "../../db/schema/index.js";

export interface LiveCall {
  callSid: string;
  startedAt: Date;
  step: string;
  language: string | null;
  cardLastFour: string | null;
}

/**
 * Twilio ends every call within 4 hours, so an unclosed call older than that lost its final
 * status callback: it is not live, and leaving it out keeps the page's query small for ever.
 */
export const LONGEST_CALL_MS = 4 * 3_600_000;
/** More calls than this at once would be more than one page can show usefully. */
const MOST_LIVE_CALLS = 200;

/** Calls Twilio has not yet closed with its final status callback, oldest first. */
export async function callsInProgress(db: DbOrTx, now: Date): Promise<LiveCall[]> {
  return db
    .select({
      callSid: calls.callSid,
      startedAt: calls.startedAt,
      step: calls.step,
      language: calls.language,
      cardLastFour: calls.cardLastFour,
    })
    .from(calls)
    .where(and(isNull(calls.endedAt), gt(calls.startedAt, new Date(now.getTime() - LONGEST_CALL_MS))))
    .orderBy(asc(calls.startedAt), asc(calls.callSid))
    .limit(MOST_LIVE_CALLS);
}
