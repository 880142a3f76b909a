/**
 * A statement written once as SQL text and run with its parameters alone, for the webhooks' hot
 * path (issue #9). drizzle's query builder rebuilds a statement's text from its parts on every
 * call (a profile of the menu key put 14 % of the line's CPU there); the text of these never
 * changes, so it is written out here and handed straight to drizzle's session, which still logs
 * it (the queries-per-webhook count) and has the driver prepare it like any other.
 */
import type { DbOrTx } from "./database.js";

/** Runs the statement; its rows as the driver returns them (columns named by their aliases). */
export type FixedStatement<Row> = (db: DbOrTx, parameters: unknown[]) => Promise<Row[]>;

export function fixedStatement<Row>(text: string): FixedStatement<Row> {
  return (db, parameters) => {
    const query = db._.session.prepareQuery({ sql: text, params: parameters }, undefined, undefined, false);
    // Sent when called, not when awaited: a caller may pipeline it ahead of the next statement.
    return query.execute().then(rowsOf<Row>);
  };
}

/** postgres.js answers with the rows themselves, PGlite with a result that holds them. */
function rowsOf<Row>(result: unknown): Row[] {
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}
