/**
 * The charset the ILS speaks on the wire (SIP2_CHARSET). The spec assumes ASCII; Koha and
 * Evergreen speak UTF-8, older ILSs ISO-8859-1. The checksum sums bytes, so the encoder given to
 * the codec must be the one the bytes are written with.
 */
import type { TextEncodeFn } from "./checksum.js";

export const SIP2_CHARSETS = ["utf-8", "iso-8859-1"] as const;
export type Sip2Charset = (typeof SIP2_CHARSETS)[number];

export interface CharsetCodec {
  encode: TextEncodeFn;
  decode: (bytes: Uint8Array) => string;
}

export function charsetCodec(charset: Sip2Charset): CharsetCodec {
  const encoding: BufferEncoding = charset === "utf-8" ? "utf8" : "latin1";
  return {
    encode: (text) => Buffer.from(text, encoding),
    decode: (bytes) => Buffer.from(bytes).toString(encoding),
  };
}
