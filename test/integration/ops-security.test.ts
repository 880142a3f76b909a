/**
 * The console as a whole keeps its doors shut and readers' secrets in (issue 4, "Security tests"):
 * every route the router has, found by walking it rather than listed by hand, refuses without a
 * session; every form refuses a post without its CSRF token; a title with markup, loaded the way
 * db:load loads it, shows as text; and no page, API answer or export shows a PIN, a full card
 * number, an HKID or a phone number. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import type { Router } from "express";
import { describe, expect, it } from "vitest";
import { readDemoFile } from "../../src/demo/demo-data.js";
import { createLogger } from "../../src/logging/logger.js";
import { opsRouter } from "../../src/ops/router.js";
import { systemClock } from "../../src/time/clock.js";
import { DEMO_NOW, login, useDemoLine } from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { extraReadersFixture } from "../support/library-fixture.js";
import { csrfOf, signedInClient } from "../support/ops-app.js";
import { call, VOICE_FLOW } from "../support/voice-app.js";

interface RouteEntry {
  method: string;
  path: string;
}

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** Every route of the console's router, including those of the page routers it mounts. */
function routesOf(stack: LayerLike[]): RouteEntry[] {
  return stack.flatMap((layer) => {
    if (layer.route)
      return Object.keys(layer.route.methods).map((method) => ({
        method: method.toUpperCase(),
        path: layer.route?.path ?? "",
      }));
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

const PUBLIC_ROUTES = new Set(["GET /login", "POST /login", "GET /assets/vendor/chart.umd.min.js"]);
const SAMPLE_PARAMS: Record<string, string> = { callSid: "CA0000", trn: "1234567890", patronId: "1" };

const XSS_TITLE = `<script>alert("title")</script> & <b>Co</b>`;
const XSS_CARD = "2100000777";
const XSS_PIN = "777111";

function xssFixture() {
  return extraReadersFixture([
    {
      cardNumber: XSS_CARD,
      name: `<img src=x onerror=alert(1)>`,
      hkid: "A123456(3)",
      phone: "97771110",
      pin: XSS_PIN,
      loans: [{ barcode: "34000000000777", titleId: "XSS", title: XSS_TITLE }],
    },
  ]);
}

describe.each(DRIVERS)("console security on %s", (driver) => {
  const line = useDemoLine(driver, { extra: xssFixture(), app: { ops: true } });

  const router = opsRouter({
    db: {} as never,
    clock: systemClock,
    publicBaseUrl: "http://localhost",
    logger: createLogger({ level: "silent" }),
    sessionHours: 8,
    timeZone: "Asia/Hong_Kong",
    voiceFlow: VOICE_FLOW,
  }) as Router & { stack: LayerLike[] };
  const routes = routesOf(router.stack).filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.path}`));
  const concrete = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? "x");

  it("finds the console's routes by walking the router", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    // A sample of what must be there: if the walk found nothing, the next test would prove nothing.
    for (const expected of [
      "GET /live",
      "GET /calls",
      "GET /calls.csv",
      "GET /api/calls/:callSid",
      "GET /api/trn/:trn",
      "POST /locks/:patronId/lift",
      "POST /logout",
      "GET /statistics",
      "GET /flow",
    ])
      expect(names).toContain(expected);
    expect(routes.length).toBeGreaterThan(15);
  });

  it("refuses every route without a session: pages redirect to the login, the API answers 401", async () => {
    for (const route of routes) {
      const path = `/ops${concrete(route.path)}`;
      const response = await fetch(`${line.app.baseUrl}${path}`, {
        method: route.method,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: route.method === "GET" ? undefined : "csrf=x",
      });
      const label = `${route.method} ${path}`;
      expect(response.headers.get("cache-control"), label).toBe("no-store");
      if (route.path.startsWith("/api")) {
        expect(response.status, label).toBe(401);
        expect(await response.json(), label).toEqual({ error: "not signed in" });
      } else {
        expect(response.status, label).toBe(302);
        expect(response.headers.get("location"), label).toBe("/ops/login");
      }
    }
  });

  it("answers every route signed in with Cache-Control: no-store, and lets the assets be cached", async () => {
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    const statuses = new Map<string, number>();
    for (const route of routes.filter((r) => r.method === "GET")) {
      const path = `/ops${concrete(route.path)}`;
      const response = await admin.request(path);
      // Headers are enough; the live feed's stream would never end.
      await response.body?.cancel();
      statuses.set(route.path, response.status);
      expect(response.status, path).toBeLessThan(500);
      expect(response.headers.get("cache-control"), path).toBe("no-store");
    }
    // Served, not merely refused: the export, and the stream that sets its own headers.
    for (const path of ["/live", "/calls.csv", "/live/events", "/api/calls"])
      expect(statuses.get(path), path).toBe(200);
    const login = await fetch(`${line.app.baseUrl}/ops/login`);
    expect(login.headers.get("cache-control")).toBe("no-store");
    for (const asset of ["/ops/assets/console.css", "/ops/assets/vendor/chart.umd.min.js"]) {
      const response = await admin.request(asset);
      await response.body?.cancel();
      expect(response.status, asset).toBe(200);
      expect(response.headers.get("cache-control"), asset).toBe("public, max-age=3600");
    }
  });

  it("a missing or malformed asset path is a 404, not the app failing", async () => {
    for (const path of ["/ops/assets/no-such-file.css", "/ops/assets/%E0"]) {
      const response = await fetch(`${line.app.baseUrl}${path}`);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
  });

  it("refuses every form posted without its CSRF token, or with another session's", async () => {
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    const other = await signedInClient(line.app.baseUrl, line.demo.db, "bob", "admin");
    const othersCsrf = csrfOf(await (await other.request("/ops/live")).text());
    const posts = routes.filter((r) => r.method === "POST");
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const route of posts) {
      const path = `/ops${concrete(route.path)}`;
      for (const form of [{}, { csrf: othersCsrf }] as Record<string, string>[]) {
        const response = await admin.post(path, form);
        expect(response.status, `${path} ${JSON.stringify(form)}`).toBe(403);
      }
    }
    // Still signed in: the refused logout changed nothing.
    expect((await admin.request("/ops/live")).status).toBe(200);
  });

  it("shows a title and a name with markup, loaded as db:load loads them, as text", async () => {
    const renewal = await call(line.app, [...login(XSS_CARD, XSS_PIN), "0", "*"]);
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
    const detail = await client.request(`/ops/api/calls/${renewal.callSid}`);
    const { renewals } = (await detail.json()) as { renewals: { trn: string }[] };
    const trn = renewals[0]?.trn ?? "";
    expect(trn).toMatch(/^\d{10}$/);

    for (const path of [`/ops/calls/${renewal.callSid}`, `/ops/trn?trn=${trn}`]) {
      const page = await (await client.request(path)).text();
      expect(page, path).toContain(`&lt;script>alert(&quot;title&quot;)&lt;/script> &amp; &lt;b>Co&lt;/b>`);
      expect(page, path).not.toContain("<script>alert");
      expect(page, path).not.toContain("<b>Co</b>");
    }
    // The reader's name appears where a lock is listed.
    line.app.setNow(DEMO_NOW);
    for (let i = 0; i < 2; i++)
      await call(line.app, [
        ...login(XSS_CARD, "000000"),
        `${XSS_CARD}#`,
        "000001#",
        `${XSS_CARD}#`,
        "000002#",
      ]);
    const locks = await (await client.request("/ops/locks")).text();
    expect(locks).toContain("&lt;img src=x onerror=alert(1)>");
    expect(locks).not.toContain("<img src=x");
  });

  it("shows no PIN, full card number, HKID or phone number on any page, API answer or export", async () => {
    // Calls that touch every kind of record: renewals, a failed login, a lock, a transfer.
    await call(line.app, [...login("2100000001", "135790"), "0", "*"]);
    await call(line.app, [...login("2100000003", "0303"), "0", "*"]);
    for (let i = 0; i < 2; i++)
      await call(line.app, [...login("2100000005", "1111"), "2100000005#", "2222#", "2100000005#", "3333#"]);
    await call(line.app, [...login("7788999", "6789"), "0", "*"]);
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    const { calls } = (await (await admin.request("/ops/api/calls")).json()) as {
      calls: { callSid: string }[];
    };
    expect(calls.length).toBe(5);
    const trns = (
      await Promise.all(
        calls.map(
          async (c) =>
            (
              (await (await admin.request(`/ops/api/calls/${c.callSid}`)).json()) as {
                renewals: { trn: string }[];
              }
            ).renewals,
        ),
      )
    ).flat();
    expect(trns.length).toBeGreaterThanOrEqual(2);

    const paths = [
      "/ops/live",
      "/ops/calls",
      "/ops/calls.csv",
      "/ops/api/calls",
      "/ops/locks",
      "/ops/api/locks",
      "/ops/statistics?from=2026-11-30&to=2026-12-01",
      "/ops/api/statistics?from=2026-11-30&to=2026-12-01",
      ...calls.flatMap((c) => [`/ops/calls/${c.callSid}`, `/ops/api/calls/${c.callSid}`]),
      ...trns.flatMap((t) => [`/ops/trn?trn=${t.trn}`, `/ops/api/trn/${t.trn}`]),
    ];
    const shown = new Map<string, string>();
    for (const path of paths) {
      const response = await admin.request(path);
      expect(response.status, path).toBe(200);
      // The flow diagram's coordinates are numbers of the drawing, not of any reader: left out.
      // So are CallSids and the CSRF token: random, they may hold any four digits ("CA1e3434af…").
      shown.set(
        path,
        (await response.text())
          .replace(/<svg[\s\S]*?<\/svg>/g, "")
          .replace(/CA[0-9a-f]{32}/g, "CA…")
          .replace(/name="csrf" value="[^"]*"/g, 'name="csrf"'),
      );
    }
    expect(shown.get("/ops/locks")).toContain("…0005");

    const demoReaders = (readDemoFile() as { patrons: unknown[] }).patrons;
    const readers = [...demoReaders, ...xssFixture().patrons] as {
      cardNumber: string;
      pin: string;
      hkid?: string;
      phone?: string;
    }[];
    for (const [path, text] of shown) {
      for (const reader of readers) {
        expect(text, `${path}: card`).not.toContain(reader.cardNumber);
        // PINs are short: look for them as a number of their own, not inside a TRN or a time.
        expect(text, `${path}: PIN`).not.toMatch(new RegExp(`(?<![\\d:.-])${reader.pin}(?![\\d:])`));
        if (reader.phone) expect(text, `${path}: phone`).not.toContain(reader.phone);
        if (reader.hkid) {
          expect(text, `${path}: HKID`).not.toContain(reader.hkid);
          expect(text, `${path}: HKID digits`).not.toContain(reader.hkid.replace(/\D/g, ""));
        }
      }
      // The keys typed at the card and PIN steps above.
      for (const typed of ["1111", "2222", "3333", "7788999", "6789"])
        expect(text, `${path}: typed ${typed}`).not.toMatch(new RegExp(`(?<![\\d:.-])${typed}(?![\\d:])`));
    }
  });
});
