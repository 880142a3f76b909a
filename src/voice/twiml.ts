/**
 * Turns the engine's reply into TwiML with the twilio package's VoiceResponse: prompts nested in
 * <Gather> so a caller who knows the keys can press ahead, a <Redirect> after it so no input still
 * reaches us, text in each language's own voice and chunked under <Say>'s limit.
 */
import twilio from "twilio";
import type { SpokenPart } from "./engine.js";
import type { Catalogue, GatherSpec, Language } from "./flow-definition.js";
import { chunkForSay } from "./speech-format.js";

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Sayer = Pick<VoiceResponse, "say">;

export interface RenderTarget {
  catalogues: Record<Language, Catalogue>;
  language: Language;
}

/** A prompt's words: the catalogue text with its placeholders filled in. */
export function promptText(
  catalogues: Record<Language, Catalogue>,
  key: string,
  language: Language,
  params: Record<string, string> = {},
): string {
  const text = catalogues[language].prompts[key];
  if (text === undefined) throw new Error(`no prompt "${key}" in ${language}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`prompt "${key}" needs {${name}}`);
    return value;
  });
}

/**
 * Twilio refuses a Polly <Say> over 3,000 characters, or over 4,500 once URL-encoded (error 13521):
 * a Chinese character encodes to 9, so Chinese text goes in much shorter pieces.
 */
function sayLimit(text: string): number {
  return /[\u3000-\u9fff\uff00-\uffef]/.test(text) ? 450 : 3000;
}

function sayAll(into: Sayer, parts: SpokenPart[], target: RenderTarget): void {
  // Consecutive parts in one language go into one <Say>, in that language's voice.
  const runs: { language: Language; texts: string[] }[] = [];
  for (const part of parts) {
    const language = part.language ?? target.language;
    const text = promptText(target.catalogues, part.key, language, part.params);
    const last = runs.at(-1);
    if (last && last.language === language) last.texts.push(text);
    else runs.push({ language, texts: [text] });
  }
  for (const run of runs) {
    const { voice, languageCode } = target.catalogues[run.language];
    const text = run.texts.join(" ");
    for (const chunk of chunkForSay(text, sayLimit(text))) {
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
