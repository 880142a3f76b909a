/**
 * SIP2 error detection: "AY" + one-digit sequence number + "AZ" + four hex digits, at the end of
 * a message. The checksum is the 16-bit two's complement of the sum of the message's bytes up to
 * and including "AZ" (3M SIP2 2.00, "Checksum").
 *
 * The spec assumes ASCII. The sum is over bytes on the wire, so for non-ASCII text it depends on
 * the charset the ILS speaks (SIP2_CHARSET): we sum the text as encoded by `encode`, UTF-8
 * unless the caller passes its charset's encoder (e.g. latin1 for an ISO-8859-1 ILS). For ASCII
 * every such charset gives the same bytes.
 */
export type TextEncodeFn = (text: string) => Uint8Array;

const utf8 = new TextEncoder();
export const encodeUtf8: TextEncodeFn = (text) => utf8.encode(text);

export function computeChecksum(textThroughAz: string, encode: TextEncodeFn = encodeUtf8): string {
  let sum = 0;
  for (const byte of encode(textThroughAz)) sum += byte;
  return ((-sum & 0xffff) >>> 0).toString(16).toUpperCase().padStart(4, "0");
}

/** Adds the AY/AZ trailer to a message that ends after its last field. */
export function appendErrorDetection(body: string, sequence: number, encode?: TextEncodeFn): string {
  const throughAz = `${body}AY${sequence}AZ`;
  return throughAz + computeChecksum(throughAz, encode);
}

export interface ErrorDetectionTrailer {
  sequence: number;
  checksum: string;
  /** Index in the line where "AY" starts: what precedes it is the message proper. */
  start: number;
}

const TRAILER = /AY([0-9])AZ([0-9A-Fa-f]{4})$/;

/**
 * Finds the trailer only at a field boundary (after "|" or right after the fixed part), so a
 * value that happens to end in "AY1AZ…" is not mistaken for one.
 */
export function findTrailer(line: string, fixedEnd: number): ErrorDetectionTrailer | null {
  const match = TRAILER.exec(line);
  if (!match || match.index < fixedEnd) return null;
  if (match.index !== fixedEnd && line[match.index - 1] !== "|") return null;
  return { sequence: Number(match[1]), checksum: (match[2] ?? "").toUpperCase(), start: match.index };
}
