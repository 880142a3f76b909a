/**
 * Every migration in drizzle/ applied to an empty database, and the result checked against the
 * catalogue: the tables and columns, the unique and partial indexes the lookups rely on, and the
 * check constraints doing their job. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectedMigrationCount, isFullyMigrated, rowsOf } from "../../src/db/migrations.js";
import {
  charges,
  items,
  loans,
  patrons,
  renewalTransactions,
  reservations,
  titles,
} from "../../src/db/schema/index.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";

/** Table → its columns in order, as `name type null|not null`. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  call_events: [
    "id integer not null",
    "call_sid text not null",
    "at timestamp with time zone not null",
    "kind text not null",
    "step text null",
    "detail jsonb not null",
  ],
  call_responses: ["call_sid text not null", "seq integer not null", "twiml text not null"],
  calls: [
    "call_sid text not null",
    "started_at timestamp with time zone not null",
    "ended_at timestamp with time zone null",
    "status text not null",
    "language text null",
    "step text not null",
    "state jsonb not null",
    "next_seq integer not null",
    "patron_id integer null",
    "card_last_four text null",
    "outcome text null",
    "duration_seconds integer null",
    "updated_at timestamp with time zone not null",
  ],
  charges: [
    "id integer not null",
    "patron_id integer not null",
    "item_id integer null",
    "amount_cents integer not null",
    "kind text not null",
    "renewal_transaction_id integer null",
    "paid boolean not null",
  ],
  closed_days: ["day date not null"],
  items: [
    "id integer not null",
    "barcode text not null",
    "title_id text not null",
    "status text not null",
    "renewable boolean not null",
    "set_id text null",
    "is_set_main boolean not null",
  ],
  loans: [
    "id integer not null",
    "item_id integer not null",
    "patron_id integer not null",
    "borrowed_on date not null",
    "due_on date not null",
    "returned_on date null",
    "renewals integer not null",
  ],
  operator_api_tokens: [
    "id integer not null",
    "operator_id integer not null",
    "token_hash text not null",
    "label text not null",
    "created_at timestamp with time zone not null",
  ],
  operator_login_failures: [
    "id integer not null",
    "at timestamp with time zone not null",
    "name text not null",
    "ip text not null",
  ],
  operator_sessions: [
    "id text not null",
    "operator_id integer not null",
    "created_at timestamp with time zone not null",
    "expires_at timestamp with time zone not null",
    "csrf_token text not null",
  ],
  operators: [
    "id integer not null",
    "name text not null",
    "role text not null",
    "password_hash text not null",
    "created_at timestamp with time zone not null",
    "disabled_at timestamp with time zone null",
  ],
  patrons: [
    "id integer not null",
    "card_number text not null",
    "hkid_digits_hash text null",
    "name text not null",
    "phone text null",
    "pin_hash text null",
    "category text not null",
    "status text not null",
    "expires_on date not null",
    "failed_pin_attempts integer not null",
    "phone_locked_at timestamp with time zone null",
    "phone_locked_until timestamp with time zone null",
  ],
  renewal_export_cursor: [
    "id integer not null",
    "last_transaction_id integer not null",
    "exported_at timestamp with time zone not null",
  ],
  renewal_results: [
    "id integer not null",
    "transaction_id integer not null",
    "loan_id integer null",
    "barcode text not null",
    "title text not null",
    "outcome text not null",
    "old_due_on date not null",
    "new_due_on date null",
    "reasons ARRAY not null",
    "primary_reason text null",
    "charge_recorded_cents integer not null",
  ],
  renewal_transactions: [
    "id integer not null",
    "trn text not null",
    "patron_id integer not null",
    "card_last_four text not null",
    "channel text not null",
    "request_key text not null",
    "selection text not null",
    "created_at timestamp with time zone not null",
    "library_day date not null",
    "account_blocks ARRAY not null",
  ],
  reservations: [
    "id integer not null",
    "patron_id integer not null",
    "title_id text null",
    "item_id integer null",
    "placed_on date not null",
  ],
  titles: ["id text not null", "title text not null", "author text null"],
};

/** The indexes the lookups and the import rely on, exactly as PostgreSQL describes them. */
const EXPECTED_INDEXES: Record<string, string> = {
  call_responses_call_sid_seq_pk:
    "CREATE UNIQUE INDEX call_responses_call_sid_seq_pk ON public.call_responses USING btree (call_sid, seq)",
  call_events_call_idx: "CREATE INDEX call_events_call_idx ON public.call_events USING btree (call_sid, id)",
  calls_in_progress_idx:
    "CREATE INDEX calls_in_progress_idx ON public.calls USING btree (started_at) WHERE (ended_at IS NULL)",
  calls_started_at_idx: "CREATE INDEX calls_started_at_idx ON public.calls USING btree (started_at)",
  operators_name_key: "CREATE UNIQUE INDEX operators_name_key ON public.operators USING btree (name)",
  operator_api_tokens_token_hash_key:
    "CREATE UNIQUE INDEX operator_api_tokens_token_hash_key ON public.operator_api_tokens USING btree (token_hash)",
  operator_api_tokens_operator_idx:
    "CREATE INDEX operator_api_tokens_operator_idx ON public.operator_api_tokens USING btree (operator_id)",
  operator_sessions_operator_idx:
    "CREATE INDEX operator_sessions_operator_idx ON public.operator_sessions USING btree (operator_id)",
  operator_sessions_expires_at_idx:
    "CREATE INDEX operator_sessions_expires_at_idx ON public.operator_sessions USING btree (expires_at)",
  operator_login_failures_name_idx:
    "CREATE INDEX operator_login_failures_name_idx ON public.operator_login_failures USING btree (name, at)",
  operator_login_failures_ip_idx:
    "CREATE INDEX operator_login_failures_ip_idx ON public.operator_login_failures USING btree (ip, at)",
  patrons_card_number_key:
    "CREATE UNIQUE INDEX patrons_card_number_key ON public.patrons USING btree (card_number)",
  patrons_hkid_digits_hash_idx:
    "CREATE INDEX patrons_hkid_digits_hash_idx ON public.patrons USING btree (hkid_digits_hash)",
  patrons_phone_locked_until_idx:
    "CREATE INDEX patrons_phone_locked_until_idx ON public.patrons USING btree (phone_locked_until) WHERE (phone_locked_until IS NOT NULL)",
  patrons_phone_with_pin_idx:
    "CREATE INDEX patrons_phone_with_pin_idx ON public.patrons USING btree (phone) WHERE (pin_hash IS NOT NULL)",
  items_barcode_key: "CREATE UNIQUE INDEX items_barcode_key ON public.items USING btree (barcode)",
  items_title_id_idx: "CREATE INDEX items_title_id_idx ON public.items USING btree (title_id)",
  items_set_id_idx:
    "CREATE INDEX items_set_id_idx ON public.items USING btree (set_id) WHERE (set_id IS NOT NULL)",
  loans_open_by_patron_idx:
    "CREATE INDEX loans_open_by_patron_idx ON public.loans USING btree (patron_id, due_on) WHERE (returned_on IS NULL)",
  loans_open_item_key:
    "CREATE UNIQUE INDEX loans_open_item_key ON public.loans USING btree (item_id) WHERE (returned_on IS NULL)",
  loans_item_patron_borrowed_key:
    "CREATE UNIQUE INDEX loans_item_patron_borrowed_key ON public.loans USING btree (item_id, patron_id, borrowed_on)",
  reservations_title_id_idx:
    "CREATE INDEX reservations_title_id_idx ON public.reservations USING btree (title_id)",
  reservations_item_id_idx:
    "CREATE INDEX reservations_item_id_idx ON public.reservations USING btree (item_id)",
  charges_unpaid_by_patron_idx:
    "CREATE INDEX charges_unpaid_by_patron_idx ON public.charges USING btree (patron_id) WHERE (NOT paid)",
  renewal_transactions_trn_key:
    "CREATE UNIQUE INDEX renewal_transactions_trn_key ON public.renewal_transactions USING btree (trn)",
  renewal_transactions_request_key_key:
    "CREATE UNIQUE INDEX renewal_transactions_request_key_key ON public.renewal_transactions USING btree (request_key)",
  renewal_transactions_patron_idx:
    "CREATE INDEX renewal_transactions_patron_idx ON public.renewal_transactions USING btree (patron_id, created_at)",
  renewal_results_transaction_idx:
    "CREATE INDEX renewal_results_transaction_idx ON public.renewal_results USING btree (transaction_id)",
  renewal_results_loan_idx:
    "CREATE INDEX renewal_results_loan_idx ON public.renewal_results USING btree (loan_id)",
};

