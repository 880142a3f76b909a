/**
 * A TCP proxy between the line and PostgreSQL, for the fault suite: the line's DATABASE_URL points
 * here, and a test turns the network bad under it.
 *
 * - forward: bytes pass both ways.
 * - drop: a blackhole. Connections are still accepted, but what arrives on any of them, either
 *   way, is discarded, and nothing is closed. A connection open during the drop stays dead after
 *   it (like a real one whose retransmissions have backed off); new ones are forwarded again.
 * - stall: bytes are held, not lost, and delivered in order when forwarding resumes.
 * - refuse: new connections are reset at once, and so are the open ones.
 *
 * resetAll() resets every open connection, whatever the mode.
 */
import net from "node:net";

export type ProxyMode = "forward" | "drop" | "stall" | "refuse";

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  upstreamReady: boolean;
  /** Blackholed: nothing crosses this pair again. */
  dead: boolean;
  /** Which way the last bytes went, for counting round trips. */
  lastDirection: "up" | "down" | null;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export interface ProxyCounts {
  /** Connections accepted (in any mode but refuse). */
  accepted: number;
  /** Connections reset on arrival (refuse). */
  refused: number;
  /** Connections reset while open (refuse, resetAll). */
  reset: number;
  /** Connections blackholed (open when a drop began, or opened during one). */
  blackholed: number;
  /** Chunks held back while stalled. */
  stalledChunks: number;
  /**
   * Round trips: each time a client sends after hearing from the server (or first), across
   * every connection. Pipelined statements sent together count once.
   */
  roundTrips: number;
}

export interface TcpProxy {
  readonly port: number;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  resetAll(): void;
  counts(): ProxyCounts;
  /** `url` with its host and port replaced by this proxy's. */
  urlFor(url: string): string;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  options: { downDelayMs?: number } = {},
): Promise<TcpProxy> {
  const downDelayMs = options.downDelayMs ?? 0;
  let mode: ProxyMode = "forward";
  const pairs = new Set<Pair>();
  // Every socket still open, blackholed ones included, for close().
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  };
  const counts: ProxyCounts = {
    accepted: 0,
    refused: 0,
    reset: 0,
    blackholed: 0,
    stalledChunks: 0,
    roundTrips: 0,
  };

  const blackhole = (pair: Pair) => {
    if (pair.dead) return;
    pair.dead = true;
    pair.toUpstream = [];
    pair.toClient = [];
    counts.blackholed++;
  };

  const reset = (pair: Pair) => {
    pair.client.resetAndDestroy();
    pair.upstream?.resetAndDestroy();
    pairs.delete(pair);
  };

  const flush = (pair: Pair) => {
    if (pair.dead || mode !== "forward") return;
    if (pair.upstream && pair.upstreamReady) {
      for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    }
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  };

  const relay = (pair: Pair, chunk: Buffer, direction: "up" | "down") => {
    if (pair.dead) return;
    if (direction === "down" && downDelayMs > 0) {
      // Delivered late, so that what the line sends before it could have heard back (statements
      // pipelined behind each other, however the sends were split) counts as one round trip.
      setTimeout(() => deliver(pair, chunk, direction), downDelayMs);
      return;
    }
    deliver(pair, chunk, direction);
  };

  const deliver = (pair: Pair, chunk: Buffer, direction: "up" | "down") => {
    if (pair.dead) return;
    if (direction === "up" && pair.lastDirection !== "up") counts.roundTrips++;
    pair.lastDirection = direction;
    const queue = direction === "up" ? pair.toUpstream : pair.toClient;
    queue.push(chunk);
    if (mode === "stall") counts.stalledChunks++;
    flush(pair);
  };

  const server = net.createServer((client) => {
    track(client);
    if (mode === "refuse") {
      counts.refused++;
      client.resetAndDestroy();
      return;
    }
    counts.accepted++;
    const pair: Pair = {
      client,
      upstream: null,
      upstreamReady: false,
      dead: false,
      lastDirection: null,
      toUpstream: [],
      toClient: [],
    };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => relay(pair, chunk, "up"));
    client.on("close", () => {
      pairs.delete(pair);
      // A blackholed connection's close never reaches the server either.
      if (!pair.dead) pair.upstream?.destroy();
    });
    if (mode === "drop") {
      blackhole(pair);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    track(upstream);
    upstream.on("connect", () => {
      pair.upstreamReady = true;
      flush(pair);
    });
    upstream.on("data", (chunk: Buffer) => relay(pair, chunk, "down"));
    upstream.on("close", () => {
      if (!pair.dead) pair.client.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === "drop") blackhole(pair);
        else if (next === "refuse") {
          counts.reset++;
          reset(pair);
        } else flush(pair);
      }
    },
    resetAll() {
      for (const pair of [...pairs]) {
        counts.reset++;
        reset(pair);
      }
    },
    counts: () => ({ ...counts }),
    urlFor(url) {
      const proxied = new URL(url);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(port);
      return proxied.toString();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        pairs.clear();
        server.close(() => resolve());
      }),
  };
}
