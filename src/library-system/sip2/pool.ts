/**
 * The pool of logged-in SIP2 connections (library-system.md, "SIP2 connection"): at most
 * `size` connections, one request in flight on each; a broken or timed-out connection is
 * destroyed and a fresh one opened when next needed.
 *
 * The retry rule: a request that gets no valid answer in time is retried once, on a fresh
 * connection, only where retrying cannot renew twice. So request() retries only what the caller
 * marks idempotent; a Renew (29) or Renew All (65) that was sent and got no valid answer fails
 * with Sip2AnswerLostError, and the caller asks the ILS (17/18) whether it happened.
 *
 * Each attempt has SIP2_TIMEOUT_MS in all: waiting for a free connection, opening and logging one
 * in, and the exchange. A request therefore takes at most twice that.
 */
import {
  type AnswerOf,
  Sip2Connection,
  type Sip2ConnectionOptions,
  type Sip2TrafficLogger,
} from "./connection.js";
import { Sip2ProtocolError } from "./errors.js";
import { MESSAGES, type RequestCode, type Sip2Message } from "./messages.js";
import {
  Sip2AnswerLostError,
  Sip2ConnectionError,
  Sip2LoginRefusedError,
  Sip2PoolClosedError,
  Sip2TimeoutError,
} from "./transport-errors.js";

export interface Sip2PoolOptions extends Sip2ConnectionOptions {
  /** Connections at most (SIP2_POOL). */
  size: number;
  /** Per attempt (SIP2_TIMEOUT_MS). */
  timeoutMs: number;
  logger?: Sip2TrafficLogger | undefined;
}

export interface RequestOptions {
  /**
   * Safe to send twice: it changes nothing in the ILS (93, 99, 63, 17). Never true for a Renew or
   * Renew All.
   */
  idempotent: boolean;
}

/** A failure after the request went out: the ILS may have read it. */
class SentNoAnswer {
  constructor(readonly error: Error) {}
}

interface Waiter {
  wake: () => void;
}

export class Sip2Pool {
  private readonly idle: Sip2Connection[] = [];
  private readonly all = new Set<Sip2Connection>();
  /** Connections open or opening. */
  private count = 0;
  private waiters: Waiter[] = [];
  private closed = false;

  constructor(private readonly options: Sip2PoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError("pool size must be at least 1");
  }

  /** Sends a request and returns the ILS's decoded answer. */
  async request<C extends RequestCode>(
    message: Sip2Message<C>,
    options: RequestOptions,
  ): Promise<Sip2Message<AnswerOf<C>>> {
    const first = await this.attempt(message, false);
    if (!(first instanceof SentNoAnswer)) return first;
    if (!options.idempotent) {
      throw new Sip2AnswerLostError(`${message.code} ${MESSAGES[message.code].title}`, first.error);
    }
    if (this.closed) throw first.error;
    this.options.logger?.warn(
      { sip2: "retry", code: message.code, reason: first.error.message },
      "SIP2 request got no valid answer: retrying once on a fresh connection",
    );
    const second = await this.attempt(message, true);
    if (second instanceof SentNoAnswer) throw second.error;
    return second;
  }

  /** Opens (and logs in) one connection now, so that the first call does not wait for it. */
  async warmUp(): Promise<void> {
    this.release(await this.acquire(Date.now() + this.options.timeoutMs, false));
  }

  /** Opens and logs in connections, in parallel, until the pool holds `size` of them. */
  async fill(): Promise<void> {
    const missing = Math.max(0, this.options.size - this.count);
    const opening = Array.from({ length: missing }, () =>
      this.openConnection(Date.now() + this.options.timeoutMs).then((connection) => this.release(connection)),
    );
    const failures = (await Promise.allSettled(opening)).filter((r) => r.status === "rejected");
    if (failures.length > 0) throw (failures[0] as PromiseRejectedResult).reason;
  }

