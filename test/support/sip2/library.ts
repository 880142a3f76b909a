/**
 * The fake ILS's library: patrons with PINs and blocks, items, loans with due dates, holds and
 * fines. Plain data the test server reads and changes (a renewal moves a loan's due date).
 */
import type { PatronStatus } from "../../../src/library-system/sip2/fixed-fields.js";
import type { CalendarDate } from "../../../src/time/calendar-date.js";

export interface Sip2Account {
  /** CN and CO of the 93 login the ILS accepts. */
  user: string;
  password: string;
}

export interface FakePatron {
  card: string;
  /** null: the patron has no PIN, and any AD is refused. */
  pin: string | null;
  name: string;
  /** The phone the ILS sends in BF, as Koha does for a patron it finds. */
  phone?: string;
  /** Patron status flags set in 64 (renewalPrivilegesDenied refuses every renewal). */
  blocks?: Partial<PatronStatus>;
}

export interface FakeItem {
  barcode: string;
  titleId: string;
  title: string;
  /** false: the item's type cannot be renewed (or it is lost, claimed returned …). */
  renewable: boolean;
  /** Another reader has recalled it. */
  recalled?: boolean;
  /** SIP2 circulation status when not on loan: "03" available, "08" on the hold shelf … */
  shelfStatus?: string;
}

export interface FakeLoan {
  barcode: string;
  card: string;
  due: CalendarDate;
  renewals: number;
}

export interface FakeHold {
  card: string;
  /** A hold on a title (any copy), or on one copy. */
  titleId?: string;
  barcode?: string;
}

export interface FakeFine {
  card: string;
  barcode?: string;
  cents: number;
}

export interface FakeLibrary {
  institution: string;
  libraryName: string;
  currency: string;
  accounts: Sip2Account[];
  /** The ILS's today, which renewals count from. */
  today: CalendarDate;
  loanDays: number;
  maxRenewals: number;
  patrons: FakePatron[];
  items: FakeItem[];
  loans: FakeLoan[];
  holds: FakeHold[];
  fines: FakeFine[];
}

/** A small library for the tests: one reader for each way a renewal goes. */
export function fixtureLibrary(): FakeLibrary {
  return {
    institution: "TESTLIB",
    libraryName: "Test Branch Library",
    currency: "HKD",
    accounts: [{ user: "phone-line", password: "line-secret" }],
    today: "2026-12-01",
    loanDays: 14,
    maxRenewals: 5,
    patrons: [
      { card: "2100000001", pin: "1357", name: "Chan Tai Man" },
      { card: "2100000002", pin: "0202", name: "Wong Siu Ming" },
      {
        card: "2100000003",
        pin: "0303",
        name: "Blocked Reader",
        blocks: { renewalPrivilegesDenied: true, chargePrivilegesDenied: true },
      },
    ],
    items: [
      { barcode: "34000000000001", titleId: "T1", title: "A Brief History of Time", renewable: true },
      { barcode: "34000000000002", titleId: "T2", title: "紅樓夢", renewable: true },
      { barcode: "34000000000003", titleId: "T3", title: "The Hobbit", renewable: true },
      { barcode: "34000000000004", titleId: "T4", title: "Sapiens", renewable: true, recalled: true },
      { barcode: "34000000000005", titleId: "T5", title: "三體", renewable: true },
      { barcode: "34000000000006", titleId: "T6", title: "Matilda", renewable: true },
      {
        barcode: "34000000000007",
        titleId: "T7",
        title: "The Little Prince",
        renewable: true,
        shelfStatus: "03",
      },
    ],
    loans: [
      { barcode: "34000000000001", card: "2100000001", due: "2026-12-08", renewals: 0 },
      { barcode: "34000000000002", card: "2100000001", due: "2026-12-09", renewals: 1 },
      { barcode: "34000000000003", card: "2100000002", due: "2026-12-10", renewals: 5 },
      { barcode: "34000000000004", card: "2100000002", due: "2026-11-25", renewals: 0 },
      { barcode: "34000000000005", card: "2100000002", due: "2026-12-11", renewals: 0 },
      { barcode: "34000000000006", card: "2100000003", due: "2026-12-12", renewals: 0 },
    ],
    holds: [{ card: "2100000001", titleId: "T5" }],
    fines: [{ card: "2100000002", barcode: "34000000000004", cents: 900 }],
  };
}
