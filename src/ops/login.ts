/**
 * Logging in, as a story: refuse if this name or address is throttled; check the password (the
 * same work whether or not the name exists); record a failure, or forget the name's failures and
 * open a session.
 */
import type { Database } from "../db/database.js";
import { hashPassword, verifyPassword } from "../security/password-hash.js";
import {
  clearLoginFailures,
  type LoginThrottle,
  loginThrottle,
  recordLoginFailure,
} from "./login-throttle.js";
import { findOperatorByName } from "./operators.js";
import { openSession } from "./sessions.js";

export type LoginResult =
  | { kind: "ok"; token: string; expiresAt: Date; operator: { name: string; role: string } }
  | { kind: "refused" }
  | { kind: "throttled"; by: LoginThrottle };

// A hash to check unknown names against, so a wrong name takes as long as a wrong password.
let decoyHash: Promise<string> | null = null;

export async function logIn(
  db: Database,
  attempt: { name: string; password: string; ip: string; now: Date; sessionHours: number },
): Promise<LoginResult> {
  const who = { name: attempt.name, ip: attempt.ip, now: attempt.now };
  const throttle = await loginThrottle(db, who);
  if (throttle) return { kind: "throttled", by: throttle };

  const operator = await findOperatorByName(db, attempt.name);
  decoyHash ??= hashPassword("renewline-decoy-password");
  const matches = await verifyPassword(attempt.password, operator?.passwordHash ?? (await decoyHash));
  if (!operator || !matches || operator.disabledAt) {
    await recordLoginFailure(db, who);
    return { kind: "refused" };
  }

  await clearLoginFailures(db, operator.name);
  const session = await openSession(db, {
    operatorId: operator.id,
    now: attempt.now,
    hours: attempt.sessionHours,
  });
  return { kind: "ok", ...session, operator: { name: operator.name, role: operator.role } };
}
