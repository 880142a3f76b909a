/**
 * `npm start`: read the settings, open and migrate the database (loading the demo library into
 * an empty embedded one), and serve.
 */
import { count } from "drizzle-orm";
import { resolveSecrets } from "./config/development-secrets.js";
import { loadDotEnv } from "./config/dot-env.js";
import { loadSettings, type Settings, SettingsError } from "./config/settings.js";
import { databaseTargetOf, openDatabase } from "./db/database.js";
import { noteQuery } from "./db/query-count.js";
import { patrons } from "./db/schema/index.js";
import { idleInTransactionFor, shutdownGraceFor } from "./db/time-limits.js";
import { DEMO_AS_OF, demoShiftDays, readDemoFile, shiftDemoDates } from "./demo/demo-data.js";
import { createApp } from "./http/app.js";
import { validateLibraryData } from "./library-data/import-schema.js";
import { loadLibraryData } from "./library-data/load-library-data.js";
import { createLibrarySystem, type LibrarySystemDeps } from "./library-system/create-library-system.js";
import type { LibrarySystem } from "./library-system/library-system.js";
import { RefusalMappingError } from "./library-system/sip2/refusal-mapping.js";
import { createLogger } from "./logging/logger.js";
import { safeErrorMessage } from "./logging/safe-error.js";
import { createLineMetrics } from "./metrics/line-metrics.js";
import { lowerThreadPoolPriority } from "./security/thread-pool-priority.js";
import { calendarFromSettings } from "./time/library-clock.js";
import { VOCABULARY } from "./voice/actions/index.js";
import { FlowDefinitionError, loadVoiceFlow } from "./voice/flow-definition.js";
import { LINE_NEW_CALL_RATE, linePinChecks } from "./voice/pin-check-slots.js";
import { twilioSmsSender } from "./voice/sms-sender.js";

