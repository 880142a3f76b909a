/** The library system LIBRARY_SYSTEM names, built once at start (library-system.md). */
import type { Settings } from "../config/settings.js";
import type { RenewalPolicy } from "../rules/policy.js";
import type { LibraryCalendar } from "../time/library-clock.js";
import { createEmbeddedLibrary } from "./embedded/embedded-library.js";
import type { LibrarySystem } from "./library-system.js";
import type { Sip2TrafficLogger } from "./sip2/connection.js";
import { poolFromSettings } from "./sip2/pool.js";
import { loadRefusalMapping } from "./sip2/refusal-mapping.js";
import { createSip2Library } from "./sip2/sip2-library.js";

export interface LibrarySystemDeps {
  calendar: LibraryCalendar;
  policy: RenewalPolicy;
  identityHashKey: string;
  /** SIP2 traffic goes out at debug, its AD, CO and AC masked (mask.ts). */
  logger: Sip2TrafficLogger;
}

/**
 * Throws on a refusal mapping file that does not validate, naming every problem, so that the
 * line never starts with a mapping it would misread.
 */
export function createLibrarySystem(
  settings: Settings["librarySystem"],
  deps: LibrarySystemDeps,
): LibrarySystem {
  if (settings.kind === "embedded") return createEmbeddedLibrary(deps);
  return createSip2Library({
    pool: poolFromSettings(settings.sip2, deps.logger),
    institution: settings.sip2.institution,
    refusals: loadRefusalMapping(settings.sip2.refusals),
    logger: deps.logger,
  });
}
