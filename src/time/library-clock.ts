import type { Settings } from "../config/settings.js";
import { type CalendarDate, calendarDateIn } from "./calendar-date.js";
import { type Clock, fixedClock, systemClock } from "./clock.js";

/** The clock and the library's zone together: what "today" means for the rules. */
export interface LibraryCalendar {
  clock: Clock;
  timeZone: string;
  today(): CalendarDate;
}

export function libraryCalendar(clock: Clock, timeZone: string): LibraryCalendar {
  return { clock, timeZone, today: () => calendarDateIn(clock.now(), timeZone) };
}

export function calendarFromSettings(
  settings: Pick<Settings, "fixedNow" | "libraryTimeZone">,
): LibraryCalendar {
  const clock = settings.fixedNow ? fixedClock(settings.fixedNow) : systemClock;
  return libraryCalendar(clock, settings.libraryTimeZone);
}