async function main(): Promise<void> {
  let settings: Settings;
  try {
    loadDotEnv();
    settings = loadSettings(process.env);
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: settings.logLevel });
  keepServingAfterStrayErrors(logger);
  // The flow files are read once, here; a broken one stops the start naming what is wrong.
  const voiceFlow = loadVoiceFlow(VOCABULARY);
  const secrets = resolveSecrets(settings);
  const calendar = calendarFromSettings(settings);
  // The first date in the library's zone loads ICU's zone data: 0.1 s on a quiet machine, most of
  // a second under load. Done here, the first caller does not wait for it.
  calendar.today();
  if (settings.fixedNow)
    logger.warn({ fixedNow: settings.fixedNow.toISOString() }, "FIXED_NOW pins the clock");

  const library = startLibrarySystem(settings, {
    calendar,
    policy: settings.policy,
    identityHashKey: secrets.identityHashKey,
    logger,
  });

  // Each webhook's statements are counted for the metrics (renewline_webhook_queries).
  const database = await openDatabase(databaseTargetOf(settings), {
    onQuery: noteQuery,
    idleInTransactionMs: idleInTransactionFor(library.webhookBudgetMs),
  });
  await database.migrate();

  // The demo library is the embedded system's; with sip2 the ILS holds the readers and loans.
  if (database.kind === "pglite" && library.kind === "embedded") {
    const [row] = await database.db.select({ patrons: count() }).from(patrons);
    if ((row?.patrons ?? 0) === 0) {
      const shift = demoShiftDays(calendar.today());
      const checked = validateLibraryData(shiftDemoDates(readDemoFile(), shift));
      if (!checked.ok) throw new Error(`demo/library.json is invalid:\n${checked.problems.join("\n")}`);
      await loadLibraryData(database.db, checked.data, {
        replace: false,
        identityHashKey: secrets.identityHashKey,
      });
      logger.info(
        { asOf: DEMO_AS_OF, shiftedByDays: shift },
        "loaded the demo library into the empty embedded database",
      );
    }
  }

  const app = createApp({
    db: database.db,
    consoleDb: database.consoleDb,
    healthDb: database.healthDb,
    lineGate: database.lineGate,
    logger,
    trustProxy: settings.trustProxy,
    metrics: settings.metricsToken
      ? {
          lineMetrics: createLineMetrics({ db: database.consoleDb, clock: calendar.clock }),
          token: settings.metricsToken,
        }
      : undefined,
    voice: {
      voiceFlow,
      authToken: secrets.twilioAuthToken,
      publicBaseUrl: settings.publicBaseUrl,
      calendar,
      policy: settings.policy,
      identityHashKey: secrets.identityHashKey,
      library,
      lockout: settings.lockout,
      staff: settings.staff,
      callerIdShortcut: settings.callerIdShortcut,
      // Where the line hashes PINs, new calls are paced by the hashing (an ILS checks its own).
      ...(library.features.pinPrecheck ? { pinChecks: linePinChecks(LINE_NEW_CALL_RATE) } : {}),
      sendSms: settings.sms
        ? twilioSmsSender(settings.sms.accountSid, secrets.twilioAuthToken, settings.sms.from)
        : null,
    },
    ops: {
      clock: calendar.clock,
      publicBaseUrl: settings.publicBaseUrl,
      sessionHours: settings.ops.sessionHours,
      timeZone: calendar.timeZone,
      voiceFlow,
    },
  });
  // PIN checks hash on libuv's pool: niced, they use only the CPU the webhooks leave.
  const nicedThreads = await lowerThreadPoolPriority();
  logger.info({ threads: nicedThreads.length }, "PIN hashing threads at low priority");
  const server = app.listen(settings.port);
  // A port already taken (a second npm start) stops the start, saying so: never "listening".
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  }).catch(async (error: NodeJS.ErrnoException) => {
    await database.close();
    throw new StartError(
      error.code === "EADDRINUSE"
        ? `port ${settings.port} is already in use (is Renewline already running? set PORT to another port)`
        : `cannot listen on port ${settings.port}: ${error.code ?? error.message}`,
    );
  });
  logger.info(
    {
      port: settings.port,
      database: database.kind,
      librarySystem: library.kind,
      publicBaseUrl: settings.publicBaseUrl,
    },
    "Renewline is listening",
  );

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close(() => {
      Promise.allSettled([library.close(), database.close()]).finally(() => process.exit(0));
    });
    // Webhooks in flight finish (each within its budget, shorter than the grace); keep-alive
    // sockets close as soon as they are idle (a socket whose answer just went would otherwise
    // hold the exit for its keep-alive timeout). Open live-page event streams never end on their
    // own, so whatever is left is closed after the grace period.
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => server.closeAllConnections(), shutdownGraceFor(library.webhookBudgetMs)).unref();
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

/** The library system, or the start stopped with the mapping file's problems named. */
function startLibrarySystem(settings: Settings, deps: LibrarySystemDeps): LibrarySystem {
  try {
    return createLibrarySystem(settings.librarySystem, deps);
  } catch (error) {
    if (error instanceof RefusalMappingError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * The last resort. A driver or library that throws outside any request (a timer, a socket
 * event) must not take the calls of this instance with it: the error is logged, and webhooks in
 * flight still answer, with the apology if their own work failed. Every call's state is in the
 * database, so nothing held in this process is left inconsistent.
 */
function keepServingAfterStrayErrors(logger: ReturnType<typeof createLogger>): void {
  process.on("uncaughtException", (error) => {
    logger.error(
      { err: { name: error.name, message: safeErrorMessage(error) } },
      "uncaught exception: serving on",
    );
  });
  process.on("unhandledRejection", (reason) => {
    logger.error(
      { err: { name: reason instanceof Error ? reason.name : "unknown" } },
      "unhandled rejection: serving on",
    );
  });
}

class StartError extends Error {
  override name = "StartError";
}

main().catch((error: unknown) => {
  console.error(
    "Renewline could not start:",
    error instanceof FlowDefinitionError || error instanceof StartError
      ? error.message
      : safeErrorMessage(error),
  );
  process.exit(1);
});
