/**
 * The demo library tells the story demo/README.md promises: demo/library.json loaded unshifted,
 * and every demo reader's renew-all through the real service on Tuesday 2026-12-01 (and reader
 * 28's on Friday 2026-12-11). This is about the data, not the driver, so it runs on PGlite only.
 *
 * The readers 1-42 share one load. Each request must touch only its own reader's rows, so that
 * no reader's result depends on which readers renewed before: every test checks that.
 */
import { and, asc, between, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  charges,
  closedDays,
  items,
  loans,
  patrons,
  renewalResults,
  renewalTransactions,
  reservations,
  titles,
} from "../../src/db/schema/index.js";
import { readDemoFile } from "../../src/demo/demo-data.js";
import { type RenewalServiceDeps, renew } from "../../src/renewals/renew.js";
import { findTransactionByTrn } from "../../src/renewals/renewal-records.js";
import { isValidTrn } from "../../src/renewals/trn.js";
import { accruedOverdueCents, daysOverdue } from "../../src/rules/charges.js";
import { newDueDate } from "../../src/rules/due-date.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import type { AccountBlockCode, RefusalCode } from "../../src/rules/reasons.js";
import { hashHkidDigits, hkidKeyedDigits, isValidHkid } from "../../src/security/hkid.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import type { CalendarDate } from "../../src/time/calendar-date.js";
import { fixedClock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import {
  createTestDatabase,
  resetData,
  TEST_IDENTITY_HASH_KEY,
  type TestDatabase,
} from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";

/** The demo's day: Tuesday 1 December 2026, 10:00 in Hong Kong. */
const DEMO_NOW = "2026-12-01T10:00:00+08:00";
/** Renewing on 1 December gives Tuesday 15 December, an open day. */
const DUE_ON_RENEWAL: CalendarDate = "2026-12-15";

function serviceAt(database: TestDatabase, instant: string): RenewalServiceDeps {
  return {
    db: database.db,
    calendar: libraryCalendar(fixedClock(instant), "Asia/Hong_Kong"),
    policy: DEFAULT_POLICY,
  };
}

// ---------------------------------------------------------------------------------------------
// What demo/README.md promises for each reader on Tuesday 2026-12-01
// ---------------------------------------------------------------------------------------------

interface LoanExpectation {
  barcode: string;
  title: unknown;
  oldDueOn: CalendarDate;
  outcome: "renewed" | "refused";
  newDueOn: CalendarDate | null;
  reasons: RefusalCode[];
  primaryReason: RefusalCode | null;
  chargeRecordedCents: number;
  /** The loan's renewal count once the request is done. */
  renewalsAfter: number;
}

interface DemoReader {
  reader: number;
  card: string;
  story: string;
  accountBlocks: AccountBlockCode[];
  /** Unpaid recorded charges before renewing: [title of the item, or null, cents]. */
  unpaidCharges: [string | null, number][];
  loans: LoanExpectation[];
}

const barcode = (n: number) => `34${String(n).padStart(12, "0")}`;

function renewed(
  item: number,
  title: unknown,
  oldDueOn: CalendarDate,
  { chargeCents = 0, renewalsAfter = 1 } = {},
): LoanExpectation {
  return {
    barcode: barcode(item),
    title,
    oldDueOn,
    outcome: "renewed",
    newDueOn: DUE_ON_RENEWAL,
    reasons: [],
    primaryReason: null,
    chargeRecordedCents: chargeCents,
    renewalsAfter,
  };
}

function refused(
  item: number,
  title: unknown,
  oldDueOn: CalendarDate,
  reasons: RefusalCode[],
  { renewalsAfter = 0 } = {},
): LoanExpectation {
  return {
    barcode: barcode(item),
    title,
    oldDueOn,
    outcome: "refused",
    newDueOn: null,
    reasons,
    primaryReason: reasons[0] ?? null,
    chargeRecordedCents: 0,
    renewalsAfter,
  };
}

/** Reader 1's Robinson Crusoe, under its 304-character original title (checked in full below). */
const ROBINSON_CRUSOE = expect.stringMatching(
  /^The Life and Strange Surprizing Adventures of Robinson Crusoe, of York, Mariner: .+, Wherein All the Men Perished but Himself$/,
);

const card = (reader: number) => `21000000${String(reader).padStart(2, "0")}`;

/**
 * Readers 30-42, for the caller-time report (src/simulator/standard-calls.ts): the same five loans
 * each, items 49-53 for reader 30, 54-58 for reader 31, and so on. Four renew; The Remains of
 * the Day is reserved by reader 29 and every copy is on loan, so it is refused.
 */
const CALLER_TIME_READERS = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42];

