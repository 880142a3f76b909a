/**
 * Telephone locks (voice-line.md, "Authentication and lockout"): which are in force, and lifting
 * one. "In force" is decided as the line decides it in src/voice/authentication.ts: locked until
 * a moment still to come.
 */
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/database.js";
import { patrons } from "../../db/schema/index.js";

export interface LockInForce {
  patronId: number;
  name: string;
  cardLastFour: string;
  lockedAt: Date | null;
  lockedUntil: Date;
}

/** Locks in force at `now`, the latest first. */
export async function locksInForce(db: DbOrTx, now: Date): Promise<LockInForce[]> {
  const rows = await db
    .select({
      patronId: patrons.id,
      name: patrons.name,
      // Cut in the database, so the full card number never reaches the console's process.
      cardLastFour: sql<string>`right(${patrons.cardNumber}, 4)`,
      lockedAt: patrons.phoneLockedAt,
      lockedUntil: patrons.phoneLockedUntil,
    })
    .from(patrons)
    .where(gt(patrons.phoneLockedUntil, now))
    .orderBy(desc(patrons.phoneLockedUntil), asc(patrons.id));
  return rows.flatMap(({ lockedUntil, ...row }) => (lockedUntil ? [{ ...row, lockedUntil }] : []));
}

/**
 * Lifts a lock in force: the lock and the failed-PIN count cleared in one conditional update, so
 * a second lift (another operator, another instance) or a lift of a lock that has run out
 * changes nothing and says so, with no gap between checking and writing.
 */
export async function liftLock(db: DbOrTx, patronId: number, now: Date): Promise<"lifted" | "not_locked"> {
  const lifted = await db
    .update(patrons)
    .set({ failedPinAttempts: 0, phoneLockedAt: null, phoneLockedUntil: null })
    .where(and(eq(patrons.id, patronId), gt(patrons.phoneLockedUntil, now)))
    .returning({ id: patrons.id });
  return lifted.length > 0 ? "lifted" : "not_locked";
}
