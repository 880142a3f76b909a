/**
 * API tokens: made by `npm run ops:user -- token NAME`, shown once, stored as a SHA-256 hash, and
 * accepted on /ops/api as `Authorization: Bearer <token>` with the operator's role.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { operatorApiTokens, operators } from "../db/schema/index.js";
import { OperatorError } from "./operators.js";
import type { SessionOperator } from "./sessions.js";
import { randomToken, sha256Hex } from "./tokens.js";

/** A recognisable prefix, so a leaked token is easy to find in a repository or a log. */
const TOKEN_PREFIX = "rlt_";

export async function createApiToken(
  db: DbOrTx,
  input: { operatorName: string; label: string; now: Date },
): Promise<string> {
  const [operator] = await db
    .select({ id: operators.id })
    .from(operators)
    .where(and(eq(operators.name, input.operatorName), isNull(operators.disabledAt)));
  if (!operator) throw new OperatorError(`no active operator named ${input.operatorName}`);
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  await db.insert(operatorApiTokens).values({
    operatorId: operator.id,
    tokenHash: sha256Hex(token),
    label: input.label,
    createdAt: input.now,
  });
  return token;
}

/** Revokes every token of an operator; returns how many there were. */
export async function revokeApiTokens(db: DbOrTx, operatorName: string): Promise<number> {
  const [operator] = await db
    .select({ id: operators.id })
    .from(operators)
    .where(eq(operators.name, operatorName));
  if (!operator) throw new OperatorError(`no operator named ${operatorName}`);
  const revoked = await db
    .delete(operatorApiTokens)
    .where(eq(operatorApiTokens.operatorId, operator.id))
    .returning({ id: operatorApiTokens.id });
  return revoked.length;
}

/** The operator a bearer token belongs to, unless the token is unknown or the operator disabled. */
export async function operatorOfApiToken(db: DbOrTx, token: string): Promise<SessionOperator | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({
      id: operators.id,
      name: operators.name,
      role: operators.role,
      disabledAt: operators.disabledAt,
    })
    .from(operatorApiTokens)
    .innerJoin(operators, eq(operators.id, operatorApiTokens.operatorId))
    .where(eq(operatorApiTokens.tokenHash, sha256Hex(token)));
  if (!row || row.disabledAt) return null;
  return { id: row.id, name: row.name, role: row.role };
}
