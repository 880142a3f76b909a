/**
 * The standard calls (issue #10): what callers do most, as scripts against the demo library, with
 * the caller-time budgets of voice-line.md ("The caller's time and the situation"). The report
 * (`npm run call -- --report`) and test/calls/caller-time.test.ts both run these, so the figure a
 * developer reads is the figure the test pins.
 *
 * Every reader here has the same five loans in demo/library.json (readers 30 to 42): four renew,
 * one is reserved by another reader. A call that renews changes its reader for the rest of the
 * day, so each renewing call has a reader of its own in each language; reader 30 is only ever
 * heard, never renewed, and is the reference the report compares the others with.
 */
import type { ScriptEntry } from "./script-entry.js";

export const LANGUAGES = ["yue", "cmn", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The key for each language at the language menu (voice-line.md step 1). */
export const LANGUAGE_KEY: Record<Language, string> = { yue: "1", cmn: "2", en: "3" };

export interface DemoReader {
  /** Its number in demo/README.md. */
  number: number;
  card: string;
  pin: string;
  /** The registered mobile number, as demo/library.json writes it (8 digits). */
  phone: string;
}

/** Demo readers 30 to 42 follow the demo's conventions: PIN the card's last two digits twice. */
function demoReader(number: number): DemoReader {
  const two = String(number).padStart(2, "0");
  return { number, card: `21000000${two}`, pin: `${two}${two}`, phone: `513579${two}` };
}

/** Heard by the calls that do not renew, and by the report before each renewing call. */
export const REFERENCE_READER = demoReader(30);

/**
 * A number registered to no reader, for every call that keys a card: from a reader's own phone
 * the line would offer the caller-ID shortcut instead of asking for the card.
 */
export const UNKNOWN_CALLER = "+85228000000";

/** A card the demo library does not have: a failed login that locks no reader out, however often it runs. */
export const UNKNOWN_CARD = "2100009999";
export const WRONG_PIN = "0000";

export type StandardCallId =
  | "renewAllListening"
  | "renewAllPressingAhead"
  | "renewOne"
  | "hearLoans"
  | "failedLogin"
  | "mainMenu"
  | "callerIdRenewAll";

/** What a standard call's figure counts. */
export type Measure =
  /** The whole call, from the first ring to the hang-up. */
  | "call"
  /** Only the prompts of the last Gather the caller keyed at: a menu heard on its own. */
  | "lastGatherPrompts";

/** One row of the report: a standard call, the same in every language. */
export interface StandardCallKind {
  id: StandardCallId;
  label: string;
  /** voice-line.md's budget, in seconds; null where it sets none. */
  budgetSeconds: number | null;
  /** Whether the call renews, so that its reader is spent for the day. */
  renews: boolean;
  measure: Measure;
}

export interface StandardCall extends StandardCallKind {
  language: Language;
  /** Who calls; null when the caller keys a card the library does not have. */
  reader: DemoReader | null;
  /** The caller's number (`From`). */
  from: string;
  script: ScriptEntry[];
}

/** The report's rows, in order: the calls the issue names, then the menu and caller ID. */
export const STANDARD_CALL_KINDS: readonly StandardCallKind[] = [
  {
    id: "renewAllListening",
    label: "Renew all, listening to everything",
    budgetSeconds: 60,
    renews: true,
    measure: "call",
  },
  {
    id: "renewAllPressingAhead",
    label: "Renew all, pressing ahead (hears the news and the goodbye)",
    budgetSeconds: 20,
    renews: true,
    measure: "call",
  },
  { id: "renewOne", label: "Renew one item, listening", budgetSeconds: null, renews: true, measure: "call" },
  { id: "hearLoans", label: "Hear loans, listening", budgetSeconds: null, renews: false, measure: "call" },
  {
    id: "failedLogin",
    label: "A failed login: three wrong tries, until the line ends the call",
    budgetSeconds: null,
    renews: false,
    measure: "call",
  },
  {
    id: "mainMenu",
    label: "The main menu, heard again after 9 (loans, no block)",
    budgetSeconds: 12,
    renews: false,
    measure: "lastGatherPrompts",
  },
  {
    id: "callerIdRenewAll",
    label: "Recognised by caller ID, renew all, listening",
    budgetSeconds: 45,
    renews: true,
    measure: "call",
  },
];

/** The reader of each renewing call, per language: each renews once on a freshly loaded demo. */
const RENEWING_READERS: Record<StandardCallId, Record<Language, number> | null> = {
  renewAllListening: { yue: 31, cmn: 32, en: 33 },
  renewAllPressingAhead: { yue: 34, cmn: 35, en: 36 },
  renewOne: { yue: 37, cmn: 38, en: 39 },
  callerIdRenewAll: { yue: 40, cmn: 41, en: 42 },
  hearLoans: null,
  failedLogin: null,
  mainMenu: null,
};

/** Every demo reader a standard call uses, reader 30 first. */
export const STANDARD_CALL_READERS: readonly DemoReader[] = [
  REFERENCE_READER,
  ...Object.values(RENEWING_READERS).flatMap((byLanguage) =>
    byLanguage ? LANGUAGES.map((language) => demoReader(byLanguage[language])) : [],
  ),
];

const all = (keys: string): ScriptEntry => ({ keys, listen: "all" });
const pressAhead = (keys: string): ScriptEntry => ({ keys, listen: "none" });

/** The language, the card and the PIN, each keyed the way `key` says. */
function login(reader: DemoReader, language: Language, key: (keys: string) => ScriptEntry): ScriptEntry[] {
  return [key(LANGUAGE_KEY[language]), key(`${reader.card}#`), key(`${reader.pin}#`)];
}

/** Logs in, hears the loans (`2`) and ends the call: what the report hears to see if a reader was renewed. */
export function hearLoansScript(reader: DemoReader, language: Language): ScriptEntry[] {
  return [...login(reader, language, all), all("2"), all("*")];
}

function scriptOf(id: StandardCallId, reader: DemoReader, language: Language): ScriptEntry[] {
  switch (id) {
    case "renewAllListening":
      return [...login(reader, language, all), all("0"), all("*")];
    case "renewAllPressingAhead":
      // Keys as soon as each prompt starts, but waits for the result of renew all before `*`.
      return [...login(reader, language, pressAhead), pressAhead("0"), { keys: "*", listen: "news" }];
    case "renewOne":
      // The first item offered (due-date order) renews; then the result and `*`.
      return [...login(reader, language, all), all("1"), all("1"), all("*")];
    case "hearLoans":
      return hearLoansScript(reader, language);
    case "failedLogin": {
      const attempt = [all(`${UNKNOWN_CARD}#`), all(`${WRONG_PIN}#`)];
      return [all(LANGUAGE_KEY[language]), ...attempt, ...attempt, ...attempt];
    }
    case "mainMenu":
      // Straight to the menu, `9` to hear it again, and all of it this time before `*`.
      return [...login(reader, language, pressAhead), pressAhead("9"), all("*")];
    case "callerIdRenewAll":
      // Recognised by its number: the PIN for "the card ending …", then renew all.
      return [all(LANGUAGE_KEY[language]), all(`${reader.pin}#`), all("0"), all("*")];
  }
}

export function standardCall(id: StandardCallId, language: Language): StandardCall {
  const kind = STANDARD_CALL_KINDS.find((k) => k.id === id);
  if (!kind) throw new Error(`no standard call ${id}`);
  const renewing = RENEWING_READERS[id];
  const reader = renewing ? demoReader(renewing[language]) : REFERENCE_READER;
  return {
    ...kind,
    language,
    reader: id === "failedLogin" ? null : reader,
    from: id === "callerIdRenewAll" ? `+852${reader.phone}` : UNKNOWN_CALLER,
    script: scriptOf(id, reader, language),
  };
}

/** Every standard call in one language, in the report's order. */
export function standardCalls(language: Language): StandardCall[] {
  return STANDARD_CALL_KINDS.map((kind) => standardCall(kind.id, language));
}