function callerTimeReader(reader: number): DemoReader {
  const first = 49 + (reader - 30) * 5;
  return {
    reader,
    card: card(reader),
    story: "caller time: five loans, four renew, one reserved by reader 29",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      renewed(first, "Animal Farm", "2026-12-07"),
      renewed(first + 1, "家", "2026-12-08"),
      renewed(first + 2, "The Old Man and the Sea", "2026-12-09"),
      renewed(first + 3, "茶館", "2026-12-10"),
      refused(first + 4, "The Remains of the Day", "2026-12-11", ["RESERVED"]),
    ],
  };
}

const DEMO_READERS: DemoReader[] = [
  {
    reader: 1,
    card: card(1),
    story: "clean account, all 3 renewed",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      renewed(1, "A Brief History of Time", "2026-12-08"),
      renewed(3, "紅樓夢", "2026-12-09"),
      renewed(4, ROBINSON_CRUSOE, "2026-12-11"),
    ],
  },
  {
    reader: 2,
    card: card(2),
    story: "overdue adult, HK$9.00 recorded",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      renewed(5, "Sapiens: A Brief History of Humankind", "2026-11-25", { chargeCents: 900 }),
      renewed(6, "傾城之戀", "2026-12-10"),
    ],
  },
  {
    reader: 3,
    card: card(3),
    story: "RESERVED title-level, partial",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(7, "三體", "2026-12-08", ["RESERVED"]), renewed(10, "The Little Prince", "2026-12-10")],
  },
  {
    reader: 4,
    card: card(4),
    story: "reserved, but another copy is on the shelf",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(11, "Pride and Prejudice", "2026-12-09")],
  },
  {
    reader: 5,
    card: card(5),
    story: "own reservation never blocks",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(13, "射鵰英雄傳", "2026-12-11")],
  },
  {
    reader: 6,
    card: card(6),
    story: "RESERVED copy-level",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(14, "A Modern History of Hong Kong", "2026-12-08", ["RESERVED"])],
  },
  {
    reader: 7,
    card: card(7),
    story: "set on loan together, both renewed",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      renewed(16, "Colloquial Cantonese: The Complete Course for Beginners", "2026-12-10"),
      renewed(
        17,
        "Colloquial Cantonese: The Complete Course for Beginners (accompanying CD-ROM)",
        "2026-12-10",
      ),
    ],
  },
  {
    reader: 8,
    card: card(8),
    story: "SET_MAIN_RETURNED",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      refused(
        19,
        "The Birds of Hong Kong and South China (accompanying CD-ROM of bird calls)",
        "2026-12-08",
        ["SET_MAIN_RETURNED"],
      ),
    ],
  },
  {
    reader: 9,
    card: card(9),
    story: "SET_MEMBER_REFUSED",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      refused(20, "The Serious Hiker's Guide to Hong Kong", "2026-12-09", ["RESERVED"]),
      refused(21, "The Serious Hiker's Guide to Hong Kong (accompanying map)", "2026-12-09", [
        "SET_MEMBER_REFUSED",
      ]),
    ],
  },
  {
    reader: 10,
    card: card(10),
    story: "the fifth renewal is allowed",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(22, "西遊記", "2026-12-10", { renewalsAfter: 5 })],
  },
  {
    reader: 11,
    card: card(11),
    story: "RENEWAL_LIMIT",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(23, "The Hobbit", "2026-12-09", ["RENEWAL_LIMIT"], { renewalsAfter: 5 })],
  },
  {
    reader: 12,
    card: card(12),
    story: "NO_EXTENSION, no renewal used up",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(24, "圍城", "2026-12-15", ["NO_EXTENSION"])],
  },
  {
    reader: 13,
    card: card(13),
    story: "ITEM_NOT_RENEWABLE: lost",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(25, "The Joy Luck Club", "2026-12-09", ["ITEM_NOT_RENEWABLE"])],
  },
  {
    reader: 14,
    card: card(14),
    story: "ITEM_NOT_RENEWABLE: claimed returned",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [refused(26, "駱駝祥子", "2026-12-10", ["ITEM_NOT_RENEWABLE"])],
  },
  {
    reader: 15,
    card: card(15),
    story: "ITEM_NOT_RENEWABLE by type, partial",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [
      refused(27, "花樣年華 (DVD)", "2026-12-08", ["ITEM_NOT_RENEWABLE"]),
      renewed(28, "酒徒", "2026-12-08"),
    ],
  },
  {
    reader: 16,
    card: card(16),
    story: "item charge one cent under the ceiling",
    accountBlocks: [],
    unpaidCharges: [["Harry Potter and the Philosopher's Stone", 129_99]],
    loans: [renewed(30, "半生緣", "2026-12-11")],
  },
  {
    reader: 17,
    card: card(17),
    story: "ITEM_CHARGE_CEILING",
    accountBlocks: ["ITEM_CHARGE_CEILING"],
    unpaidCharges: [["Norwegian Wood", 130_00]],
    loans: [refused(32, "朝花夕拾", "2026-12-10", ["ITEM_CHARGE_CEILING"])],
  },
  {
    reader: 18,
    card: card(18),
    story: "ACCOUNT_CHARGE_CEILING",
    accountBlocks: ["ACCOUNT_CHARGE_CEILING"],
    unpaidCharges: [
      [null, 50_00],
      ["Nineteen Eighty-Four", 80_00],
      ["我城", 70_00],
    ],
    loans: [
      refused(35, "Gweilo: Memories of a Hong Kong Childhood", "2026-12-09", ["ACCOUNT_CHARGE_CEILING"]),
    ],
  },
  {
    reader: 19,
    card: card(19),
    story: "one cent under the account ceiling",
    accountBlocks: [],
    unpaidCharges: [
      ["The Great Gatsby", 79_99],
      ["邊城", 120_00],
    ],
    loans: [renewed(38, "活著", "2026-12-11")],
  },
  {
    reader: 20,
    card: card(20),
    story: "OVERDUE_TIME_LIMIT is the only block",
    accountBlocks: ["OVERDUE_TIME_LIMIT"],
    unpaidCharges: [],
    loans: [
      refused(39, "Charlotte's Web", "2026-08-25", ["OVERDUE_TIME_LIMIT"]),
      refused(40, "Matilda", "2026-12-10", ["OVERDUE_TIME_LIMIT"]),
    ],
  },
  {
    reader: 21,
    card: card(21),
    story: "ACCOUNT_SUSPENDED",
    accountBlocks: ["ACCOUNT_SUSPENDED"],
    unpaidCharges: [],
    loans: [refused(41, "水滸傳", "2026-12-09", ["ACCOUNT_SUSPENDED"])],
  },
  {
    reader: 22,
    card: card(22),
    story: "CARD_REPORTED_LOST",
    accountBlocks: ["CARD_REPORTED_LOST"],
    unpaidCharges: [],
    loans: [refused(42, "To Kill a Mockingbird", "2026-12-10", ["CARD_REPORTED_LOST"])],
  },
  {
    reader: 23,
    card: card(23),
    story: "ACCOUNT_EXPIRED",
    accountBlocks: ["ACCOUNT_EXPIRED"],
    unpaidCharges: [],
    loans: [refused(43, "三國演義", "2026-12-08", ["ACCOUNT_EXPIRED"])],
  },
  {
    reader: 24,
    card: card(24),
    story: "HKID-only reader with no PIN",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(44, "天龍八部", "2026-12-10")],
  },
  {
    reader: 25,
    card: card(25),
    story: "shared HKID digits (with 26)",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(45, "The Art of War", "2026-12-09")],
  },
  {
    reader: 26,
    card: card(26),
    story: "shared HKID digits (with 25)",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(46, "道德經", "2026-12-11")],
  },
  {
    reader: 27,
    card: card(27),
    story: "overdue junior, HK$4.00 recorded",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(47, "Diary of a Wimpy Kid", "2026-11-23", { chargeCents: 400 })],
  },
  {
    reader: 28,
    card: card(28),
    story: "closed days: on 1 Dec, due 15 Dec",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [renewed(48, "A Christmas Carol", "2026-12-14")],
  },
  {
    reader: 29,
    card: card(29),
    story: "no loans",
    accountBlocks: [],
    unpaidCharges: [],
    loans: [],
  },
  ...CALLER_TIME_READERS.map(callerTimeReader),
];

