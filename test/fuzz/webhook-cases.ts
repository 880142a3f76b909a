/**
 * Generated webhooks for the /voice fuzz test: what fast-check draws (small choices: a route, the
 * fields, a charset, an encoding, a size) and how each becomes one signed HTTP request, with the
 * answers the app may give it. The draws stay small so a counterexample reads well; bodies are
 * built from them.
 *
 * The expected status follows body-parser's order of checks (node_modules/body-parser/lib/read.js
 * and types/urlencoded.js): a body it does not parse is skipped; then the charset (415), the
 * Content-Encoding (415), reading and inflating (400 for a body that is not what it claims, 413
 * past the limit), the parameter count (413); then the signature (403) and the route (200).
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import twilio from "twilio";

/** The voice router's body limit (express.urlencoded `limit: "20kb"`), in bytes. */
export const BODY_LIMIT = 20 * 1024;
/** body-parser's default parameterLimit. */
export const PARAMETER_LIMIT = 1000;

/** The reader of renewalFixture (test/support/library-fixture.ts) the runs log in as. */
export const READER_CARD = "2100000001";
export const READER_PIN = "135790";

// ---- What is drawn ----

export type RouteName = "incoming" | "step" | "dial" | "status" | "unknown";

/** The query's seq: the one the live call expects next, the one before (a repeat), or raw text. */
export type SeqChoice =
  | { kind: "next" }
  | { kind: "previous" }
  | { kind: "absent" }
  | { kind: "raw"; text: string };

/**
 * Whose CallSid: the run's live call, another call of Twilio's format, junk (some of it starts
 * with JUNK_PREFIX, for a test to look for in the logs), or none; or the live one and another.
 */
export type SidChoice =
  | { kind: "live" }
  | { kind: "valid"; sid: string }
  | { kind: "junk"; sid: string }
  | { kind: "absent" }
  | { kind: "repeated"; second: string };

/** A field's value: one string, the field repeated (the parser makes an array), or left out. */
export type FieldValue = string | string[] | null;

/** Digits as drawn: a value, or `advance`: what moves the live call on from its step (`pick` chooses a menu key). */
export type DigitsChoice = FieldValue | { advance: number };

export type ContentTypeChoice = "form" | "form-mixed-case" | "none" | "text" | "json" | "malformed";
export type Transport =
  | "identity"
  | "identity-header"
  | "gzip"
  | "deflate"
  | "br"
  | "chunked"
  | "bogus"
  | "two-encodings"
  | "not-gzip"
  | "truncated-gzip"
  | "raw-deflate";

export interface CharsetChoice {
  /** The charset parameter as sent; null for none. */
  header: string | null;
  /** How body-parser reads it: utf-8 or iso-8859-1, or refused (415). */
  reads: "utf-8" | "iso-8859-1" | "refused";
}

export interface WebhookCase {
  method: "POST" | "GET";
  route: RouteName;
  /** The path after /voice/ for the unknown route. */
  unknownPath: string;
  seq: SeqChoice;
  callSid: SidChoice;
  digits: DigitsChoice;
  callStatus: FieldValue;
  callDuration: FieldValue;
  dialCallStatus: FieldValue;
  /** Other fields, named safely (the parser keeps the names as they are). */
  extra: [string, string][];
  /** Fields with names the parser may change (brackets, __proto__, empty): the signature may fail. */
  oddNames: [string, string][];
  /** How many filler parameters to add: around the 1,000 limit sometimes. */
  bulk: number;
  /** The length of one padding field: around the 20 kB limit sometimes. */
  pad: number;
  /** A raw body instead of the fields: it cannot be signed as the app will read it. */
  rawBody: string | null;
  contentType: ContentTypeChoice;
  charset: CharsetChoice;
  transport: Transport;
  signature: "valid" | "missing" | "forged";
  /** Sent twice at once, as a Twilio retry racing the first delivery. */
  twice: boolean;
}

export const JUNK_PREFIX = "CAjunk";

