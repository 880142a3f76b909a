/**
 * The login rate limit. Failed logins are rows (when, the name typed, the address), counted over
 * the last LOGIN_FAILURE_WINDOW_MINUTES two ways:
 *
 * - by name, from any address: a password guessed at, from one machine or many. This limit is
 *   also the name-and-address one: a name's misses at one desk can never outnumber the name's own,
 *   so they hold back only the person who mistyped, and a colleague at the same desk PC signs in
 *   as before (issue 8). A count per pair would matter only beside a looser limit per name.
 * - by address, whatever the name: names sprayed from one machine.
 *
 * Rows live in the database, so every instance behind the load balancer counts the same ones.
 */
import { and, eq, gt, lte, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { operatorLoginFailures } from "../db/schema/index.js";

export const LOGIN_FAILURE_WINDOW_MINUTES = 15;

export const LOGIN_FAILURE_LIMITS = {
  name: 5,
  // A shared desk PC, or a whole branch behind one NAT address, is one address to us: a dozen
  // staff at a shift change, each mistyping up to four times, stay under 50. A spray of names
  // from one machine is still held to 50 guesses a quarter of an hour, and each name to 5.
  address: 50,
} as const;

/** Which limit holds an attempt back. */
export type LoginThrottle = keyof typeof LOGIN_FAILURE_LIMITS;

export interface LoginAttempt {
  name: string;
  ip: string;
  now: Date;
}

function windowStart(now: Date): Date {
  return new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MINUTES * 60_000);
}

/** The limit recent failures have reached, or null: the pure rule, apart from the counting. */
export function throttleOf(recent: Record<LoginThrottle, number>): LoginThrottle | null {
  if (recent.name >= LOGIN_FAILURE_LIMITS.name) return "name";
  if (recent.address >= LOGIN_FAILURE_LIMITS.address) return "address";
  return null;
}

async function recentFailures(db: DbOrTx, attempt: LoginAttempt): Promise<Record<LoginThrottle, number>> {
  const f = operatorLoginFailures;
  const [counts] = await db
    .select({
      name: sql<number>`count(*) filter (where ${eq(f.name, attempt.name)})`.mapWith(Number),
      address: sql<number>`count(*) filter (where ${eq(f.ip, attempt.ip)})`.mapWith(Number),
    })
    .from(f)
    .where(and(gt(f.at, windowStart(attempt.now)), or(eq(f.name, attempt.name), eq(f.ip, attempt.ip))));
  return { name: counts?.name ?? 0, address: counts?.address ?? 0 };
}

/** The limit this name or address has used up, or null when the attempt may go ahead. */
export async function loginThrottle(db: DbOrTx, attempt: LoginAttempt): Promise<LoginThrottle | null> {
  return throttleOf(await recentFailures(db, attempt));
}

export async function recordLoginFailure(db: DbOrTx, attempt: LoginAttempt): Promise<void> {
  await db.delete(operatorLoginFailures).where(lte(operatorLoginFailures.at, windowStart(attempt.now)));
  await db.insert(operatorLoginFailures).values({ at: attempt.now, name: attempt.name, ip: attempt.ip });
}

/**
 * Forgets every failure of a name, from every address (a successful login, or `ops:user
 * unthrottle`). The address counts lose these rows too; other names' failures stay, against
 * spraying names.
 */
export async function clearLoginFailures(db: DbOrTx, name: string): Promise<{ at: Date; ip: string }[]> {
  return db
    .delete(operatorLoginFailures)
    .where(eq(operatorLoginFailures.name, name))
    .returning({ at: operatorLoginFailures.at, ip: operatorLoginFailures.ip });
}

export interface Unthrottled {
  /** The name's failures that were still counting. */
  cleared: number;
  /** Addresses the name failed from that stay held back by other names' failures. */
  addressesStillThrottled: string[];
}

/** `npm run ops:user -- unthrottle NAME`: lets an operator sign in at once. */
export async function unthrottleName(db: DbOrTx, name: string, now: Date): Promise<Unthrottled> {
  const since = windowStart(now);
  const recent = (await clearLoginFailures(db, name)).filter((failure) => failure.at > since);
  const addresses = [...new Set(recent.map((failure) => failure.ip))].sort();
  const stillThrottled: string[] = [];
  for (const ip of addresses) {
    if ((await loginThrottle(db, { name, ip, now })) === "address") stillThrottled.push(ip);
  }
  return { cleared: recent.length, addressesStillThrottled: stillThrottled };
}
