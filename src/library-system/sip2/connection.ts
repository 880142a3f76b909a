/**
 * One logged-in SIP2 connection to the ILS, over TCP or TLS: one request in flight, answers framed
 * by "\r" (a "\r\n" from the ILS is accepted), decoded and verified by the codec. Anything that
 * leaves the connection's state in doubt (a timeout, a garbled or unexpected answer, a close)
 * destroys it: a late answer must never be read as the answer to the next request.
 */
import net from "node:net";
import tls from "node:tls";
import { type CharsetCodec, charsetCodec, type Sip2Charset } from "./charset.js";
import { type Decoded, decodeAnswer, encodeMessage } from "./codec.js";
import { maskForLog } from "./mask.js";
import { MESSAGES, type RequestCode, type Sip2Message } from "./messages.js";
import { Sip2ConnectionError, Sip2LoginRefusedError, Sip2TimeoutError } from "./transport-errors.js";

/** Each request's answer code (SIP2 2.00). */
export const ANSWER_FOR = {
  "93": "94",
  "99": "98",
  "63": "64",
  "17": "18",
  "29": "30",
  "65": "66",
} as const satisfies Record<RequestCode, string>;
export type AnswerOf<C extends RequestCode> = (typeof ANSWER_FOR)[C];

/** A pino-like logger. Traffic goes out at debug, always through maskForLog. */
export interface Sip2TrafficLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Sip2ConnectionOptions {
  host: string;
  port: number;
  /** true, or node:tls options (a CA for a self-signed ILS certificate …), for TLS. */
  tls: boolean | tls.ConnectionOptions;
  user: string;
  password: string;
  location: string | null;
  /** AY sequence and AZ checksum on every request, verified on every answer (SIP2_CHECKSUMS). */
  checksums: boolean;
  charset: Sip2Charset;
  logger?: Sip2TrafficLogger | undefined;
}

const CR = 0x0d;
// No SIP2 answer comes near this; more without a "\r" means we are not talking to an ACS.
const MAX_LINE_BYTES = 256 * 1024;

