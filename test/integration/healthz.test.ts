import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { createApp } from "../../src/http/app.js";
import { createTestDatabase, DRIVERS, type TestDatabase } from "../support/database.js";
import { listen } from "../support/http.js";
import { capturingLogger } from "../support/log-capture.js";

describe.each(DRIVERS)("GET /healthz on %s", (driver) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(driver, { migrate: false });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it("answers 503 until the database is migrated, then 200", async () => {
    const { logger, lines } = capturingLogger();
    const server = await listen(createApp({ db: database.db, logger }));
    try {
      const before = await fetch(`${server.baseUrl}/healthz`);
      expect(before.status).toBe(503);
      expect(await before.json()).toEqual({ status: "unavailable", reason: "database not migrated" });

      await database.migrate();
      const after = await fetch(`${server.baseUrl}/healthz?card=2100000001`);
      expect(after.status).toBe(200);
      expect(await after.json()).toEqual({ status: "ok" });
    } finally {
      await server.close();
    }
    // Request logging is on, and logs the path without the query string.
    const requests = lines().filter((line) => line.req !== undefined && line.res !== undefined);
    expect(requests.map((line) => (line.req as { path: string }).path)).toEqual(["/healthz", "/healthz"]);
    expect(JSON.stringify(lines())).not.toContain("2100000001");
  });
});

describe("GET /healthz with the database gone", () => {
  it("answers 503, not a crash", async () => {
    const database = await createTestDatabase("pglite");
    const { logger } = capturingLogger();
    const server = await listen(createApp({ db: database.db, logger }));
    try {
      await database.close();
      const response = await fetch(`${server.baseUrl}/healthz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", reason: "database unreachable" });
    } finally {
      await server.close();
    }
  });
});

describe("GET /healthz with the database not answering", () => {
  it("answers 503 within its second, not when the database gets round to it", async () => {
    // A database whose every query hangs, as one does behind dropped packets.
    const hanging = { execute: () => new Promise(() => {}) } as unknown as Database;
    const { logger, lines } = capturingLogger();
    const server = await listen(createApp({ db: hanging, healthDb: hanging, logger }));
    try {
      const response = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", reason: "database not answering" });
    } finally {
      await server.close();
    }
    expect(lines().some((line) => line.msg === "health check failed" && line.level === 40)).toBe(true);
  });
});
