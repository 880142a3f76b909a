/**
 * Writes the checked staging tables into the library's tables, set-based (library-data.md). Rows
 * are matched on the library's own keys (card number, title id, barcode; a loan by item, reader
 * and day borrowed), so loading the same file twice leaves the same state, ids included; a row
 * that did not change is not rewritten. `replace` empties the library data first; renewal
 * history and call logs are kept.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";

export async function mergeStaged(tx: DbOrTx, replace: boolean): Promise<void> {
  const run = (statement: string) => tx.execute(sql.raw(statement));

  // TRUNCATE without RESTART IDENTITY: ids are never reused, so renewal history that names an
  // old patron or loan id can never come to point at a new one. Not DELETE: each deleted reader
  // or item would have its foreign keys checked against loans and charges, whose patron_id and
  // item_id have no full index: a library of a million readers took hours. The price: until the
  // load commits, the line cannot read these tables (its webhooks answer with the apology), where
  // after a DELETE it could still read the old rows, though not renew them.
  if (replace) await run("truncate charges, reservations, loans, items, titles, patrons, closed_days");

  await run(
    `insert into closed_days (day) select distinct day::date from import_closed_days on conflict do nothing`,
  );
  await run(
    upsert(
      "patrons",
      ["card_number"],
      ["name", "phone", "pin_hash", "hkid_digits_hash", "category", "status", "expires_on"],
      `select card_number, name, phone, pin_hash, hkid_digits_hash, category, status, expires_on::date
       from import_patrons order by line`,
      replace,
    ),
  );
  await run(
    upsert(
      "titles",
      ["id"],
      ["title", "author"],
      `select id, title, author from import_titles order by line`,
      replace,
    ),
  );
  await run(
    upsert(
      "items",
      ["barcode"],
      ["title_id", "status", "renewable", "set_id", "is_set_main"],
      `select barcode, title_id, status, renewable, set_id, is_set_main from import_items order by line`,
      replace,
    ),
  );
  await syncLoans(run, replace);

  // Reservations and imported charges have no key of their own: for the readers in the file,
  // keep the rows that match the file, delete the rest, insert what is missing.
  await run(`create temp table import_readers on commit drop as
    select p.id from patrons p join import_patrons s on s.card_number = p.card_number`);
  await syncMultiset(run, {
    table: "reservations",
    columns: ["patron_id", "title_id", "item_id", "placed_on"],
    keys: { patron_id: null, title_id: "''", item_id: "0", placed_on: null },
    wanted: `select r.line, p.id as patron_id, r.title_id, i.id as item_id, r.placed_on::date as placed_on
      from import_reservations r
      join patrons p on p.card_number = r.card_number
      left join items i on i.barcode = r.barcode`,
    present: "true",
  });
  await syncMultiset(run, {
    table: "charges",
    columns: ["patron_id", "item_id", "amount_cents", "kind"],
    keys: { patron_id: null, item_id: "0", amount_cents: null, kind: null },
    wanted: `select c.line, p.id as patron_id, i.id as item_id, c.amount_cents, c.kind
      from import_charges c
      join patrons p on p.card_number = c.card_number
      left join items i on i.barcode = c.barcode`,
    // Charges this line recorded at a renewal, and paid ones, are not the file's to remove.
    present: "renewal_transaction_id is null and not paid",
  });
}

/**
 * INSERT … ON CONFLICT DO UPDATE that leaves a row alone when nothing in it changed; a plain
 * INSERT into a table just emptied (the staged keys are known to be unique), which is faster.
 */
function upsert(table: string, target: string[], columns: string[], select: string, empty: boolean): string {
  const all = [...target, ...columns];
  if (empty) return `insert into ${table} (${all.join(", ")}) ${select}`;
  const list = (prefix: string) => columns.map((c) => `${prefix}${c}`).join(", ");
  return `insert into ${table} (${all.join(", ")}) ${select}
    on conflict (${target.join(", ")}) do update set ${columns.map((c) => `${c} = excluded.${c}`).join(", ")}
    where (${list(`${table}.`)}) is distinct from (${list("excluded.")})`;
}

/**
 * The file is the truth for the loans of the items it names: loans of those items that the file
 * no longer lists are removed, the rest are updated in place or added. Returned loans are
 * written before open ones, so an item's return and its next loan load in any order.
 */
async function syncLoans(run: (statement: string) => Promise<unknown>, replace: boolean): Promise<void> {
  await run(`create temp table import_loan_rows on commit drop as
    select l.line, i.id as item_id, p.id as patron_id, l.borrowed_on::date as borrowed_on,
           l.due_on::date as due_on, l.returned_on::date as returned_on, l.renewals
    from import_loans l
    join items i on i.barcode = l.barcode
    join patrons p on p.card_number = l.card_number`);
  if (!replace) {
    await run(`delete from loans l
      where l.item_id in (select i.id from items i join import_items s on s.barcode = i.barcode)
        and not exists (select 1 from import_loan_rows r
                        where r.item_id = l.item_id and r.patron_id = l.patron_id and r.borrowed_on = l.borrowed_on)`);
  }
  for (const which of ["returned_on is not null", "returned_on is null"]) {
    await run(
      upsert(
        "loans",
        ["item_id", "patron_id", "borrowed_on"],
        ["due_on", "returned_on", "renewals"],
        `select item_id, patron_id, borrowed_on, due_on, returned_on, renewals
         from import_loan_rows where ${which} order by line`,
        replace,
      ),
    );
  }
}

interface Multiset {
  table: string;
  columns: string[];
  /**
   * The columns that make up a row's identity, each with what stands for its null (so that the
   * match is an equality a hash join can use), or null when it is never null.
   */
  keys: Record<string, string | null>;
  /** The file's rows, with `line` and the table's columns. */
  wanted: string;
  /** Which of the file readers' rows the file speaks for. */
  present: string;
}

/** Multisets: two identical rows in the file are two rows in the database, matched by rank. */
async function syncMultiset(run: (statement: string) => Promise<unknown>, m: Multiset): Promise<void> {
  const key = (alias: string) =>
    Object.entries(m.keys).map(([column, nullAs]) =>
      nullAs === null ? `${alias}${column}` : `coalesce(${alias}${column}, ${nullAs})`,
    );
  const rank = (order: string) =>
    `row_number() over (partition by ${key("").join(", ")} order by ${order}) as n`;
  const wanted = `import_${m.table}_wanted`;
  const present = `import_${m.table}_present`;
  await run(`create temp table ${wanted} on commit drop as select w.*, ${rank("line")} from (${m.wanted}) w`);
  await run(`create temp table ${present} on commit drop as
    select id, ${m.columns.join(", ")}, ${rank("id")} from ${m.table}
    where patron_id in (select id from import_readers) and ${m.present}`);
  const x = key("x.");
  const same = [...key("w.").map((w, i) => `${w} = ${x[i]}`), "w.n = x.n"].join(" and ");
  await run(`delete from ${m.table} where id in (
    select x.id from ${present} x where not exists (select 1 from ${wanted} w where ${same}))`);
  await run(`insert into ${m.table} (${m.columns.join(", ")})
    select ${m.columns.map((c) => `w.${c}`).join(", ")} from ${wanted} w
    where not exists (select 1 from ${present} x where ${same})
    order by w.line`);
}
