/**
 * A SIP2 server that behaves like a library's ILS (Koha-flavoured) on a fixture library, for the
 * pool's tests and for `npm run sip2:serve`. It answers 93, 99, 63, 17, 29 and 65, echoes the
 * request's AY with a right AZ (or answers 96 to a bad checksum), and can be made to misbehave:
 *
 * - answerDelayMs: every answer waits this long (a slow ILS);
 * - inject({ kind: "delay", ms }): the next matching answer waits;
 * - inject({ kind: "drop" }): the next matching request gets its connection closed, no answer;
 * - inject({ kind: "bad-checksum" }) or badChecksums = true: a wrong AZ;
 * - inject({ kind: "apply-then-silent", on: "29" }): the renewal is applied, the answer never sent;
 * - dropConnections(): the ILS resets every open connection (a restart).
 *
 * Faults apply to the next `times` (default 1) requests with code `on` (default any but 93).
 */
import net from "node:net";
import { type CharsetCodec, charsetCodec, type Sip2Charset } from "../../src/library-system/sip2/charset.js";
import { decodeMessage, encodeMessage } from "../../src/library-system/sip2/codec.js";
import { Sip2ProtocolError } from "../../src/library-system/sip2/errors.js";
import type { RequestCode, Sip2Message } from "../../src/library-system/sip2/messages.js";
import { type AnyMessage, FakeIls } from "./sip2/ils.js";
import { type FakeLibrary, fixtureLibrary } from "./sip2/library.js";

export type Sip2FaultKind = "delay" | "drop" | "bad-checksum" | "apply-then-silent";

export interface Sip2Fault {
  kind: Sip2FaultKind;
  /** Only requests with this code (default: any request but the login). */
  on?: RequestCode;
  /** How many matching requests it spoils (default 1). */
  times?: number;
  /** For "delay". */
  ms?: number;
}

export interface Sip2TestServerOptions {
  library?: FakeLibrary;
  port?: number;
  host?: string;
  charset?: Sip2Charset;
  answerDelayMs?: number;
  /** How answers end: "\r" as the spec says, or "\r\n" as some ILSs send. */
  lineEnding?: "\r" | "\r\n";
}

export interface Sip2ServerStats {
  connections: number;
  logins: number;
  refusedLogins: number;
  /** Every request read, in order, with its AY (null without a trailer). */
  received: { code: string; sequence: number | null }[];
}

interface Session {
  socket: net.Socket;
  loggedIn: boolean;
  buffer: Buffer;
  queue: Promise<void>;
}

export class Sip2TestServer {
  readonly ils: FakeIls;
  answerDelayMs: number;
  badChecksums = false;
  lineEnding: "\r" | "\r\n";
  readonly stats: Sip2ServerStats = { connections: 0, logins: 0, refusedLogins: 0, received: [] };
  private readonly faults: (Sip2Fault & { left: number })[] = [];
  private readonly sessions = new Set<Session>();
  private readonly charset: CharsetCodec;

  private constructor(
    private readonly server: net.Server,
    options: Sip2TestServerOptions,
  ) {
    this.ils = new FakeIls(options.library ?? fixtureLibrary());
    this.answerDelayMs = options.answerDelayMs ?? 0;
    this.lineEnding = options.lineEnding ?? "\r";
    this.charset = charsetCodec(options.charset ?? "utf-8");
    server.on("connection", (socket) => this.accept(socket));
  }

  /** Listens (port 0 by default: a free port, given by `port`). */
  static async start(options: Sip2TestServerOptions = {}): Promise<Sip2TestServer> {
    const server = net.createServer();
    const sip2 = new Sip2TestServer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
    });
    return sip2;
  }

  get port(): number {
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("the SIP2 test server is not listening");
    return address.port;
  }

  get library(): FakeLibrary {
    return this.ils.library;
  }

  /** Renewals applied by 29 and 65, answered or not. */
  get renewalsApplied(): number {
    return this.ils.renewalsApplied;
  }

  /** How many requests with this code were read. */
  requestsOf(code: string): number {
    return this.stats.received.filter((r) => r.code === code).length;
  }

  inject(fault: Sip2Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.badChecksums = false;
    this.answerDelayMs = 0;
  }

  get openConnections(): number {
    return this.sessions.size;
  }

  dropConnections(): void {
    for (const session of this.sessions) session.socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    const session: Session = { socket, loggedIn: false, buffer: Buffer.alloc(0), queue: Promise.resolve() };
    this.sessions.add(session);
    socket.on("error", () => {});
    socket.on("close", () => this.sessions.delete(session));
    socket.on("data", (chunk: Buffer) => {
      session.buffer = Buffer.concat([session.buffer, chunk]);
      for (let end = session.buffer.indexOf(0x0d); end !== -1; end = session.buffer.indexOf(0x0d)) {
        const line = this.charset.decode(session.buffer.subarray(0, end)).replace(/^\n/, "");
        session.buffer = session.buffer.subarray(end + 1);
        if (line !== "") session.queue = session.queue.then(() => this.handle(session, line));
      }
    });
  }

  private takeFault(code: string): (Sip2Fault & { left: number }) | undefined {
    const fault = this.faults.find((f) => (f.on ? f.on === code : code !== "93"));
    if (!fault) return undefined;
    fault.left--;
    if (fault.left <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  private async handle(session: Session, line: string): Promise<void> {
    const { socket } = session;
    if (socket.destroyed) return;
    let request: AnyMessage;
    let sequence: number | null;
    try {
      ({ message: request, sequence } = decodeMessage(line, { errorDetection: false }));
      if (sequence !== null) decodeMessage(line, { errorDetection: true, encode: this.charset.encode });
    } catch (error) {
      // A line the ACS cannot read: SIP2's "Request SC Resend".
      if (error instanceof Sip2ProtocolError) this.write(session, "96");
      else socket.destroy();
      return;
    }
    this.stats.received.push({ code: request.code, sequence });
    const fault = this.takeFault(request.code);
    if (fault?.kind === "drop") {
      socket.destroy();
      return;
    }

    let answer: AnyMessage | null;
    if (request.code === "93") {
      const ok = this.ils.acceptsLogin(request.loginUserId, request.loginPassword);
      if (ok) this.stats.logins++;
      else this.stats.refusedLogins++;
      session.loggedIn = ok;
      answer = { code: "94", ok } satisfies Sip2Message<"94">;
    } else if (!session.loggedIn) {
      // Koha's SIP server drops a connection that has not logged in.
      socket.destroy();
      return;
    } else {
      answer = this.ils.answer(request);
    }
    if (!answer || fault?.kind === "apply-then-silent") return;

    const delay = this.answerDelayMs + (fault?.kind === "delay" ? (fault.ms ?? 0) : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    let text = encodeMessage(answer, {
      sequence: sequence ?? undefined,
      encode: this.charset.encode,
    });
    if (sequence !== null && (this.badChecksums || fault?.kind === "bad-checksum")) {
      const last = text.at(-1) === "0" ? "1" : "0";
      text = text.slice(0, -1) + last;
    }
    this.write(session, text);
  }

  private write(session: Session, text: string): void {
    if (!session.socket.destroyed) session.socket.write(this.charset.encode(`${text}${this.lineEnding}`));
  }
}
