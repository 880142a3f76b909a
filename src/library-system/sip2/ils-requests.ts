/**
 * The four questions the line asks an ILS, as SIP2 messages through the pool: Patron Information
 * (63), Item Information (17), Renew (29) and SC Status (99). Each knows whether it may be sent
 * twice: only a Renew may not (pool.ts, the retry rule).
 */
import type { CalendarDate } from "../../time/calendar-date.js";
import { parseSipDateTime, type SipDateTime, sipDateTime } from "./date-time.js";
import type { SummaryItems } from "./fixed-fields.js";
import type { Sip2Message } from "./messages.js";
import type { Sip2Pool } from "./pool.js";

export class IlsRequests {
  constructor(
    private readonly pool: Sip2Pool,
    private readonly institution: string,
  ) {}

  /** 63 → 64; with `pin`, the ILS says in CQ whether it is the reader's. */
  patronInformation(
    card: string,
    now: Date,
    options: { pin?: string; summary: SummaryItems },
  ): Promise<Sip2Message<"64">> {
    return this.pool.request(
      {
        code: "63",
        language: "000",
        transactionDate: sipNow(now),
        summary: options.summary,
        institutionId: this.institution,
        patronIdentifier: card,
        ...(options.pin !== undefined ? { patronPassword: options.pin } : {}),
      },
      { idempotent: true },
    );
  }

  /** 17 → 18: the item's title (AJ) and, on loan, its due date (AH). */
  itemInformation(barcode: string, now: Date): Promise<Sip2Message<"18">> {
    return this.pool.request(
      { code: "17", transactionDate: sipNow(now), institutionId: this.institution, itemIdentifier: barcode },
      { idempotent: true },
    );
  }

  /**
   * 29 → 30, without the reader's PIN (the line never keeps it). Never resent: with no answer it
   * fails with Sip2AnswerLostError, and the caller asks 17 whether the ILS renewed.
   */
  renew(card: string, barcode: string, now: Date): Promise<Sip2Message<"30">> {
    return this.pool.request(
      {
        code: "29",
        thirdPartyAllowed: false,
        noBlock: false,
        transactionDate: sipNow(now),
        nbDueDate: null,
        institutionId: this.institution,
        patronIdentifier: card,
        itemIdentifier: barcode,
      },
      { idempotent: false },
    );
  }

  /** 99 → 98. */
  status(): Promise<Sip2Message<"98">> {
    return this.pool.request(
      { code: "99", statusCode: "0", maxPrintWidth: 80, protocolVersion: "2.00" },
      { idempotent: true },
    );
  }
}

/** The transaction date of a request: the instant in UTC, which SIP2 marks with "Z". */
function sipNow(now: Date): SipDateTime {
  const iso = now.toISOString();
  return sipDateTime(iso.slice(0, 10), iso.slice(11, 19), true);
}

/**
 * A due date (AH) as a calendar date. ILSs write it their own way: the 18-character SIP2 form
 * (Koha: local time, 23:59), or an ISO date with or without its time (Evergreen, others).
 */
export function dueDateOf(raw: string | undefined): CalendarDate | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  const sip = parseSipDateTime(text);
  if (sip) return sip.date;
  const iso = /^(\d{4})-?(\d{2})-?(\d{2})(?:$|[ T])/.exec(text);
  return iso ? `${iso[1]}-${iso[2]}-${iso[3]}` : null;
}

/** A fee amount (BV) such as "12.50" in cents; a credit or an unreadable amount owes nothing. */
export function feeCentsOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const amount = Number(raw.trim());
  return Number.isFinite(amount) && amount > 0 ? Math.round(amount * 100) : 0;
}