/** What the README's "Logging in" and readers table promise about identification. */
const DEMO_LOGINS: { reader: number; pin: string | null; hkid: string | null; keyedDigits: string | null }[] =
  [
    { reader: 1, pin: "135790", hkid: "A123456(3)", keyedDigits: "1234563" },
    { reader: 2, pin: "0202", hkid: "C668668(9)", keyedDigits: "6686689" },
    { reader: 3, pin: "0303", hkid: null, keyedDigits: null },
    { reader: 4, pin: "0404", hkid: "K246802(6)", keyedDigits: "2468026" },
    { reader: 5, pin: "0505", hkid: "XA778899(9)", keyedDigits: "7788999" },
    { reader: 6, pin: "0606", hkid: null, keyedDigits: null },
    { reader: 7, pin: "0707", hkid: null, keyedDigits: null },
    { reader: 8, pin: "0808", hkid: null, keyedDigits: null },
    { reader: 9, pin: "0909", hkid: null, keyedDigits: null },
    { reader: 10, pin: "1010", hkid: null, keyedDigits: null },
    { reader: 11, pin: "1111", hkid: null, keyedDigits: null },
    { reader: 12, pin: "20261201", hkid: null, keyedDigits: null },
    { reader: 13, pin: "1313", hkid: null, keyedDigits: null },
    { reader: 14, pin: "1414", hkid: null, keyedDigits: null },
    { reader: 15, pin: "1515", hkid: null, keyedDigits: null },
    { reader: 16, pin: "1616", hkid: "M135246(1)", keyedDigits: "1352461" },
    { reader: 17, pin: "1717", hkid: null, keyedDigits: null },
    { reader: 18, pin: "1818", hkid: null, keyedDigits: null },
    { reader: 19, pin: "1919", hkid: null, keyedDigits: null },
    { reader: 20, pin: "2020", hkid: null, keyedDigits: null },
    { reader: 21, pin: "2121", hkid: null, keyedDigits: null },
    { reader: 22, pin: "2222", hkid: null, keyedDigits: null },
    { reader: 23, pin: "2323", hkid: null, keyedDigits: null },
    { reader: 24, pin: null, hkid: "H112358(2)", keyedDigits: "1123582" },
    { reader: 25, pin: "2525", hkid: "E357913(5)", keyedDigits: "3579135" },
    { reader: 26, pin: "2626", hkid: "P357913(5)", keyedDigits: "3579135" },
    { reader: 27, pin: "2727", hkid: null, keyedDigits: null },
    { reader: 28, pin: "2828", hkid: "B424242(A)", keyedDigits: "4242420" },
    { reader: 29, pin: "2929", hkid: null, keyedDigits: null },
    ...CALLER_TIME_READERS.map((reader) => ({
      reader,
      pin: `${reader}${reader}`,
      hkid: null,
      keyedDigits: null,
    })),
  ];

