/**
 * The console's locked accounts (issue "Locked accounts"): locks placed by real calls keying wrong
 * PINs on the demo library, listed for every operator, lifted by an admin only, once, with the
 * session's CSRF token; the reader can then log in by phone. PGlite always, PostgreSQL too with
 * TEST_DATABASE_URL.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { patrons } from "../../src/db/schema/index.js";
import {
  callRow,
  DEMO_NOW,
  keyFiveWrongPins,
  lockOf,
  login,
  patronIdOf,
  useDemoLine,
  WRONG_PINS,
} from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { extraReadersFixture } from "../support/library-fixture.js";
import { capturingLogger } from "../support/log-capture.js";
import { csrfOf, OpsClient, signedInClient } from "../support/ops-app.js";
import { call, TEST_LOCKOUT } from "../support/voice-app.js";

/** Reader 1 of the demo: card, PIN, HKID digits, phone, name. */
const READER_1 = {
  card: "2100000001",
  pin: "135790",
  hkid: "1234563",
  phone: "91234567",
  name: "Chan Tai Man",
};
const MARKUP_NAME = '<img src=x onerror="alert(1)"> Reader';
/** A reader whose name has markup in it, as a library system might send it. */
const markupFixture = extraReadersFixture([
  { cardNumber: "2100000098", name: MARKUP_NAME, phone: "98989898", pin: "9898" },
]);

const minutesAfterDemo = (minutes: number) => new Date(Date.parse(DEMO_NOW) + minutes * 60_000);

interface LockRow {
  patronId: string;
  cells: string[];
  html: string;
}

const text = (html: string) => html.replace(/<[^>]*>/g, "").trim();

function lockRowsOf(page: string): LockRow[] {
  return [...page.matchAll(/<tr data-patron-id="(\d+)">(.*?)<\/tr>/gs)].map((m) => ({
    patronId: m[1] ?? "",
    html: m[2] ?? "",
    cells: [...(m[2] ?? "").matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => text(cell[1] ?? "")),
  }));
}

