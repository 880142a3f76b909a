/**
 * Turns the engine's reply into TwiML with the twilio package's VoiceResponse: prompts nested in
 * <Gather> so a caller who knows the keys can press ahead, a <Redirect> after it so no input still
 * reaches us, text in each language's own voice and chunked under <Say>'s limit. A title in a
 * script the call's voice cannot read goes to a voice that can, in a <Say> of its own inside the
 * same <Gather>, so the caller can still press ahead (voice-line.md, "The caller's time").
 */
import twilio from "twilio";
import type { SpokenPart } from "./engine.js";
import {
  type Catalogue,
  type GatherSpec,
  type Language,
  TITLE_SCRIPTS,
  type TitleScript,
} from "./flow-definition.js";
import { chunkForSay } from "./speech-format.js";

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Sayer = Pick<VoiceResponse, "say">;

export interface RenderTarget {
  catalogues: Record<Language, Catalogue>;
  language: Language;
}

/** A stretch of a prompt's words, and the placeholder it was filled in for, if any. */
interface Filled {
  text: string;
  placeholder?: string;
}

/** The catalogue text cut at its placeholders, each filled in. */
function fillPrompt(
  catalogues: Record<Language, Catalogue>,
  key: string,
  language: Language,
  params: Record<string, string>,
): Filled[] {
  const text = catalogues[language].prompts[key];
  if (text === undefined) throw new Error(`no prompt "${key}" in ${language}`);
  const filled: Filled[] = [];
  let at = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] as string;
    const value = params[name];
    if (value === undefined) throw new Error(`prompt "${key}" needs {${name}}`);
    filled.push({ text: text.slice(at, match.index) }, { text: value, placeholder: name });
    at = match.index + match[0].length;
  }
  filled.push({ text: text.slice(at) });
  return filled;
}

/** A prompt's words: the catalogue text with its placeholders filled in. */
export function promptText(
  catalogues: Record<Language, Catalogue>,
  key: string,
  language: Language,
  params: Record<string, string> = {},
): string {
  return fillPrompt(catalogues, key, language, params)
    .map((piece) => piece.text)
    .join("");
}

/** Words for one voice: the catalogue (voice and language code) of `language` reads them. */
interface Voiced {
  language: Language;
  text: string;
}

const SCRIPT_PATTERNS: Record<TitleScript, RegExp> = {
  Han: /\p{Script=Han}/u,
  Latin: /\p{Script=Latin}/u,
};

function scriptOf(char: string): TitleScript | null {
  return TITLE_SCRIPTS.find((script) => SCRIPT_PATTERNS[script].test(char)) ?? null;
}

/**
 * Characters of no script between two runs: up to the last space they end the run before ("三體 ",
 * "哈利波特 2 "), after it they open the next ("(DVD)", "“Harry").
 */
function splitAtLastSpace(between: string): [back: string, ahead: string] {
  const cut = between.search(/\s\S*$/) + 1;
  return [between.slice(0, cut), between.slice(cut)];
}

/**
 * A title in runs of one voice each: a letter in a script the catalogue sends elsewhere
 * (`scriptVoices`) goes to that language's voice, any other to the call's. Digits, spaces and
 * punctuation belong to no script, and go with the letters around them.
 */
function splitTitleByScript(title: string, catalogue: Catalogue, language: Language): Voiced[] {
  const runs: Voiced[] = [];
  let between = "";
  for (const char of title) {
    const script = scriptOf(char);
    if (script === null) {
      between += char;
      continue;
    }
    const voiceLanguage = catalogue.scriptVoices?.[script] ?? language;
    const last = runs.at(-1);
    if (last?.language === voiceLanguage) {
      last.text += between + char;
    } else if (last) {
      const [back, ahead] = splitAtLastSpace(between);
      last.text += back;
      runs.push({ language: voiceLanguage, text: ahead + char });
    } else {
      runs.push({ language: voiceLanguage, text: between + char });
    }
    between = "";
  }
  const last = runs.at(-1);
  if (last) last.text += between;
  else if (between) runs.push({ language, text: between });
  return runs;
}

