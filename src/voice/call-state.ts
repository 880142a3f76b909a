/**
 * What the line remembers about a call between webhooks. Stored in the database as JSON, keyed
 * by CallSid (any instance answers any webhook). It never holds what the caller keyed at the card
 * and PIN steps: only the accounts those digits matched.
 */
import type { CalendarDate } from "../time/calendar-date.js";
import type { Language } from "./flow-definition.js";

export interface OfferedItem {
  /** The loan to renew; for a set, one of its loans (the service renews the whole set). */
  loanId: number;
  title: string;
  dueOn: CalendarDate;
  overdue: boolean;
  /** Number of items in the entry: more than 1 for a set. */
  itemCount: number;
}

export interface CallState {
  step: string;
  /** The language prompts are spoken in: English until the caller chooses (the console shows "not chosen"). */
  language: Language;
  languageChosen: boolean;
  /** Misses (no input or an invalid key) in a row at the current step. */
  misses: number;
  failedLogins: number;
  /** Accounts the keyed card or HKID digits matched (possibly none: the caller is not told). */
  candidates: number[];
  /** Set once logged in. */
  patronId: number | null;
  cardLastFour: string | null;
  /** Whether the account has a mobile number an SMS can go to. */
  hasMobile: boolean;
  /** The reader's latest renewal request in this call, for "hear the reference number again". */
  lastRenewal: { trn: string; transactionId: number } | null;
  offer: { items: OfferedItem[]; index: number } | null;
}

export function initialCallState(start: string): CallState {
  return {
    step: start,
    language: "en",
    languageChosen: false,
    misses: 0,
    failedLogins: 0,
    candidates: [],
    patronId: null,
    cardLastFour: null,
    hasMobile: false,
    lastRenewal: null,
    offer: null,
  };
}
