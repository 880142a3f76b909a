/** The live feed reads the database only while a page watches, and sends only what changed. */
import { EventEmitter } from "node:events";
import type { Response } from "express";
import { describe, expect, it, vi } from "vitest";
import type { Database } from "../../../src/db/database.js";
import { createLogger } from "../../../src/logging/logger.js";
import { LiveFeed } from "../../../src/ops/live-feed.js";

/** A database answering every select with the calls `rows()` gives, counting the selects. */
function countingDb(rows: () => unknown[]) {
  const counter = { selects: 0 };
  const chain = (): unknown =>
    new Proxy(
      {},
      {
        get(_t, name) {
          if (name === "then") {
            const promise = Promise.resolve(rows());
            return promise.then.bind(promise);
          }
          return chain;
        },
      },
    );
  const db = {
    select: () => {
      counter.selects += 1;
      return chain();
    },
  } as unknown as Database;
  return { db, counter };
}

/** Enough of an Express response for an event stream. */
function fakeResponse() {
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    status: () => res,
    set: () => res,
    flushHeaders: () => {},
    write: (chunk: string) => written.push(chunk) > 0,
    end: () => {},
  });
  return { res: res as unknown as Response & EventEmitter, written };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LiveFeed", () => {
  const startedAt = new Date("2026-12-01T02:00:00Z");

  /** A feed that polls every 10 ms and checks no session again within a test. */
  function fastFeed(db: Database): LiveFeed {
    return new LiveFeed({
      db,
      clock: { now: () => startedAt },
      timeZone: "Asia/Hong_Kong",
      logger: createLogger({ level: "silent" }),
      pollMs: 10,
      sessionCheckMs: 60_000,
    });
  }

  it("polls while a page watches, and stops when the last one closes", async () => {
    const { db, counter } = countingDb(() => []);
    const feed = fastFeed(db);
    const page = fakeResponse();
    feed.watch(page.res, "session-1");
    await vi.waitFor(() => expect(counter.selects).toBeGreaterThan(2));
    expect(feed.watching).toBe(1);

    page.res.emit("close");
    expect(feed.watching).toBe(0);
    const after = counter.selects;
    await wait(60);
    // At most the one poll already under way when the page closed.
    expect(counter.selects - after).toBeLessThanOrEqual(1);
  });

  it("sends the list once, then only when it changes", async () => {
    let calls: unknown[] = [];
    const { db } = countingDb(() => calls);
    const feed = fastFeed(db);
    const page = fakeResponse();
    feed.watch(page.res, "session-1");
    await vi.waitFor(() => expect(page.written.filter((w) => w.startsWith("event: calls"))).toHaveLength(1));
    // Polls that find the same list send nothing.
    await wait(50);
    expect(page.written.filter((w) => w.startsWith("event: calls"))).toHaveLength(1);

    calls = [{ callSid: "CA1", startedAt, step: "menu", language: "en", cardLastFour: "0001" }];
    await vi.waitFor(() => expect(page.written.filter((w) => w.startsWith("event: calls"))).toHaveLength(2));
    const sent = page.written.filter((w) => w.startsWith("event: calls"));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toContain('"callSid":"CA1"');
    expect(sent[1]).toContain('"card":"…0001"');
    page.res.emit("close");
  });
});
