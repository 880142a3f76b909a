/**
 * Reads a TwiML document into the verbs the call simulator runs, checked the way Twilio checks them:
 * the document must be well-formed XML with a `<Response>` root, and a verb the emulator does not
 * know is refused rather than skipped, so a test finds it.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface SayVerb {
  verb: "Say";
  /** What the caller hears: text with whitespace collapsed, SSML tags flattened. */
  text: string;
  voice?: string;
  language?: string;
  loop: number;
  /** Silence added by SSML `<break time="...">` inside the Say. */
  breakSeconds: number;
}

export interface PlayVerb {
  verb: "Play";
  url: string;
  loop: number;
}

export interface PauseVerb {
  verb: "Pause";
  length: number;
}

/** The verbs Twilio speaks while a `<Gather>` listens. */
export type PromptVerb = SayVerb | PlayVerb | PauseVerb;

export type HttpMethod = "GET" | "POST";

export interface GatherVerb {
  verb: "Gather";
  /** Unset means the URL of the current document (Twilio's default). */
  action?: string;
  method: HttpMethod;
  timeout: number;
  /** "" means no finish key. */
  finishOnKey: string;
  numDigits?: number;
  actionOnEmptyResult: boolean;
  input: string[];
  prompts: PromptVerb[];
}

export interface RedirectVerb {
  verb: "Redirect";
  url: string;
  method: HttpMethod;
}

export interface DialVerb {
  verb: "Dial";
  /** Unset means: after the dial, go on with the next verb (Twilio's default). */
  action?: string;
  method: HttpMethod;
  timeout: number;
  numbers: string[];
}

export interface HangupVerb {
  verb: "Hangup";
}

export interface RejectVerb {
  verb: "Reject";
  reason: "rejected" | "busy";
}

export type Verb = PromptVerb | GatherVerb | RedirectVerb | DialVerb | HangupVerb | RejectVerb;

export class TwimlError extends Error {
  override name = "TwimlError";
}

type Attributes = Record<string, string>;
/** One node of fast-xml-parser's preserveOrder output: `{ Tag: children, ":@": attributes }` or `{ "#text": "..." }`. */
type OrderedNode = Record<string, unknown>;

const ATTRIBUTES = ":@";
const TEXT = "#text";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  // Keep the spaces around SSML tags inside <Say>; whitespace is collapsed after flattening.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

export function parseTwiml(xml: string): Verb[] {
  // The parser itself is lenient (it accepts unclosed tags); Twilio refuses a malformed document.
  // XMLValidator is marked deprecated in favour of a separate package, but is the check fast-xml-parser ships.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new TwimlError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  const roots = (parser.parse(xml) as OrderedNode[]).filter((node) => tagOf(node) !== null);
  const [root] = roots;
  if (roots.length !== 1 || !root || tagOf(root) !== "Response") {
    throw new TwimlError("the document's root element is not <Response>");
  }
  return elementsOf(root, "Response").map(toVerb);
}

function toVerb(node: OrderedNode): Verb {
  const tag = tagOf(node);
  switch (tag) {
    case "Say":
    case "Play":
    case "Pause":
      return toPrompt(node);
    case "Gather":
      return toGather(node);
    case "Redirect":
      return { verb: "Redirect", url: requiredText(node, tag), method: method(attributesOf(node), tag) };
    case "Dial":
      return toDial(node);
    case "Hangup":
      return { verb: "Hangup" };
    case "Reject": {
      const reason = attributesOf(node).reason ?? "rejected";
      if (reason !== "rejected" && reason !== "busy") {
        throw new TwimlError(`<Reject reason="${reason}">: expected "rejected" or "busy"`);
      }
      return { verb: "Reject", reason };
    }
    default:
      throw new TwimlError(`<${tag}> is not a verb the call simulator emulates`);
  }
}

function toPrompt(node: OrderedNode): PromptVerb {
  const tag = tagOf(node);
  const attributes = attributesOf(node);
  if (tag === "Say") {
    const { text, breakSeconds } = flattenSsml(childrenOf(node));
    // Twilio reports an empty <Say> as an error (the voice-line spec forbids one too).
    if (text === "") throw new TwimlError("<Say> with no text");
    return {
      verb: "Say",
      text,
      ...(attributes.voice ? { voice: attributes.voice } : {}),
      ...(attributes.language ? { language: attributes.language } : {}),
      loop: loop(attributes, tag),
      breakSeconds,
    };
  }
  if (tag === "Play") return { verb: "Play", url: requiredText(node, tag), loop: loop(attributes, tag) };
  if (tag === "Pause") return { verb: "Pause", length: integer(attributes, "length", tag, 1, 0) };
  throw new TwimlError(`<${tag}> cannot be nested in <Gather>; only <Say>, <Play> and <Pause> can`);
}