/** The README's closed-days table: renewed on → new due date. */
const CLOSED_DAY_RENEWALS: [CalendarDate, CalendarDate][] = [
  ["2026-12-01", "2026-12-15"],
  ["2026-12-11", "2026-12-27"],
  ["2026-12-12", "2026-12-27"],
  ["2026-12-18", "2027-01-02"],
  ["2027-01-23", "2027-02-10"],
  ["2027-01-24", "2027-02-10"],
  ["2027-01-25", "2027-02-10"],
  ["2027-01-26", "2027-02-10"],
  ["2027-03-12", "2027-03-28"],
  ["2027-03-15", "2027-03-30"],
  ["2027-03-22", "2027-04-06"],
];

// ---------------------------------------------------------------------------------------------
// Reading the database
// ---------------------------------------------------------------------------------------------

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase("pglite");
});
afterAll(async () => {
  await database?.dispose();
});

async function loadDemo(): Promise<void> {
  await resetData(database);
  await loadFixture(database.db, readDemoFile());
}

async function patronByCard(cardNumber: string) {
  const [row] = await database.db.select().from(patrons).where(eq(patrons.cardNumber, cardNumber));
  if (!row) throw new Error(`no patron ${cardNumber}`);
  return row;
}

async function loanByBarcode(code: string) {
  const [row] = await database.db
    .select({ dueOn: loans.dueOn, renewals: loans.renewals, returnedOn: loans.returnedOn })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .where(eq(items.barcode, code));
  if (!row) throw new Error(`no loan of ${code}`);
  return row;
}

