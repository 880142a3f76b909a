/**
 * The login rate limit: after LIMIT failed logins for one name or from one address within the
 * window, further attempts are refused until the failures age out. Failures are rows in the
 * database, so every instance behind the load balancer counts the same ones.
 */
import { and, count, eq, gt, lte } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { operatorLoginFailures } from "../db/schema/index.js";

export const LOGIN_FAILURE_LIMIT = 5;
export const LOGIN_FAILURE_WINDOW_MINUTES = 15;

function windowStart(now: Date): Date {
  return new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MINUTES * 60_000);
}

/** True when this name or this address has used up its failed attempts. */
export async function isLoginThrottled(db: DbOrTx, attempt: { name: string; ip: string; now: Date }) {
  const since = windowStart(attempt.now);
  const recent = (
    column: typeof operatorLoginFailures.name | typeof operatorLoginFailures.ip,
    value: string,
  ) =>
    db
      .select({ n: count() })
      .from(operatorLoginFailures)
      .where(and(eq(column, value), gt(operatorLoginFailures.at, since)));
  const [[byName], [byIp]] = await Promise.all([
    recent(operatorLoginFailures.name, attempt.name),
    recent(operatorLoginFailures.ip, attempt.ip),
  ]);
  return (byName?.n ?? 0) >= LOGIN_FAILURE_LIMIT || (byIp?.n ?? 0) >= LOGIN_FAILURE_LIMIT;
}

export async function recordLoginFailure(db: DbOrTx, attempt: { name: string; ip: string; now: Date }) {
  await db.delete(operatorLoginFailures).where(lte(operatorLoginFailures.at, windowStart(attempt.now)));
  await db.insert(operatorLoginFailures).values({ at: attempt.now, name: attempt.name, ip: attempt.ip });
}

/** A successful login forgets the name's failures (the address's stay, against spraying names). */
export async function clearLoginFailures(db: DbOrTx, name: string) {
  await db.delete(operatorLoginFailures).where(eq(operatorLoginFailures.name, name));
}
