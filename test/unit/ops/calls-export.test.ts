/**
 * The CSV export when the database fails half-way: the download is cut off and logged, and the
 * process goes on serving (an error outside the pipeline would be an uncaught exception).
 */
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../src/db/database.js";
import type { ConsoleContext } from "../../../src/ops/console-context.js";
import { callsRoutes } from "../../../src/ops/routes/calls.js";
import { listen } from "../../support/http.js";
import { capturingLogger } from "../../support/log-capture.js";
import { VOICE_FLOW } from "../../support/voice-app.js";

const row = (i: number) => ({
  callSid: `CA${String(i).padStart(32, "0")}`,
  startedAt: new Date(Date.UTC(2026, 11, 1, 2, 0, i)),
  endedAt: null,
  durationSeconds: null,
  status: "in-progress",
  language: "en",
  outcome: null,
  cardLastFour: "0001",
  step: "menu",
});

/** A database whose first select gives a full batch of calls and whose second fails. */
function failingOnSecondBatch(): Database {
  let selects = 0;
  const query = (result: () => Promise<unknown>): unknown =>
    new Proxy(
      {},
      {
        get(_target, name) {
          if (name === "then") {
            const promise = result();
            return promise.then.bind(promise);
          }
          return () => query(result);
        },
      },
    );
  return {
    select: () => {
      selects += 1;
      const n = selects;
      return query(() =>
        n === 1
          ? Promise.resolve(Array.from({ length: 1000 }, (_, i) => row(i)))
          : Promise.reject(new Error("connection terminated")),
      );
    },
  } as unknown as Database;
}

describe("call log export when the database fails", () => {
  const logs = capturingLogger();
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    const context: ConsoleContext = {
      db: failingOnSecondBatch(),
      clock: { now: () => new Date("2026-12-01T02:00:00Z") },
      timeZone: "Asia/Hong_Kong",
      voiceFlow: VOICE_FLOW,
      logger: logs.logger,
    };
    const app = express();
    app.use(callsRoutes(context));
    server = await listen(app);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("cuts the download off, logs it without detail, and keeps serving", async () => {
    const response = await fetch(`${server.baseUrl}/calls.csv`);
    expect(response.status).toBe(200);
    // The first batch went out; the body then breaks off instead of ending as if complete.
    await expect(response.text()).rejects.toThrow();
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({ msg: "call log export failed", error: "connection terminated" }),
    );
    const again = await fetch(`${server.baseUrl}/calls.csv?card=12`);
    expect(again.status).toBe(400);
  });
});