const hex32 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 32, maxLength: 32 });
export const validSid = hex32.map((hex) => `CA${hex}`);
const keypad = (max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789*#"), minLength: 1, maxLength: max });
// Text a form may carry: any code point (no lone surrogates: they cannot be UTF-8 encoded).
const text = (maxLength: number) => fc.string({ unit: "binary", maxLength });

function weighted<T>(...choices: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

function field(value: fc.Arbitrary<string>): fc.Arbitrary<FieldValue> {
  return weighted<FieldValue>(
    [8, value],
    [1, fc.constant(null)],
    [1, fc.array(value, { minLength: 2, maxLength: 3 })],
  );
}

const junkSid = weighted<string>(
  [3, text(40)],
  [2, text(20).map((rest) => `${JUNK_PREFIX}${rest}`)],
  [1, validSid.map((sid) => sid.toUpperCase())],
  [1, validSid.map((sid) => `${sid}\n`)],
  [1, fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 40 }).map((hex) => `CA${hex}`)],
  // A 5,000-character CallSid: it once made 10 kB log lines.
  [1, fc.constant(`${JUNK_PREFIX}${"x".repeat(5000)}`)],
);

const sidChoice = weighted<SidChoice>(
  [20, fc.constant({ kind: "live" })],
  [2, validSid.map((sid) => ({ kind: "valid", sid }))],
  [3, junkSid.map((sid) => ({ kind: "junk", sid }))],
  [1, fc.constant({ kind: "absent" })],
  [1, fc.oneof(validSid, junkSid).map((second) => ({ kind: "repeated", second }))],
);

const seqChoice = weighted<SeqChoice>(
  [20, fc.constant({ kind: "next" })],
  [2, fc.constant({ kind: "previous" })],
  [1, fc.constant({ kind: "absent" })],
  [
    3,
    fc
      .oneof(
        fc.constantFrom(
          "",
          "0",
          "-1",
          "1.5",
          "1e3",
          "99999999999999999999",
          "abc",
          "%zz",
          " 1",
          "1&seq=2",
          "%00",
        ),
        fc.integer({ min: -5, max: 40 }).map(String),
        text(12),
      )
      .map((raw) => ({ kind: "raw", text: raw })),
  ],
);

/** Digits of every shape: the keys a menu wants, the reader's card and PIN, and junk. */
export const digitsValue = weighted<string>(
  [4, fc.constantFrom(..."0123456789*#")],
  [2, fc.constantFrom("3", "1", "0", "7", "9")],
  [2, fc.constantFrom(READER_CARD, READER_PIN, `${READER_CARD}#`, `${READER_PIN}#`)],
  [3, keypad(40)],
  [1, fc.constant("")],
  [2, text(20)],
  [1, fc.constantFrom("١", "１", "1 ", "+1", "1,2")],
);

export const CALL_STATUS_VALUES = [
  "queued",
  "initiated",
  "ringing",
  "in-progress",
  "completed",
  "busy",
  "failed",
  "no-answer",
  "canceled",
] as const;

export const callStatusValue = weighted<string>(
  [6, fc.constantFrom(...CALL_STATUS_VALUES)],
  [1, fc.constantFrom("Completed", "cancelled", "answered", "")],
  [1, text(20)],
);

/** CallDuration as Twilio writes it, and as it should never come. */
export const callDurationValue = weighted<string>(
  [4, fc.nat({ max: 7200 }).map(String)],
  [
    1,
    fc.constantFrom(
      "99999999999999",
      "2147483648",
      "2147483647",
      "86400",
      "86401",
      "-1",
      "1.5",
      "1e3",
      " 12",
      "",
    ),
  ],
  [1, fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String)],
  [1, text(12)],
);

const dialCallStatusValue = weighted<string>(
  [4, fc.constantFrom("completed", "answered", "busy", "no-answer", "failed", "canceled")],
  [1, text(12)],
);