  /** Ends every connection; requests waiting or in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll();
    const ending = [...this.all].map((connection) =>
      connection.busy
        ? connection.destroy(new Sip2PoolClosedError("the SIP2 pool was closed"))
        : connection.close(),
    );
    this.idle.length = 0;
    await Promise.all(ending);
  }

  private async attempt<C extends RequestCode>(
    message: Sip2Message<C>,
    fresh: boolean,
  ): Promise<Sip2Message<AnswerOf<C>> | SentNoAnswer> {
    const deadline = Date.now() + this.options.timeoutMs;
    // Failures before sending (no connection, login refused) are thrown as they are: nothing
    // reached the ILS, and the connection was just tried fresh.
    const connection = await this.acquire(deadline, fresh);
    try {
      const answer = await connection.exchange(message, Math.max(1, deadline - Date.now()));
      this.release(connection);
      return answer.message as Sip2Message<AnswerOf<C>>;
    } catch (error) {
      if (error instanceof Sip2ProtocolError && error.kind === "unencodable") {
        this.release(connection);
        throw error;
      }
      // The connection destroyed itself; its close listener frees the place in the pool.
      if (error instanceof Sip2ConnectionError || error instanceof Sip2ProtocolError)
        return new SentNoAnswer(error);
      throw error;
    }
  }

  private async acquire(deadline: number, fresh: boolean): Promise<Sip2Connection> {
    for (;;) {
      if (this.closed) throw new Sip2PoolClosedError("the SIP2 pool is closed");
      if (!fresh) {
        const idle = this.idle.pop();
        if (idle?.alive) return idle;
        if (idle) continue;
      } else if (this.count >= this.options.size) {
        // Make room for the fresh connection by ending an idle one (it may be as stale).
        const idle = this.idle.shift();
        if (idle) {
          void idle.close();
          this.forget(idle);
        }
      }
      if (this.count < this.options.size) return this.openConnection(deadline);
      await this.waitForChange(deadline);
    }
  }

  private async openConnection(deadline: number): Promise<Sip2Connection> {
    this.count++;
    let connection: Sip2Connection;
    try {
      connection = await Sip2Connection.open(
        { ...this.options, logger: this.options.logger },
        Math.max(1, deadline - Date.now()),
      );
    } catch (error) {
      this.count--;
      this.wakeAll();
      throw error instanceof Sip2LoginRefusedError || error instanceof Sip2ConnectionError
        ? error
        : error instanceof Sip2ProtocolError
          ? new Sip2ConnectionError(`SIP2 login: ${error.message}`)
          : error;
    }
    this.all.add(connection);
    connection.onClose(() => this.forget(connection));
    if (this.closed) {
      await connection.close();
      throw new Sip2PoolClosedError("the SIP2 pool is closed");
    }
    return connection;
  }

  private release(connection: Sip2Connection): void {
    if (connection.alive && !this.closed && !this.idle.includes(connection)) this.idle.push(connection);
    this.wakeAll();
  }

  /** Called once per connection, when it is closed or abandoned. */
  private forget(connection: Sip2Connection): void {
    if (!this.all.delete(connection)) return;
    this.count--;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    this.wakeAll();
  }

  private waitForChange(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new Sip2TimeoutError(
              `no free SIP2 connection within ${this.options.timeoutMs} ms (all ${this.options.size} busy)`,
            ),
          );
        },
        Math.max(1, deadline - Date.now()),
      );
      this.waiters.push(waiter);
    });
  }

  private wakeAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter.wake();
  }
}

export function poolFromSettings(
  settings: {
    host: string;
    port: number;
    tls: boolean;
    user: string;
    password: string;
    location: string | null;
    checksums: boolean;
    charset: Sip2ConnectionOptions["charset"];
    timeoutMs: number;
    poolSize: number;
  },
  logger?: Sip2TrafficLogger,
): Sip2Pool {
  return new Sip2Pool({ ...settings, size: settings.poolSize, logger });
}
