/**
 * The library system (library-system.md): the one boundary between the voice line and the
 * library's data. Finding and authenticating a reader, the account (loans, blocks, charges) and
 * renewing go through it; the voice flow does not know which implementation runs.
 *
 * - `embedded`: this project's database and rule module (renewal-rules.md) decide.
 * - `sip2`: the library's ILS decides, over SIP2; this project's database keeps the line's own
 *   records (reader records for the telephone lockout, TRNs and results, the call log).
 *
 * Either way, every renewal request gets a TRN, and its results are recorded in this project's
 * database inside the webhook's transaction, so the console reads the same records.
 */
import type { Transaction } from "../db/database.js";
import type { RenewalOutcome } from "../renewals/renew.js";
import type { AccountBlockCode } from "../rules/reasons.js";
import type { CalendarDate } from "../time/calendar-date.js";
import type { CredentialCheck, LockoutPolicy, LoggedInReader, PinPrecheck } from "../voice/authentication.js";
import type { RecognisedReader } from "../voice/caller-recognition.js";
import type { PinVerifier } from "../voice/pin-check-slots.js";

export const LIBRARY_SYSTEM_KINDS = ["embedded", "sip2"] as const;
export type LibrarySystemKind = (typeof LIBRARY_SYSTEM_KINDS)[number];

/** One item on loan, as the line speaks of it and renews it. */
export interface LoanView {
  /**
   * What a renewal of this one item names: the loan id (embedded) or the item's barcode (sip2).
   * Opaque to the line, kept in the call state between webhooks.
   */
  ref: string;
  title: string;
  dueOn: CalendarDate;
  /** Items lent and renewed together (renewal-rules.md, sets); null for an item on its own. */
  set: { setId: string; main: boolean } | null;
}

/** An outstanding charge the line can name: the title of the item it is for, and its amount. */
export interface ChargeView {
  title: string;
  cents: number;
}

/** The reader's account as the voice line speaks of it. */
export interface AccountView {
  /** The items on loan, in no particular order. */
  loans: LoanView[];
  /** Account-level blocks in priority order: nothing can be renewed while there is one. */
  blocks: AccountBlockCode[];
  /** The total outstanding, and the charges among it that are for a named item. */
  charges: { totalCents: number; items: ChargeView[] };
}

/** What the summary after login says, and what the menu needs: counts, blocks, whether anything is owed. */
export interface AccountSummary {
  loans: number;
  overdue: number;
  blocks: AccountBlockCode[];
  owes: boolean;
}

export type RenewalChoice = { kind: "all" } | { kind: "one"; ref: string };

/** How a webhook asks: in its transaction, on the library's day. */
export interface LibraryRequest {
  tx: Transaction;
  /** The library's today, and the instant, from the line's clock. */
  today: CalendarDate;
  now: Date;
}

export interface CredentialChecking {
  /** The PIN hashed before the transaction, when this system hashes PINs (embedded). */
  precheck: PinPrecheck | null;
  verify: PinVerifier;
  /** Only the PIN counts, never the phone's last four (the caller ID shortcut). */
  pinOnly?: boolean;
  lockout: LockoutPolicy;
}

/** Whether the library system is answering, for /healthz. */
export interface LibrarySystemHealth {
  ok: boolean;
  /** What /healthz names when it is not: "SIP2 …". */
  reason?: string;
}

export interface LibrarySystem {
  readonly kind: LibrarySystemKind;
  /**
   * What this system can do beyond card and PIN. An ILS knows nothing of HKID digits, and caller
   * ID recognition needs every reader's phone at hand (voice-line.md): embedded only.
   */
  readonly features: { hkidDigits: boolean; callerIdShortcut: boolean; pinPrecheck: boolean };
  /**
   * How long a webhook that asks the library may take before the caller hears the apology (the
   * embedded database answers in milliseconds; an ILS over SIP2 may take seconds an answer).
   */
  readonly webhookBudgetMs: number;

  /** The accounts the keyed card (or HKID) digits name, possibly none. Never says which. */
  findCandidates(request: LibraryRequest, keyed: string): Promise<number[]>;
  /**
   * The PIN (or the phone's last four) checked against the candidates, with the telephone
   * lockout of voice-line.md applied to this project's reader records.
   */
  checkCredentials(
    request: LibraryRequest,
    candidates: number[],
    secret: string,
    checking: CredentialChecking,
  ): Promise<CredentialCheck>;
  /** Several accounts fitted HKID digits and PIN: the one with this card number, unless locked. */
  chooseByCardNumber(
    request: LibraryRequest,
    among: number[],
    cardNumber: string,
  ): Promise<LoggedInReader | null>;
  /** The caller ID shortcut: the one reader with a PIN whose phone is the caller's number. */
  recogniseCaller(request: LibraryRequest, callerNumber: string | null): Promise<RecognisedReader | null>;
  /** The logged-in reader's account. */
  readAccount(request: LibraryRequest, patronId: number): Promise<AccountView>;
  /**
   * The account in figures, for the summary after login: an ILS gives them in one answer (64),
   * without asking about each item.
   */
  readSummary(request: LibraryRequest, patronId: number): Promise<AccountSummary>;
  /**
   * Renews all, or one item (with its set), recording the results under a TRN in the request's
   * transaction. The same request key again returns the first outcome and renews nothing.
   */
  renew(
    request: LibraryRequest,
    renewal: { patronId: number; choice: RenewalChoice; channel: string; requestKey: string },
  ): Promise<RenewalOutcome>;
  /** The reader's registered phone (for the SMS), or null. */
  registeredPhone(request: LibraryRequest, patronId: number): Promise<string | null>;
  /** For /healthz: whether the library system answers now. */
  health(): Promise<LibrarySystemHealth>;
  /** Ends connections (SIP2); the embedded system has none of its own. */
  close(): Promise<void>;
}
