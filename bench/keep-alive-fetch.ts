/**
 * A `fetch` for the simulator over node:http with a keep-alive agent: hundreds of calls in
 * flight share reused connections, and the driver spends less CPU per request than global fetch
 * (the driver shares the machine's two cores with the line and PostgreSQL).
 */
import http from "node:http";
import type { FetchFunction } from "../src/simulator/call-simulator.js";

// Longer than any webhook's answer takes (a socket in use is never closed by it), and longer
// than the server's keep-alive hint, so that the hint decides when an idle connection closes.
const IDLE_CONNECTION_TIMEOUT_MS = 60_000;

export function keepAliveFetch(maxSockets: number): { fetch: FetchFunction; close(): void } {
  // An idle connection is dropped before the server drops it: reused just as the server closed
  // it (Node's 5 s keep-alive timeout), a request meets ECONNRESET. Node's agent would honour the
  // server's `Keep-Alive: timeout=5` hint (one second less), but only below a timeout of its own.
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    timeout: IDLE_CONNECTION_TIMEOUT_MS,
  });
  const fetchFunction = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = typeof init?.body === "string" ? init.body : undefined;
    const headers: Record<string, string> = { ...(init?.headers as Record<string, string>) };
    if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const request = http.request(
        url,
        { method: init?.method ?? "GET", headers, agent, signal: init?.signal ?? undefined },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === "string") responseHeaders.set(name, value);
            }
            resolve(
              new Response(Buffer.concat(chunks), {
                status: response.statusCode ?? 500,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }) as FetchFunction;
  return { fetch: fetchFunction, close: () => agent.destroy() };
}