describe.each(DRIVERS)("locked accounts on %s", (driver) => {
  const logs = capturingLogger();
  const line = useDemoLine(driver, { extra: markupFixture, app: { ops: true, logger: logs.logger } });

  /** Locks the reader's account by phone; answers their patron id. */
  async function lockByPhone(card: string): Promise<number> {
    await keyFiveWrongPins(line.app, card);
    expect((await lockOf(line.demo.db, card)).phoneLockedUntil).not.toBeNull();
    return patronIdOf(line.demo.db, card);
  }

  /** Whether the reader gets past the PIN by phone now. */
  async function logsInByPhone(card: string, pin: string): Promise<boolean> {
    const result = await call(line.app, [...login(card, pin), "*"]);
    return (await callRow(line.demo.db, result.callSid))?.patronId === (await patronIdOf(line.demo.db, card));
  }

  async function locksPage(client: OpsClient, query = "") {
    const response = await client.request(`/ops/locks${query}`);
    return { status: response.status, html: await response.text() };
  }

  async function lift(client: OpsClient, patronId: number | string, csrf?: string): Promise<Response> {
    const token = csrf ?? csrfOf((await locksPage(client)).html);
    return client.post(`/ops/locks/${patronId}/lift`, { csrf: token });
  }

  it("lists a lock placed by five wrong PINs: card last four, name, when, until; never a secret", async () => {
    const patronId = await lockByPhone(READER_1.card);
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual({
      failedPinAttempts: 0,
      phoneLockedAt: new Date(DEMO_NOW),
      phoneLockedUntil: minutesAfterDemo(TEST_LOCKOUT.minutes),
    });
    line.app.setNow(minutesAfterDemo(5).toISOString());
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");

    const { status, html } = await locksPage(client);
    expect(status).toBe(200);
    expect(html).toContain("<title>Locked accounts · Renewline console</title>");
    expect(html).toContain('<a href="/ops/locks" aria-current="page">');
    const rows = lockRowsOf(html);
    expect(rows.map((r) => [r.patronId, ...r.cells])).toEqual([
      // Times in the library's zone (Hong Kong), not the server's (UTC in tests).
      [String(patronId), "…0001", READER_1.name, "2026-12-01 10:00:00", "2026-12-01 10:30:00"],
    ]);

    const api = await client.request("/ops/api/locks");
    expect(api.status).toBe(200);
    const body: unknown = await api.json();
    expect(body).toEqual({
      locks: [
        {
          patronId,
          name: READER_1.name,
          cardLastFour: "0001",
          lockedAt: new Date(DEMO_NOW).toISOString(),
          locked: "2026-12-01 10:00:00",
          lockedUntil: minutesAfterDemo(30).toISOString(),
          until: "2026-12-01 10:30:00",
        },
      ],
    });

    for (const secret of [
      READER_1.card,
      READER_1.pin,
      READER_1.hkid,
      "A123456",
      READER_1.phone,
      ...WRONG_PINS,
    ]) {
      expect(html, secret).not.toContain(secret);
      expect(JSON.stringify(body), secret).not.toContain(secret);
      expect(logs.text(), secret).not.toContain(secret);
    }
  });

  it("lists only locks in force: one that has run out is gone, and none at all says so", async () => {
    await lockByPhone(READER_1.card);
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
    line.app.setNow(minutesAfterDemo(29.9).toISOString());
    expect(lockRowsOf((await locksPage(client)).html)).toHaveLength(1);

    line.app.setNow(minutesAfterDemo(30).toISOString());
    const { html } = await locksPage(client);
    expect(lockRowsOf(html)).toEqual([]);
    expect(html).toContain('<p id="no-locks">No account is locked.</p>');
    expect(await (await client.request("/ops/api/locks")).json()).toEqual({ locks: [] });
  });

  it("shows a staff operator no lift button, refuses their POST with 403, and the lock stays", async () => {
    const patronId = await lockByPhone(READER_1.card);
    const before = await lockOf(line.demo.db, READER_1.card);
    const staff = await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");

    const { html } = await locksPage(staff);
    expect(lockRowsOf(html)).toHaveLength(1);
    expect(html).not.toContain("/lift");
    expect(html).not.toContain("Lift lock");
    expect(html).toContain("Only an admin can lift a lock.");

    // With the staff session's own, valid CSRF token: refused for the role alone.
    const response = await lift(staff, patronId);
    expect(response.status).toBe(403);
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(before);
    expect(await logsInByPhone(READER_1.card, READER_1.pin)).toBe(false);
  });

  it("lets an admin lift a lock: cleared with its count, logged without the card, and the reader logs in", async () => {
    const patronId = await lockByPhone(READER_1.card);
    line.app.setNow(minutesAfterDemo(5).toISOString());
    // Locked: the right PIN does not get in.
    expect(await logsInByPhone(READER_1.card, READER_1.pin)).toBe(false);
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");

    const { html } = await locksPage(admin);
    const [row] = lockRowsOf(html);
    expect(row?.html).toContain(`<form method="post" action="/ops/locks/${patronId}/lift">`);
    expect(row?.html).toContain(
      '<button type="submit" aria-label="Lift lock on card …0001">Lift lock</button>',
    );

    const response = await lift(admin, patronId);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/ops/locks?lifted=1");
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual({
      failedPinAttempts: 0,
      phoneLockedAt: null,
      phoneLockedUntil: null,
    });
    const after = await locksPage(admin, "?lifted=1");
    expect(after.html).toContain("The lock was lifted: the reader can log in by telephone again.");
    expect(lockRowsOf(after.html)).toEqual([]);

    const logged = logs.lines().filter((line) => line.msg === "ops lock lifted");
    expect(logged).toEqual([expect.objectContaining({ operator: "alice", patronId })]);
    expect(logs.text()).not.toContain(READER_1.card);

    expect(await logsInByPhone(READER_1.card, READER_1.pin)).toBe(true);
  });

  it("clears a failed-PIN count along with the lock, so the reader has five tries again", async () => {
    const patronId = await lockByPhone(READER_1.card);
    // The line restarts the count when it locks; a count left over (an import, an older version)
    // must go with the lock all the same.
    await line.demo.db.update(patrons).set({ failedPinAttempts: 3 }).where(eq(patrons.id, patronId));
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    expect((await lift(admin, patronId)).status).toBe(303);
    expect((await lockOf(line.demo.db, READER_1.card)).failedPinAttempts).toBe(0);
    for (const wrong of ["111111", "222222", "333333", "444444"])
      await call(line.app, login(READER_1.card, wrong));
    expect(await lockOf(line.demo.db, READER_1.card)).toMatchObject({
      failedPinAttempts: 4,
      phoneLockedUntil: null,
    });
  });

  it("lifts once: a second lift, or a lift of a lock that has run out, says so and changes nothing", async () => {
    const patronId = await lockByPhone(READER_1.card);
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    const csrf = csrfOf((await locksPage(admin)).html);
    expect((await lift(admin, patronId, csrf)).headers.get("location")).toBe("/ops/locks?lifted=1");
    // One wrong PIN after the lift: a second lift must leave this count alone.
    await call(line.app, login(READER_1.card, "999999"));
    const afterFirst = await lockOf(line.demo.db, READER_1.card);
    expect(afterFirst.failedPinAttempts).toBe(1);

    const again = await lift(admin, patronId, csrf);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/ops/locks?notLocked=1");
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(afterFirst);
    expect((await locksPage(admin, "?notLocked=1")).html).toContain(
      "That account was no longer locked (the lock had already been lifted or had run out). Nothing was changed.",
    );

    // Reader 98's lock runs out; lifting it afterwards changes nothing either.
    const other = await lockByPhone("2100000098");
    line.app.setNow(minutesAfterDemo(31).toISOString());
    const expired = await lockOf(line.demo.db, "2100000098");
    expect(expired.phoneLockedUntil).not.toBeNull();
    expect((await lift(admin, other)).headers.get("location")).toBe("/ops/locks?notLocked=1");
    expect(await lockOf(line.demo.db, "2100000098")).toEqual(expired);
    expect(logs.lines().filter((line) => line.msg === "ops lock lift: not locked")).toEqual([
      expect.objectContaining({ operator: "alice", patronId }),
      expect.objectContaining({ operator: "alice", patronId: other }),
    ]);
  });

  it("refuses a lift without the session's CSRF token, and changes nothing", async () => {
    const patronId = await lockByPhone(READER_1.card);
    const before = await lockOf(line.demo.db, READER_1.card);
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    const other = await signedInClient(line.app.baseUrl, line.demo.db, "bob", "admin");
    const otherCsrf = csrfOf((await locksPage(other)).html);

    expect((await admin.request(`/ops/locks/${patronId}/lift`, { method: "POST" })).status).toBe(403);
    expect((await admin.post(`/ops/locks/${patronId}/lift`, {})).status).toBe(403);
    expect((await lift(admin, patronId, "")).status).toBe(403);
    expect((await lift(admin, patronId, otherCsrf)).status).toBe(403);
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(before);
  });

  it("answers a lift of no account with a clear message and changes nothing", async () => {
    await lockByPhone(READER_1.card);
    const before = await lockOf(line.demo.db, READER_1.card);
    const admin = await signedInClient(line.app.baseUrl, line.demo.db, "alice", "admin");
    for (const bad of ["abc", "0", "-1", "1.5", "1e3", "99999999999"]) {
      const response = await lift(admin, bad);
      expect(response.status, bad).toBe(400);
      const html = await response.text();
      expect(html, bad).toContain('<p role="alert" class="error">There is no such account.</p>');
      expect(lockRowsOf(html), bad).toHaveLength(1);
    }
    // A well-formed id with no reader behind it: nothing is locked there.
    expect((await lift(admin, 999_999)).headers.get("location")).toBe("/ops/locks?notLocked=1");
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(before);
  });

  it("shows a name with markup as text", async () => {
    await lockByPhone("2100000098");
    const { html } = await locksPage(await signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff"));
    expect(html).not.toContain("<img");
    expect(lockRowsOf(html)[0]?.cells[1]).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;> Reader");
  });

  it("refuses the page, the lift and the API without a session", async () => {
    const patronId = await lockByPhone(READER_1.card);
    const before = await lockOf(line.demo.db, READER_1.card);
    const stranger = new OpsClient(line.app.baseUrl);
    for (const path of ["/ops/locks", "/ops/locks?lifted=1"]) {
      const response = await stranger.request(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/ops/login");
    }
    const posted = await stranger.post(`/ops/locks/${patronId}/lift`, { csrf: "anything" });
    expect(posted.status).toBe(302);
    expect(posted.headers.get("location")).toBe("/ops/login");
    const api = await stranger.request("/ops/api/locks");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "not signed in" });
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(before);
  });
});
