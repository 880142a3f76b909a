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

export type Row = Record<string, unknown>;

export const OPEN_LOAN_ITEM_STATUSES = new Set(["on_loan", "lost", "claimed_returned"]);

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
    for (const p of loanDateProblems(loan)) problem(["loans", i, ...p.path], p.message);
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
    const target = reservationTargetProblem(reservation);
    if (target) problem(["reservations", i], target);
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

/** The checks within one loan: its dates in order. Paths are relative to the loan. */
export function loanDateProblems(loan: Row): Problem[] {
  const problems: Problem[] = [];
  const borrowedOn = date(loan.borrowedOn);
  const dueOn = date(loan.dueOn);
  const returnedOn = date(loan.returnedOn);
  if (borrowedOn && dueOn && dueOn < borrowedOn)
    problems.push({ path: ["dueOn"], message: "due before it was borrowed" });
  if (borrowedOn && returnedOn && returnedOn < borrowedOn) {
    problems.push({ path: ["returnedOn"], message: "returned before it was borrowed" });
  }
  return problems;
}

export function reservationTargetProblem(reservation: Row): string | null {
  return (reservation.titleId === undefined) === (reservation.barcode === undefined)
    ? "expected either titleId (the title) or barcode (one copy), not both or neither"
    : null;
}

export function isRow(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Only well-formed dates are compared; a malformed one has its own problem already. */
function date(value: unknown): string | undefined {
  return typeof value === "string" && isFileDate(value) ? value : undefined;
}

// A large file names the same few thousand days millions of times, and parsing each one as a
// Date was a sixth of the import's time: remember the answers (a bounded number of them).
const fileDates = new Map<string, boolean>();

/** isCalendarDate, remembered. */
export function isFileDate(text: string): boolean {
  let valid = fileDates.get(text);
  if (valid === undefined) {
    valid = isCalendarDate(text);
    if (fileDates.size < 100_000) fileDates.set(text, valid);
  }
  return valid;
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
