/**
 * One entry of a call script: what the caller keys at a <Gather>, and how much of the Gather's
 * prompts they hear before keying. A caller who knows the line presses ahead; one who wants the
 * result hears the news and skips the options; a newcomer hears everything.
 */
import { KeysError, parseKeys } from "./gather-input.js";
import type { PromptVerb } from "./twiml-parser.js";

/**
 * - `all`: every prompt to its end, then the keys.
 * - `none`: the keys as soon as the Gather starts (press ahead): every prompt is cut short.
 * - `news`: every <Say> but the last, then the keys. The line speaks what an action has to tell
 *   (the counts, the reference number, the due date) in <Say>s of their own and the step's
 *   options in the last one, so this caller hears the result and skips the menu.
 */
export type Listening = "all" | "news" | "none";

export const LISTENINGS: readonly Listening[] = ["all", "news", "none"];

export interface ScriptEntry {
  /** As in a textual entry: "0", "2100000001#", "" or "(timeout)" for no input. */
  keys: string;
  /** Unset: the call's default (`bargeIn` makes it "none", else "all"). */
  listen?: Listening;
}

/**
 * A script entry as text, "KEYS" or "KEYS@LISTENING" ("0@news", "3030#@none"), or as an object.
 * Plain keys are the original syntax, so every script written before listening existed still runs.
 */
export type ScriptStep = string | ScriptEntry;

/** A checked entry: the keys as a keypad sends them, and how much is heard first. */
export interface CallerTurn {
  keys: string;
  listen: Listening;
}

const SEPARATOR = "@";

/** Checks one script entry, before the call is placed, so that a typo fails at once. */
export function parseScriptStep(step: ScriptStep, fallback: Listening): CallerTurn {
  const entry = typeof step === "string" ? splitText(step) : step;
  const listen = entry.listen ?? fallback;
  if (!LISTENINGS.includes(listen)) {
    throw new KeysError(`"${listen}" is not a way of listening: use ${LISTENINGS.join(", ")}`);
  }
  return { keys: parseKeys(entry.keys), listen };
}

function splitText(text: string): ScriptEntry {
  const at = text.lastIndexOf(SEPARATOR);
  if (at < 0) return { keys: text };
  return { keys: text.slice(0, at), listen: text.slice(at + 1).trim() as Listening };
}

/**
 * Which of a Gather's prompts the caller hears to the end before keying: true for each one heard,
 * false for each one cut short. Twilio stops the nested prompts at the first key, so everything
 * from the first prompt cut short onwards goes unheard.
 */
export function promptsHeardInFull(prompts: readonly PromptVerb[], listen: Listening): boolean[] {
  if (listen === "all") return prompts.map(() => true);
  if (listen === "none") return prompts.map(() => false);
  const lastSay = prompts.findLastIndex((prompt) => prompt.verb === "Say");
  return prompts.map((_, index) => index < lastSay);
}
