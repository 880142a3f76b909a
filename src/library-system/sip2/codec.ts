/**
 * Writes and reads the SIP2 messages in MESSAGES. Pure: strings in, strings or values out; the
 * connection, the charset's decoding and the "\r" terminator belong to the transport.
 */
import { appendErrorDetection, computeChecksum, findTrailer, type TextEncodeFn } from "./checksum.js";
import { Sip2ProtocolError } from "./errors.js";
import { FixedFieldProblem, readFixed, writeFixed } from "./fixed-fields.js";
import {
  type AnswerCode,
  isMessageCode,
  MESSAGES,
  type MessageCode,
  type MessageSpec,
  REQUEST_SC_RESEND,
  type Sip2Message,
  type UnknownField,
} from "./messages.js";
import { breaksFraming, splitFields } from "./variable-fields.js";

export interface EncodeOptions {
  /** The AY sequence number (0–9). Without it, no AY/AZ trailer is written (SIP2_CHECKSUMS off). */
  sequence?: number;
  /** The ILS charset's encoder, for the checksum over non-ASCII text; UTF-8 by default. */
  encode?: TextEncodeFn;
}

export interface DecodeOptions {
  /** Verify the AY/AZ trailer (default true): it must be there, its checksum right. */
  errorDetection?: boolean;
  /** The request's AY sequence number, which the answer must repeat. */
  sequence?: number;
  encode?: TextEncodeFn;
}

export interface Decoded<C extends MessageCode> {
  message: Sip2Message<C> & { unknownFields: UnknownField[] };
  /** The AY sequence number, or null when the message had no trailer. */
  sequence: number | null;
}

const CODE_LENGTH = 2;

function label(code: string): string {
  return isMessageCode(code) ? `${code} ${MESSAGES[code].title}` : `message ${JSON.stringify(code)}`;
}

function fixedLength(spec: MessageSpec): number {
  return spec.fixed.reduce((sum, field) => sum + field.length, 0);
}

/** The message as a line without its terminator, with the AY/AZ trailer when a sequence is given. */
export function encodeMessage<C extends MessageCode>(
  message: Sip2Message<C>,
  options: EncodeOptions = {},
): string {
  const code: MessageCode = message.code;
  const spec: MessageSpec = MESSAGES[code];
  const values = message as unknown as Record<string, unknown>;
  let line: string = code;
  for (const field of spec.fixed) {
    const text = writeFixed(field, values[field.name]);
    if (text instanceof FixedFieldProblem) {
      throw new Sip2ProtocolError(
        "unencodable",
        code,
        `${label(code)}: ${field.name}: ${text.detail}`,
        field.name,
      );
    }
    line += text;
  }
  const write = (fieldCode: string, value: string) => {
    // Never quote the value: it may be a PIN or a password.
    if (breaksFraming(value)) {
      throw new Sip2ProtocolError(
        "unencodable",
        code,
        `${label(code)}: field ${fieldCode} contains "|" or a line break`,
        fieldCode,
      );
    }
    line += `${fieldCode}${value}|`;
  };
  for (const field of spec.variable) {
    const value = values[field.name];
    if (value === undefined) {
      if (field.presence === "required") {
        throw new Sip2ProtocolError(
          "missing-field",
          code,
          `${label(code)}: required field ${field.code} (${field.name}) is missing`,
          field.code,
        );
      }
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) write(field.code, String(item));
  }
  for (const extra of message.unknownFields ?? []) write(extra.code, extra.value);
  if (options.sequence === undefined) return line;
  if (!Number.isInteger(options.sequence) || options.sequence < 0 || options.sequence > 9) {
    throw new Sip2ProtocolError("unencodable", code, `${label(code)}: AY sequence must be a digit 0–9`, "AY");
  }
  return appendErrorDetection(line, options.sequence, options.encode);
}