const safeName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/);
const twilioName = fc.constantFrom(
  "AccountSid",
  "ApiVersion",
  "Direction",
  "From",
  "To",
  "Caller",
  "Called",
  "CallerCountry",
  "ForwardedFrom",
  "StirVerstat",
  "msg",
  "FinishedOnKey",
  "SpeechResult",
  "Confidence",
);
const oddName = fc.oneof(
  fc.constantFrom("__proto__", "", "a[b]", "a[]", "constructor", "toString", "hasOwnProperty", "a.b", "%zz"),
  text(10),
);

const charsetChoice = weighted<CharsetChoice>(
  [8, fc.constant({ header: null, reads: "utf-8" })],
  [3, fc.constantFrom("utf-8", "UTF-8", '"utf-8"').map((header) => ({ header, reads: "utf-8" as const }))],
  [
    2,
    fc.constantFrom("iso-8859-1", "ISO-8859-1").map((header) => ({ header, reads: "iso-8859-1" as const })),
  ],
  [
    2,
    fc
      .constantFrom("utf8", "latin1", "utf-16", "koi8-r", "us-ascii", "bogus", "x".repeat(200))
      .map((header) => ({ header, reads: "refused" as const })),
  ],
);

const transport = weighted<Transport>(
  [10, fc.constant("identity")],
  [1, fc.constant("identity-header")],
  [3, fc.constantFrom("gzip", "deflate", "br")],
  [1, fc.constant("chunked")],
  [2, fc.constantFrom("bogus", "two-encodings")],
  [2, fc.constantFrom("not-gzip", "truncated-gzip", "raw-deflate")],
);

const contentType = weighted<ContentTypeChoice>(
  [20, fc.constant("form")],
  [1, fc.constantFrom("form-mixed-case", "none", "text", "json", "malformed")],
);

const sizes = {
  bulk: weighted<number>(
    [12, fc.constant(0)],
    [3, fc.integer({ min: 1, max: 50 })],
    [2, fc.integer({ min: PARAMETER_LIMIT - 20, max: PARAMETER_LIMIT + 5 })],
    [1, fc.integer({ min: PARAMETER_LIMIT + 6, max: 1500 })],
  ),
  pad: weighted<number>(
    [12, fc.constant(0)],
    [3, fc.integer({ min: 1, max: 2000 })],
    [3, fc.integer({ min: BODY_LIMIT - 600, max: BODY_LIMIT + 200 })],
    [1, fc.integer({ min: BODY_LIMIT + 200, max: 4 * BODY_LIMIT })],
  ),
};

/** Digits that follow the live call's step: they log in, then choose from the menus. */
const advanceDigits = fc.nat({ max: 99 }).map((pick) => ({ advance: pick }));

export interface CaseWeights {
  /** How often each route is drawn. */
  routes?: Partial<Record<RouteName, number>>;
  /** Bodies, sizes, charsets and encodings of every kind (true), or only well-formed ones. */
  hostileBodies?: boolean;
}

/**
 * One webhook. Hostile bodies (sizes, charsets, encodings, raw bodies, odd names, bad signatures)
 * come in one case out of three unless turned off; the others are well-formed, so a run's live
 * call gets past the language menu.
 */
export function webhookCase(weights: CaseWeights = {}): fc.Arbitrary<WebhookCase> {
  const wellFormed = caseOf(weights, false);
  if (weights.hostileBodies === false) return wellFormed;
  return fc.oneof({ weight: 2, arbitrary: wellFormed }, { weight: 1, arbitrary: caseOf(weights, true) });
}

