/**
 * Whether a standard call did what it claims, so that a figure within budget cannot come from a
 * call that went wrong (a login that failed, a renewal never made). Judged without reading the
 * wording, which others rewrite: a reference number is known by its form, ten digits spoken one
 * by one in two groups of five whose last is the Damm check digit; the rest by how the call ended.
 */
import { isValidTrn } from "../renewals/trn.js";
import { promptsBeforeGather } from "./call-figures.js";
import type { CallResult } from "./call-simulator.js";
import type { StandardCall } from "./standard-calls.js";

const CHINESE_DIGITS = "零一二三四五六七八九";
const DIGIT = `[0-9${CHINESE_DIGITS}]`;
const GROUP = `${DIGIT}(?: ${DIGIT}){4}`;
// Not part of a longer run of spoken digits (a phone number, a card).
const SPOKEN_TRN = new RegExp(`(?<!${DIGIT} ?)${GROUP}\\s*[,，、]\\s*${GROUP}(?! ?${DIGIT})`, "gu");

function toDigits(spoken: string): string {
  return Array.from(spoken.replace(/[^0-9零一二三四五六七八九]/gu, ""), (char) => {
    const chinese = CHINESE_DIGITS.indexOf(char);
    return chinese >= 0 ? String(chinese) : char;
  }).join("");
}

/** The reference numbers spoken in `text`, as their ten digits. */
export function spokenReferenceNumbers(text: string): string[] {
  return [...text.matchAll(SPOKEN_TRN)].map((match) => toDigits(match[0])).filter(isValidTrn);
}

/** The reference numbers the caller heard to the end of their <Say>, or also those cut short. */
export function referenceNumbersHeard(result: CallResult, { inFullOnly }: { inFullOnly: boolean }): string[] {
  return result.transcript.flatMap((entry) =>
    entry.kind === "say" && !(inFullOnly && entry.interrupted) ? spokenReferenceNumbers(entry.text) : [],
  );
}

/** What is wrong with the call, as sentences for the report; empty when it did what it claims. */
export function claimProblems(call: StandardCall, result: CallResult): string[] {
  const problems: string[] = [];
  if (result.error) problems.push(`ended on an error (${result.error.reason}): ${result.error.message}`);
  const keyed = result.transcript.filter((entry) => entry.kind === "gather").length;
  // Every standard script ends where the line hangs up: after `*`, or after the third failed login.
  if (result.endedBy === "caller") {
    problems.push(`the line still waited for keys after the script's ${keyed} entries`);
  } else if (keyed < call.script.length) {
    problems.push(`the line ended the call after ${keyed} of ${call.script.length} entries`);
  }
  if (call.renews && referenceNumbersHeard(result, { inFullOnly: true }).length === 0) {
    problems.push("no reference number heard in full: nothing was renewed, or the caller did not hear it");
  }
  if (!call.renews && referenceNumbersHeard(result, { inFullOnly: false }).length > 0) {
    problems.push("a reference number was given, but this call renews nothing");
  }
  if (call.measure === "lastGatherPrompts" && promptsBeforeGather(result.transcript, -1).length === 0) {
    problems.push("nothing was said before the last key");
  }
  return problems;
}
