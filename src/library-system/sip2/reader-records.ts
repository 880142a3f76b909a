/**
 * The line's own record of an ILS reader (the sip2 library system): a row of `patrons` keyed by
 * the card number, so that the telephone lockout (voice-line.md) and the TRNs have an account to
 * name. The ILS is the system of record; the row holds only the card and the phone the ILS sent
 * (for the phone's last four and the SMS). The columns the ILS owns hold placeholders the line
 * never reads in sip2 mode.
 */
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/database.js";
import { patrons } from "../../db/schema/index.js";

/** The reader record for this card, made if it is the first time; its phone kept up to date. */
export async function readerRecordFor(tx: DbOrTx, cardNumber: string, phone: string | null): Promise<number> {
  const [row] = await tx
    .insert(patrons)
    .values({
      cardNumber,
      phone,
      name: "",
      category: "adult",
      status: "active",
      expiresOn: "9999-12-31",
      pinHash: null,
    })
    .onConflictDoUpdate({
      target: patrons.cardNumber,
      // An ILS that sends no phone leaves the one known.
      set: { phone: sql`coalesce(excluded.phone, ${patrons.phone})` },
    })
    .returning({ id: patrons.id });
  if (!row) throw new Error("no reader record was written");
  return row.id;
}

export interface ReaderRecord {
  cardNumber: string;
  phone: string | null;
}

export async function readerRecord(tx: DbOrTx, patronId: number): Promise<ReaderRecord> {
  const [row] = await tx
    .select({ cardNumber: patrons.cardNumber, phone: patrons.phone })
    .from(patrons)
    .where(eq(patrons.id, patronId));
  if (!row) throw new Error("the logged-in reader's record is gone");
  return row;
}

/** A phone the ILS sent changed since: kept for the SMS and the phone's last four. */
export async function notePhone(tx: DbOrTx, patronId: number, phone: string | null): Promise<void> {
  if (phone === null) return;
  await tx.update(patrons).set({ phone }).where(eq(patrons.id, patronId));
}
