/**
 * Operator API tokens (issue 4, "behind the same login or an operator's API token"): a bearer
 * token reads /ops/api with its operator's role, and the CSV export (issue 8), and no page. PGlite always, PostgreSQL too
 * with TEST_DATABASE_URL.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { operatorApiTokens } from "../../src/db/schema/index.js";
import { createApiToken, revokeApiTokens } from "../../src/ops/api-tokens.js";
import { disableOperator, setOperatorPassword } from "../../src/ops/operators.js";
import { sha256Hex } from "../../src/ops/tokens.js";
import { CALL_LOG_CSV_HEADER, parseCsv } from "../support/csv.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { capturingLogger } from "../support/log-capture.js";
import { addOperator, OPS_NOW, type OpsApp, startOpsApp } from "../support/ops-app.js";

describe.each(DRIVERS)("operator API tokens on %s", (driver) => {
  let database: TestDatabase;
  let app: OpsApp;
  const logs = capturingLogger();

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    app = await startOpsApp({ db: database.db, logger: logs.logger });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
  });

  const get = (path: string, token?: string) =>
    fetch(`${app.baseUrl}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      redirect: "manual",
    });

  async function tokenFor(name: string, role: "staff" | "admin"): Promise<string> {
    await addOperator(database.db, name, role);
    return createApiToken(database.db, { operatorName: name, label: "reports", now: new Date(OPS_NOW) });
  }

  it("reads the API as its operator, with that operator's role", async () => {
    const staffToken = await tokenFor("sam", "staff");
    const adminToken = await tokenFor("alice", "admin");
    expect(staffToken).toMatch(/^rlt_[A-Za-z0-9_-]{43}$/);

    expect(await (await get("/ops/api/me", staffToken)).json()).toEqual({ name: "sam", role: "staff" });
    const calls = await get("/ops/api/calls", staffToken);
    expect(calls.status).toBe(200);
    expect(await calls.json()).toMatchObject({ calls: [], total: 0 });
    // An admin-only route: staff's token gets 403, an admin's is let through.
    expect((await get("/ops/api/operators", staffToken)).status).toBe(403);
    expect((await get("/ops/api/operators", adminToken)).status).toBe(200);
  });

  it("is stored only as a hash, and never written to the logs", async () => {
    const token = await tokenFor("sam", "staff");
    await get("/ops/api/calls", token);
    const [stored] = await database.db.select().from(operatorApiTokens);
    expect(stored?.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(logs.text()).not.toContain(token);
  });

  it("refuses an unknown, malformed, revoked or disabled operator's token with 401", async () => {
    const token = await tokenFor("sam", "staff");
    expect((await get("/ops/api/calls", `${token.slice(0, -1)}x`)).status).toBe(401);
    expect((await get("/ops/api/calls", "rlt_")).status).toBe(401);
    const malformed = await fetch(`${app.baseUrl}/ops/api/calls`, {
      headers: { authorization: `Basic ${token}` },
    });
    expect(malformed.status).toBe(401);

    await disableOperator(database.db, "sam", new Date(OPS_NOW));
    expect((await get("/ops/api/calls", token)).status).toBe(401);

    // A new password (after a suspected compromise) revokes the operator's tokens too.
    const lee = await tokenFor("lee", "staff");
    expect((await get("/ops/api/calls", lee)).status).toBe(200);
    await setOperatorPassword(database.db, "lee", "a fresh password 2026");
    expect((await get("/ops/api/calls", lee)).status).toBe(401);

    const other = await tokenFor("kim", "staff");
    expect((await get("/ops/api/calls", other)).status).toBe(200);
    expect(await revokeApiTokens(database.db, "kim")).toBe(1);
    expect((await get("/ops/api/calls", other)).status).toBe(401);
    expect(
      await database.db.select().from(operatorApiTokens).where(eq(operatorApiTokens.label, "reports")),
    ).toHaveLength(1);
  });

  it("downloads the CSV export, and refuses a bad token there with 401 rather than the login page", async () => {
    const token = await tokenFor("sam", "staff");
    const csv = await get("/ops/calls.csv", token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(parseCsv(await csv.text())).toEqual([CALL_LOG_CSV_HEADER]);

    await revokeApiTokens(database.db, "sam");
    const revoked = await get("/ops/calls.csv", token);
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ error: "not signed in" });
    expect((await get("/ops/calls.csv", "rlt_made-up")).status).toBe(401);
    // A browser, with no token and no session, still goes to the login.
    const browser = await get("/ops/calls.csv");
    expect(browser.status).toBe(302);
    expect(browser.headers.get("location")).toBe("/ops/login");
  });

  it("opens no page: a token is for the API and the export only", async () => {
    const token = await tokenFor("sam", "staff");
    for (const path of [
      "/ops/live",
      "/ops/live/events",
      "/ops/calls",
      "/ops/calls/CA0000",
      "/ops/trn",
      "/ops/locks",
      "/ops/statistics",
      "/ops/flow",
    ]) {
      const response = await get(path, token);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/ops/login");
    }
  });
});
