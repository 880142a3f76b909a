/**
 * The live calls page's event stream (issue 4, "Live calls ... updating by itself"): a call that
 * starts is pushed to an open stream, its step as it moves, and it leaves the list when Twilio's
 * status callback closes it; a stream ends when its session does. The browser test shows the page
 * drawing it; this one reads the stream itself. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { describe, expect, it } from "vitest";
import { calls } from "../../src/db/schema/index.js";
import { placeCall } from "../../src/simulator/call-simulator.js";
import { DEMO_NOW, useDemoLine } from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { csrfOf, signedInClient } from "../support/ops-app.js";
import type { VoiceApp } from "../support/voice-app.js";

interface Snapshot {
  now: string;
  calls: { callSid: string; step: string; language: string; card: string; startedAt: string }[];
}

/** Reads `event: calls` messages from an open event stream, one at a time. */
function eventReader(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
  const reader = body.pipeThrough(decoder).getReader();
  let buffer = "";
  return {
    async next(): Promise<Snapshot> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: calls\ndata: (.*)$/m.exec(message);
          if (data?.[1]) return JSON.parse(data[1]) as Snapshot;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        buffer += value;
      }
    },
    /** Resolves once the server ends the stream. */
    async ended(): Promise<void> {
      for (;;) if ((await reader.read()).done) return;
    },
    cancel: () => reader.cancel(),
  };
}

/** A call held at each Gather until the test lets it go on. */
function heldCall(app: VoiceApp) {
  const keys: ((key: string | null) => void)[] = [];
  let asked: () => void = () => {};
  let waiting = new Promise<void>((resolve) => {
    asked = resolve;
  });
  const result = placeCall({
    baseUrl: app.publicBaseUrl,
    authToken: app.authToken,
    nextKeys: () =>
      new Promise<string | null>((resolve) => {
        keys.push(resolve);
        asked();
      }),
  });
  return {
    result,
    /** Waits until the line asks for keys, then presses `key` (null hangs up). */
    async press(key: string | null) {
      await waiting;
      waiting = new Promise<void>((resolve) => {
        asked = resolve;
      });
      keys.shift()?.(key);
    },
  };
}

describe.each(DRIVERS)("live calls stream on %s", (driver) => {
  const line = useDemoLine(driver, { app: { ops: true } });

  it("pushes a call as it starts and moves, and drops it when it ends", async () => {
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
    const page = await client.request("/ops/live");
    expect(await page.text()).toContain("0 calls in progress.");
    const stream = await client.request("/ops/live/events");
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = eventReader(stream.body as ReadableStream<Uint8Array>);
    expect((await events.next()).calls).toEqual([]);

    const held = heldCall(line.app);
    const started = await events.next();
    expect(started.calls).toHaveLength(1);
    const sid = started.calls[0]?.callSid ?? "";
    expect(started.calls[0]).toMatchObject({ step: "language", language: "Not chosen", card: "" });
    expect(started.now).toBe(new Date(DEMO_NOW).toISOString());

    await held.press("2");
    const moved = await events.next();
    expect(moved.calls).toEqual([expect.objectContaining({ callSid: sid, language: "Putonghua" })]);
    expect(moved.calls[0]?.step).not.toBe("language");

    await held.press(null);
    await held.result;
    expect((await events.next()).calls).toEqual([]);
    await events.cancel();
  });

  it("leaves out a call whose final status never came (older than Twilio's longest call)", async () => {
    const started = (hoursAgo: number) => new Date(Date.parse(DEMO_NOW) - hoursAgo * 3_600_000);
    await line.demo.db.insert(calls).values(
      [5, 1].map((hoursAgo) => ({
        callSid: `CA${String(hoursAgo).padStart(32, "0")}`,
        startedAt: started(hoursAgo),
        status: "in-progress",
        step: "menu",
        state: {},
        updatedAt: started(hoursAgo),
      })),
    );
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
    const page = await (await client.request("/ops/live")).text();
    expect(page).toContain("1 call in progress.");
    expect(page).toContain(`CA${"1".padStart(32, "0")}`);
    expect(page).not.toContain(`CA${"5".padStart(32, "0")}`);
  });

  it("ends the stream when its operator signs out", async () => {
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
    const csrf = csrfOf(await (await client.request("/ops/live")).text());
    const stream = await client.request("/ops/live/events");
    const events = eventReader(stream.body as ReadableStream<Uint8Array>);
    await events.next();
    await client.post("/ops/logout", { csrf });
    // Sessions are checked again every 5 seconds; the stream must end by then.
    await events.ended();
  });
});
