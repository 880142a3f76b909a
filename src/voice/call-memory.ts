/**
 * The state each call under way was left in by this process's last answer to it, so that a key
 * that runs no action (the menu again, a wrong key) can be answered without first reading the
 * call: one round trip instead of two (issue #9).
 *
 * Only a hint, never the truth: the database is. The save that uses it stores the answer only
 * if the call is still at the webhook the memory says (`next_seq`, which every change of a
 * call's state moves on), so a memory gone stale (another process answered the call, a failed
 * webhook) saves nothing and the webhook is answered the ordinary way, reading the call.
 */
import type { CallState } from "./call-state.js";

// Calls under way at once, with room to spare: a 2-core line holds about 500 (the busy hour).
// Past this the longest-unheard are forgotten, and answered the ordinary way.
const DEFAULT_CAPACITY = 2_000;

export class CallMemory {
  readonly #calls = new Map<string, { nextSeq: number; state: CallState }>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** The call's state, if the webhook answered last was the one just before `seq`. */
  recall(callSid: string, seq: number): CallState | null {
    const known = this.#calls.get(callSid);
    return known && known.nextSeq === seq ? known.state : null;
  }

  /** The state a committed answer left the call in, waiting for webhook `nextSeq`. */
  remember(callSid: string, nextSeq: number, state: CallState): void {
    // Deleted first, so that the Map's order (oldest first) is the order calls were last heard.
    this.#calls.delete(callSid);
    this.#calls.set(callSid, { nextSeq, state });
    if (this.#calls.size > this.#capacity) {
      const oldest = this.#calls.keys().next().value;
      if (oldest !== undefined) this.#calls.delete(oldest);
    }
  }

  /** A call that ended, or whose last webhook failed: its next one reads the call. */
  forget(callSid: string): void {
    this.#calls.delete(callSid);
  }

  get size(): number {
    return this.#calls.size;
  }
}
