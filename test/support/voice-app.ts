/**
 * The whole app in-process with the real voice line (flow files, actions, TwiML, signatures),
 * listening on port 0, for simulated calls. PUBLIC_BASE_URL must be the URL the simulator posts
 * to, since signatures cover it: the server listens first, and the app is built once its port is
 * known.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Database } from "../../src/db/database.js";
import type { TransactionGate } from "../../src/db/transaction-gate.js";
import { createApp } from "../../src/http/app.js";
import type { LibrarySystem } from "../../src/library-system/library-system.js";
import { createLogger, type Logger } from "../../src/logging/logger.js";
import { createLineMetrics } from "../../src/metrics/line-metrics.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import { type CallResult, type PlaceCallOptions, placeCall } from "../../src/simulator/call-simulator.js";
import type { Clock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import { VOCABULARY } from "../../src/voice/actions/index.js";
import type { SmsSender, VoiceDeps } from "../../src/voice/actions/types.js";
import { loadVoiceFlow } from "../../src/voice/flow-definition.js";
import { parseOfficeHours } from "../../src/voice/office-hours.js";
import type { PinCheckSlots } from "../../src/voice/pin-check-slots.js";
import { TEST_IDENTITY_HASH_KEY } from "./database.js";

export const TEST_AUTH_TOKEN = "test-twilio-auth-token-0123456789";

export const DEFAULT_STAFF: VoiceDeps["staff"] = {
  phoneNumber: "+85221234567",
  officeHours: mustParseHours("mon-fri 09:00-18:00"),
  enquiryLine: "2921 0222",
};

export const TEST_LOCKOUT = { attempts: 5, minutes: 30 };

// Read once: every app in a test process runs the same flow.
export const VOICE_FLOW = loadVoiceFlow(VOCABULARY);

export interface VoiceAppOptions {
  db: Database;
  /** The instant the app's clock shows; change it later with setNow. */
  now: string;
  sms?: SmsSender | null;
  staff?: Partial<VoiceDeps["staff"]>;
  logger?: Logger;
  /**
   * The URL signatures are checked against. Default: this app's own listening URL. Two apps
   * behind one "load balancer" share one.
   */
  publicBaseUrl?: string;
  /** Turns on GET /metrics with this bearer token; the gauges read this app's clock. */
  metrics?: { token: string };
  /** Also serves the operator console under /ops, on the same clock. */
  ops?: boolean;
  /** The line pool's acquire timeout (a test can hold its permits). */
  lineGate?: TransactionGate;
  /** A webhook's budget in ms (default: the line's). */
  webhookBudgetMs?: number;
  /** The PIN checks (default: the line's), to count, watch or hold them. */
  pinChecks?: PinCheckSlots;
  /** CALLER_ID_SHORTCUT (default on, as the line ships). */
  callerIdShortcut?: boolean;
  /** The library system (default: embedded, on this app's database and clock). */
  library?: LibrarySystem;
}

export interface VoiceApp {
  /** Where this app listens. */
  baseUrl: string;
  /** What it checks signatures against (baseUrl unless given). */
  publicBaseUrl: string;
  authToken: string;
  /** Moves the app's clock (lockout expiry, office hours). */
  setNow(iso: string): void;
  close(): Promise<void>;
}

export async function startVoiceApp(options: VoiceAppOptions): Promise<VoiceApp> {
  let app: Express | null = null;
  const server = createServer((req, res) => {
    if (app) {
      app(req, res);
      return;
    }
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const publicBaseUrl = options.publicBaseUrl ?? baseUrl;

  let nowMs = parseInstant(options.now);
  const clock: Clock = { now: () => new Date(nowMs) };

  app = createApp({
    db: options.db,
    lineGate: options.lineGate,
    logger: options.logger ?? createLogger({ level: "silent" }),
    metrics: options.metrics
      ? { lineMetrics: createLineMetrics({ db: options.db, clock }), token: options.metrics.token }
      : undefined,
    voice: {
      voiceFlow: VOICE_FLOW,
      authToken: TEST_AUTH_TOKEN,
      publicBaseUrl,
      calendar: libraryCalendar(clock, "Asia/Hong_Kong"),
      policy: DEFAULT_POLICY,
      identityHashKey: TEST_IDENTITY_HASH_KEY,
      lockout: TEST_LOCKOUT,
      staff: { ...DEFAULT_STAFF, ...options.staff },
      sendSms: options.sms ?? null,
      webhookBudgetMs: options.webhookBudgetMs,
      pinChecks: options.pinChecks,
      callerIdShortcut: options.callerIdShortcut ?? true,
      ...(options.library ? { library: options.library } : {}),
    },
    ops: options.ops
      ? {
          clock,
          publicBaseUrl,
          sessionHours: 8,
          timeZone: "Asia/Hong_Kong",
          voiceFlow: VOICE_FLOW,
        }
      : undefined,
  });

  return {
    baseUrl,
    publicBaseUrl,
    authToken: TEST_AUTH_TOKEN,
    setNow(iso) {
      nowMs = parseInstant(iso);
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export type CallOptions = Omit<PlaceCallOptions, "baseUrl" | "authToken" | "script">;

/** One simulated call to the app, keying `script` (one entry per Gather). */
export function call(
  app: VoiceApp,
  script: readonly string[],
  options: CallOptions = {},
): Promise<CallResult> {
  return placeCall({ baseUrl: app.publicBaseUrl, authToken: app.authToken, script, ...options });
}

function parseInstant(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${iso}`);
  return ms;
}

function mustParseHours(text: string) {
  const hours = parseOfficeHours(text);
  if (!hours) throw new Error(`not office hours: ${text}`);
  return hours;
}
