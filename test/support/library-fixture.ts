/** Small library files for database tests, checked by the real import schema. */
import type { Database } from "../../src/db/database.js";
import { validateLibraryData } from "../../src/library-data/import-schema.js";
import { loadLibraryData } from "../../src/library-data/load-library-data.js";
import { TEST_IDENTITY_HASH_KEY } from "./database.js";

export async function loadFixture(db: Database, raw: unknown, replace = false): Promise<void> {
  const checked = validateLibraryData(raw);
  if (!checked.ok) throw new Error(`fixture is invalid:\n${checked.problems.join("\n")}`);
  await loadLibraryData(db, checked.data, { replace, identityHashKey: TEST_IDENTITY_HASH_KEY });
}

const reader = (cardNumber: string, extra: Record<string, unknown> = {}) => ({
  cardNumber,
  name: `Reader ${cardNumber.slice(-4)}`,
  phone: "91234567",
  pin: "135790",
  category: "adult",
  status: "active",
  expiresOn: "2030-06-30",
  ...extra,
});

/**
 * As of Tuesday 2026-12-01. Reader 2100000001 holds:
 * - 34...01 "Clean" due 12-08, renewals 0 → renews to 12-15
 * - 34...02 "Overdue" due 11-25 (6 days overdue, HK$9.00 accrued) → renews to 12-15
 * - 34...03 + 34...04: a set (main + CD-ROM), due 12-04 → renew together
 * - 34...05 "Reserved": title reserved by reader 2, no other copy on the shelf → RESERVED
 * Reader 2100000002 holds 34...06 (the other copy of the reserved title), and 34...07.
 */
export function renewalFixture(overrides: { patron1?: Record<string, unknown> } = {}) {
  return {
    closedDays: ["2026-12-25", "2026-12-26"],
    patrons: [reader("2100000001", overrides.patron1), reader("2100000002", { pin: "2468" })],
    titles: [
      { id: "T1", title: "Clean" },
      { id: "T2", title: "Overdue" },
      { id: "T3", title: "Set main" },
      { id: "T4", title: "Set CD-ROM" },
      { id: "T5", title: "Reserved" },
      { id: "T6", title: "Other" },
    ],
    items: [
      { barcode: "34000000000001", titleId: "T1", status: "on_loan" },
      { barcode: "34000000000002", titleId: "T2", status: "on_loan" },
      { barcode: "34000000000003", titleId: "T3", status: "on_loan", set: { id: "S1", main: true } },
      { barcode: "34000000000004", titleId: "T4", status: "on_loan", set: { id: "S1", main: false } },
      { barcode: "34000000000005", titleId: "T5", status: "on_loan" },
      { barcode: "34000000000006", titleId: "T5", status: "on_loan" },
      { barcode: "34000000000007", titleId: "T6", status: "on_loan" },
    ],
    loans: [
      loan("34000000000001", "2100000001", "2026-11-24", "2026-12-08"),
      loan("34000000000002", "2100000001", "2026-11-11", "2026-11-25"),
      loan("34000000000003", "2100000001", "2026-11-20", "2026-12-04"),
      loan("34000000000004", "2100000001", "2026-11-20", "2026-12-04"),
      loan("34000000000005", "2100000001", "2026-11-20", "2026-12-04"),
      loan("34000000000006", "2100000002", "2026-11-20", "2026-12-04"),
      loan("34000000000007", "2100000002", "2026-11-20", "2026-12-04"),
    ],
    reservations: [{ titleId: "T5", cardNumber: "2100000002", placedOn: "2026-11-30" }],
    charges: [] as unknown[],
  };
}

function loan(barcode: string, cardNumber: string, borrowedOn: string, dueOn: string, renewals = 0) {
  return { barcode, cardNumber, borrowedOn, dueOn, renewals };
}

/** Tuesday 1 December 2026, 10:00 in Hong Kong. */
export const FIXTURE_NOW = "2026-12-01T10:00:00+08:00";

/** A reader to add to a library, with the titles they have on loan. */
export interface ExtraReader {
  cardNumber: string;
  name: string;
  phone: string;
  pin: string;
  hkid?: string;
  /** One copy of each title, on loan to this reader. */
  loans?: ExtraReaderLoan[];
}

export interface ExtraReaderLoan {
  barcode: string;
  titleId: string;
  title: string;
}

/**
 * A library file that adds readers to another (loaded over it): each an active adult whose card
 * expires in 2030, with loans borrowed on Tuesday 24 November 2026, due 8 December, not renewed.
 */
export function extraReadersFixture(readers: ExtraReader[]) {
  const loans = readers.flatMap((r) => (r.loans ?? []).map((l) => ({ ...l, cardNumber: r.cardNumber })));
  return {
    closedDays: [],
    patrons: readers.map(({ loans: _, ...patron }) => ({
      ...patron,
      category: "adult",
      status: "active",
      expiresOn: "2030-06-30",
    })),
    titles: loans.map((l) => ({ id: l.titleId, title: l.title })),
    items: loans.map((l) => ({ barcode: l.barcode, titleId: l.titleId, status: "on_loan" })),
    loans: loans.map((l) => loan(l.barcode, l.cardNumber, "2026-11-24", "2026-12-08")),
    reservations: [],
    charges: [],
  };
}
