/**
 * The sockets postgres.js talks over, opened by us (its `socket` option) so that a dead
 * connection is noticed in seconds. With packets dropped, a query on an open connection waits
 * for TCP's retransmissions (minutes) and holds its pool slot all that time; here a connection
 * that sent a request and heard nothing within the stall limit is destroyed, which fails its
 * query and lets the driver open a fresh one.
 */
import net from "node:net";

export interface WatchedSocketOptions {
  /** null: no watch. */
  stallLimitMs: number | null;
}

/** What postgres.js passes to its `socket` option (the parsed connection options). */
interface DriverOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

/**
 * The socket is handed over still connecting: writes wait for the connection, and a refused or
 * timed-out connect reaches postgres.js as the socket's own error and close, which it retries.
 * (A factory that rejects instead leaves that pool slot waiting for ever.) The driver's
 * connect_timeout covers the connect with the startup.
 */
export function watchedSocketFactory(options: WatchedSocketOptions) {
  return (driver: DriverOptions): net.Socket => {
    const socket = driver.path
      ? net.connect(driver.path)
      : net.connect(driver.port[0] ?? 5432, driver.host[0] ?? "localhost");
    // Nagle's algorithm off (postgres.js leaves it on): a small write behind an unacknowledged
    // one, such as a COMMIT pipelined behind the statement before it, would otherwise wait for
    // the server's delayed ACK, up to 40 ms on Linux, and cost a round trip of its own.
    socket.setNoDelay(true);
    if (options.stallLimitMs !== null) watchForStalls(socket, options.stallLimitMs);
    return socket;
  };
}

/**
 * Polls the socket's byte counters rather than listening to it: they keep counting under TLS,
 * where postgres.js takes the raw socket's listeners away and talks through a TLS socket.
 */
function watchForStalls(socket: net.Socket, stallLimitMs: number): void {
  let lastWritten = 0;
  let lastRead = 0;
  // Since when bytes were written that nothing has been read after; null while nothing is awaited.
  let awaitingSince: number | null = null;
  const check = setInterval(
    () => {
      if (socket.destroyed) {
        clearInterval(check);
        return;
      }
      const wrote = socket.bytesWritten !== lastWritten;
      const read = socket.bytesRead !== lastRead;
      lastWritten = socket.bytesWritten;
      lastRead = socket.bytesRead;
      if (read) awaitingSince = null;
      else if (wrote) awaitingSince ??= Date.now();
      if (awaitingSince !== null && Date.now() - awaitingSince > stallLimitMs) {
        clearInterval(check);
        socket.destroy(
          Object.assign(new Error("database connection stalled"), { code: "CONNECTION_STALLED" }),
        );
      }
    },
    Math.max(50, Math.floor(stallLimitMs / 5)),
  );
  check.unref();
}
