/**
 * The app with the operator console on a test database, listening on port 0, with a clock the
 * test moves; and a small browser-like client that keeps the console's cookies by hand.
 */
import type { Database } from "../../src/db/database.js";
import type { OperatorRole } from "../../src/db/schema/index.js";
import { createApp } from "../../src/http/app.js";
import { createLogger, type Logger } from "../../src/logging/logger.js";
import { createOperator } from "../../src/ops/operators.js";
import type { Clock } from "../../src/time/clock.js";
import { listen } from "./http.js";
import { VOICE_FLOW } from "./voice-app.js";

export const OPS_NOW = "2026-12-01T10:00:00+08:00";

export interface OpsApp {
  baseUrl: string;
  setNow(iso: string | Date): void;
  close(): Promise<void>;
}

export async function startOpsApp(options: {
  db: Database;
  logger?: Logger;
  publicBaseUrl?: string;
  now?: string;
  sessionHours?: number;
  trustProxy?: number | string;
}): Promise<OpsApp> {
  let nowMs = Date.parse(options.now ?? OPS_NOW);
  const clock: Clock = { now: () => new Date(nowMs) };
  const server = await listen(
    createApp({
      db: options.db,
      logger: options.logger ?? createLogger({ level: "silent" }),
      trustProxy: options.trustProxy ?? null,
      ops: {
        clock,
        publicBaseUrl: options.publicBaseUrl ?? "http://localhost:3000",
        sessionHours: options.sessionHours ?? 8,
        timeZone: "Asia/Hong_Kong",
        voiceFlow: VOICE_FLOW,
      },
    }),
  );
  return {
    baseUrl: server.baseUrl,
    setNow(iso) {
      nowMs = typeof iso === "string" ? Date.parse(iso) : iso.getTime();
    },
    close: server.close,
  };
}

export async function addOperator(
  db: Database,
  name: string,
  role: OperatorRole,
  password = `${name}-password-123`,
): Promise<string> {
  await createOperator(db, { name, role, password, now: new Date(OPS_NOW) });
  return password;
}

/** One Set-Cookie line, split into its value and attributes. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: string[];
}

export function setCookies(response: Response): SetCookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: decodeURIComponent(pair.slice(at + 1)), attributes };
  });
}

/** Keeps cookies the way a browser would for one site (enough for these tests: no paths, no expiry). */
export class OpsClient {
  readonly cookies = new Map<string, string>();
  /** `headers` go with every request, e.g. the X-Forwarded-For a proxy would add. */
  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) headers.set(name, value);
    if (this.cookies.size > 0)
      headers.set(
        "cookie",
        [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "),
      );
    const response = await fetch(`${this.baseUrl}${path}`, { ...init, headers, redirect: "manual" });
    for (const cookie of setCookies(response)) {
      if (cookie.value === "" || cookie.attributes.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a)))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Opens the login page and returns the CSRF token of its form. */
  async loginCsrf(): Promise<string> {
    const page = await this.request("/ops/login");
    return csrfOf(await page.text());
  }

  async logIn(name: string, password: string): Promise<Response> {
    const csrf = await this.loginCsrf();
    return this.post("/ops/login", { name, password, csrf });
  }
}

/** The hidden `csrf` field of a rendered form. */
export function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("no csrf field in the page");
  return match[1];
}

/** A client signed in as a new operator `name` with `role`. */
export async function signedInClient(
  baseUrl: string,
  db: Database,
  name: string,
  role: OperatorRole,
): Promise<OpsClient> {
  const password = await addOperator(db, name, role);
  const client = new OpsClient(baseUrl);
  const response = await client.logIn(name, password);
  if (response.status !== 303) throw new Error(`login as ${name} answered ${response.status}`);
  return client;
}
