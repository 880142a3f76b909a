/**
 * A PIN's hashing, done before the webhook's transaction (issue #9): the call and its candidate
 * accounts' PIN hashes are read in one query with no lock, the connection goes back to the pool,
 * and only then is the PIN hashed (60-70 ms of CPU). The transaction that follows locks the
 * accounts only to read the result against their lockout and record it.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/database.js";
import { calls, patrons } from "../db/schema/index.js";
import { type PinPrecheck, pinMatches } from "./authentication.js";
import type { CallState } from "./call-state.js";
import { shortcutEntryOf } from "./caller-recognition.js";
import type { FlowDefinition } from "./flow-definition.js";
import type { PinVerifier } from "./pin-check-slots.js";

/**
 * The actions whose input may be a PIN to hash, and which of their inputs are: at the caller ID
 * shortcut, `*` and a card number keyed out of habit are not, and are never hashed.
 */
const PIN_ACTIONS: ReadonlyMap<string, (digits: string) => boolean> = new Map([
  ["verifyPin", () => true],
  ["verifyCallerPin", (digits: string) => shortcutEntryOf(digits) === "pin"],
]);

/**
 * Keys that may be a PIN (or a phone's last four), worth a look before the transaction: a lone
 * menu key or no input never leads to a hash (a shorter PIN attempt is hashed in the transaction).
 */
export function mayBePin(digits: string): boolean {
  return digits.length >= 4;
}

/**
 * The PIN checked against the call's candidates, or null when the call is not at a PIN step
 * (the keys were a card number, or the call is unknown): then nothing was hashed.
 */
export async function precheckPin(
  db: Database,
  flow: FlowDefinition,
  callSid: string,
  /** The keys as the webhook reads them at the call's step; null when not keys it could take. */
  digitsAt: (state: CallState) => string | null,
  verify: PinVerifier,
): Promise<PinPrecheck | null> {
  const rows = await db
    .select({ state: calls.state, patronId: patrons.id, pinHash: patrons.pinHash })
    .from(calls)
    // = ANY(array(...)): looked up by the primary key. An IN (subquery) here is a join filter,
    // which PostgreSQL runs against every reader of the library.
    .leftJoin(
      patrons,
      sql`${patrons.id} = any(array(select jsonb_array_elements_text(${calls.state}->'candidates')::int))`,
    )
    .where(eq(calls.callSid, callSid));
  const state = rows[0]?.state as CallState | undefined;
  const takesPin = state && PIN_ACTIONS.get(flow.steps[state.step]?.digits?.action ?? "");
  if (!state || !takesPin) return null;
  const digits = digitsAt(state);
  if (digits === null || !takesPin(digits)) return null;

  const results: PinPrecheck["results"] = new Map();
  for (const row of rows) {
    if (row.patronId === null) continue;
    results.set(row.patronId, {
      pinHash: row.pinHash,
      matches: await pinMatches(digits, row.pinHash, verify),
    });
  }
  // No account to check: one hash against the decoy, so a wrong card takes as long as a wrong PIN.
  if (results.size === 0) await pinMatches(digits, null, verify);
  return { secret: digits, results };
}