/** Reads any message in MESSAGES; refuses, with a Sip2ProtocolError, whatever is malformed. */
export function decodeMessage(raw: string, options: DecodeOptions = {}): Decoded<MessageCode> {
  const line = raw.replace(/\r?\n$|\r$/, "");
  const code = line.slice(0, CODE_LENGTH);
  if (/[\r\n]/.test(line))
    throw new Sip2ProtocolError("framing", code || null, `${label(code)}: a line break inside the message`);
  if (code === REQUEST_SC_RESEND) {
    throw new Sip2ProtocolError(
      "resend-requested",
      code,
      "96 Request SC Resend: the ILS could not read the last message",
    );
  }
  if (!isMessageCode(code))
    throw new Sip2ProtocolError("unknown-message", null, `unknown message code ${JSON.stringify(code)}`);
  const spec: MessageSpec = MESSAGES[code];
  const fail = (kind: Sip2ProtocolError["kind"], detail: string, field: string | null = null): never => {
    throw new Sip2ProtocolError(kind, code, `${label(code)}: ${detail}`, field);
  };

  const fixedEnd = CODE_LENGTH + fixedLength(spec);
  if (line.length < fixedEnd)
    fail("fixed-field", `too short: the fixed fields need ${fixedEnd} characters, got ${line.length}`);

  const trailer = findTrailer(line, fixedEnd);
  const verify = options.errorDetection ?? true;
  if (verify) {
    if (!trailer) fail("checksum", "no AY/AZ error-detection trailer at the end", "AZ");
    else {
      const expected = computeChecksum(line.slice(0, trailer.start + 5), options.encode);
      if (expected !== trailer.checksum)
        fail("checksum", `AZ checksum ${trailer.checksum} is wrong (computed ${expected})`, "AZ");
      if (options.sequence !== undefined && trailer.sequence !== options.sequence) {
        fail(
          "sequence",
          `AY sequence ${trailer.sequence} does not match the request's ${options.sequence}`,
          "AY",
        );
      }
    }
  }

  const message: Record<string, unknown> = { code };
  let at = CODE_LENGTH;
  for (const field of spec.fixed) {
    const value = readFixed(field, line.slice(at, at + field.length));
    if (value instanceof FixedFieldProblem)
      fail("fixed-field", `${field.name} at position ${at}: ${value.detail}`, field.name);
    message[field.name] = value;
    at += field.length;
  }

  const fields = splitFields(line.slice(fixedEnd, trailer ? trailer.start : line.length), fixedEnd);
  if ("malformedAt" in fields) {
    return fail(
      "variable-field",
      `malformed variable field at position ${fields.malformedAt}: expected a two-character code`,
    );
  }
  const byCode = new Map(spec.variable.map((field) => [field.code, field]));
  const unknownFields: UnknownField[] = [];
  for (const field of spec.variable) if (field.presence === "repeated") message[field.name] = [];
  for (const { code: fieldCode, value, position } of fields) {
    const known = byCode.get(fieldCode);
    if (!known) unknownFields.push({ code: fieldCode, value });
    else if (known.presence === "repeated") (message[known.name] as string[]).push(value);
    else if (message[known.name] !== undefined)
      fail("variable-field", `field ${fieldCode} appears twice (again at position ${position})`, fieldCode);
    else message[known.name] = value;
  }
  for (const field of spec.variable) {
    if (field.presence === "required" && message[field.name] === undefined) {
      fail("missing-field", `required field ${field.code} (${field.name}) is missing`, field.code);
    }
  }
  message.unknownFields = unknownFields;
  return { message: message as Decoded<MessageCode>["message"], sequence: trailer?.sequence ?? null };
}

/** Reads the ILS's answer to a request: it must be the expected message, with the request's AY. */
export function decodeAnswer<C extends AnswerCode>(
  raw: string,
  expect: C,
  options: DecodeOptions = {},
): Decoded<C> {
  const decoded = decodeMessage(raw, options);
  if (decoded.message.code !== expect) {
    throw new Sip2ProtocolError(
      "unexpected-message",
      decoded.message.code,
      `expected ${label(expect)}, got ${label(decoded.message.code)}`,
    );
  }
  return decoded as unknown as Decoded<C>;
}
