/**
 * What a <Gather> makes of the keys a caller presses, following Twilio's rules: it ends at the
 * finish key, at numDigits keys, or `timeout` seconds after the last key; the finish key is not
 * part of Digits; a finish key pressed before any digit counts as no input.
 */
import type { GatherVerb } from "./twiml-parser.js";

/** A script entry that means the caller keys nothing at that Gather. */
export const NO_INPUT = "(timeout)";

export type GatherEnd = "finish-key" | "num-digits" | "timeout";

export interface GatherResult {
  /** The digits sent as `Digits`; "" when there was no input. */
  digits: string;
  /** The keys that reached the Gather, finish key included. */
  pressed: string;
  /** Keys pressed after the Gather had already ended; Twilio drops them. */
  ignored: string;
  endedBy: GatherEnd;
}

export class KeysError extends Error {
  override name = "KeysError";
}

/** Checks one script entry or typed line and returns the keys it stands for ("" for no input). */
export function parseKeys(entry: string): string {
  if (entry === NO_INPUT) return "";
  const keys = entry.replace(/\s+/g, "");
  if (!/^[0-9*#]*$/.test(keys)) {
    throw new KeysError(`"${entry}" is not something a keypad sends: use 0-9, * and #, or ${NO_INPUT}`);
  }
  return keys;
}

export function resolveGather(
  keys: string,
  gather: Pick<GatherVerb, "finishOnKey" | "numDigits">,
): GatherResult {
  let digits = "";
  for (let index = 0; index < keys.length; index++) {
    const key = keys.charAt(index);
    const pressed = keys.slice(0, index + 1);
    const ignored = keys.slice(index + 1);
    if (gather.finishOnKey !== "" && key === gather.finishOnKey) {
      return { digits, pressed, ignored, endedBy: "finish-key" };
    }
    digits += key;
    if (gather.numDigits !== undefined && digits.length >= gather.numDigits) {
      return { digits, pressed, ignored, endedBy: "num-digits" };
    }
  }
  return { digits, pressed: keys, ignored: "", endedBy: "timeout" };
}
