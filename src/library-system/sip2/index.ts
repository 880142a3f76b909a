/** The SIP2 message codec: what the library-system boundary's sip2 implementation will use. */
export { appendErrorDetection, computeChecksum, encodeUtf8, type TextEncodeFn } from "./checksum.js";
export {
  type Decoded,
  type DecodeOptions,
  decodeAnswer,
  decodeMessage,
  type EncodeOptions,
  encodeMessage,
} from "./codec.js";
export { parseSipDateTime, type SipDateTime, sipDateTime } from "./date-time.js";
export { type Sip2ProblemKind, Sip2ProtocolError } from "./errors.js";
export { PATRON_STATUS_FLAGS, type PatronStatus, SUMMARY_ITEMS, type SummaryItems } from "./fixed-fields.js";
export { maskForLog } from "./mask.js";
export * from "./messages.js";
