/**
 * The checks between rows (library-data.md: unique keys, references that resolve within the file,
 * loans that agree with their items), as set-based SQL over the staging tables: the same rules as
 * references.ts, which checks a JSON document in memory, for files too large to hold.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { rowsOf } from "../db/migrations.js";
import { OPEN_LOAN_ITEM_STATUSES } from "./references.js";

export interface LineProblem {
  line: number;
  /** "loan.barcode: no item with barcode …", without the line. */
  message: string;
}

const duplicates = (table: string, key: string, field: string, what: string) => `
  select line, '${field}: duplicate ${what} (first at line ' || first || ')'
  from (select line, min(line) over (partition by ${key}) as first from import_${table} where ${key} is not null) d
  where line <> first`;

const unknown = (table: string, key: string, target: string, targetKey: string, message: string) => `
  select s.line, ${message}
  from import_${table} s
  where s.${key} is not null and not exists (select 1 from import_${target} t where t.${targetKey} = s.${key})`;

const unknownTitle = (table: string, kind: string) =>
  unknown(table, "title_id", "titles", "id", `'${kind}.titleId: no title with id ' || to_json(s.title_id)`);
const unknownItem = (table: string, kind: string) =>
  unknown(
    table,
    "barcode",
    "items",
    "barcode",
    `'${kind}.barcode: no item with barcode ' || to_json(s.barcode)`,
  );
const unknownCard = (table: string, kind: string) =>
  unknown(
    table,
    "card_number",
    "patrons",
    "card_number",
    `'${kind}.cardNumber: no patron with this card number'`,
  );

const openLoanStatuses = [...OPEN_LOAN_ITEM_STATUSES].map((status) => `'${status}'`).join(", ");

// Each check yields (line, message); `ord` keeps the problems of one line in a stable order.
const CHECKS = [
  duplicates("patrons", "card_number", "patron.cardNumber", "card number"),
  duplicates("titles", "id", "title.id", "title id"),
  duplicates("items", "barcode", "item.barcode", "barcode"),
  unknownTitle("items", "item"),
  `select line, 'item.set.main: set ' || to_json(set_id) || ' already has a main item (line ' || first || ')'
   from (select line, set_id, min(line) over (partition by set_id) as first
         from import_items where is_set_main and set_id is not null) s
   where line <> first`,
  unknownItem("loans", "loan"),
  unknownCard("loans", "loan"),
  // A loan is known by its item, reader and day borrowed: the key a reload matches it on.
  `select line, 'loan: same item, reader and day borrowed as line ' || first
   from (select line, min(line) over (partition by barcode, card_number, borrowed_on) as first from import_loans) l
   where line <> first`,
  `select line, 'loan.barcode: item already on an open loan (line ' || first || ')'
   from (select line, min(line) over (partition by barcode) as first
         from import_loans where is_open and barcode is not null) l
   where line <> first`,
  `select l.line, 'loan.barcode: item is on an open loan but its status is ' || to_json(i.status)
   from import_loans l
   join (select distinct on (barcode) barcode, status from import_items order by barcode, line) i on i.barcode = l.barcode
   where l.is_open and i.status is not null and i.status not in (${openLoanStatuses})`,
  unknownTitle("reservations", "reservation"),
  unknownItem("reservations", "reservation"),
  unknownCard("reservations", "reservation"),
  unknownCard("charges", "charge"),
  unknownItem("charges", "charge"),
];

/** Runs every check; returns how many problems there are and the first `limit` by line. */
export async function stagedProblems(
  tx: DbOrTx,
  limit: number,
): Promise<{ count: number; first: LineProblem[] }> {
  const union = CHECKS.map(
    (check, ord) => `select line, message, ${ord} as ord from (${check}) c${ord}(line, message)`,
  ).join("\nunion all\n");
  await tx.execute(sql.raw(`create temp table import_problems on commit drop as ${union}`));
  const [total] = rowsOf<{ count: number | string }>(
    await tx.execute(sql`select count(*) as count from import_problems`),
  );
  const first = rowsOf<{ line: number; message: string }>(
    await tx.execute(sql`select line, message from import_problems order by line, ord limit ${limit}`),
  );
  return {
    count: Number(total?.count ?? 0),
    first: first.map((p) => ({ line: Number(p.line), message: p.message })),
  };
}
