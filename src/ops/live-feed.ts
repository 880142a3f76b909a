/**
 * Pushes the calls in progress to every open live page (server-sent events).
 *
 * Calls move on whichever instance Twilio's webhook lands, so the feed cannot listen to this
 * process's webhooks: it reads the database once a second while anyone is watching, and sends
 * the list only when it changed. One query per instance per second, however many pages are open.
 */

import { and, gt, inArray } from "drizzle-orm";
import type { Response } from "express";
import type { Database } from "../db/database.js";
import { operatorSessions } from "../db/schema/index.js";
import type { Logger } from "../logging/logger.js";
import { safeErrorMessage } from "../logging/safe-error.js";
import type { Clock } from "../time/clock.js";
import { callsInProgress } from "./console-data/live-calls.js";
import { type LiveCallView, liveCallViews } from "./views/live-calls.js";

export interface LiveFeedOptions {
  db: Database;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** How often the database is read while a page is open. */
  pollMs?: number;
  /** How often each page's session is checked again, so a logout or expiry ends its stream (5 s). */
  sessionCheckMs?: number;
  /** A comment line that keeps proxies from closing a quiet stream. */
  keepAliveMs?: number;
}

/** What a page is sent: the calls, and the server's time to count their durations from. */
export interface LiveSnapshot {
  now: string;
  calls: LiveCallView[];
}

interface Watcher {
  res: Response;
  sessionId: string;
  /** The last list this page was sent. */
  sent: string | null;
}

export class LiveFeed {
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | null = null;
  /** The calls as last read, as JSON (to compare) and as views (to send to a newcomer). */
  private last: { json: string; calls: LiveCallView[] } | null = null;
  private polling = false;
  private lastSessionCheck = Date.now();
  private lastKeepAlive = Date.now();

  constructor(private readonly options: LiveFeedOptions) {}

  /** Starts an event stream on `res` for a signed-in operator's page. */
  watch(res: Response, sessionId: string): void {
    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    const watcher: Watcher = { res, sessionId, sent: null };
    this.watchers.add(watcher);
    res.on("close", () => this.drop(watcher));
    // The newcomer gets the list at once; the others only when it changes.
    if (this.last) send(watcher, this.last, this.options.clock.now());
    this.start();
  }

  get watching(): number {
    return this.watchers.size;
  }

  private start(): void {
    if (this.timer) {
      void this.poll();
      return;
    }
    const pollMs = this.options.pollMs ?? 1000;
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
    void this.poll();
  }

  private drop(watcher: Watcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.last = null;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (Date.now() - this.lastSessionCheck >= (this.options.sessionCheckMs ?? 5_000)) {
        this.lastSessionCheck = Date.now();
        await this.endStaleSessions();
      }
      const now = this.options.clock.now();
      const calls = liveCallViews(await callsInProgress(this.options.db, now), this.options.timeZone);
      // Only a change in the calls is news; pages count durations up on their own from `now`.
      const last = { json: JSON.stringify(calls), calls };
      this.last = last;
      for (const watcher of this.watchers) if (watcher.sent !== last.json) send(watcher, last, now);
      if (Date.now() - this.lastKeepAlive >= (this.options.keepAliveMs ?? 15_000)) {
        this.lastKeepAlive = Date.now();
        for (const watcher of this.watchers) watcher.res.write(": keep-alive\n\n");
      }
    } catch (error) {
      this.options.logger.warn(
        { error: safeErrorMessage(error) },
        "live calls feed could not read the calls",
      );
    } finally {
      this.polling = false;
    }
  }

  private async endStaleSessions(): Promise<void> {
    const ids = [...new Set([...this.watchers].map((w) => w.sessionId))];
    if (ids.length === 0) return;
    const live = await this.options.db
      .select({ id: operatorSessions.id })
      .from(operatorSessions)
      .where(
        and(inArray(operatorSessions.id, ids), gt(operatorSessions.expiresAt, this.options.clock.now())),
      );
    const liveIds = new Set(live.map((row) => row.id));
    for (const watcher of this.watchers) {
      if (liveIds.has(watcher.sessionId)) continue;
      this.drop(watcher);
      watcher.res.end();
    }
  }
}

function send(watcher: Watcher, last: { json: string; calls: LiveCallView[] }, now: Date): void {
  watcher.sent = last.json;
  const snapshot: LiveSnapshot = { now: now.toISOString(), calls: last.calls };
  // JSON has no raw newlines, so the whole snapshot fits one data line.
  watcher.res.write(`event: calls\ndata: ${JSON.stringify(snapshot)}\n\n`);
}
