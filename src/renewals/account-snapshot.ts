/**
 * Reads what the rule module needs about one account: locked for a renewal transaction (the
 * patron row first, so every renewal of an account queues behind it, then the loans), or plainly
 * to read the account out to a caller. A fixed number of queries whatever the number of loans.
 */
import { and, eq, gte, inArray, isNotNull, isNull, not, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { charges, closedDays, items, loans, patrons, reservations, titles } from "../db/schema/index.js";
import type { AccountSnapshot, LoanFacts, RenewalSelection } from "../rules/types.js";
import type { CalendarDate } from "../time/calendar-date.js";

const LOAN_COLUMNS = {
  loanId: loans.id,
  patronId: loans.patronId,
  itemId: loans.itemId,
  borrowedOn: loans.borrowedOn,
  dueOn: loans.dueOn,
  returnedOn: loans.returnedOn,
  renewals: loans.renewals,
  titleId: items.titleId,
  itemStatus: items.status,
  renewable: items.renewable,
  setId: items.setId,
  isSetMain: items.isSetMain,
  barcode: items.barcode,
  title: titles.title,
};

export interface LoanLabel {
  barcode: string;
  title: string;
}

export interface LoadedAccount {
  snapshot: AccountSnapshot;
  cardNumber: string;
  /** Barcode and title of every loan in the snapshot, for the transaction's record. */
  labels: Map<number, LoanLabel>;
  /** Title of every item a charge is for (returned items too), by item id. */
  chargeTitles: Map<number, string>;
}

/**
 * One round trip for a read (every query is sent at once, on one connection), two for a renewal:
 * the patron row is locked on its own first, so that every renewal of an account queues on it
 * before it locks any loan. The queries that depend on the account's loans name them by a
 * subquery rather than by ids read first, and each is served by an index, so that the cost
 * does not grow with the library.
 */
export async function loadAccount(
  tx: DbOrTx,
  patronId: number,
  selection: RenewalSelection,
  today: CalendarDate,
  options: { lock: boolean },
): Promise<LoadedAccount | null> {
  const patronQuery = tx.select().from(patrons).where(eq(patrons.id, patronId));
  const lockedPatron = options.lock ? (await patronQuery.for("update"))[0] : undefined;
  if (options.lock && !lockedPatron) return null;

  const ownLoan = and(eq(loans.patronId, patronId), isNull(loans.returnedOn));
  // The loans the account's facts are about: its open loans, and a loan the request names.
  const loansInQuestion = selection.kind === "loan" ? or(ownLoan, eq(loans.id, selection.loanId)) : ownLoan;
  const titlesInQuestion = tx
    .select({ titleId: items.titleId })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .where(loansInQuestion);
  const setsInQuestion = tx
    .select({ setId: items.setId })
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .where(and(loansInQuestion, isNotNull(items.setId)));

  const loansQuery = tx
    .select(LOAN_COLUMNS)
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .innerJoin(titles, eq(titles.id, items.titleId))
    .where(ownLoan)
    .orderBy(loans.id);

  const [patronRows, ownRows, elsewhereRows, copies, reservationRows, setMains, chargeRows, closedRows] =
    await Promise.all([
      options.lock ? [lockedPatron] : patronQuery,
      options.lock ? loansQuery.for("update", { of: loans }) : loansQuery,
      namedLoanElsewhere(tx, patronId, selection),
      tx
        .select({ itemId: items.id, titleId: items.titleId, status: items.status })
        .from(items)
        .where(inArray(items.titleId, titlesInQuestion)),
      // Title-level reservations by reservations_title_id_idx, copy-level ones by
      // reservations_item_id_idx, each from the titles in question: one query with an OR
      // across the join to items reads every reservation of the library.
      tx
        .select({
          patronId: reservations.patronId,
          titleId: sql<string>`${reservations.titleId}`,
          itemId: reservations.itemId,
        })
        .from(reservations)
        .where(inArray(reservations.titleId, titlesInQuestion))
        .unionAll(
          tx
            .select({ patronId: reservations.patronId, titleId: items.titleId, itemId: reservations.itemId })
            .from(items)
            .innerJoin(reservations, eq(reservations.itemId, items.id))
            .where(inArray(items.titleId, titlesInQuestion)),
        ),
      tx
        .select({ setId: items.setId, itemId: items.id })
        .from(items)
        .where(and(inArray(items.setId, setsInQuestion), eq(items.isSetMain, true))),
      tx
        .select({ itemId: charges.itemId, amountCents: charges.amountCents, title: titles.title })
        .from(charges)
        .leftJoin(items, eq(items.id, charges.itemId))
        .leftJoin(titles, eq(titles.id, items.titleId))
        .where(and(eq(charges.patronId, patronId), eq(charges.paid, false))),
      tx.select({ day: closedDays.day }).from(closedDays).where(gte(closedDays.day, today)),
    ]);
  const [patron] = patronRows;
  if (!patron) return null;
  const loanRows = [...ownRows, ...elsewhereRows];
  const titleIds = unique(loanRows.map((row) => row.titleId));
  const setIds = unique(loanRows.flatMap((row) => (row.setId ? [row.setId] : [])));

  const loanFacts: LoanFacts[] = loanRows.map((row) => ({
    loanId: row.loanId,
    patronId: row.patronId,
    itemId: row.itemId,
    titleId: row.titleId,
    borrowedOn: row.borrowedOn,
    dueOn: row.dueOn,
    returnedOn: row.returnedOn,
    renewals: row.renewals,
    itemStatus: row.itemStatus,
    renewableByType: row.renewable,
    set: row.setId ? { setId: row.setId, main: row.isSetMain } : null,
  }));

  return {
    cardNumber: patron.cardNumber,
    labels: new Map(loanRows.map((row) => [row.loanId, { barcode: row.barcode, title: row.title }])),
    chargeTitles: new Map(
      chargeRows.flatMap((row) => (row.itemId !== null && row.title ? [[row.itemId, row.title]] : [])),
    ),
    snapshot: {
      patron: {
        id: patron.id,
        category: patron.category,
        status: patron.status,
        expiresOn: patron.expiresOn,
      },
      loans: loanFacts,
      charges: chargeRows.map((row) => ({ itemId: row.itemId, amountCents: row.amountCents })),
      titles: titleIds.map((titleId) => ({
        titleId,
        copies: copies.filter((copy) => copy.titleId === titleId),
        reservations: reservationRows
          .filter((r) => r.titleId === titleId)
          .map((r) => ({ patronId: r.patronId, itemId: r.itemId })),
      })),
      sets: setIds.map((setId) => ({
        setId,
        mainItemId: setMains.find((m) => m.setId === setId)?.itemId ?? null,
      })),
      closedDays: new Set(closedRows.map((row) => row.day)),
    },
  };
}

/**
 * A loan the request names that is not one of the account's open loans (returned, or another
 * reader's): read without a lock, so the lock order stays patron then own loans, and, when it is
 * another reader's, without its barcode or title, which are not this reader's to hear.
 */
async function namedLoanElsewhere(tx: DbOrTx, patronId: number, selection: RenewalSelection) {
  if (selection.kind !== "loan") return [];
  const rows = await tx
    .select(LOAN_COLUMNS)
    .from(loans)
    .innerJoin(items, eq(items.id, loans.itemId))
    .innerJoin(titles, eq(titles.id, items.titleId))
    .where(
      and(
        eq(loans.id, selection.loanId),
        not(and(eq(loans.patronId, patronId), isNull(loans.returnedOn)) as SQL),
      ),
    );
  return rows.map((row) => (row.patronId === patronId ? row : { ...row, barcode: "", title: "" }));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