function toGather(node: OrderedNode): GatherVerb {
  const attributes = attributesOf(node);
  const finishOnKey = attributes.finishOnKey ?? "#";
  if (!/^[0-9*#]?$/.test(finishOnKey)) {
    throw new TwimlError(`<Gather finishOnKey="${finishOnKey}">: expected one of 0-9, * or #, or ""`);
  }
  const numDigits =
    attributes.numDigits === undefined ? undefined : integer(attributes, "numDigits", "Gather", 1, 1);
  return {
    verb: "Gather",
    ...(attributes.action ? { action: attributes.action } : {}),
    method: method(attributes, "Gather"),
    timeout: integer(attributes, "timeout", "Gather", 5, 0),
    finishOnKey,
    ...(numDigits === undefined ? {} : { numDigits }),
    actionOnEmptyResult: attributes.actionOnEmptyResult === "true",
    input: (attributes.input ?? "dtmf").split(/\s+/).filter(Boolean),
    prompts: elementsOf(node, "Gather").map(toPrompt),
  };
}

function toDial(node: OrderedNode): DialVerb {
  const attributes = attributesOf(node);
  const elements = elementsOf(node, "Dial", true);
  const numbers = elements.map((child) => {
    const tag = tagOf(child);
    if (tag !== "Number") throw new TwimlError(`<Dial><${tag}> is not emulated; only <Number> is`);
    return requiredText(child, "Number");
  });
  // <Dial>+852...</Dial> dials the number written as its text.
  const text = textOf(childrenOf(node));
  if (text) numbers.push(text);
  if (numbers.length === 0) throw new TwimlError("<Dial> with nothing to dial");
  return {
    verb: "Dial",
    ...(attributes.action ? { action: attributes.action } : {}),
    method: method(attributes, "Dial"),
    timeout: integer(attributes, "timeout", "Dial", 30, 1),
    numbers,
  };
}

/**
 * The spoken text of a <Say> and its SSML children: `<sub alias>` speaks the alias, `<say-as>`
 * digits and characters are spoken one by one, `<break time>` adds silence.
 */
function flattenSsml(nodes: OrderedNode[]): { text: string; breakSeconds: number } {
  let breakSeconds = 0;
  const walk = (children: OrderedNode[]): string =>
    children
      .map((child) => {
        const tag = tagOf(child);
        if (tag === null) return typeof child[TEXT] === "string" ? child[TEXT] : "";
        const attributes = attributesOf(child);
        if (tag === "break") {
          breakSeconds += ssmlTimeSeconds(attributes.time);
          return " ";
        }
        if (tag === "sub" && attributes.alias) return attributes.alias;
        const inner = walk(childrenOf(child));
        if (
          tag === "say-as" &&
          /^(digits|characters|spell-out|telephone)$/.test(attributes["interpret-as"] ?? "")
        ) {
          return ` ${[...inner.replace(/\s+/g, "")].join(" ")} `;
        }
        return inner;
      })
      .join("");
  const text = walk(nodes).replace(/\s+/g, " ").trim();
  return { text, breakSeconds };
}

function ssmlTimeSeconds(time: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(time ?? "");
  if (!match) return 0;
  const value = Number(match[1]);
  return match[2] === "ms" ? value / 1000 : value;
}

function tagOf(node: OrderedNode): string | null {
  return Object.keys(node).find((key) => key !== ATTRIBUTES && key !== TEXT) ?? null;
}

function childrenOf(node: OrderedNode): OrderedNode[] {
  const tag = tagOf(node);
  const children = tag === null ? undefined : node[tag];
  return Array.isArray(children) ? (children as OrderedNode[]) : [];
}

function attributesOf(node: OrderedNode): Attributes {
  return (node[ATTRIBUTES] as Attributes | undefined) ?? {};
}

/** Element children; text between verbs is refused unless `allowText` (a number inside <Dial>). */
function elementsOf(node: OrderedNode, parent: string, allowText = false): OrderedNode[] {
  const children = childrenOf(node);
  if (!allowText && textOf(children) !== "") {
    throw new TwimlError(`<${parent}> contains text outside any verb`);
  }
  return children.filter((child) => tagOf(child) !== null);
}

function textOf(children: OrderedNode[]): string {
  return children
    .map((child) => (tagOf(child) === null && typeof child[TEXT] === "string" ? child[TEXT] : ""))
    .join("")
    .trim();
}

function requiredText(node: OrderedNode, tag: string): string {
  const text = textOf(childrenOf(node));
  if (text === "") throw new TwimlError(`<${tag}> with no text`);
  return text;
}

function method(attributes: Attributes, tag: string): HttpMethod {
  const value = (attributes.method ?? "POST").toUpperCase();
  if (value !== "GET" && value !== "POST")
    throw new TwimlError(`<${tag} method="${value}">: expected GET or POST`);
  return value;
}

function loop(attributes: Attributes, tag: string): number {
  // loop="0" repeats until the call ends, which a simulated caller would never get past.
  return integer(attributes, "loop", tag, 1, 1);
}

function integer(attributes: Attributes, name: string, tag: string, fallback: number, min: number): number {
  const raw = attributes[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new TwimlError(`<${tag} ${name}="${raw}">: expected a whole number of at least ${min}`);
  }
  return value;
}
