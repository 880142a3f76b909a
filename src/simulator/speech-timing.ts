/**
 * How long a call takes, estimated: speaking rates for the prompts, a fixed time per key pressed.
 * The rates are rough averages of text-to-speech voices, good enough to compare flows and to
 * catch a menu that takes too long to hear.
 */
import type { PromptVerb } from "./twiml-parser.js";

export const ENGLISH_WORDS_PER_SECOND = 2.5;
export const CHINESE_CHARACTERS_PER_SECOND = 4;
export const SECONDS_PER_KEY = 0.4;
/** Twilio's <Say> language when the attribute is absent. */
export const DEFAULT_SAY_LANGUAGE = "en-US";

export function isChineseLanguage(language: string): boolean {
  return /^(zh|yue|cmn)(-|$)/i.test(language);
}

/** Seconds to speak `text` once. Languages other than Chinese are timed like English, by words. */
export function speakingSeconds(text: string, language: string = DEFAULT_SAY_LANGUAGE): number {
  if (isChineseLanguage(language)) {
    // Every letter and digit is a syllable's worth: Han characters, and digits read one by one.
    const characters = text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
    return characters / CHINESE_CHARACTERS_PER_SECOND;
  }
  const words = text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  return words / ENGLISH_WORDS_PER_SECOND;
}

export function promptSeconds(prompt: PromptVerb): number {
  switch (prompt.verb) {
    case "Say":
      return (speakingSeconds(prompt.text, prompt.language) + prompt.breakSeconds) * prompt.loop;
    case "Pause":
      return prompt.length;
    case "Play":
      // The simulator does not fetch the audio, so its length is unknown: counted as nothing.
      return 0;
  }
}

export function keySeconds(keysPressed: string): number {
  return keysPressed.length * SECONDS_PER_KEY;
}

/** Rounds to tenths, so sums of estimates read cleanly (0.1 + 0.2 is 0.3). */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
