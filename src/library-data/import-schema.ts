/**
 * The import file of library-data.md, checked whole before anything is written: every problem
 * is named by its path (`loans[3].dueOn: expected a date YYYY-MM-DD`).
 */
import { z } from "zod";
import { parseHkdToCents } from "../money/hkd.js";
import { isValidHkid, normaliseHkid } from "../security/hkid.js";
import { isCalendarDate } from "../time/calendar-date.js";

const calendarDate = z.string().refine(isCalendarDate, { message: "expected a date YYYY-MM-DD" });
const digits = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^\\d{${min},${max}}$`), { message: `expected ${what}: ${min} to ${max} digits` });

const patron = z.strictObject({
  cardNumber: digits(6, 14, "a card number"),
  hkid: z
    .string()
    .refine(isValidHkid, { message: "expected an HKID number with a valid check digit, such as A1234563" })
    .transform(normaliseHkid)
    .optional(),
  name: z.string().trim().min(1, { message: "expected a name" }),
  phone: z
    .string()
    .regex(/^(\d{8}|\+[1-9]\d{7,14})$/, {
      message: "expected 8 digits, or an E.164 number such as +85291234567",
    })
    .optional(),
  pin: digits(4, 8, "a PIN").optional(),
  category: z.enum(["adult", "junior"]),
  status: z.enum(["active", "suspended", "card_lost"]),
  expiresOn: calendarDate,
});

const title = z.strictObject({
  id: z.string().min(1, { message: "expected a title id" }),
  title: z.string().trim().min(1, { message: "expected a title" }),
  author: z.string().optional(),
});

const item = z.strictObject({
  barcode: z.string().regex(/^[0-9A-Za-z-]{1,32}$/, { message: "expected a barcode of letters and digits" }),
  titleId: z.string().min(1),
  status: z.enum(["on_shelf", "on_loan", "on_hold_shelf", "lost", "claimed_returned", "not_for_loan"]),
  set: z.strictObject({ id: z.string().min(1), main: z.boolean() }).optional(),
  /** Extension: false when the item's type may not be renewed. Defaults to true. */
  renewable: z.boolean().optional(),
});

const loan = z.strictObject({
  barcode: z.string().min(1),
  cardNumber: z.string().min(1),
  borrowedOn: calendarDate,
  dueOn: calendarDate,
  returnedOn: calendarDate.optional(),
  renewals: z.number().int().min(0).max(99),
});

const reservation = z.strictObject({
  titleId: z.string().min(1).optional(),
  barcode: z.string().min(1).optional(),
  cardNumber: z.string().min(1),
  placedOn: calendarDate,
});

const charge = z.strictObject({
  cardNumber: z.string().min(1),
  barcode: z.string().min(1).optional(),
  amount: z.string().transform((text, ctx) => {
    const cents = parseHkdToCents(text);
    if (cents === null || cents === 0) {
      ctx.addIssue({ code: "custom", message: 'expected an amount in HK$ above zero, such as "12.50"' });
      return z.NEVER;
    }
    return cents;
  }),
  kind: z.string().trim().min(1, { message: "expected a kind, such as overdue" }),
});

const OPEN_LOAN_ITEM_STATUSES = new Set(["on_loan", "lost", "claimed_returned"]);

export const libraryDataSchema = z
  .strictObject({
    closedDays: z.array(calendarDate).default([]),
    patrons: z.array(patron).default([]),
    titles: z.array(title).default([]),
    items: z.array(item).default([]),
    loans: z.array(loan).default([]),
    reservations: z.array(reservation).default([]),
    charges: z.array(charge).default([]),
  })
  // References resolve within the file: it is the library's whole working copy.
  .superRefine((data, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });

    const cards = firstIndexBy(
      data.patrons,
      (p) => p.cardNumber,
      (i, key) => problem(["patrons", i, "cardNumber"], `duplicate card number (first at patrons[${key}])`),
    );
    const titleIds = firstIndexBy(
      data.titles,
      (t) => t.id,
      (i, key) => problem(["titles", i, "id"], `duplicate title id (first at titles[${key}])`),
    );
    const barcodes = firstIndexBy(
      data.items,
      (it) => it.barcode,
      (i, key) => problem(["items", i, "barcode"], `duplicate barcode (first at items[${key}])`),
    );

    const setMains = new Map<string, number>();
    data.items.forEach((it, i) => {
      if (!titleIds.has(it.titleId)) problem(["items", i, "titleId"], `no title with id "${it.titleId}"`);
      if (it.set?.main) {
        const first = setMains.get(it.set.id);
        if (first !== undefined)
          problem(
            ["items", i, "set", "main"],
            `set "${it.set.id}" already has a main item (items[${first}])`,
          );
        else setMains.set(it.set.id, i);
      }
    });

    const openLoanOf = new Map<string, number>();
    data.loans.forEach((ln, i) => {
      const itemIndex = barcodes.get(ln.barcode);
      if (itemIndex === undefined) problem(["loans", i, "barcode"], `no item with barcode "${ln.barcode}"`);
      if (!cards.has(ln.cardNumber)) problem(["loans", i, "cardNumber"], "no patron with this card number");
      if (ln.dueOn < ln.borrowedOn) problem(["loans", i, "dueOn"], "due before it was borrowed");
      if (ln.returnedOn !== undefined && ln.returnedOn < ln.borrowedOn) {
        problem(["loans", i, "returnedOn"], "returned before it was borrowed");
      }
      if (ln.returnedOn !== undefined) return;
      const other = openLoanOf.get(ln.barcode);
      if (other !== undefined)
        problem(["loans", i, "barcode"], `item already on an open loan (loans[${other}])`);
      else openLoanOf.set(ln.barcode, i);
      const status = itemIndex === undefined ? undefined : data.items[itemIndex]?.status;
      if (status !== undefined && !OPEN_LOAN_ITEM_STATUSES.has(status)) {
        problem(["loans", i, "barcode"], `item is on an open loan but its status is "${status}"`);
      }
    });

    data.reservations.forEach((r, i) => {
      if ((r.titleId === undefined) === (r.barcode === undefined)) {
        problem(
          ["reservations", i],
          "expected either titleId (the title) or barcode (one copy), not both or neither",
        );
      }
      if (r.titleId !== undefined && !titleIds.has(r.titleId))
        problem(["reservations", i, "titleId"], `no title with id "${r.titleId}"`);
      if (r.barcode !== undefined && !barcodes.has(r.barcode))
        problem(["reservations", i, "barcode"], `no item with barcode "${r.barcode}"`);
      if (!cards.has(r.cardNumber))
        problem(["reservations", i, "cardNumber"], "no patron with this card number");
    });

    data.charges.forEach((c, i) => {
      if (!cards.has(c.cardNumber)) problem(["charges", i, "cardNumber"], "no patron with this card number");
      if (c.barcode !== undefined && !barcodes.has(c.barcode))
        problem(["charges", i, "barcode"], `no item with barcode "${c.barcode}"`);
    });
  });

export type LibraryData = z.output<typeof libraryDataSchema>;

/** Maps each key to the index of its first row, reporting every later duplicate. */
function firstIndexBy<T>(
  rows: T[],
  keyOf: (row: T) => string,
  onDuplicate: (index: number, first: number) => void,
) {
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const key = keyOf(row);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else onDuplicate(index, first);
  });
  return seen;
}

/** `["loans", 3, "dueOn"]` → `loans[3].dueOn`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

export type ValidationResult = { ok: true; data: LibraryData } | { ok: false; problems: string[] };

/** Checks a parsed JSON value; problems come as "path: message", one per mistake. */
export function validateLibraryData(input: unknown): ValidationResult {
  const parsed = libraryDataSchema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const path = formatIssuePath(issue.path);
      return `${path || "(file)"}: ${issue.message}`;
    }),
  };
}
