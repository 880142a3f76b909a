/**
 * Why a request to the ILS got no usable answer. Like Sip2ProtocolError, the messages never quote
 * a line: a line can carry a PIN (AD) or the line's login password (CO).
 */
export class Sip2ConnectionError extends Error {
  override readonly name: string = "Sip2ConnectionError";
}

/** No answer (or no free connection) within SIP2_TIMEOUT_MS. */
export class Sip2TimeoutError extends Sip2ConnectionError {
  override readonly name = "Sip2TimeoutError";
}

/** The ILS answered the login (93) with 94 ok=0: a wrong SIP2_USER/SIP2_PASSWORD, or the account is not allowed. */
export class Sip2LoginRefusedError extends Sip2ConnectionError {
  override readonly name = "Sip2LoginRefusedError";
}

/** The pool was closed while the request waited or ran. */
export class Sip2PoolClosedError extends Sip2ConnectionError {
  override readonly name = "Sip2PoolClosedError";
}

/**
 * A request that may have changed the ILS (Renew, Renew All) was sent, and no valid answer came
 * back. It was not resent: the ILS may have applied it. The caller learns what happened another
 * way (Item Information, 17/18, gives the due date) (library-system.md, "SIP2 connection").
 */
export class Sip2AnswerLostError extends Error {
  override readonly name = "Sip2AnswerLostError";

  constructor(
    readonly messageCode: string,
    override readonly cause: Error,
  ) {
    super(`${messageCode}: no valid answer (${cause.message}); not resent, as the ILS may have applied it`);
  }
}
