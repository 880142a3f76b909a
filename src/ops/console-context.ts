/** What every console route needs: the database, the clock, the library's zone and the flow. */
import type { Database } from "../db/database.js";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { VoiceFlow } from "../voice/flow-definition.js";

export interface ConsoleContext {
  db: Database;
  clock: Clock;
  /** LIBRARY_TZ: every time on a page is shown in the library's zone. */
  timeZone: string;
  /** The flow the line runs, for the diagram. */
  voiceFlow: VoiceFlow;
  logger: Logger;
}
