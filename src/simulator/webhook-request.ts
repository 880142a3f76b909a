/**
 * One webhook request as Twilio makes it: form parameters (in the body for POST, in the query
 * string for GET) and an `X-Twilio-Signature` computed by the twilio package over the full URL
 * and the parameters.
 */
import twilio from "twilio";
import type { HttpMethod } from "./twiml-parser.js";

export type FetchFunction = typeof globalThis.fetch;

export interface WebhookExchange {
  method: HttpMethod;
  /** The full URL requested, query string included. */
  url: string;
  params: Record<string, string>;
  /** The HTTP status; 0 when no answer came (refused, unreachable, timed out). */
  status: number;
  contentType: string | null;
  /** The answer's body, as text. */
  twiml: string;
  /** Why no answer came, when status is 0. */
  networkError?: string;
}

// Twilio gives up on a webhook after 15 seconds by default.
const TIMEOUT_MS = 15_000;

export async function sendWebhook(
  fetchFunction: FetchFunction,
  authToken: string,
  method: HttpMethod,
  url: string,
  params: Record<string, string>,
): Promise<WebhookExchange> {
  const target = new URL(url);
  if (method === "GET") {
    for (const [name, value] of Object.entries(params)) target.searchParams.append(name, value);
  }
  const fullUrl = target.toString();
  // GET carries everything in the URL, so the signature covers the URL alone.
  const signature = twilio.getExpectedTwilioSignature(authToken, fullUrl, method === "GET" ? {} : params);
  const exchange: WebhookExchange = { method, url: fullUrl, params, status: 0, contentType: null, twiml: "" };
  try {
    const response = await fetchFunction(fullUrl, {
      method,
      headers: {
        "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1",
        ...(method === "POST" ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(method === "POST" ? { body: new URLSearchParams(params).toString() } : {}),
      // A redirect would lose the signature; Twilio's answer to one is not emulated.
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    exchange.status = response.status;
    exchange.contentType = response.headers.get("content-type");
    exchange.twiml = await response.text();
  } catch (error) {
    exchange.networkError = describe(error);
  }
  return exchange;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, ...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
