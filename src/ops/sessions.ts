/** Console sessions in the database, so any instance recognises a login made on another. */
import { and, eq, gt, lte } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { type OperatorRole, operatorSessions, operators } from "../db/schema/index.js";
import { randomToken, sha256Hex } from "./tokens.js";

export interface SessionOperator {
  id: number;
  name: string;
  role: OperatorRole;
}

export interface ActiveSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
  operator: SessionOperator;
}

/** Opens a session; the returned token goes into the cookie and nowhere else. */
export async function openSession(
  db: DbOrTx,
  input: { operatorId: number; now: Date; hours: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(input.now.getTime() + input.hours * 3_600_000);
  // Expired sessions are of no use to anyone: cleared here rather than by a timer.
  await db.delete(operatorSessions).where(lte(operatorSessions.expiresAt, input.now));
  await db.insert(operatorSessions).values({
    id: sha256Hex(token),
    operatorId: input.operatorId,
    createdAt: input.now,
    expiresAt,
    csrfToken: randomToken(),
  });
  return { token, expiresAt };
}

/** The session a cookie's token names, if it has not expired and its operator is not disabled. */
export async function findActiveSession(db: DbOrTx, token: string, now: Date): Promise<ActiveSession | null> {
  const [row] = await db
    .select({
      id: operatorSessions.id,
      csrfToken: operatorSessions.csrfToken,
      expiresAt: operatorSessions.expiresAt,
      operatorId: operators.id,
      name: operators.name,
      role: operators.role,
      disabledAt: operators.disabledAt,
    })
    .from(operatorSessions)
    .innerJoin(operators, eq(operators.id, operatorSessions.operatorId))
    .where(and(eq(operatorSessions.id, sha256Hex(token)), gt(operatorSessions.expiresAt, now)));
  if (!row || row.disabledAt) return null;
  return {
    id: row.id,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
    operator: { id: row.operatorId, name: row.name, role: row.role },
  };
}

export async function closeSession(db: DbOrTx, sessionId: string): Promise<void> {
  await db.delete(operatorSessions).where(eq(operatorSessions.id, sessionId));
}