async function unpaidChargesOf(patronId: number): Promise<[string | null, number][]> {
  const rows = await database.db
    .select({ title: titles.title, amountCents: charges.amountCents })
    .from(charges)
    .leftJoin(items, eq(items.id, charges.itemId))
    .leftJoin(titles, eq(titles.id, items.titleId))
    .where(and(eq(charges.patronId, patronId), eq(charges.paid, false)));
  return rows
    .map((r): [string | null, number] => [r.title, r.amountCents])
    .sort(([a], [b]) => (a ?? "").localeCompare(b ?? ""));
}

/** Every table a renewal could touch, in a stable order. */
async function libraryState() {
  const db = database.db;
  const [
    patronRows,
    itemRows,
    reservationRows,
    loanRows,
    chargeRows,
    closedRows,
    transactionRows,
    resultRows,
  ] = await Promise.all([
    db.select().from(patrons).orderBy(asc(patrons.id)),
    db.select().from(items).orderBy(asc(items.id)),
    db.select().from(reservations).orderBy(asc(reservations.id)),
    db
      .select({
        id: loans.id,
        patronId: loans.patronId,
        barcode: items.barcode,
        dueOn: loans.dueOn,
        returnedOn: loans.returnedOn,
        renewals: loans.renewals,
      })
      .from(loans)
      .innerJoin(items, eq(items.id, loans.itemId))
      .orderBy(asc(loans.id)),
    db.select().from(charges).orderBy(asc(charges.id)),
    db.select().from(closedDays).orderBy(asc(closedDays.day)),
    db.select().from(renewalTransactions).orderBy(asc(renewalTransactions.id)),
    db.select().from(renewalResults).orderBy(asc(renewalResults.id)),
  ]);
  return {
    patrons: patronRows,
    items: itemRows,
    reservations: reservationRows,
    loans: loanRows,
    charges: chargeRows,
    closedDays: closedRows,
    transactions: transactionRows,
    results: resultRows,
  };
}

const byBarcode = <T extends { barcode: string }>(rows: T[]) =>
  [...rows].sort((a, b) => a.barcode.localeCompare(b.barcode));

// ---------------------------------------------------------------------------------------------