interface Pending {
  expect: string;
  sequence: number | undefined;
  resolve: (decoded: Decoded<never>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let nextId = 1;

export class Sip2Connection {
  readonly id = nextId++;
  private buffer: Buffer = Buffer.alloc(0);
  private sequence = 0;
  private pending: Pending | null = null;
  private ended: Error | null = null;
  private readonly closeListeners: (() => void)[] = [];
  private readonly charset: CharsetCodec;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: Sip2ConnectionOptions,
  ) {
    this.charset = charsetCodec(options.charset);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // The "close" that follows says the rest; an unhandled "error" would crash the process.
    socket.on("error", (error) => this.fail(new Sip2ConnectionError(`SIP2 connection: ${error.message}`)));
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.fail(new Sip2ConnectionError("the ILS closed the SIP2 connection"));
        for (const listener of this.closeListeners.splice(0)) listener();
        resolve();
      });
    });
  }

  /** Connects and logs in (93/94) within `timeoutMs`; a refused login closes the connection. */
  static async open(options: Sip2ConnectionOptions, timeoutMs: number): Promise<Sip2Connection> {
    const deadline = Date.now() + timeoutMs;
    const socket = await connect(options, timeoutMs);
    const connection = new Sip2Connection(socket, options);
    try {
      const answer = await connection.exchange(
        {
          code: "93",
          uidAlgorithm: "0",
          pwdAlgorithm: "0",
          loginUserId: options.user,
          loginPassword: options.password,
          ...(options.location ? { locationCode: options.location } : {}),
        },
        Math.max(1, deadline - Date.now()),
      );
      if (!answer.message.ok) {
        throw new Sip2LoginRefusedError(
          `the ILS refused the SIP2 login of "${options.user}" (94 with ok 0): check SIP2_USER, SIP2_PASSWORD and the account's settings in the ILS`,
        );
      }
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  /** Still usable: open, and not abandoned after a failure. */
  get alive(): boolean {
    return this.ended === null;
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  onClose(listener: () => void): void {
    if (this.socket.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Sends one request and reads its answer within `timeoutMs`. */
  exchange<C extends RequestCode>(message: Sip2Message<C>, timeoutMs: number): Promise<Decoded<AnswerOf<C>>> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.pending) return Promise.reject(new Error("a SIP2 connection carries one request at a time"));
    const code: RequestCode = message.code;
    const sequence = this.options.checksums ? this.sequence : undefined;
    // Throws (unencodable) before anything is sent or the sequence moves.
    const line = encodeMessage(message, { sequence, encode: this.charset.encode });
    if (sequence !== undefined) this.sequence = (sequence + 1) % 10;
    return new Promise<Decoded<AnswerOf<C>>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.destroy(
          new Sip2TimeoutError(
            `${code} ${MESSAGES[code].title}: no answer from the ILS within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending = {
        expect: ANSWER_FOR[code],
        sequence,
        resolve: resolve as (decoded: Decoded<never>) => void,
        reject,
        timer,
      };
      this.log("out", line);
      this.socket.write(this.charset.encode(`${line}\r`));
    });
  }

  /** Logs out politely (closes the socket once written), without waiting. */
  close(): Promise<void> {
    this.fail(new Sip2ConnectionError("the SIP2 connection was closed"));
    this.socket.end();
    // An ILS that never closes its side must not hold close() up.
    setTimeout(() => this.socket.destroy(), 1000).unref();
    return this.closed;
  }

  /** Abandons the connection at once: any request in flight fails with `reason`. */
  destroy(reason: Error = new Sip2ConnectionError("the SIP2 connection was abandoned")): Promise<void> {
    this.fail(reason);
    this.socket.destroy();
    return this.closed;
  }

  private fail(reason: Error): void {
    if (!this.ended) this.ended = reason;
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.reject(reason);
    // A failed exchange leaves the stream's state unknown: nothing more is read from it.
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (let end = this.buffer.indexOf(CR); end !== -1; end = this.buffer.indexOf(CR)) {
      const bytes = this.buffer.subarray(0, end);
      this.buffer = this.buffer.subarray(end + 1);
      // The "\n" of a "\r\n" ending opens the next chunk of bytes.
      const line = this.charset.decode(bytes).replace(/^\n/, "");
      if (line !== "") this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.destroy(new Sip2ConnectionError('the ILS sent more than 256 KiB without a "\\r"'));
    }
  }

  private onLine(line: string): void {
    this.log("in", line);
    const pending = this.pending;
    if (!pending) {
      this.destroy(new Sip2ConnectionError("the ILS sent a message no request asked for"));
      return;
    }
    try {
      const decoded = decodeAnswer(line, pending.expect as AnswerOf<RequestCode>, {
        errorDetection: this.options.checksums,
        sequence: pending.sequence,
        encode: this.charset.encode,
      });
      this.pending = null;
      clearTimeout(pending.timer);
      pending.resolve(decoded as Decoded<never>);
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Sip2ConnectionError(String(error)));
    }
  }

  private log(direction: "in" | "out", line: string): void {
    this.options.logger?.debug(
      { sip2: direction, connection: this.id, line: maskForLog(line) },
      direction === "out" ? "SIP2 request" : "SIP2 answer",
    );
  }
}

function connect(options: Sip2ConnectionOptions, timeoutMs: number): Promise<net.Socket> {
  const { host, port } = options;
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...tlsOptions(options.tls) })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Sip2TimeoutError(`could not connect to the ILS at ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Sip2ConnectionError(`could not connect to the ILS at ${host}:${port}: ${error.message}`));
    });
  });
}

function tlsOptions(option: true | tls.ConnectionOptions): tls.ConnectionOptions {
  return option === true ? {} : option;
}