// Punctuation written against a placeholder ("{title}, due", "“{title}”") is read with the title,
// so that the sentence's own voice does not start a <Say> on a bare comma.
const PUNCTUATION_BEFORE = /[^\s\p{L}\p{N}]+$/u;
const PUNCTUATION_AFTER = /^[^\s\p{L}\p{N}]+/u;

/** A part's words, in the voices that read them: the title may need others than the sentence. */
function voicedPieces(part: SpokenPart, target: RenderTarget): Voiced[] {
  const language = part.language ?? target.language;
  const catalogue = target.catalogues[language];
  const filled = fillPrompt(target.catalogues, part.key, language, part.params ?? {});
  const pieces: Voiced[] = [];
  filled.forEach((piece, index) => {
    if (piece.placeholder !== "title" || !catalogue.scriptVoices) {
      pieces.push({ language, text: piece.text });
      return;
    }
    // Literal text always surrounds a placeholder in fillPrompt's output.
    const before = pieces.at(-1) as Voiced;
    const after = filled[index + 1] as Filled;
    const opening = before.text.match(PUNCTUATION_BEFORE)?.[0] ?? "";
    const closing = after.text.match(PUNCTUATION_AFTER)?.[0] ?? "";
    before.text = before.text.slice(0, before.text.length - opening.length);
    after.text = after.text.slice(closing.length);
    pieces.push(...splitTitleByScript(opening + piece.text + closing, catalogue, language));
  });
  return pieces.filter((piece) => piece.text !== "");
}

/**
 * The words of all parts in runs of one voice, each run one <Say> (or several, if long). A part
 * follows on in the run before it, after a space, when it starts in the same voice, unless it
 * asks for a break; the pieces of one part join as written.
 */
function voiceRuns(parts: SpokenPart[], target: RenderTarget): Voiced[] {
  const runs: Voiced[] = [];
  for (const part of parts) {
    voicedPieces(part, target).forEach((piece, index) => {
      const last = runs.at(-1);
      const startsPart = index === 0;
      if (last?.language === piece.language && !(startsPart && part.breakBefore)) {
        last.text += startsPart ? ` ${piece.text}` : piece.text;
      } else {
        runs.push({ ...piece });
      }
    });
  }
  return runs;
}

/**
 * Twilio refuses a Polly <Say> over 3,000 characters, or over 4,500 once URL-encoded (error 13521):
 * a Chinese character encodes to 9, so Chinese text goes in much shorter pieces.
 */
function sayLimit(text: string): number {
  return /[\u3000-\u9fff\uff00-\uffef]/.test(text) ? 450 : 3000;
}

function sayAll(into: Sayer, parts: SpokenPart[], target: RenderTarget): void {
  for (const run of voiceRuns(parts, target)) {
    const { voice, languageCode } = target.catalogues[run.language];
    for (const chunk of chunkForSay(run.text, sayLimit(run.text))) {
      into.say({ voice: voice as never, language: languageCode as never }, chunk);
    }
  }
}

export function renderGather(
  parts: SpokenPart[],
  gather: GatherSpec,
  actionUrl: string,
  target: RenderTarget,
): string {
  const response = new twilio.twiml.VoiceResponse();
  const node = response.gather({
    input: ["dtmf"],
    action: actionUrl,
    method: "POST",
    timeout: gather.timeout,
    // A menu key is one digit; "#" there is just another (invalid) key.
    finishOnKey: gather.finishOnKey ?? "",
    ...(gather.numDigits ? { numDigits: gather.numDigits } : {}),
    actionOnEmptyResult: true,
  });
  sayAll(node, parts, target);
  // Reached only if the gather ended without calling its action: treated as no input.
  response.redirect({ method: "POST" }, actionUrl);
  return response.toString();
}

export function renderDial(
  parts: SpokenPart[],
  number: string,
  actionUrl: string,
  target: RenderTarget,
): string {
  const response = new twilio.twiml.VoiceResponse();
  sayAll(response, parts, target);
  const dial = response.dial({ action: actionUrl, method: "POST", timeout: 20 });
  dial.number(number);
  return response.toString();
}

export function renderHangup(parts: SpokenPart[], target: RenderTarget): string {
  const response = new twilio.twiml.VoiceResponse();
  sayAll(response, parts, target);
  response.hangup();
  return response.toString();
}
