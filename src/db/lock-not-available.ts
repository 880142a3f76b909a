/**
 * PostgreSQL's lock_not_available (55P03): a lock not granted within lock_timeout, or at once
 * under NOWAIT. Nothing was written; the work may be tried again, or another way.
 */
const LOCK_NOT_AVAILABLE = "55P03";

/** Looks through the causes too: drizzle wraps the driver's error in one of its own. */
export function isLockNotAvailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as Error & { code?: unknown }).code === LOCK_NOT_AVAILABLE) return true;
  }
  return false;
}
