/** Calls in progress, as the live page shows them: read from the database, which every instance shares. */
import { asc, isNull } from "drizzle-orm";
import type { DbOrTx } from "../../db/database.js";
import { calls } from "../../db/schema/index.js";

export interface LiveCall {
  callSid: string;
  startedAt: Date;
  step: string;
  language: string | null;
  cardLastFour: string | null;
}

/** Calls Twilio has not yet closed with its final status callback, oldest first. */
export async function callsInProgress(db: DbOrTx): Promise<LiveCall[]> {
  return db
    .select({
      callSid: calls.callSid,
      startedAt: calls.startedAt,
      step: calls.step,
      language: calls.language,
      cardLastFour: calls.cardLastFour,
    })
    .from(calls)
    .where(isNull(calls.endedAt))
    .orderBy(asc(calls.startedAt), asc(calls.callSid));
}
