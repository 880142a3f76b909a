/**
 * Writes the checked staging tables into the library's tables, set-based (library-data.md). Rows
 * are matched on the library's own keys (card number, title id, barcode; a loan by item, reader
 * and day borrowed), so loading the same file twice leaves the same state, ids included; a row
 * that did not change is not rewritten. `replace` empties the library data first; renewal
 * history and call logs are kept.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { rowsOf } from "../db/migrations.js";

export interface MergeOptions {
  replace: boolean;
  /** The file's `exportedAt`: when the library's system took the snapshot; null when not given. */
  exportedAt: string | null;
}

/** What the load did to loans renewed through this line (library-data.md, "Snapshots ..."). */
export interface PhoneRenewals {
  /** Loans renewed by phone after exportedAt that kept the line's due date and count. */
  kept: number;
  /** Without exportedAt: loans whose phone renewals the file's older due date or count undid. */
  reset: number;
}

export async function mergeStaged(tx: DbOrTx, options: MergeOptions): Promise<PhoneRenewals> {
  const { replace } = options;
  const run = (statement: string) => tx.execute(sql.raw(statement));

  // Read before anything is written: --replace is about to empty loans and charges.
  const phoneRenewals = await notePhoneRenewals(tx, options.exportedAt);

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
  // --replace emptied them with the rest: the charges of renewals the file did not know of are
  // the line's, and come back on their readers and items.
  if (replace) {
    await run(`insert into charges (patron_id, item_id, amount_cents, kind, renewal_transaction_id, paid)
      select p.id, i.id, k.amount_cents, k.kind, k.renewal_transaction_id, k.paid
      from import_kept_charges k
      join patrons p on p.card_number = k.card_number
      left join items i on i.barcode = k.barcode
      order by k.id`);
  }
  return phoneRenewals;
}

/**
 * An ILS export is a snapshot (library-data.md, "Snapshots taken before phone renewals"). For the
 * file's loans that this line renewed, notes the database's due date and count before the merge:
 * `import_phone_renewed`, by the file's line, with whether a renewal came after exportedAt. A
 * loan is the file's loan by the import's own identity (item, reader, day borrowed), so the note
 * also holds across --replace, which gives the loans new ids. With --replace it also keeps the
 * charges recorded by renewals after exportedAt (`import_kept_charges`), by card and barcode.
 */
async function notePhoneRenewals(tx: DbOrTx, exportedAt: string | null): Promise<PhoneRenewals> {
  // CREATE TABLE AS takes no bind parameters: the time goes in as a setting of this transaction.
  // Without exportedAt nothing is "after" it: the file wins everywhere.
  if (exportedAt !== null)
    await tx.execute(sql`select set_config('renewline.exported_at', ${exportedAt}, true)`);
  const after =
    exportedAt === null
      ? sql`false`
      : sql`t.created_at > current_setting('renewline.exported_at')::timestamptz`;
  await tx.execute(sql`create temp table import_phone_renewed on commit drop as
    select s.line, l.due_on, l.renewals,
           exists (select 1 from renewal_results r join renewal_transactions t on t.id = r.transaction_id
                   where r.loan_id = l.id and r.outcome = 'renewed' and ${after}) as after_export
    from import_loans s
    join items i on i.barcode = s.barcode
    join patrons p on p.card_number = s.card_number
    join loans l on l.item_id = i.id and l.patron_id = p.id and l.borrowed_on = s.borrowed_on::date
    where exists (select 1 from renewal_results r where r.loan_id = l.id and r.outcome = 'renewed')`);
  await tx.execute(sql`create temp table import_kept_charges on commit drop as
    select c.id, p.card_number, i.barcode, c.amount_cents, c.kind, c.renewal_transaction_id, c.paid
    from charges c
    join renewal_transactions t on t.id = c.renewal_transaction_id
    join patrons p on p.id = c.patron_id
    left join items i on i.id = c.item_id
    where ${after}`);
  const [counts] = rowsOf<{ kept: number; reset: number }>(
    await tx.execute(sql`select
      count(*) filter (where k.after_export)::int as kept,
      count(*) filter (where not k.after_export and s.returned_on is null
                         and (s.renewals < k.renewals or s.due_on::date < k.due_on))::int as reset
      from import_phone_renewed k join import_loans s on s.line = k.line`),
  );
  return {
    kept: counts?.kept ?? 0,
    // With exportedAt, a renewal before it is one the library's system had: the file is right.
    reset: exportedAt === null ? (counts?.reset ?? 0) : 0,
  };
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
  // A loan renewed through this line after exportedAt keeps the line's due date and count.
  await run(`create temp table import_loan_rows on commit drop as
    select l.line, i.id as item_id, p.id as patron_id, l.borrowed_on::date as borrowed_on,
           coalesce(k.due_on, l.due_on::date) as due_on, l.returned_on::date as returned_on,
           coalesce(k.renewals, l.renewals) as renewals
    from import_loans l
    join items i on i.barcode = l.barcode
    join patrons p on p.card_number = l.card_number
    left join import_phone_renewed k on k.line = l.line and k.after_export`);
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
