/**
 * The sockets postgres.js talks over, opened by us (its `socket` option) so that a dead
 * connection is noticed in seconds. With packets dropped, a query on an open connection waits
 * for TCP's retransmissions (minutes) and holds its pool slot all that time; here a connection
 * that sent a request and heard nothing within the stall limit is destroyed, which fails its
 * query and lets the driver open a fresh one.
 */
import net from "node:net";

export interface WatchedSocketOptions {
  connectTimeoutMs: number;
  stallLimitMs: number;
}

/** What postgres.js passes to its `socket` option (the parsed connection options). */
interface DriverOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

export function watchedSocketFactory(options: WatchedSocketOptions) {
  return (driver: DriverOptions): Promise<net.Socket> =>
    new Promise((resolve, reject) => {
      const socket = driver.path
        ? net.connect(driver.path)
        : net.connect(driver.port[0] ?? 5432, driver.host[0] ?? "localhost");
      const connectTimer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connect timed out"), { code: "CONNECT_TIMEOUT" }));
      }, options.connectTimeoutMs);
      socket.once("error", (error) => {
        clearTimeout(connectTimer);
        reject(error);
      });
      socket.once("connect", () => {
        clearTimeout(connectTimer);
        watchForStalls(socket, options.stallLimitMs);
        resolve(socket);
      });
    });
}

function watchForStalls(socket: net.Socket, stallLimitMs: number): void {
  // When the oldest request still unanswered was written; null while nothing is awaited.
  let awaitingSince: number | null = null;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    awaitingSince ??= Date.now();
    return write(...args);
  }) as typeof socket.write;
  socket.on("data", () => {
    awaitingSince = null;
  });
  const check = setInterval(
    () => {
      if (awaitingSince !== null && Date.now() - awaitingSince > stallLimitMs) {
        socket.destroy(
          Object.assign(new Error("database connection stalled"), { code: "CONNECTION_STALLED" }),
        );
      }
    },
    Math.max(100, Math.floor(stallLimitMs / 4)),
  );
  check.unref();
  socket.once("close", () => clearInterval(check));
}
