/**
 * Why an exchange with the ILS was refused. The message names the SIP2 message, the field or
 * position and what was wrong, and never quotes a variable field's value or the raw line: a
 * line can carry a PIN (AD) or the line's own login password (CO), and errors reach logs.
 */
export type Sip2ProblemKind =
  | "framing"
  | "unknown-message"
  | "unexpected-message"
  | "resend-requested"
  | "checksum"
  | "sequence"
  | "fixed-field"
  | "variable-field"
  | "missing-field"
  | "unencodable";

export class Sip2ProtocolError extends Error {
  override readonly name = "Sip2ProtocolError";

  constructor(
    readonly kind: Sip2ProblemKind,
    /** The two-digit message code concerned, when known. */
    readonly messageCode: string | null,
    detail: string,
    /** The field code (AO, AU …) or fixed field name concerned, when there is one. */
    readonly field: string | null = null,
  ) {
    super(detail);
  }
}
