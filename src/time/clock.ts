/**
 * The one clock. Everything that needs the time asks a Clock handed to it, so that `FIXED_NOW`
 * pins every part of the app at once and tests never depend on when they run.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(instant: Date | string): Clock {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new Error(`fixedClock: not a timestamp: ${String(instant)}`);
  return { now: () => new Date(ms) };
}
