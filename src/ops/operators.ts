/** The operators table: create, look up, change a password, disable, list. */
import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import {
  type Operator,
  type OperatorRole,
  operatorApiTokens,
  operatorSessions,
  operators,
} from "../db/schema/index.js";
import { hashPassword } from "../security/password-hash.js";

/** Names are what an operator types at login: short, no spaces, no markup. */
export const OPERATOR_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export class OperatorError extends Error {
  override name = "OperatorError";
}

export async function createOperator(
  db: DbOrTx,
  input: { name: string; role: OperatorRole; password: string; now: Date },
): Promise<Operator> {
  const passwordHash = await hashPassword(input.password);
  const [created] = await db
    .insert(operators)
    .values({ name: input.name, role: input.role, passwordHash, createdAt: input.now })
    .onConflictDoNothing({ target: operators.name })
    .returning();
  if (!created) throw new OperatorError(`an operator named ${input.name} already exists`);
  return created;
}

export async function findOperatorByName(db: DbOrTx, name: string): Promise<Operator | null> {
  const [found] = await db.select().from(operators).where(eq(operators.name, name));
  return found ?? null;
}

/**
 * A new password ends every session the old one opened, and revokes the operator's API tokens:
 * after a suspected compromise, one command shuts every door.
 */
export async function setOperatorPassword(db: DbOrTx, name: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  const [updated] = await db
    .update(operators)
    .set({ passwordHash })
    .where(eq(operators.name, name))
    .returning({ id: operators.id });
  if (!updated) throw new OperatorError(`no operator named ${name}`);
  await db.delete(operatorSessions).where(eq(operatorSessions.operatorId, updated.id));
  await db.delete(operatorApiTokens).where(eq(operatorApiTokens.operatorId, updated.id));
}

/** A disabled operator cannot log in, and is signed out everywhere at once. */
export async function disableOperator(db: DbOrTx, name: string, now: Date): Promise<void> {
  const found = await findOperatorByName(db, name);
  if (!found) throw new OperatorError(`no operator named ${name}`);
  if (!found.disabledAt)
    await db.update(operators).set({ disabledAt: now }).where(eq(operators.id, found.id));
  await db.delete(operatorSessions).where(eq(operatorSessions.operatorId, found.id));
}

export function listOperators(db: DbOrTx): Promise<Operator[]> {
  return db.select().from(operators).orderBy(asc(operators.name));
}
