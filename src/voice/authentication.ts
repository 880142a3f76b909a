/**
 * Logging in by telephone (voice-line.md, "Authentication and lockout"): card number or HKID
 * digits, then a PIN or the last four digits of the registered phone. Every failure gets the same
 * answer, and failed PIN attempts in a row lock telephone access to an account for a while.
 */
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Database } from "../db/database.js";
import { patrons } from "../db/schema/index.js";
import { hashHkidDigits } from "../security/hkid.js";
import { hashPin, verifyPin } from "../security/pin-hash.js";

export interface LockoutPolicy {
  attempts: number;
  minutes: number;
}

/** Accounts whose card number, or whose HKID digits, are the digits keyed. Never says which. */
export async function findCandidates(
  db: Database,
  keyed: string,
  identityHashKey: string,
): Promise<number[]> {
  if (!/^\d{4,20}$/.test(keyed)) return [];
  const rows = await db
    .select({ id: patrons.id })
    .from(patrons)
    .where(
      or(eq(patrons.cardNumber, keyed), eq(patrons.hkidDigitsHash, hashHkidDigits(keyed, identityHashKey))),
    )
    .orderBy(patrons.id);
  return rows.map((row) => row.id);
}

export type CredentialCheck =
  | { result: "ok"; patronId: number }
  | { result: "ambiguous"; matches: number[] }
  | { result: "failed" };

// Checked against when no account matched, so that a wrong card costs as long as a wrong PIN
// and the time taken never tells whether a card exists.
const DECOY_HASH = await hashPin("decoy-0000");

/**
 * Checks the PIN, or the phone's last four digits, against the candidate accounts. Locked
 * accounts never match. A failure counts against every candidate not locked; reaching the limit
 * locks the account's telephone access.
 */
export async function checkCredentials(
  db: Database,
  candidates: number[],
  secret: string,
  now: Date,
  lockout: LockoutPolicy,
): Promise<CredentialCheck> {
  const open =
    candidates.length === 0
      ? []
      : await db
          .select({ id: patrons.id, pinHash: patrons.pinHash, phone: patrons.phone })
          .from(patrons)
          .where(
            and(
              inArray(patrons.id, candidates),
              or(isNull(patrons.phoneLockedUntil), lte(patrons.phoneLockedUntil, now)),
            ),
          )
          .orderBy(patrons.id);

  if (open.length === 0) await verifyPin(secret, DECOY_HASH);
  const matches: number[] = [];
  for (const account of open) {
    const pinMatches =
      account.pinHash !== null && /^\d{4,8}$/.test(secret) && (await verifyPin(secret, account.pinHash));
    const phoneMatches =
      secret.length === 4 && account.phone !== null && account.phone.replace(/\D/g, "").endsWith(secret);
    if (pinMatches || phoneMatches) matches.push(account.id);
  }

  if (matches.length === 1) {
    const [patronId] = matches as [number];
    await db
      .update(patrons)
      .set({ failedPinAttempts: 0, phoneLockedAt: null, phoneLockedUntil: null })
      .where(eq(patrons.id, patronId));
    return { result: "ok", patronId };
  }
  if (matches.length > 1) return { result: "ambiguous", matches };

  const openIds = open.map((account) => account.id);
  if (openIds.length > 0) await countFailure(db, openIds, now, lockout);
  return { result: "failed" };
}

/** One failed attempt on each account; the one that reaches the limit is locked, its count restarted. */
async function countFailure(db: Database, ids: number[], now: Date, lockout: LockoutPolicy): Promise<void> {
  const reachesLimit = sql`${patrons.failedPinAttempts} + 1 >= ${lockout.attempts}`;
  const until = new Date(now.getTime() + lockout.minutes * 60_000);
  await db
    .update(patrons)
    .set({
      failedPinAttempts: sql`case when ${reachesLimit} then 0 else ${patrons.failedPinAttempts} + 1 end`,
      phoneLockedAt: sql`case when ${reachesLimit} then ${now.toISOString()}::timestamptz else ${patrons.phoneLockedAt} end`,
      phoneLockedUntil: sql`case when ${reachesLimit} then ${until.toISOString()}::timestamptz else ${patrons.phoneLockedUntil} end`,
    })
    .where(inArray(patrons.id, ids));
}

/** When the PIN fitted several accounts: the one among them with this card number. */
export async function chooseByCardNumber(
  db: Database,
  among: number[],
  cardNumber: string,
): Promise<number | null> {
  if (among.length === 0) return null;
  const [row] = await db
    .select({ id: patrons.id })
    .from(patrons)
    .where(and(inArray(patrons.id, among), eq(patrons.cardNumber, cardNumber)));
  return row?.id ?? null;
}