function caseOf(weights: CaseWeights, hostile: boolean): fc.Arbitrary<WebhookCase> {
  const routes = { incoming: 1, step: 8, dial: 2, status: 2, unknown: 1, ...weights.routes };
  const clean = <T>(value: T, arbitrary: fc.Arbitrary<T>) => (hostile ? arbitrary : fc.constant(value));
  return fc.record({
    method: clean(
      "POST" as const,
      weighted([20, fc.constant("POST" as const)], [1, fc.constant("GET" as const)]),
    ),
    route: weighted(
      ...(Object.entries(routes) as [RouteName, number][])
        .filter(([, weight]) => weight > 0)
        .map(([name, weight]): [number, fc.Arbitrary<RouteName>] => [weight, fc.constant(name)]),
    ),
    unknownPath: fc.oneof(
      fc.constantFrom("", "incoming/extra", "STATUS", "step/", "sms", "..%2f..%2fops", "%E0%A4"),
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,30}$/),
    ),
    seq: seqChoice,
    callSid: sidChoice,
    digits: weighted<DigitsChoice>([4, advanceDigits], [2, field(digitsValue)]),
    callStatus: field(callStatusValue),
    callDuration: field(callDurationValue),
    dialCallStatus: field(dialCallStatusValue),
    extra: fc.array(fc.tuple(fc.oneof(twilioName, safeName), text(30)), { maxLength: 6 }),
    oddNames: clean(
      [],
      fc.array(fc.tuple(oddName, text(10)), { maxLength: 2 }).map((pairs) => pairs.slice(0, 1)),
    ),
    bulk: clean(0, sizes.bulk),
    pad: clean(0, sizes.pad),
    rawBody: clean(null, weighted<string | null>([20, fc.constant(null)], [1, text(200)])),
    contentType: clean("form" as ContentTypeChoice, contentType),
    charset: clean({ header: null, reads: "utf-8" } as CharsetChoice, charsetChoice),
    transport: clean("identity" as Transport, transport),
    signature: clean(
      "valid" as const,
      weighted(
        [30, fc.constant("valid" as const)],
        [1, fc.constantFrom("missing" as const, "forged" as const)],
      ),
    ),
    twice: weighted([12, fc.constant(false)], [1, fc.constant(true)]),
  });
}

// ---- From a draw to a request ----

/** What a run knows of its live call: its CallSid, the seq its last answer asked for, its step. */
export interface LiveCall {
  sid: string;
  nextSeq: number;
  step: string;
}

/** The step a live call may be at: what its gather takes. */
export type StepsOf = (step: string) => { keys?: Record<string, unknown>; digits?: unknown } | undefined;

/** The keys that move a call on from `step`: the reader's card and PIN, or one of the menu's keys. */
function advance(step: string, pick: number, steps: StepsOf): string {
  const at = steps(step);
  if (step === "pin") return READER_PIN;
  if (at?.digits) return READER_CARD;
  const keys = Object.keys(at?.keys ?? {}).sort();
  return keys[pick % Math.max(keys.length, 1)] ?? "";
}

export interface BuiltRequest {
  url: string;
  init: RequestInit & { duplex?: "half" };
  /** The statuses the app may answer; one, except where the draw makes the signature uncertain. */
  expected: number[];
  /** One line describing the request, for assertion messages. */
  label: string;
  /** The CallSid sent, when it is one string. */
  sentSid: string | null;
  /** Every CallSid value sent (a repeated field sends several). */
  sids: string[];
}

/** The fields in order, as name/value pairs (a repeated field is several pairs). */
function pairsOf(c: WebhookCase, live: LiveCall, steps: StepsOf): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (name: string, value: FieldValue) => {
    if (value === null) return;
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([name, v]);
  };
  const sid = c.callSid;
  if (sid.kind === "live") add("CallSid", live.sid);
  else if (sid.kind === "valid" || sid.kind === "junk") add("CallSid", sid.sid);
  else if (sid.kind === "repeated") add("CallSid", [live.sid, sid.second]);
  add("AccountSid", `AC${"0".repeat(32)}`);
  if (c.route === "step" || c.route === "unknown") {
    const digits = c.digits;
    add(
      "Digits",
      digits !== null && typeof digits === "object" && "advance" in digits
        ? advance(live.step, digits.advance, steps)
        : digits,
    );
  }
  if (c.route === "status" || c.route === "unknown") {
    add("CallStatus", c.callStatus);
    add("CallDuration", c.callDuration);
  } else add("CallStatus", "in-progress");
  if (c.route === "dial") add("DialCallStatus", c.dialCallStatus);
  pairs.push(...c.extra);
  // A GET carries its fields in the URL, which Node caps at 16 kB of headers: no bulk there.
  if (c.method === "GET") return pairs;
  for (let i = 0; i < c.bulk; i++) pairs.push([`P${i}`, String(i)]);
  if (c.pad > 0) pairs.push(["Pad", "x".repeat(c.pad)]);
  return pairs;
}

