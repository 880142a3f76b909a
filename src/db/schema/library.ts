/**
 * The library's working copy: patrons, catalogue, loans, reservations, charges and closed days,
 * loaded from the library management system by `npm run db:load` (library-data.md).
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { renewalTransactions } from "./renewals.js";

export const patrons = pgTable(
  "patrons",
  {
    id: serial("id").primaryKey(),
    cardNumber: text("card_number").notNull(),
    /** Keyed hash (HMAC) of the HKID digits as a caller keys them; never readable back. */
    hkidDigitsHash: text("hkid_digits_hash"),
    name: text("name").notNull(),
    phone: text("phone"),
    /** scrypt hash with its salt and cost; null when the reader has no PIN. */
    pinHash: text("pin_hash"),
    category: text("category", { enum: ["adult", "junior"] }).notNull(),
    status: text("status", { enum: ["active", "suspended", "card_lost"] }).notNull(),
    expiresOn: date("expires_on", { mode: "string" }).notNull(),
    /** Failed PIN attempts in a row across calls (voice-line.md, "Authentication and lockout"). */
    failedPinAttempts: integer("failed_pin_attempts").notNull().default(0),
    phoneLockedAt: timestamp("phone_locked_at", { withTimezone: true, mode: "date" }),
    phoneLockedUntil: timestamp("phone_locked_until", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("patrons_card_number_key").on(t.cardNumber),
    index("patrons_hkid_digits_hash_idx").on(t.hkidDigitsHash),
    // The caller ID shortcut's lookup: readers with a PIN by registered phone (caller-recognition.ts).
    index("patrons_phone_with_pin_idx").on(t.phone).where(sql`${t.pinHash} is not null`),
    index("patrons_phone_locked_until_idx")
      .on(t.phoneLockedUntil)
      .where(sql`${t.phoneLockedUntil} is not null`),
  ],
);

export const titles = pgTable("titles", {
  /** The library system's own title id. */
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  author: text("author"),
});

export const items = pgTable(
  "items",
  {
    id: serial("id").primaryKey(),
    barcode: text("barcode").notNull(),
    titleId: text("title_id")
      .notNull()
      .references(() => titles.id),
    status: text("status", {
      enum: ["on_shelf", "on_loan", "on_hold_shelf", "lost", "claimed_returned", "not_for_loan"],
    }).notNull(),
    /** False when the item's type may not be renewed (ITEM_NOT_RENEWABLE). */
    renewable: boolean("renewable").notNull().default(true),
    setId: text("set_id"),
    isSetMain: boolean("is_set_main").notNull().default(false),
  },
  (t) => [
    uniqueIndex("items_barcode_key").on(t.barcode),
    index("items_title_id_idx").on(t.titleId),
    index("items_set_id_idx").on(t.setId).where(sql`${t.setId} is not null`),
  ],
);

export const loans = pgTable(
  "loans",
  {
    id: serial("id").primaryKey(),
    itemId: integer("item_id")
      .notNull()
      .references(() => items.id),
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id),
    borrowedOn: date("borrowed_on", { mode: "string" }).notNull(),
    dueOn: date("due_on", { mode: "string" }).notNull(),
    returnedOn: date("returned_on", { mode: "string" }),
    /** Consecutive renewals of this loan; a new loan starts at 0. */
    renewals: integer("renewals").notNull().default(0),
  },
  (t) => [
    index("loans_open_by_patron_idx").on(t.patronId, t.dueOn).where(sql`${t.returnedOn} is null`),
    // An item is on at most one open loan.
    uniqueIndex("loans_open_item_key").on(t.itemId).where(sql`${t.returnedOn} is null`),
    // A loan's identity in the import file: the same file loaded twice updates, never duplicates.
    uniqueIndex("loans_item_patron_borrowed_key").on(t.itemId, t.patronId, t.borrowedOn),
    check("loans_renewals_not_negative", sql`${t.renewals} >= 0`),
  ],
);

export const reservations = pgTable(
  "reservations",
  {
    id: serial("id").primaryKey(),
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id),
    /** Set for a title-level reservation. */
    titleId: text("title_id").references(() => titles.id),
    /** Set for a reservation on one copy. */
    itemId: integer("item_id").references(() => items.id),
    placedOn: date("placed_on", { mode: "string" }).notNull(),
  },
  (t) => [
    index("reservations_title_id_idx").on(t.titleId),
    index("reservations_item_id_idx").on(t.itemId),
    check("reservations_title_or_copy", sql`(${t.titleId} is null) <> (${t.itemId} is null)`),
  ],
);

export const charges = pgTable(
  "charges",
  {
    id: serial("id").primaryKey(),
    patronId: integer("patron_id")
      .notNull()
      .references(() => patrons.id),
    itemId: integer("item_id").references(() => items.id),
    /** Integer cents: no floats for money. */
    amountCents: integer("amount_cents").notNull(),
    kind: text("kind").notNull(),
    /** The renewal that recorded this accrued overdue charge; null for imported charges. */
    renewalTransactionId: integer("renewal_transaction_id").references(() => renewalTransactions.id),
    paid: boolean("paid").notNull().default(false),
  },
  (t) => [
    index("charges_unpaid_by_patron_idx").on(t.patronId).where(sql`not ${t.paid}`),
    check("charges_amount_positive", sql`${t.amountCents} > 0`),
  ],
);

export const closedDays = pgTable("closed_days", {
  day: date("day", { mode: "string" }).primaryKey(),
});
