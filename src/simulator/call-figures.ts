/**
 * The figure a standard call is judged by, read from its transcript: the whole call's estimate,
 * or the time to hear one Gather's prompts (a menu on its own).
 */
import type { CallResult } from "./call-simulator.js";
import { roundSeconds } from "./speech-timing.js";
import type { Measure } from "./standard-calls.js";
import type { TranscriptEntry } from "./transcript.js";

type PromptEntry = Extract<TranscriptEntry, { kind: "say" | "play" | "pause" }>;

function isPrompt(entry: TranscriptEntry): entry is PromptEntry {
  return entry.kind === "say" || entry.kind === "play" || entry.kind === "pause";
}

/**
 * What was spoken before the caller keyed at the Gather numbered `gatherIndex` (0 is the first;
 * negative counts from the end): the prompts since the Gather before it. The line nests all it
 * says in its Gathers, so these are that Gather's prompts.
 */
export function promptsBeforeGather(
  transcript: readonly TranscriptEntry[],
  gatherIndex: number,
): PromptEntry[] {
  const gathers = transcript.flatMap((entry, index) => (entry.kind === "gather" ? [index] : []));
  const position = gathers.at(gatherIndex);
  if (position === undefined) return [];
  const start = gathers[gathers.indexOf(position) - 1] ?? -1;
  return transcript.slice(start + 1, position).filter(isPrompt);
}

/** The seconds the caller spent hearing those prompts (the ones cut short count nothing). */
export function promptSeconds(prompts: readonly PromptEntry[]): number {
  return roundSeconds(prompts.reduce((total, prompt) => total + prompt.seconds, 0));
}

export function figureSeconds(measure: Measure, result: CallResult): number {
  switch (measure) {
    case "call":
      return result.durationSeconds;
    case "lastGatherPrompts":
      return promptSeconds(promptsBeforeGather(result.transcript, -1));
  }
}