/** The fields as body-parser's urlencoded parser returns them (extended: false): repeats become arrays. */
function asParsed(pairs: [string, string][]): Record<string, string | string[]> {
  const parsed: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const before = parsed[name];
    parsed[name] =
      before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return parsed;
}

/** A form body in ISO-8859-1: each character its own byte, percent-encoded unless unreserved. */
function latin1Form(pairs: [string, string][]): string {
  const encode = (s: string) =>
    [...s]
      .map((ch) => (/[A-Za-z0-9*._-]/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`))
      .join("");
  return pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&");
}

const toLatin1 = (s: string) => [...s].map((ch) => (ch.charCodeAt(0) <= 0xff ? ch : "?")).join("");

function seqQuery(seq: SeqChoice, live: LiveCall): string {
  switch (seq.kind) {
    case "next":
      return `?seq=${live.nextSeq}`;
    case "previous":
      return `?seq=${live.nextSeq - 1}`;
    case "absent":
      return "";
    case "raw":
      return `?seq=${seq.text}`;
  }
}

export function buildRequest(
  c: WebhookCase,
  live: LiveCall,
  steps: StepsOf,
  baseUrl: string,
  authToken: string,
): BuiltRequest {
  const path =
    c.route === "unknown"
      ? `/voice/${c.unknownPath}`
      : `/voice/${c.route}${c.route === "step" || c.route === "dial" ? seqQuery(c.seq, live) : ""}`;
  const latin1 = c.charset.reads === "iso-8859-1";
  let pairs = pairsOf(c, live, steps);
  if (latin1) pairs = pairs.map(([name, value]) => [toLatin1(name), toLatin1(value)]);
  const signable = c.rawBody === null && c.oddNames.length === 0;
  pairs = [...pairs, ...c.oddNames];
  const sids = pairs.flatMap(([name, value]) => (name === "CallSid" ? [value] : []));
  const sentSid = sids.length === 1 ? (sids[0] ?? null) : null;

  const url = new URL(`${baseUrl}${path}`);
  if (c.method === "GET") {
    for (const [name, value] of pairs) url.searchParams.append(name, value);
  }
  const href = url.href;
  const form = c.rawBody ?? (latin1 ? latin1Form(pairs) : new URLSearchParams(pairs).toString());
  const plain = c.method === "GET" ? Buffer.alloc(0) : Buffer.from(form, latin1 ? "latin1" : "utf8");

  // What the app will read: nothing for a GET or a body it does not parse; the fields otherwise.
  const parsesForm = c.method === "POST" && (c.contentType === "form" || c.contentType === "form-mixed-case");
  const seen = parsesForm ? (plain.length === 0 ? {} : asParsed(pairs)) : {};
  const headers: Record<string, string> = { "user-agent": "TwilioProxy/1.1" };
  if (c.signature !== "missing") {
    const signature = twilio.getExpectedTwilioSignature(authToken, href, seen);
    headers["x-twilio-signature"] = c.signature === "forged" ? `x${signature.slice(1)}` : signature;
  }

  let body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> | undefined;
  const init: BuiltRequest["init"] = { method: c.method, headers, redirect: "manual" };
  if (c.method === "POST") {
    headers["content-type"] = contentTypeHeader(c);
    if (c.contentType === "none") delete headers["content-type"];
    body = encode(plain, c.transport, headers);
    init.body = body;
    if (body instanceof ReadableStream) init.duplex = "half";
  }

  return {
    url: href,
    init,
    expected: expectedStatuses(c, plain, signable && c.method === "POST"),
    label: `${c.method} ${path.slice(0, 60)} ${c.contentType}${c.charset.header ? `;charset=${c.charset.header.slice(0, 12)}` : ""} ${c.transport} ${plain.length} B ${pairs.length} fields sig=${c.signature}${c.rawBody !== null ? " raw" : ""}${c.oddNames.length ? " odd-names" : ""}`,
    sentSid,
    sids,
  };
}

function contentTypeHeader(c: WebhookCase): string {
  const charset = c.charset.header === null ? "" : `; charset=${c.charset.header}`;
  switch (c.contentType) {
    case "form":
    case "none":
      return `application/x-www-form-urlencoded${charset}`;
    case "form-mixed-case":
      return `Application/X-WWW-Form-URLEncoded${charset}`;
    case "text":
      return `text/plain${charset}`;
    case "json":
      return `application/json${charset}`;
    case "malformed":
      return `application/x-www-form-urlencoded; charset${charset}; =;`;
  }
}

function encode(
  plain: Buffer,
  transport: Transport,
  headers: Record<string, string>,
): Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array> {
  const encoded = encodeBytes(plain, transport, headers);
  // A copy fetch takes as a body (a Buffer may be a view of a shared pool).
  return encoded instanceof ReadableStream ? encoded : new Uint8Array(encoded);
}

function encodeBytes(
  plain: Buffer,
  transport: Transport,
  headers: Record<string, string>,
): Buffer | ReadableStream<Uint8Array> {
  switch (transport) {
    case "identity":
      return plain;
    case "identity-header":
      headers["content-encoding"] = "identity";
      return plain;
    case "gzip":
    case "not-gzip":
    case "truncated-gzip": {
      headers["content-encoding"] = "gzip";
      if (transport === "not-gzip") return plain;
      const gzipped = gzipSync(plain);
      return transport === "gzip" ? gzipped : gzipped.subarray(0, Math.floor(gzipped.length / 2));
    }
    case "deflate":
      headers["content-encoding"] = "deflate";
      return deflateSync(plain);
    case "raw-deflate":
      // Deflate without its zlib wrapper: body-parser's inflate refuses it.
      headers["content-encoding"] = "deflate";
      return deflateRawSync(plain);
    case "br":
      headers["content-encoding"] = "br";
      return brotliCompressSync(plain);
    case "chunked":
      // No Content-Length: the limit is checked as the chunks arrive.
      return new ReadableStream({
        start(controller) {
          for (let at = 0; at < plain.length; at += 4096) controller.enqueue(plain.subarray(at, at + 4096));
          controller.close();
        },
      });
    case "bogus":
      headers["content-encoding"] = "x-bogus";
      return plain;
    case "two-encodings":
      headers["content-encoding"] = "gzip, deflate";
      return gzipSync(plain);
  }
}

/** The answers body-parser, the signature check and the routes allow for this request. */
function expectedStatuses(c: WebhookCase, plain: Buffer, signable: boolean): number[] {
  const signed = c.signature === "valid" ? (signable || c.method === "GET" ? [200] : [200, 403]) : [403];
  if (c.method === "GET") return signed;
  // A malformed Content-Type may or may not be read as a form (signed here as if not); never a 5xx.
  if (c.contentType === "malformed") return [...new Set([...signed, 400, 403, 413, 415])];
  const parsed = c.contentType === "form" || c.contentType === "form-mixed-case";
  if (!parsed) return c.signature === "valid" ? [200] : [403];
  if (c.charset.reads === "refused") return [415];
  if (c.transport === "bogus" || c.transport === "two-encodings") return [415];
  const corrupt =
    c.transport === "not-gzip" || c.transport === "truncated-gzip" || c.transport === "raw-deflate";
  // An empty body inflates to nothing (or is skipped) rather than failing.
  if (corrupt && plain.length === 0) return [400, ...signed];
  // A truncated stream may inflate past the limit before it ends.
  if (corrupt) return plain.length > BODY_LIMIT ? [400, 413] : [400];
  if (plain.length > BODY_LIMIT) return [413];
  const ampersands = plain.reduce((n, byte) => n + (byte === 0x26 ? 1 : 0), 0);
  if (plain.length > 0 && ampersands + 1 > PARAMETER_LIMIT) return [413];
  return signed;
}