describe("the demo library on Tuesday 2026-12-01 (loaded unshifted, once)", () => {
  const deps = () => serviceAt(database, DEMO_NOW);

  beforeAll(async () => {
    await loadDemo();
  });

  it("holds the 42 demo readers, with cards 2100000001 to 2100000042", async () => {
    const rows = await database.db.select({ cardNumber: patrons.cardNumber }).from(patrons);
    expect(rows.map((r) => r.cardNumber).sort()).toEqual(DEMO_READERS.map((r) => r.card));
  });

  it.each(DEMO_READERS)("reader $reader ($card): $story", async (expected) => {
    const patron = await patronByCard(expected.card);
    expect(await unpaidChargesOf(patron.id)).toEqual(expected.unpaidCharges);
    const before = await libraryState();

    const outcome = await renew(deps(), {
      patronId: patron.id,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: `demo-${expected.card}`,
    });

    // What the reader is told.
    expect(outcome.replayed).toBe(false);
    expect(isValidTrn(outcome.trn)).toBe(true);
    expect(outcome.patronId).toBe(patron.id);
    expect(outcome.cardLastFour).toBe(expected.card.slice(-4));
    expect(outcome.libraryDay).toBe("2026-12-01");
    expect(outcome.accountBlocks).toEqual(expected.accountBlocks);
    expect(
      byBarcode(
        outcome.results.map((r) => ({
          barcode: r.barcode,
          title: r.title,
          oldDueOn: r.oldDueOn,
          outcome: r.outcome,
          newDueOn: r.newDueOn,
          reasons: r.reasons,
          primaryReason: r.primaryReason,
          chargeRecordedCents: r.chargeRecordedCents,
        })),
      ),
    ).toEqual(byBarcode(expected.loans.map(({ renewalsAfter: _, ...rest }) => rest)));

    // What was stored under the TRN.
    const stored = await findTransactionByTrn(database.db, outcome.trn);
    expect(stored?.id).toBe(outcome.id);
    expect(stored?.accountBlocks).toEqual(expected.accountBlocks);
    expect(stored?.results).toEqual(outcome.results);

    // The reader's loans afterwards.
    for (const loan of expected.loans) {
      expect(await loanByBarcode(loan.barcode)).toEqual({
        dueOn: loan.newDueOn ?? loan.oldDueOn,
        renewals: loan.renewalsAfter,
        returnedOn: null,
      });
    }

    // The accrued charges recorded, and nothing else: the reader's own loans and charges are the
    // only rows that changed, so no other reader's result depends on this one's.
    const after = await libraryState();
    const renewedHere = new Map(
      expected.loans.filter((l) => l.outcome === "renewed").map((l) => [l.barcode, l.newDueOn]),
    );
    expect(after.loans).toEqual(
      before.loans.map((loan) => {
        const newDueOn = renewedHere.get(loan.barcode);
        return loan.patronId === patron.id && loan.returnedOn === null && newDueOn
          ? { ...loan, dueOn: newDueOn, renewals: loan.renewals + 1 }
          : loan;
      }),
    );
    const itemIdOf = new Map(after.items.map((i) => [i.barcode, i.id]));
    expect(after.charges.filter((c) => c.renewalTransactionId !== outcome.id)).toEqual(before.charges);
    expect(
      after.charges
        .filter((c) => c.renewalTransactionId === outcome.id)
        .map(({ patronId, itemId, amountCents, kind, paid }) => ({
          patronId,
          itemId,
          amountCents,
          kind,
          paid,
        })),
    ).toEqual(
      expected.loans
        .filter((l) => l.chargeRecordedCents > 0)
        .map((l) => ({
          patronId: patron.id,
          itemId: itemIdOf.get(l.barcode),
          amountCents: l.chargeRecordedCents,
          kind: "overdue",
          paid: false,
        })),
    );
    expect(after.transactions.filter((t) => t.id !== outcome.id)).toEqual(before.transactions);
    expect(after.transactions.filter((t) => t.id === outcome.id)).toHaveLength(1);
    expect(after.results.filter((r) => r.transactionId !== outcome.id)).toEqual(before.results);
    expect(after.results.filter((r) => r.transactionId === outcome.id)).toHaveLength(expected.loans.length);
    expect(after.patrons).toEqual(before.patrons);
    expect(after.items).toEqual(before.items);
    expect(after.reservations).toEqual(before.reservations);
    expect(after.closedDays).toEqual(before.closedDays);
  });

  it("reader 1's Robinson Crusoe carries its 304-character original title", async () => {
    const [row] = await database.db
      .select({ title: titles.title })
      .from(titles)
      .innerJoin(items, eq(items.titleId, titles.id))
      .where(eq(items.barcode, barcode(4)));
    expect(row?.title).toMatch(/^The Life and Strange Surprizing Adventures of Robinson Crusoe/);
    expect(row?.title).toHaveLength(304);
  });

  it("reader 3's 三體: reserved by readers 29 and 10; the other copies are on the hold shelf and not for loan", async () => {
    const reservedBy = await database.db
      .select({ cardNumber: patrons.cardNumber })
      .from(reservations)
      .innerJoin(patrons, eq(patrons.id, reservations.patronId))
      .innerJoin(titles, eq(titles.id, reservations.titleId))
      .where(eq(titles.title, "三體"));
    expect(reservedBy.map((r) => r.cardNumber).sort()).toEqual([card(10), card(29)]);
    const copies = await database.db
      .select({ barcode: items.barcode, status: items.status })
      .from(items)
      .innerJoin(titles, eq(titles.id, items.titleId))
      .where(eq(titles.title, "三體"))
      .orderBy(asc(items.barcode));
    expect(copies).toEqual([
      { barcode: barcode(7), status: "on_loan" },
      { barcode: barcode(8), status: "on_hold_shelf" },
      { barcode: barcode(9), status: "not_for_loan" },
    ]);
  });

  it("reader 8 returned the set's main item on 30 Nov", async () => {
    expect(await loanByBarcode(barcode(18))).toEqual({
      dueOn: "2026-12-08",
      renewals: 0,
      returnedOn: "2026-11-30",
    });
  });

  it("reader 20's Charlotte's Web is 98 days overdue: 98 × HK$0.50 = HK$49.00 accrued", async () => {
    const patron = await patronByCard(card(20));
    expect(patron.category).toBe("junior");
    const { dueOn } = await loanByBarcode(barcode(39));
    expect(dueOn).toBe("2026-08-25");
    expect(daysOverdue(dueOn, "2026-12-01")).toBe(98);
    expect(accruedOverdueCents({ dueOn }, "junior", "2026-12-01", DEFAULT_POLICY)).toBe(49_00);
  });

  it("reader 29 holds the reservations on readers 3's, 6's, 9's and 4's loans, and on readers 30-42's The Remains of the Day", async () => {
    const patron = await patronByCard(card(29));
    const rows = await database.db
      .select({ titleId: reservations.titleId, barcode: items.barcode })
      .from(reservations)
      .leftJoin(items, eq(items.id, reservations.itemId))
      .where(eq(reservations.patronId, patron.id))
      .orderBy(asc(reservations.id));
    expect(rows).toEqual([
      { titleId: "T6", barcode: null }, // 三體 (reader 3)
      { titleId: "T8", barcode: null }, // Pride and Prejudice (reader 4's title)
      { titleId: null, barcode: barcode(14) }, // reader 6's very copy
      { titleId: "T15", barcode: null }, // The Serious Hiker's Guide (reader 9)
      { titleId: "T48", barcode: null }, // The Remains of the Day (readers 30-42)
    ]);
  });

  it("stores readers 25 and 26 under one HKID digits hash, and reader 24 with no PIN hash", async () => {
    const [r24, r25, r26] = await Promise.all([card(24), card(25), card(26)].map(patronByCard));
    expect(r24?.pinHash).toBeNull();
    expect(r24?.hkidDigitsHash).toBe(hashHkidDigits("1123582", TEST_IDENTITY_HASH_KEY));
    expect(r24?.phone?.slice(-4)).toBe("8888");
    expect(r25?.hkidDigitsHash).toBe(hashHkidDigits("3579135", TEST_IDENTITY_HASH_KEY));
    expect(r26?.hkidDigitsHash).toBe(r25?.hkidDigitsHash);
    const sharing = await database.db
      .select({ cardNumber: patrons.cardNumber })
      .from(patrons)
      .where(eq(patrons.hkidDigitsHash, r25?.hkidDigitsHash ?? ""))
      .orderBy(asc(patrons.cardNumber));
    expect(sharing.map((r) => r.cardNumber)).toEqual([card(25), card(26)]);
  });

  it("stores every reader's HKID digits hash and PIN as the README's login table says", async () => {
    const rows = await database.db.select().from(patrons).orderBy(asc(patrons.cardNumber));
    const checked = await Promise.all(
      DEMO_LOGINS.map(async (login) => {
        const row = rows.find((r) => r.cardNumber === card(login.reader));
        return {
          reader: login.reader,
          hkidValid: login.hkid === null ? null : isValidHkid(login.hkid),
          keyedDigits: login.hkid === null ? null : hkidKeyedDigits(login.hkid),
          hkidHashMatches:
            login.keyedDigits === null
              ? row?.hkidDigitsHash === null
              : row?.hkidDigitsHash === hashHkidDigits(login.keyedDigits, TEST_IDENTITY_HASH_KEY),
          pin: login.pin === null ? row?.pinHash === null : await verifyPin(login.pin, row?.pinHash ?? ""),
        };
      }),
    );
    expect(checked).toEqual(
      DEMO_LOGINS.map((login) => ({
        reader: login.reader,
        hkidValid: login.hkid === null ? null : true,
        keyedDigits: login.keyedDigits,
        hkidHashMatches: true,
        pin: true,
      })),
    );
  });

  it.each(CLOSED_DAY_RENEWALS)("closed days: renewed on %s → due %s", async (renewedOn, dueOn) => {
    const rows = await database.db.select({ day: closedDays.day }).from(closedDays);
    expect(newDueDate(renewedOn, DEFAULT_POLICY, new Set(rows.map((r) => r.day)))).toBe(dueOn);
  });
});

