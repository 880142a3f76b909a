/**
 * The checks between rows of an import file (library-data.md): unique keys, references that
 * resolve within the file, and loans that agree with their items. They read the raw JSON
 * defensively, so that a malformed row elsewhere never hides them: one pass names every problem.
 */
import { isCalendarDate } from "../time/calendar-date.js";

export interface Problem {
  path: (string | number)[];
  message: string;
}

type Row = Record<string, unknown>;

const OPEN_LOAN_ITEM_STATUSES = new Set(["on_loan", "lost", "claimed_returned"]);

export function referenceProblems(input: unknown): Problem[] {
  const problems: Problem[] = [];
  const problem = (path: (string | number)[], message: string) => problems.push({ path, message });
  const file = isRow(input) ? input : {};
  const rows = (key: string): Row[] => {
    const value = file[key];
    return Array.isArray(value) ? value.map((row) => (isRow(row) ? row : {})) : [];
  };
  const patrons = rows("patrons");
  const titles = rows("titles");
  const items = rows("items");

  const cards = firstIndexBy(patrons, "cardNumber", (i, first) =>
    problem(["patrons", i, "cardNumber"], `duplicate card number (first at patrons[${first}])`),
  );
  const titleIds = firstIndexBy(titles, "id", (i, first) =>
    problem(["titles", i, "id"], `duplicate title id (first at titles[${first}])`),
  );
  const barcodes = firstIndexBy(items, "barcode", (i, first) =>
    problem(["items", i, "barcode"], `duplicate barcode (first at items[${first}])`),
  );
  const knownTitle = (row: Row, i: number, base: string) => {
    const id = text(row.titleId);
    if (id !== undefined && !titleIds.has(id)) problem([base, i, "titleId"], `no title with id "${id}"`);
  };
  const knownItem = (row: Row, i: number, base: string) => {
    const barcode = text(row.barcode);
    if (barcode !== undefined && !barcodes.has(barcode)) {
      problem([base, i, "barcode"], `no item with barcode "${barcode}"`);
    }
  };
  const knownCard = (row: Row, i: number, base: string) => {
    const card = text(row.cardNumber);
    if (card !== undefined && !cards.has(card))
      problem([base, i, "cardNumber"], "no patron with this card number");
  };

  const setMains = new Map<string, number>();
  items.forEach((item, i) => {
    knownTitle(item, i, "items");
    const set = isRow(item.set) ? item.set : undefined;
    const setId = text(set?.id);
    if (setId === undefined || set?.main !== true) return;
    const first = setMains.get(setId);
    if (first === undefined) setMains.set(setId, i);
    else problem(["items", i, "set", "main"], `set "${setId}" already has a main item (items[${first}])`);
  });

  const openLoanOf = new Map<string, number>();
  const loanKeys = new Map<string, number>();
  rows("loans").forEach((loan, i) => {
    knownItem(loan, i, "loans");
    knownCard(loan, i, "loans");
    const barcode = text(loan.barcode);
    const borrowedOn = date(loan.borrowedOn);
    const dueOn = date(loan.dueOn);
    const returnedOn = date(loan.returnedOn);
    if (borrowedOn && dueOn && dueOn < borrowedOn)
      problem(["loans", i, "dueOn"], "due before it was borrowed");
    if (borrowedOn && returnedOn && returnedOn < borrowedOn) {
      problem(["loans", i, "returnedOn"], "returned before it was borrowed");
    }
    // A loan is known by its item, reader and day borrowed: the key a reload matches it on.
    const key = JSON.stringify([barcode, text(loan.cardNumber), text(loan.borrowedOn)]);
    const same = loanKeys.get(key);
    if (same === undefined) loanKeys.set(key, i);
    else problem(["loans", i], `same item, reader and day borrowed as loans[${same}]`);

    if (loan.returnedOn !== undefined || barcode === undefined) return;
    const other = openLoanOf.get(barcode);
    if (other === undefined) openLoanOf.set(barcode, i);
    else problem(["loans", i, "barcode"], `item already on an open loan (loans[${other}])`);
    const itemIndex = barcodes.get(barcode);
    const status = itemIndex === undefined ? undefined : text(items[itemIndex]?.status);
    if (status !== undefined && !OPEN_LOAN_ITEM_STATUSES.has(status)) {
      problem(["loans", i, "barcode"], `item is on an open loan but its status is "${status}"`);
    }
  });

  rows("reservations").forEach((reservation, i) => {
    if ((reservation.titleId === undefined) === (reservation.barcode === undefined)) {
      problem(
        ["reservations", i],
        "expected either titleId (the title) or barcode (one copy), not both or neither",
      );
    }
    knownTitle(reservation, i, "reservations");
    knownItem(reservation, i, "reservations");
    knownCard(reservation, i, "reservations");
  });

  rows("charges").forEach((charge, i) => {
    knownCard(charge, i, "charges");
    knownItem(charge, i, "charges");
  });
  return problems;
}

function isRow(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Only well-formed dates are compared; a malformed one has its own problem already. */
function date(value: unknown): string | undefined {
  return typeof value === "string" && isCalendarDate(value) ? value : undefined;
}

/** Maps each key to the index of its first row, reporting every later duplicate. */
function firstIndexBy(rows: Row[], field: string, onDuplicate: (index: number, first: number) => void) {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const key = text(row[field]);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else onDuplicate(index, first);
  });
  return seen;
}
