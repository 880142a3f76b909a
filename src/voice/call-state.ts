/**
 * What the line remembers about a call between webhooks. Stored in the database as JSON, keyed
 * by CallSid (any instance answers any webhook). It never holds what the caller keyed at the card
 * and PIN steps: only the accounts those digits matched.
 */
import type { CalendarDate } from "../time/calendar-date.js";
import type { Language } from "./flow-definition.js";

export interface OfferedItem {
  /**
   * The loan to renew, as the library system names it (LoanView.ref); for a set, one of its
   * loans (the whole set is renewed).
   */
  ref: string;
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
  /**
   * Caller ID shortcut: the last four digits of the card offered to the recognised caller, whose
   * account is then the one candidate. Absent or null: no shortcut on offer.
   */
  callerCardLastFour?: string | null;
  /** Set once logged in. */
  patronId: number | null;
  cardLastFour: string | null;
  /** Whether the account has a mobile number an SMS can go to. */
  hasMobile: boolean;
  /** What the menu needs to know about the reader, read at the summary after login. */
  account: AccountFacts | null;
  /** The reader's latest renewal request in this call, for "hear the reference number again". */
  lastRenewal: { trn: string; transactionId: number; refused: number } | null;
  /** Whether the caller heard a reference number in this call, whoever was logged in: the goodbye reminds them. */
  referenceGiven: boolean;
  /** The loans offered one at a time, and the one on offer. */
  offer: { items: OfferedItem[]; index: number } | null;
  /** Loans the reader tried to renew one by one in this call: "renew another item" does not offer them again. */
  triedRefs: string[];
}

/** The reader's account as the menu speaks to it (voice-line.md: only the options that do something). */
export interface AccountFacts {
  loans: number;
  /** An account-level block: nothing can be renewed, so staff comes first. */
  blocked: boolean;
  charges: boolean;
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
    account: null,
    lastRenewal: null,
    referenceGiven: false,
    offer: null,
    triedRefs: [],
  };
}
