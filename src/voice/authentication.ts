/**
 * Logging in by telephone (voice-line.md, "Authentication and lockout"): card number or HKID
 * digits, then a PIN or the last four digits of the registered phone. Every failure gets the same
 * answer, and failed PIN attempts in a row lock telephone access to an account for a while.
 */
import { and, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { patrons } from "../db/schema/index.js";
import { hashHkidDigits } from "../security/hkid.js";
import { hashPin } from "../security/pin-hash.js";
import type { PinVerifier } from "./pin-check-slots.js";

export interface LockoutPolicy {
  attempts: number;
  minutes: number;
}

/** Accounts whose card number, or whose HKID digits, are the digits keyed. Never says which. */
export async function findCandidates(db: DbOrTx, keyed: string, identityHashKey: string): Promise<number[]> {
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

/** Who logged in: the account, and what the call keeps of it (read with the check, no query more). */
export interface LoggedInReader {
  patronId: number;
  cardNumber: string;
  phone: string | null;
}

export type CredentialCheck =
  | ({ result: "ok" } & LoggedInReader)
  | { result: "ambiguous"; matches: number[] }
  /** lockedAccounts: how many accounts this failure locked (for the metrics). */
  | { result: "failed"; lockedAccounts: number };

/** PINs are 4 to 8 digits (library-data.md): longer keys are never a PIN. */
export const LONGEST_PIN = 8;
const PIN_SHAPE = new RegExp(`^\\d{4,${LONGEST_PIN}}$`);

// Checked against when no account has a PIN to check, so that a wrong card costs as long as a
// wrong PIN and the time taken never tells whether a card exists.
const DECOY_HASH = await hashPin("decoy-0000");

/**
 * Whether the keys are the PIN of an account with this hash: one hash check, the same work
 * whether or not the account has a PIN or the keys look like one.
 */
export async function pinMatches(
  secret: string,
  pinHash: string | null,
  verify: PinVerifier,
): Promise<boolean> {
  const pinShaped = PIN_SHAPE.test(secret);
  const verified = await verify(pinShaped ? secret : "0000", pinHash ?? DECOY_HASH);
  return pinShaped && pinHash !== null && verified;
}

/**
 * The PIN checked before the webhook's transaction, against each candidate's hash as it was read
 * then, so that no connection or row lock is held while hashing (issue #9). A hash that changed
 * before the lock is checked again under it.
 */
export interface PinPrecheck {
  secret: string;
  /** By patron id: the hash checked against, and whether the keys were its PIN. */
  results: Map<number, { pinHash: string | null; matches: boolean }>;
}

/**
 * Checks the PIN, or the phone's last four digits, against the candidate accounts, with their
 * rows locked so that calls in parallel cannot each slip in an attempt before the lock. A locked
 * account never logs in; a failure counts against every candidate not locked, and reaching the
 * limit locks the account's telephone access. Runs in the webhook's transaction; the hashing was
 * done before it (`precheck`), so the rows are held only to read and record the result.
 */
export async function checkCredentials(
  tx: DbOrTx,
  candidates: number[],
  secret: string,
  now: Date,
  lockout: LockoutPolicy,
  checking: {
    precheck: PinPrecheck | null;
    verify: PinVerifier;
    /**
     * Only the PIN counts, never the phone's last four: on the caller ID shortcut the phone is
     * what recognised the caller, and caller ID can be forged.
     */
    pinOnly?: boolean;
  },
): Promise<CredentialCheck> {
  const precheck = checking.precheck?.secret === secret ? checking.precheck : null;
  return checkWithLockout(tx, candidates, now, lockout, async (accounts) => {
    const matches: AccountToCheck[] = [];
    for (const account of accounts) {
      const checked = precheck?.results.get(account.id);
      const pinMatched =
        checked && checked.pinHash === account.pinHash
          ? checked.matches
          : await pinMatches(secret, account.pinHash, checking.verify);
      const phoneMatches =
        !checking.pinOnly &&
        secret.length === 4 &&
        account.phone?.replace(/\D/g, "").endsWith(secret) === true;
      if (pinMatched || phoneMatches) matches.push(account);
    }
    // No account to check: the decoy's one hash, unless it was done before the transaction.
    if (accounts.length === 0 && !precheck) await pinMatches(secret, null, checking.verify);
    return matches;
  });
}

/** A candidate account as the lockout check reads it, its row locked. */
export interface AccountToCheck {
  id: number;
  cardNumber: string;
  pinHash: string | null;
  phone: string | null;
  lockedUntil: Date | null;
}

/**
 * The telephone lockout around a credential check, whoever checks the secret (this project's PIN
 * hashes, or the ILS over SIP2): the candidates' rows are locked, `match` says which of them the
 * secret fits, and a failure counts against every candidate not locked.
 */
export async function checkWithLockout(
  tx: DbOrTx,
  candidates: number[],
  now: Date,
  lockout: LockoutPolicy,
  match: (accounts: AccountToCheck[]) => Promise<AccountToCheck[]>,
): Promise<CredentialCheck> {
  const accounts =
    candidates.length === 0
      ? []
      : await tx
          .select({
            id: patrons.id,
            cardNumber: patrons.cardNumber,
            pinHash: patrons.pinHash,
            phone: patrons.phone,
            lockedUntil: patrons.phoneLockedUntil,
          })
          .from(patrons)
          .where(inArray(patrons.id, candidates))
          .orderBy(patrons.id)
          .for("update");

  const matches = await match(accounts);

  const isLocked = (account: { lockedUntil: Date | null }) =>
    account.lockedUntil !== null && account.lockedUntil > now;
  // Several fit: the card number decides, even if one of them is locked (which then fails there).
  if (matches.length > 1) return { result: "ambiguous", matches: matches.map((m) => m.id) };
  const [fitting] = matches;
  if (fitting && !isLocked(fitting)) {
    await resetFailures(tx, fitting.id);
    return { result: "ok", patronId: fitting.id, cardNumber: fitting.cardNumber, phone: fitting.phone };
  }
  const open = accounts.filter((account) => !isLocked(account)).map((account) => account.id);
  const lockedAccounts = open.length > 0 ? await countFailure(tx, open, now, lockout) : 0;
  return { result: "failed", lockedAccounts };
}

async function resetFailures(db: DbOrTx, patronId: number): Promise<void> {
  await db
    .update(patrons)
    .set({ failedPinAttempts: 0, phoneLockedAt: null, phoneLockedUntil: null })
    .where(eq(patrons.id, patronId));
}

/**
 * One failed attempt on each account; the one that reaches the limit is locked, its count
 * restarted. Returns how many it locked.
 */
async function countFailure(db: DbOrTx, ids: number[], now: Date, lockout: LockoutPolicy): Promise<number> {
  const reachesLimit = sql`${patrons.failedPinAttempts} + 1 >= ${lockout.attempts}`;
  const until = new Date(now.getTime() + lockout.minutes * 60_000);
  const updated = await db
    .update(patrons)
    .set({
      failedPinAttempts: sql`case when ${reachesLimit} then 0 else ${patrons.failedPinAttempts} + 1 end`,
      phoneLockedAt: sql`case when ${reachesLimit} then ${now.toISOString()}::timestamptz else ${patrons.phoneLockedAt} end`,
      phoneLockedUntil: sql`case when ${reachesLimit} then ${until.toISOString()}::timestamptz else ${patrons.phoneLockedUntil} end`,
    })
    .where(inArray(patrons.id, ids))
    .returning({ failedPinAttempts: patrons.failedPinAttempts });
  // Every other account's count is now at least 1: a count back at 0 is a lock placed just now.
  return updated.filter((row) => row.failedPinAttempts === 0).length;
}

/**
 * When the PIN fitted several accounts: the one among them with this card number, unless its
 * telephone access is locked. Logging in this way clears its failed attempts, as a PIN login does.
 */
export async function chooseByCardNumber(
  db: DbOrTx,
  among: number[],
  cardNumber: string,
  now: Date,
): Promise<number | null> {
  if (among.length === 0) return null;
  const [row] = await db
    .select({ id: patrons.id })
    .from(patrons)
    .where(
      and(
        inArray(patrons.id, among),
        eq(patrons.cardNumber, cardNumber),
        or(isNull(patrons.phoneLockedUntil), lte(patrons.phoneLockedUntil, now)),
      ),
    );
  if (!row) return null;
  await resetFailures(db, row.id);
  return row.id;
}
