/**
 * Which simulated-call suites run against which library system (issue #11): the ones that make
 * sense for both run in both-library-systems.test.ts, against embedded and sip2 alike; the rest
 * run on embedded alone, each for the reason given. library-system-suites.test.ts keeps this list
 * true to the files in test/calls.
 */
import type { LibrarySystemKind } from "../../src/library-system/library-system.js";

export interface SuiteEntry {
  runsOn: readonly LibrarySystemKind[];
  /** Why a suite runs on embedded alone; for one on both, what it covers. */
  why: string;
}

export const CALL_SUITES: Record<string, SuiteEntry> = {
  "both-library-systems.test.ts": {
    runsOn: ["embedded", "sip2"],
    why: "login (PIN, phone's last four, failures), renew all with refusals, renew one, the summary, loans, charges and blocks, in three languages",
  },
  "library-system-suites.test.ts": {
    runsOn: ["embedded", "sip2"],
    why: "checks this list; it calls no line",
  },
  "caller-id.test.ts": {
    runsOn: ["embedded"],
    why: "the caller ID shortcut finds a reader by registered phone, which needs every reader's phone at hand: an ILS cannot be searched by phone over SIP2, so the shortcut is off with sip2",
  },
  "caller-time.test.ts": {
    runsOn: ["embedded"],
    why: "pins the caller's time of the standard calls on demo readers 30-42 (five loans each, one reserved); what is spoken is the same with sip2 (both-library-systems), and the time a caller hears does not depend on where the loans are",
  },
  "flow-coverage.test.ts": {
    runsOn: ["embedded"],
    why: "walks every step and key of the flow, many through rule-module outcomes (sets, NO_EXTENSION, charge ceilings, expiry) that only the embedded rule module produces; the fake ILS refuses only the ways Koha's SIP server does",
  },
  "languages.test.ts": {
    runsOn: ["embedded"],
    why: "the three languages' wording of every step; both-library-systems hears login, renewals, refusals and the summary in all three through either system",
  },
  "login-hashing.test.ts": {
    runsOn: ["embedded"],
    why: "the PIN hashed before the transaction against this database's PIN hashes; with sip2 the ILS checks PINs and nothing is hashed here",
  },
  "login.test.ts": {
    runsOn: ["embedded"],
    why: "HKID digits (an ILS knows no HKID), several accounts fitting one HKID and PIN, and the lockout's counts against PIN hashes; the card, PIN, phone and failure paths run on both in both-library-systems",
  },
  "menu.test.ts": {
    runsOn: ["embedded"],
    why: "every menu key, with charges itemised by the rule module (accrued overdue charges, charge ceilings) and staff hours; with sip2 the charges are the ILS's total, covered in both-library-systems",
  },
  "renewing.test.ts": {
    runsOn: ["embedded"],
    why: "the rule module's decisions heard by the caller: sets, NO_EXTENSION, closed days, accrued charges, the library's day; with sip2 the ILS decides, and its refusals, blocks and renewals are in both-library-systems",
  },
  "safety.test.ts": {
    runsOn: ["embedded"],
    why: "signatures, replays and bad input at the webhook, before any library system is asked; the same code runs whichever system is behind it",
  },
  "situations.test.ts": {
    runsOn: ["embedded"],
    why: "the menus fitted to the reader's situation, read from the call state; its readers (nothing on loan, blocked, charges) come from the embedded demo and fixtures, and the state is the same whichever system filled it",
  },
  "sms.test.ts": {
    runsOn: ["embedded"],
    why: "the SMS after a renewal reads the recorded TRN and the reader's phone from this database, which both systems write; its fixtures are readers with mobile numbers loaded here",
  },
  "title-voices.test.ts": {
    runsOn: ["embedded"],
    why: "how titles in another script are voiced, a matter of the TwiML; the titles come from the demo library either way",
  },
  "webhook-transaction.test.ts": {
    runsOn: ["embedded"],
    why: "a webhook's work and its stored answer in one database transaction, with faults injected into this database; the sip2 faults (ILS down, slow, lost Renew, dropped connection) are in test/faults/sip2-faults.test.ts",
  },
};
