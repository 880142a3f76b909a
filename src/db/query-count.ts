/**
 * Counts the statements a piece of work sends (a webhook, for the queries-per-webhook metric),
 * whichever connection runs them: the count follows the work's async context.
 * BEGIN and COMMIT are the driver's, not drizzle's, and are not counted.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<{ statements: number }>();

/** For openDatabase's onQuery: one more statement for the work running now, if it is counted. */
export function noteQuery(): void {
  const counter = current.getStore();
  if (counter) counter.statements += 1;
}

/** Runs the work with its statements counted; `statements()` reads the count so far. */
export function countingQueries<T>(work: (statements: () => number) => Promise<T>): Promise<T> {
  const counter = { statements: 0 };
  return current.run(counter, () => work(() => counter.statements));
}
