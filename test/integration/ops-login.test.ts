/**
 * The operator console's security foundation (issue 4, "Operators"): login, sessions in the
 * database, expiry, logout, CSRF, the guard, roles and the login rate limit shared by every
 * instance. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { operatorLoginFailures, operatorSessions, operators } from "../../src/db/schema/index.js";
import { LOGIN_FAILURE_LIMITS, recordLoginFailure } from "../../src/ops/login-throttle.js";
import { disableOperator } from "../../src/ops/operators.js";
import { LOGIN_REFUSED } from "../../src/ops/router.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { capturingLogger } from "../support/log-capture.js";
import {
  addOperator,
  csrfOf,
  OPS_NOW,
  type OpsApp,
  OpsClient,
  setCookies,
  startOpsApp,
} from "../support/ops-app.js";

const escapedRefusal = LOGIN_REFUSED;

describe.each(DRIVERS)("operator console security on %s", (driver) => {
  let database: TestDatabase;
  const apps: OpsApp[] = [];

  async function start(options: Omit<Parameters<typeof startOpsApp>[0], "db"> = {}): Promise<OpsApp> {
    const app = await startOpsApp({ db: database.db, ...options });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it("logs in: a session cookie with HttpOnly, SameSite=Strict and Path=/ops, then the console answers", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start();
    const client = new OpsClient(app.baseUrl);

    const form = await client.request("/ops/login");
    expect(form.status).toBe(200);
    expect(form.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(form.headers.get("x-content-type-options")).toBe("nosniff");
    const [preSession] = setCookies(form);
    expect(preSession?.name).toBe("renewline_login_csrf");
    expect(preSession?.attributes).toEqual(
      expect.arrayContaining(["HttpOnly", "SameSite=Strict", "Path=/ops"]),
    );

    const response = await client.post("/ops/login", {
      name: "alice",
      password,
      csrf: csrfOf(await form.text()),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/ops");
    const session = setCookies(response).find((c) => c.name === "renewline_session");
    expect(session?.attributes).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Strict", "Path=/ops"]));
    expect(session?.attributes).not.toContain("Secure");
    // Lasts the session, OPS_SESSION_HOURS (8), counted by the browser's clock: never an Expires
    // from the app's frozen clock, which a browser living in the real date would find past.
    expect(session?.attributes).toContain("Max-Age=28800");
    const expires = session?.attributes.find((a) => a.startsWith("Expires="));
    if (expires) expect(Date.parse(expires.slice("Expires=".length))).toBeGreaterThan(Date.now());

    const home = await client.request("/ops");
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe("/ops/live");
    const me = await client.request("/ops/api/me");
    expect(await me.json()).toEqual({ name: "alice", role: "admin" });
    // Signed in, the login page sends the operator to the console.
    expect((await client.request("/ops/login")).headers.get("location")).toBe("/ops");
  });

  it("marks the cookies Secure when PUBLIC_BASE_URL is https", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start({ publicBaseUrl: "https://line.example.org" });
    const client = new OpsClient(app.baseUrl);
    const form = await client.request("/ops/login");
    expect(setCookies(form)[0]?.attributes).toContain("Secure");
    const response = await client.post("/ops/login", {
      name: "alice",
      password,
      csrf: csrfOf(await form.text()),
    });
    expect(setCookies(response).find((c) => c.name === "renewline_session")?.attributes).toContain("Secure");
  });

  it("sends no HSTS or upgrade-insecure-requests over plain http, so a desk PC can reach the console by its address", async () => {
    const app = await start({ publicBaseUrl: "http://renewline.library.internal:3000" });
    const form = await new OpsClient(app.baseUrl).request("/ops/login");
    const csp = form.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(form.headers.get("strict-transport-security")).toBeNull();
    // The same for the stylesheet the login page needs.
    const css = await fetch(`${app.baseUrl}/ops/assets/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("strict-transport-security")).toBeNull();
  });

  it("keeps HSTS and upgrade-insecure-requests when PUBLIC_BASE_URL is https", async () => {
    const app = await start({ publicBaseUrl: "https://line.example.org" });
    const form = await new OpsClient(app.baseUrl).request("/ops/login");
    const directives = (form.headers.get("content-security-policy") ?? "").split(";");
    expect(directives).toContain("upgrade-insecure-requests");
    expect(directives).toContain("default-src 'self'");
    expect(form.headers.get("strict-transport-security")).toMatch(/^max-age=\d+; includeSubDomains$/);
  });

  it("refuses a wrong password or an unknown name with one generic message and no session", async () => {
    await addOperator(database.db, "alice", "admin");
    const app = await start();
    for (const [name, password] of [
      ["alice", "not-alice-password"],
      ["nobody", "alice-password-123"],
    ] as const) {
      const client = new OpsClient(app.baseUrl);
      const response = await client.logIn(name, password);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain(escapedRefusal);
      expect(setCookies(response).map((c) => c.name)).not.toContain("renewline_session");
      expect((await client.request("/ops/api/me")).status).toBe(401);
    }
    expect(await database.db.$count(operatorSessions)).toBe(0);
  });

  it("refuses a disabled operator, and disabling one ends their sessions", async () => {
    const password = await addOperator(database.db, "alice", "staff");
    const app = await start();
    const client = new OpsClient(app.baseUrl);
    expect((await client.logIn("alice", password)).status).toBe(303);
    expect((await client.request("/ops/api/me")).status).toBe(200);

    await disableOperator(database.db, "alice", new Date(OPS_NOW));
    expect((await client.request("/ops/api/me")).status).toBe(401);
    const again = await new OpsClient(app.baseUrl).logIn("alice", password);
    expect(again.status).toBe(401);
    expect(await again.text()).toContain(escapedRefusal);
  });

  it("logs out: the session is deleted and its cookie no longer works", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start();
    const client = new OpsClient(app.baseUrl);
    await client.logIn("alice", password);
    const token = client.cookies.get("renewline_session") ?? "";
    const csrf = csrfOf(await (await client.request("/ops/live")).text());

    const response = await client.post("/ops/logout", { csrf });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/ops/login");
    expect(client.cookies.has("renewline_session")).toBe(false);
    expect(await database.db.$count(operatorSessions)).toBe(0);

    // The old cookie, replayed, opens nothing.
    const replay = new OpsClient(app.baseUrl);
    replay.cookies.set("renewline_session", token);
    expect((await replay.request("/ops/api/me")).status).toBe(401);
    expect((await replay.request("/ops")).headers.get("location")).toBe("/ops/login");
  });

  it("ends a session after OPS_SESSION_HOURS, checked on each request", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start({ sessionHours: 8 });
    const client = new OpsClient(app.baseUrl);
    await client.logIn("alice", password);

    app.setNow(new Date(Date.parse(OPS_NOW) + 8 * 3_600_000 - 1000));
    expect((await client.request("/ops/live")).status).toBe(200);
    app.setNow(new Date(Date.parse(OPS_NOW) + 8 * 3_600_000));
    const page = await client.request("/ops/live");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/ops/login");
    expect((await client.request("/ops/api/me")).status).toBe(401);
  });

  it("refuses every page and API route without a session: a redirect to login, or 401 JSON", async () => {
    await addOperator(database.db, "alice", "admin");
    const app = await start();
    const client = new OpsClient(app.baseUrl);
    for (const path of ["/ops", "/ops/", "/ops/calls", "/ops/anything/else"]) {
      const response = await client.request(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/ops/login");
    }
    for (const path of ["/ops/api/me", "/ops/api/operators", "/ops/api/calls"]) {
      const response = await client.request(path);
      expect(response.status, path).toBe(401);
      expect(await response.json(), path).toEqual({ error: "not signed in" });
    }
    // A made-up cookie is no session either.
    client.cookies.set("renewline_session", "made-up");
    expect((await client.request("/ops/api/me")).status).toBe(401);
    expect((await client.post("/ops/logout", {})).status).toBe(302);
  });

  it("refuses a form posted without its CSRF token, or with another session's", async () => {
    const alicePassword = await addOperator(database.db, "alice", "admin");
    const bobPassword = await addOperator(database.db, "bob", "staff");
    const app = await start();
    const alice = new OpsClient(app.baseUrl);
    const bob = new OpsClient(app.baseUrl);
    await alice.logIn("alice", alicePassword);
    await bob.logIn("bob", bobPassword);
    const bobCsrf = csrfOf(await (await bob.request("/ops/live")).text());

    expect((await alice.post("/ops/logout", {})).status).toBe(403);
    expect((await alice.post("/ops/logout", { csrf: "" })).status).toBe(403);
    expect((await alice.post("/ops/logout", { csrf: bobCsrf })).status).toBe(403);
    expect((await alice.request("/ops/api/me", { method: "POST" })).status).toBe(403);
    // Still signed in: nothing happened.
    expect((await alice.request("/ops/api/me")).status).toBe(200);

    // The login form too: without the token of its cookie, or without the cookie.
    const stranger = new OpsClient(app.baseUrl);
    const csrf = await stranger.loginCsrf();
    expect((await stranger.post("/ops/login", { name: "alice", password: alicePassword })).status).toBe(403);
    expect(
      (await stranger.post("/ops/login", { name: "alice", password: alicePassword, csrf: `${csrf}x` }))
        .status,
    ).toBe(403);
    stranger.cookies.clear();
    expect((await stranger.post("/ops/login", { name: "alice", password: alicePassword, csrf })).status).toBe(
      403,
    );
  });

  it("blocks a name after 5 failed logins in 15 minutes, on every instance, until they age out", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const first = await start();
    const second = await start();

    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await new OpsClient(first.baseUrl).logIn("alice", `wrong-${attempt}`)).status).toBe(401);
    }
    // The 6th attempt is refused before the password is looked at, even the right one.
    const sixth = await new OpsClient(first.baseUrl).logIn("alice", password);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get("retry-after")).toBe("900");
    expect(setCookies(sixth).map((c) => c.name)).not.toContain("renewline_session");
    // Another instance on the same database sees the same failures.
    expect((await new OpsClient(second.baseUrl).logIn("alice", password)).status).toBe(429);

    for (const app of [first, second]) app.setNow(new Date(Date.parse(OPS_NOW) + 15 * 60_000));
    expect((await new OpsClient(second.baseUrl).logIn("alice", password)).status).toBe(303);
  });

  /** Failed logins under names nobody uses, as if sprayed from `ip` a minute ago. */
  async function sprayedFailures(ip: string, count: number) {
    const at = new Date(Date.parse(OPS_NOW) - 60_000);
    for (let i = 1; i <= count; i++)
      await recordLoginFailure(database.db, { name: `sprayed-${i}`, ip, now: at });
  }

  it("behind a trusted proxy (TRUST_PROXY), blocks the client's address, not the proxy's", async () => {
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start({ trustProxy: 1 });
    const from = (address: string) => new OpsClient(app.baseUrl, { "x-forwarded-for": address });
    await sprayedFailures("203.0.113.7", LOGIN_FAILURE_LIMITS.address - 1);
    // The last failure the address may have: counted against the client, or the next would pass.
    expect((await from("203.0.113.7").logIn("a-new-name", "wrong-password")).status).toBe(401);
    expect((await from("203.0.113.7").logIn("alice", password)).status).toBe(429);
    // Another client through the same proxy is not held back.
    expect((await from("198.51.100.2").logIn("alice", password)).status).toBe(303);
  });

  it("holds back only the name that failed at a shared desk PC, not a colleague at the same one", async () => {
    const alicePassword = await addOperator(database.db, "alice", "staff");
    const bobPassword = await addOperator(database.db, "bob", "staff");
    const app = await start();
    for (let attempt = 1; attempt <= LOGIN_FAILURE_LIMITS.name; attempt++) {
      expect((await new OpsClient(app.baseUrl).logIn("alice", `wrong-${attempt}`)).status).toBe(401);
    }
    // Issue 8: before, alice's five misses locked every operator at this address out.
    expect((await new OpsClient(app.baseUrl).logIn("bob", bobPassword)).status).toBe(303);
    expect((await new OpsClient(app.baseUrl).logIn("alice", alicePassword)).status).toBe(429);
  });

  it("blocks an address after 50 failed logins in 15 minutes, whatever names it tries", async () => {
    expect(LOGIN_FAILURE_LIMITS.address).toBe(50);
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start({ trustProxy: 1 });
    const desk = () => new OpsClient(app.baseUrl, { "x-forwarded-for": "203.0.113.9" });
    // Most of the spray written straight to the table (each login over HTTP checks a scrypt hash);
    // the last ones through the login form, one name each.
    await sprayedFailures("203.0.113.9", LOGIN_FAILURE_LIMITS.address - 3);
    for (const name of ["a1", "a2"]) expect((await desk().logIn(name, "wrong-password")).status).toBe(401);
    // 49 failures: the desk still signs in (and alice's own failures, none, are forgotten).
    expect((await desk().logIn("alice", password)).status).toBe(303);
    expect((await desk().logIn("a3", "wrong-password")).status).toBe(401);
    const refused = await desk().logIn("alice", password);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("900");
    expect(await database.db.$count(operatorLoginFailures)).toBe(LOGIN_FAILURE_LIMITS.address);

    // The sprayed failures age out 15 minutes after they were made.
    app.setNow(new Date(Date.parse(OPS_NOW) + 14 * 60_000));
    expect((await desk().logIn("alice", password)).status).toBe(303);
  });

  it("answers 403 to a staff operator on an admin-only route, and lets an admin in", async () => {
    const staffPassword = await addOperator(database.db, "sam", "staff");
    const adminPassword = await addOperator(database.db, "alice", "admin");
    const app = await start();
    const staff = new OpsClient(app.baseUrl);
    await staff.logIn("sam", staffPassword);
    const refused = await staff.request("/ops/api/operators");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "admin only" });

    const admin = new OpsClient(app.baseUrl);
    await admin.logIn("alice", adminPassword);
    const allowed = await admin.request("/ops/api/operators");
    expect(allowed.status).toBe(200);
    const body = (await allowed.json()) as { operators: { name: string; role: string }[] };
    expect(body.operators.map((o) => [o.name, o.role])).toEqual([
      ["alice", "admin"],
      ["sam", "staff"],
    ]);
    expect(JSON.stringify(body)).not.toContain("scrypt");
  });

  it("shows what a visitor typed as text, never as markup", async () => {
    const app = await start();
    const response = await new OpsClient(app.baseUrl).logIn(
      '"><script>alert(1)</script>',
      "whatever-password",
    );
    const page = await response.text();
    expect(page).not.toContain("<script>");
    // Attribute values are quoted, so escaping the quote and "<" keeps the text inert.
    expect(page).toContain('value="&quot;>&lt;script>alert(1)&lt;/script>"');
  });

  it("keeps passwords and session tokens out of the logs and out of the database in clear", async () => {
    const { logger, text } = capturingLogger();
    const password = await addOperator(database.db, "alice", "admin");
    const app = await start({ logger });
    const client = new OpsClient(app.baseUrl);
    await new OpsClient(app.baseUrl).logIn("alice", "a-wrong-password-typed");
    await client.logIn("alice", password);
    const token = client.cookies.get("renewline_session") ?? "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await client.request("/ops/api/me");
    await client.post("/ops/logout", { csrf: csrfOf(await (await client.request("/ops/live")).text()) });

    const logs = text();
    expect(logs).toContain("ops login");
    for (const secret of [password, "a-wrong-password-typed", token]) expect(logs).not.toContain(secret);

    // Log in again to have a session row to look at.
    await client.logIn("alice", password);
    const live = client.cookies.get("renewline_session") ?? "";
    const [stored] = await database.db.select().from(operatorSessions);
    expect(stored?.id).toBe(createHash("sha256").update(live).digest("hex"));
    const [operator] = await database.db.select().from(operators).where(eq(operators.name, "alice"));
    expect(operator?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const everything = JSON.stringify([
      await database.db.select().from(operators),
      await database.db.select().from(operatorSessions),
      await database.db.select().from(operatorLoginFailures),
    ]);
    for (const secret of [password, "a-wrong-password-typed", token, live]) {
      expect(everything).not.toContain(secret);
    }
  });
});
