/**
 * The line on the demo library, behind either library system (library-system.md), for the call
 * suites that run on both:
 * - embedded: the demo library loaded into the test database, the rule module deciding;
 * - sip2: the fake ILS of test/support/sip2 serving the same demo library over SIP2, and the test
 *   database holding only the line's own records (it starts empty: nothing is read from it but
 *   what the line wrote).
 * Both are on the demo's day (DEMO_NOW), and put back before each test.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { LibrarySystem, LibrarySystemKind } from "../../src/library-system/library-system.js";
import { Sip2Pool } from "../../src/library-system/sip2/pool.js";
import { loadRefusalMapping } from "../../src/library-system/sip2/refusal-mapping.js";
import { createSip2Library } from "../../src/library-system/sip2/sip2-library.js";
import type { Logger } from "../../src/logging/logger.js";
import { DEMO_NOW, type DemoDatabase, openDemoDatabase } from "../calls/call-helpers.js";
import { createTestDatabase, type DriverKind, resetData, type TestDatabase } from "./database.js";
import { demoLibrary } from "./sip2/demo-library.js";
import { Sip2TestServer } from "./sip2-test-server.js";
import { startVoiceApp, type VoiceApp, type VoiceAppOptions } from "./voice-app.js";

export const LIBRARY_SYSTEMS: readonly LibrarySystemKind[] = ["embedded", "sip2"];

/** The demo's library day, as the fake ILS counts renewals from it. */
export const DEMO_DAY = "2026-12-01";
export const SIP2_ACCOUNT = { user: "phone-line", password: "line-secret" };
export const SIP2_INSTITUTION = "DEMO";

export interface LibraryLine {
  readonly kind: LibrarySystemKind;
  /** The line's database: the demo library too with embedded, only the line's records with sip2. */
  readonly db: Database;
  readonly app: VoiceApp;
  /** The fake ILS (sip2 only; null with embedded). */
  readonly ils: Sip2TestServer | null;
  /** The library system the line runs (its health, for /healthz tests). */
  readonly library: LibrarySystem | null;
}

export interface LibraryLineOptions {
  /** The voice app's options but its database, clock and library. */
  app?: Omit<VoiceAppOptions, "db" | "now" | "library">;
  /** SIP2_TIMEOUT_MS for the line's pool (default 2000). */
  sip2TimeoutMs?: number;
  /** SIP2_POOL (default 4). */
  sip2PoolSize?: number;
  /** Where the pool's traffic log goes (debug: every message, masked). */
  sip2Logger?: Logger;
}

/** The fake ILS's pool and library system, as createLibrarySystem builds them from settings. */
export function sip2LibraryFor(
  server: Sip2TestServer,
  options: { timeoutMs?: number; poolSize?: number; logger?: Logger } = {},
): LibrarySystem {
  const pool = new Sip2Pool({
    host: "127.0.0.1",
    port: server.port,
    tls: false,
    ...SIP2_ACCOUNT,
    location: "PHONE",
    checksums: true,
    charset: "utf-8",
    timeoutMs: options.timeoutMs ?? 2000,
    size: options.poolSize ?? 4,
    logger: options.logger,
  });
  return createSip2Library({
    pool,
    institution: SIP2_INSTITUTION,
    refusals: loadRefusalMapping("koha"),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/**
 * Registers the hooks of a describe block that calls the line behind `kind` on the demo
 * library: opened once in beforeAll, closed after the block, the library, the faults and the
 * clock put back before each test.
 */
export function useLibraryLine(
  kind: LibrarySystemKind,
  driver: DriverKind,
  options: LibraryLineOptions = {},
): LibraryLine {
  let demo: DemoDatabase | null = null;
  let database: TestDatabase | null = null;
  let ils: Sip2TestServer | null = null;
  let library: LibrarySystem | null = null;
  let app: VoiceApp | null = null;
  const opened = <T>(value: T | null): T => {
    if (value === null) throw new Error("the line opens in beforeAll: use it inside a test or hook");
    return value;
  };
  const line: LibraryLine = {
    kind,
    get db() {
      return opened(demo?.db ?? database?.db ?? null);
    },
    get app() {
      return opened(app);
    },
    get ils() {
      return ils;
    },
    get library() {
      return library;
    },
  };

  beforeAll(async () => {
    if (kind === "embedded") {
      demo = await openDemoDatabase(driver);
      app = await startVoiceApp({ ...options.app, db: demo.db, now: DEMO_NOW });
      return;
    }
    database = await createTestDatabase(driver);
    ils = await Sip2TestServer.start({ library: demoLibrary(DEMO_DAY, SIP2_ACCOUNT, SIP2_INSTITUTION) });
    library = sip2LibraryFor(ils, {
      ...(options.sip2TimeoutMs ? { timeoutMs: options.sip2TimeoutMs } : {}),
      ...(options.sip2PoolSize ? { poolSize: options.sip2PoolSize } : {}),
      ...(options.sip2Logger ? { logger: options.sip2Logger } : {}),
    });
    app = await startVoiceApp({ ...options.app, db: database.db, now: DEMO_NOW, library });
  });
  afterAll(async () => {
    await app?.close();
    await library?.close();
    await ils?.close();
    await demo?.dispose();
    await database?.dispose();
  });
  beforeEach(async () => {
    opened(app).setNow(DEMO_NOW);
    if (demo) {
      await demo.restore();
      return;
    }
    await resetData(opened(database));
    const server = opened(ils);
    server.clearFaults();
    // What each test counts (requests read, renewals applied) starts from nothing.
    server.stats.received.length = 0;
    server.ils.renewalsApplied = 0;
    // The ILS's library back as it was: the same object, its contents replaced.
    Object.assign(server.library, demoLibrary(DEMO_DAY, SIP2_ACCOUNT, SIP2_INSTITUTION));
  });
  return line;
}
