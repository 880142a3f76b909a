/**
 * Recognising the caller by caller ID (voice-line.md, "Caller ID shortcut"): the number Twilio
 * sends as `From`, matched against the readers' registered phones. The number itself is never
 * kept, logged or recorded: only the one reader it names, and only when it names exactly one.
 */
import { and, inArray, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { patrons } from "../db/schema/index.js";
import { LONGEST_PIN } from "./authentication.js";
import { E164_NUMBER } from "./webhook-input.js";

/**
 * The forms patrons.phone may hold the caller's number in: the library data gives Hong Kong
 * numbers as 8 local digits or in E.164 (library-data.md), other countries in E.164 only. A
 * withheld or unknown number ("anonymous", a SIP address) recognises nobody.
 */
export function registeredFormsOf(callerNumber: string | null): string[] {
  if (callerNumber === null || !E164_NUMBER.test(callerNumber)) return [];
  const hongKong = /^\+852(\d{8})$/.exec(callerNumber);
  return hongKong?.[1] ? [hongKong[1], callerNumber] : [callerNumber];
}

export interface RecognisedReader {
  patronId: number;
  cardLastFour: string;
}

/**
 * The one reader with a PIN whose registered phone is the caller's number, or null when there is
 * none or more than one (a family sharing a phone keys its cards as usual). Served by the partial
 * index patrons_phone_with_pin_idx, so it costs the same in a library of a million readers.
 */
export async function findRecognisedReader(
  db: DbOrTx,
  callerNumber: string | null,
): Promise<RecognisedReader | null> {
  const forms = registeredFormsOf(callerNumber);
  if (forms.length === 0) return null;
  const rows = await db
    .select({ id: patrons.id, cardNumber: patrons.cardNumber })
    .from(patrons)
    .where(and(inArray(patrons.phone, forms), isNotNull(patrons.pinHash)))
    // Two are enough to know it is not exactly one.
    .limit(2);
  const [only] = rows;
  return rows.length === 1 && only ? { patronId: only.id, cardLastFour: only.cardNumber.slice(-4) } : null;
}

/**
 * What the keys at the shortcut are: `*` asks for another card; digits longer than any PIN are a
 * card number keyed out of habit (no failed PIN is counted for them); anything else is checked as
 * the PIN. Pure, so that the PIN precheck before the transaction reads the keys the same way.
 */
export type ShortcutEntry = "anotherCard" | "cardNumber" | "pin";

export function shortcutEntryOf(keyed: string): ShortcutEntry {
  if (keyed.startsWith("*")) return "anotherCard";
  if (/^\d+$/.test(keyed) && keyed.length > LONGEST_PIN) return "cardNumber";
  return "pin";
}