describe("later days (the demo reloaded unshifted)", () => {
  beforeAll(async () => {
    await loadDemo();
  });

  it("reader 28 on Fri 2026-12-11 renews A Christmas Carol past the closed 25 and 26 Dec to Sun 27 Dec", async () => {
    const closed = await database.db
      .select({ day: closedDays.day })
      .from(closedDays)
      .where(between(closedDays.day, "2026-12-24", "2026-12-28"))
      .orderBy(asc(closedDays.day));
    expect(closed.map((r) => r.day)).toEqual(["2026-12-25", "2026-12-26"]);

    const patron = await patronByCard(card(28));
    const outcome = await renew(serviceAt(database, "2026-12-11T10:00:00+08:00"), {
      patronId: patron.id,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "demo-2100000028-12-11",
    });

    expect(outcome.libraryDay).toBe("2026-12-11");
    expect(outcome.accountBlocks).toEqual([]);
    expect(outcome.results).toEqual([
      expect.objectContaining({
        barcode: barcode(48),
        title: "A Christmas Carol",
        outcome: "renewed",
        oldDueOn: "2026-12-14",
        newDueOn: "2026-12-27",
        reasons: [],
        primaryReason: null,
        chargeRecordedCents: 0,
      }),
    ]);
    expect(await loanByBarcode(barcode(48))).toEqual({ dueOn: "2026-12-27", renewals: 1, returnedOn: null });
    expect(await unpaidChargesOf(patron.id)).toEqual([]);
  });

  // Reader 10 only: independent of reader 28's test above.
  it("reader 10 renews 西遊記 a fifth time on 1 Dec; the next day's attempt gives RENEWAL_LIMIT", async () => {
    const patron = await patronByCard(card(10));
    const first = await renew(serviceAt(database, DEMO_NOW), {
      patronId: patron.id,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "demo-2100000010-12-01",
    });
    expect(first.results.map((r) => [r.title, r.outcome, r.newDueOn])).toEqual([
      ["西遊記", "renewed", "2026-12-15"],
    ]);
    expect(await loanByBarcode(barcode(22))).toEqual({ dueOn: "2026-12-15", renewals: 5, returnedOn: null });

    const later = await renew(serviceAt(database, "2026-12-02T10:00:00+08:00"), {
      patronId: patron.id,
      selection: { kind: "all" },
      channel: "phone",
      requestKey: "demo-2100000010-12-02",
    });
    expect(later.results.map((r) => [r.title, r.outcome, r.reasons, r.primaryReason])).toEqual([
      ["西遊記", "refused", ["RENEWAL_LIMIT"], "RENEWAL_LIMIT"],
    ]);
    expect(await loanByBarcode(barcode(22))).toEqual({ dueOn: "2026-12-15", renewals: 5, returnedOn: null });
  });
});
