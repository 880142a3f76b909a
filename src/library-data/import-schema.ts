/**
 * The import file of library-data.md, checked whole before anything is written: every problem
 * is named by its path (`loans[3].dueOn: expected a date YYYY-MM-DD`).
 */
import { z } from "zod";
import { parseHkdToCents } from "../money/hkd.js";
import { isValidHkid, normaliseHkid } from "../security/hkid.js";
import { parseImportedHash } from "../security/imported-pin-hash.js";
import { isFileDate, referenceProblems } from "./references.js";

export const calendarDate = z.string().refine(isFileDate, { message: "expected a date YYYY-MM-DD" });
const digits = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(new RegExp(`^\\d{${min},${max}}$`), { message: `expected ${what}: ${min} to ${max} digits` });

/** A hash from the library system; the problem never quotes it (it is as secret as a PIN). */
const importedPinHash = z.string().superRefine((text, ctx) => {
  const parsed = parseImportedHash(text);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.problem });
});

export const patron = z
  .strictObject({
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
    pinHash: importedPinHash.optional(),
    category: z.enum(["adult", "junior"]),
    status: z.enum(["active", "suspended", "card_lost"]),
    expiresOn: calendarDate,
  })
  .refine((p) => p.pin === undefined || p.pinHash === undefined, {
    message: "expected pin or pinHash, not both",
    path: ["pinHash"],
    when: (payload) => payload.value !== null && typeof payload.value === "object",
  });

export const title = z.strictObject({
  id: z.string().min(1, { message: "expected a title id" }),
  title: z.string().trim().min(1, { message: "expected a title" }),
  author: z.string().optional(),
});

export const item = z.strictObject({
  barcode: z.string().regex(/^[0-9A-Za-z-]{1,32}$/, { message: "expected a barcode of letters and digits" }),
  titleId: z.string().min(1),
  status: z.enum(["on_shelf", "on_loan", "on_hold_shelf", "lost", "claimed_returned", "not_for_loan"]),
  set: z.strictObject({ id: z.string().min(1), main: z.boolean() }).optional(),
  /** Extension: false when the item's type may not be renewed. Defaults to true. */
  renewable: z.boolean().optional(),
});

export const loan = z.strictObject({
  barcode: z.string().min(1),
  cardNumber: z.string().min(1),
  borrowedOn: calendarDate,
  dueOn: calendarDate,
  returnedOn: calendarDate.optional(),
  renewals: z.number().int().min(0).max(99),
});

export const reservation = z.strictObject({
  titleId: z.string().min(1).optional(),
  barcode: z.string().min(1).optional(),
  cardNumber: z.string().min(1),
  placedOn: calendarDate,
});

export const charge = z.strictObject({
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

/** When the library system took the snapshot (library-data.md, "Snapshots taken before phone renewals"). */
export const exportedAt = z.iso.datetime({
  offset: true,
  message: "expected an ISO time with offset, such as 2026-12-01T08:00:00+08:00",
});

export const libraryDataSchema = z.strictObject({
  exportedAt: exportedAt.optional(),
  closedDays: z.array(calendarDate).default([]),
  patrons: z.array(patron).default([]),
  titles: z.array(title).default([]),
  items: z.array(item).default([]),
  loans: z.array(loan).default([]),
  reservations: z.array(reservation).default([]),
  charges: z.array(charge).default([]),
});

export type LibraryData = z.output<typeof libraryDataSchema>;

/** `["loans", 3, "dueOn"]` → `loans[3].dueOn`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

export type ValidationResult = { ok: true; data: LibraryData } | { ok: false; problems: string[] };

/**
 * Checks a parsed JSON value; problems come as "path: message", one per mistake. The references
 * between rows are checked even when some rows are malformed, so one pass names every problem.
 */
export function validateLibraryData(input: unknown): ValidationResult {
  const parsed = libraryDataSchema.safeParse(input);
  const fieldProblems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  const problems = [...fieldProblems, ...referenceProblems(input)].map(
    ({ path, message }) => `${formatIssuePath(path) || "(file)"}: ${message}`,
  );
  if (parsed.success && problems.length === 0) return { ok: true, data: parsed.data };
  return { ok: false, problems };
}