async function query<T>(database: TestDatabase, statement: SQL): Promise<T[]> {
  return rowsOf<T>(await database.db.execute(statement));
}

/** The PostgreSQL error under drizzle's wrapper: its SQLSTATE and the constraint it names. */
async function failureOf(statement: PromiseLike<unknown>): Promise<{ code: string; constraint: string }> {
  try {
    await statement;
  } catch (error) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) {
      const fields = e as Error & { code?: unknown; constraint?: string; constraint_name?: string };
      if (typeof fields.code === "string" && /^[0-9A-Z]{5}$/.test(fields.code)) {
        return { code: fields.code, constraint: fields.constraint ?? fields.constraint_name ?? "" };
      }
    }
    throw error;
  }
  throw new Error("expected the statement to fail");
}

const CHECK_VIOLATION = "23514";
const UNIQUE_VIOLATION = "23505";

describe.each(DRIVERS)("migrations on %s", (driver) => {
  let database: TestDatabase;
  let migratedBefore: boolean;

  beforeAll(async () => {
    database = await createTestDatabase(driver, { migrate: false });
    migratedBefore = await isFullyMigrated(database.db);
    await database.migrate();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("counts an empty database as not migrated, and a migrated one as migrated", async () => {
    expect(migratedBefore).toBe(false);
    expect(await isFullyMigrated(database.db)).toBe(true);
    // One more migration in drizzle/ than applied here would make it pending again.
    expect(await isFullyMigrated(database.db, expectedMigrationCount() + 1)).toBe(false);
  });

  it("records every migration in drizzle/ as applied, once", async () => {
    const [row] = await query<{ count: number }>(
      database,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(expectedMigrationCount()).toBe(7);
    expect(row?.count).toBe(7);
  });

  it("creates exactly the application's tables, each with its columns", async () => {
    const columns = await query<{ table_name: string; column: string }>(
      database,
      sql`select table_name,
                 column_name || ' ' || data_type || ' ' || case is_nullable when 'YES' then 'null' else 'not null' end as column
          from information_schema.columns
          where table_schema = 'public'
          order by table_name, ordinal_position`,
    );
    const byTable: Record<string, string[]> = {};
    for (const { table_name, column } of columns)
      byTable[table_name] = [...(byTable[table_name] ?? []), column];
    expect(byTable).toEqual(EXPECTED_COLUMNS);

    const tables = await query<{ table_name: string }>(
      database,
      sql`select table_name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(Object.keys(EXPECTED_COLUMNS).sort());
  });

  it("creates the unique and partial indexes the lookups need", async () => {
    const indexes = await query<{ indexname: string; indexdef: string }>(
      database,
      sql`select indexname, indexdef from pg_indexes where schemaname = 'public' and indexname not like '%_pkey'`,
    );
    expect(Object.fromEntries(indexes.map((i) => [i.indexname, i.indexdef]))).toEqual(EXPECTED_INDEXES);
  });

  it("gives every table a primary key, and the renewal history no foreign key into the library data", async () => {
    const constraints = await query<{ table: string; kind: string; definition: string }>(
      database,
      sql`select conrelid::regclass::text as table, contype::text as kind, pg_get_constraintdef(oid) as definition
          from pg_constraint
          where connamespace = 'public'::regnamespace and contype in ('p', 'f')
          order by 1, 2, 3`,
    );
    const primaryKeys = constraints.filter((c) => c.kind === "p").map((c) => `${c.table} ${c.definition}`);
    expect(primaryKeys).toEqual([
      "call_events PRIMARY KEY (id)",
      "call_responses PRIMARY KEY (call_sid, seq)",
      "calls PRIMARY KEY (call_sid)",
      "charges PRIMARY KEY (id)",
      "closed_days PRIMARY KEY (day)",
      "items PRIMARY KEY (id)",
      "loans PRIMARY KEY (id)",
      "operator_api_tokens PRIMARY KEY (id)",
      "operator_login_failures PRIMARY KEY (id)",
      "operator_sessions PRIMARY KEY (id)",
      "operators PRIMARY KEY (id)",
      "patrons PRIMARY KEY (id)",
      "renewal_export_cursor PRIMARY KEY (id)",
      "renewal_results PRIMARY KEY (id)",
      "renewal_transactions PRIMARY KEY (id)",
      "reservations PRIMARY KEY (id)",
      "titles PRIMARY KEY (id)",
    ]);
    // History outlives `db:load --replace`, which deletes patrons and loans.
    const foreignKeys = constraints.filter((c) => c.kind === "f").map((c) => `${c.table} ${c.definition}`);
    expect(foreignKeys).toEqual([
      "call_events FOREIGN KEY (call_sid) REFERENCES calls(call_sid) ON DELETE CASCADE",
      "call_responses FOREIGN KEY (call_sid) REFERENCES calls(call_sid) ON DELETE CASCADE",
      "charges FOREIGN KEY (item_id) REFERENCES items(id)",
      "charges FOREIGN KEY (patron_id) REFERENCES patrons(id)",
      "charges FOREIGN KEY (renewal_transaction_id) REFERENCES renewal_transactions(id)",
      "items FOREIGN KEY (title_id) REFERENCES titles(id)",
      "loans FOREIGN KEY (item_id) REFERENCES items(id)",
      "loans FOREIGN KEY (patron_id) REFERENCES patrons(id)",
      "operator_api_tokens FOREIGN KEY (operator_id) REFERENCES operators(id) ON DELETE CASCADE",
      "operator_sessions FOREIGN KEY (operator_id) REFERENCES operators(id) ON DELETE CASCADE",
      "renewal_results FOREIGN KEY (transaction_id) REFERENCES renewal_transactions(id)",
      "reservations FOREIGN KEY (item_id) REFERENCES items(id)",
      "reservations FOREIGN KEY (patron_id) REFERENCES patrons(id)",
      "reservations FOREIGN KEY (title_id) REFERENCES titles(id)",
    ]);
  });

  it("migrating again changes nothing and keeps the data", async () => {
    await resetData(database);
    await database.db.insert(patrons).values(reader("2100000001"));
    await database.migrate();

    expect(await isFullyMigrated(database.db)).toBe(true);
    const [applied] = await query<{ count: number }>(
      database,
      sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
    );
    expect(applied?.count).toBe(expectedMigrationCount());
    const stored = await database.db.select({ cardNumber: patrons.cardNumber }).from(patrons);
    expect(stored).toEqual([{ cardNumber: "2100000001" }]);
  });

  describe("constraints", () => {
    let patronId: number;
    let itemId: number;

    beforeEach(async () => {
      await resetData(database);
      const [patron] = await database.db
        .insert(patrons)
        .values(reader("2100000001"))
        .returning({ id: patrons.id });
      await database.db.insert(titles).values({ id: "T1", title: "A Brief History of Time" });
      const [item] = await database.db
        .insert(items)
        .values({ barcode: "34000000000001", titleId: "T1", status: "on_loan" })
        .returning({ id: items.id });
      if (!patron || !item) throw new Error("setup rows were not inserted");
      patronId = patron.id;
      itemId = item.id;
    });

    it("a reservation names either a title or a copy, never both or neither", async () => {
      const placedOn = "2026-12-01";
      await database.db.insert(reservations).values({ patronId, titleId: "T1", placedOn });
      await database.db.insert(reservations).values({ patronId, itemId, placedOn });

      expect(
        await failureOf(
          database.db.insert(reservations).values({ patronId, titleId: "T1", itemId, placedOn }),
        ),
      ).toEqual({ code: CHECK_VIOLATION, constraint: "reservations_title_or_copy" });
      expect(await failureOf(database.db.insert(reservations).values({ patronId, placedOn }))).toEqual({
        code: CHECK_VIOLATION,
        constraint: "reservations_title_or_copy",
      });
      expect(await database.db.$count(reservations)).toBe(2);
    });

    it("a charge is more than zero cents", async () => {
      await database.db.insert(charges).values({ patronId, amountCents: 1, kind: "overdue" });

      for (const amountCents of [0, -1250]) {
        expect(
          await failureOf(database.db.insert(charges).values({ patronId, amountCents, kind: "overdue" })),
        ).toEqual({ code: CHECK_VIOLATION, constraint: "charges_amount_positive" });
      }
      expect(await database.db.$count(charges)).toBe(1);
    });

    it("a loan's renewal count is never negative", async () => {
      const loan = { itemId, patronId, borrowedOn: "2026-11-24", dueOn: "2026-12-08" };
      expect(await failureOf(database.db.insert(loans).values({ ...loan, renewals: -1 }))).toEqual({
        code: CHECK_VIOLATION,
        constraint: "loans_renewals_not_negative",
      });
      await database.db.insert(loans).values({ ...loan, renewals: 0 });
      expect(await database.db.$count(loans)).toBe(1);
    });

    it("an item is on at most one open loan, however many returned ones it has", async () => {
      const loan = (borrowedOn: string, returnedOn: string | null) => ({
        itemId,
        patronId,
        borrowedOn,
        dueOn: "2026-12-31",
        returnedOn,
      });
      await database.db.insert(loans).values(loan("2026-10-01", "2026-10-10"));
      await database.db.insert(loans).values(loan("2026-10-11", "2026-10-20"));
      await database.db.insert(loans).values(loan("2026-11-24", null));

      expect(await failureOf(database.db.insert(loans).values(loan("2026-11-25", null)))).toEqual({
        code: UNIQUE_VIOLATION,
        constraint: "loans_open_item_key",
      });
      // The import file's identity of a loan: item, reader and day borrowed.
      expect(await failureOf(database.db.insert(loans).values(loan("2026-10-01", "2026-10-02")))).toEqual({
        code: UNIQUE_VIOLATION,
        constraint: "loans_item_patron_borrowed_key",
      });
      expect(await database.db.$count(loans)).toBe(3);
    });

    it("card numbers and barcodes are unique", async () => {
      expect(await failureOf(database.db.insert(patrons).values(reader("2100000001")))).toEqual({
        code: UNIQUE_VIOLATION,
        constraint: "patrons_card_number_key",
      });
      expect(
        await failureOf(
          database.db.insert(items).values({ barcode: "34000000000001", titleId: "T1", status: "on_shelf" }),
        ),
      ).toEqual({ code: UNIQUE_VIOLATION, constraint: "items_barcode_key" });
    });

    it("a TRN is 10 digits and unique, and a request key is used once", async () => {
      const transaction = (trn: string, requestKey: string) => ({
        trn,
        patronId,
        cardLastFour: "0001",
        channel: "phone",
        requestKey,
        selection: "all" as const,
        createdAt: new Date("2026-12-01T02:00:00Z"),
        libraryDay: "2026-12-01",
      });
      await database.db.insert(renewalTransactions).values(transaction("1234567890", "k1"));

      expect(
        await failureOf(database.db.insert(renewalTransactions).values(transaction("123456789", "k2"))),
      ).toEqual({ code: CHECK_VIOLATION, constraint: "renewal_transactions_trn_format" });
      expect(
        await failureOf(database.db.insert(renewalTransactions).values(transaction("123456789A", "k2"))),
      ).toEqual({ code: CHECK_VIOLATION, constraint: "renewal_transactions_trn_format" });
      expect(
        await failureOf(database.db.insert(renewalTransactions).values(transaction("1234567890", "k2"))),
      ).toEqual({ code: UNIQUE_VIOLATION, constraint: "renewal_transactions_trn_key" });
      expect(
        await failureOf(database.db.insert(renewalTransactions).values(transaction("0987654321", "k1"))),
      ).toEqual({ code: UNIQUE_VIOLATION, constraint: "renewal_transactions_request_key_key" });
      expect(await database.db.$count(renewalTransactions)).toBe(1);
    });
  });

  // Only PostgreSQL has other processes that could migrate at the same time; not a skip on PGlite.
  const postgresOnly = driver === "postgres" ? it : () => undefined;
  postgresOnly("two instances migrating one empty database at the same time both succeed", async () => {
    const fresh = await createTestDatabase(driver, { migrate: false });
    try {
      await Promise.all([fresh.migrate(), fresh.migrate(), fresh.migrate()]);
      expect(await isFullyMigrated(fresh.db)).toBe(true);
      const [applied] = await query<{ count: number }>(
        fresh,
        sql`select count(*)::int as count from drizzle.__drizzle_migrations`,
      );
      expect(applied?.count).toBe(expectedMigrationCount());
    } finally {
      await fresh.dispose();
    }
  });
});

function reader(cardNumber: string) {
  return {
    cardNumber,
    name: "Chan Tai Man",
    category: "adult" as const,
    status: "active" as const,
    expiresOn: "2030-06-30",
  };
}
