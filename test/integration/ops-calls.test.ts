/**
 * The call log, its CSV export, one call's detail and the calls API (issue 4), over calls placed
 * through the real line. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { describe, expect, it } from "vitest";
import { callEvents, calls } from "../../src/db/schema/index.js";
import { createApiToken } from "../../src/ops/api-tokens.js";
import { DEMO_NOW, login, useDemoLine } from "../calls/call-helpers.js";
import { CALL_LOG_CSV_HEADER, parseCsv } from "../support/csv.js";
import { DRIVERS } from "../support/database.js";
import { signedInClient } from "../support/ops-app.js";
import { call } from "../support/voice-app.js";

const READER_1 = { card: "2100000001", pin: "135790" };

/** The rows of a page's table, cell texts, markup stripped (the pages are server-rendered). */
function tableRows(page: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(page)?.[1] ?? "";
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      (cell[1] ?? "").replace(/<[^>]+>/g, "").trim(),
    ),
  );
}

describe.each(DRIVERS)("call log and call detail on %s", (driver) => {
  const line = useDemoLine(driver, { app: { ops: true } });

  /** Three known calls: a renewal at 10:00 (en), a failed login at 11:30 (cmn), an abandoned call at 12:00. */
  async function placeKnownCalls() {
    const renewed = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "*"]);
    line.app.setNow("2026-12-01T11:30:00+08:00");
    const failed = await call(line.app, [
      ...login(READER_1.card, "111111", "cmn"),
      `${READER_1.card}#`,
      "222222#",
      `${READER_1.card}#`,
      "333333#",
    ]);
    line.app.setNow("2026-12-01T12:00:00+08:00");
    const abandoned = await call(line.app, ["3"]);
    return { renewed: renewed.callSid, failed: failed.callSid, abandoned: abandoned.callSid };
  }

  it("lists calls newest first and filters by outcome, language, card last four and time", async () => {
    const sids = await placeKnownCalls();
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");

    const all = await (await client.request("/ops/calls")).text();
    const rows = tableRows(all, "call-log");
    expect(rows.map((row) => row[5])).toEqual([sids.abandoned, sids.failed, sids.renewed]);
    expect(rows[2]?.slice(0, 5)).toEqual([
      "2026-12-01 10:00:00",
      expect.stringMatching(/^\d+:\d\d$/),
      "English",
      "Renewed",
      "…0001",
    ]);
    expect(rows[1]?.slice(2, 5)).toEqual(["Putonghua", "Login failed", ""]);
    expect(rows[0]?.slice(2, 4)).toEqual(["English", "Abandoned"]);
    expect(all).toContain("Calls 1–3 of 3, newest first.");

    const only = async (query: string) =>
      tableRows(await (await client.request(`/ops/calls?${query}`)).text(), "call-log").map((row) => row[5]);
    expect(await only("outcome=renewed")).toEqual([sids.renewed]);
    expect(await only("outcome=login_failed")).toEqual([sids.failed]);
    expect(await only("language=cmn")).toEqual([sids.failed]);
    expect(await only("card=0001")).toEqual([sids.renewed]);
    expect(await only("card=9999")).toEqual([]);
    // Times are the library's (Hong Kong) wall-clock times: 11:00 there is 03:00 UTC.
    expect(await only("from=2026-12-01T11:00")).toEqual([sids.abandoned, sids.failed]);
    expect(await only("from=2026-12-01T11:00&to=2026-12-01T12:00")).toEqual([sids.failed]);
    expect(await only("outcome=abandoned&language=en&from=2026-12-01T09:00")).toEqual([sids.abandoned]);
  });

  it("answers a bad filter with what is wrong, and shows no calls", async () => {
    await placeKnownCalls();
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    for (const [query, message] of [
      ["card=12a4", "Card last four must be four digits."],
      ["from=2026-02-30T10:00", "“From” is not a date and time."],
      ["from=2026-12-02T10:00&to=2026-12-01T10:00", "“To” must be after “From”."],
      ["outcome=won", "The outcome is not valid."],
    ] as const) {
      const response = await client.request(`/ops/calls?${query}`);
      expect(response.status).toBe(400);
      const page = await response.text();
      expect(page).toContain(message);
      expect(tableRows(page, "call-log")).toEqual([]);
    }
    const api = await client.request("/ops/api/calls?card=12345");
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({
      error: "bad filter",
      problems: ["Card last four must be four digits."],
    });
  });

  it("pages through the log, 50 calls a page", async () => {
    const start = Date.parse(DEMO_NOW);
    await line.demo.db.insert(calls).values(
      Array.from({ length: 53 }, (_, i) => ({
        callSid: `CA${String(i).padStart(32, "0")}`,
        startedAt: new Date(start + i * 60_000),
        endedAt: new Date(start + i * 60_000 + 30_000),
        status: "completed",
        language: "en",
        step: "goodbye",
        state: {},
        outcome: "abandoned",
        durationSeconds: 30,
        updatedAt: new Date(start),
      })),
    );
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const first = await (await client.request("/ops/calls?outcome=abandoned")).text();
    expect(tableRows(first, "call-log")).toHaveLength(50);
    expect(tableRows(first, "call-log")[0]?.[5]).toBe(`CA${"52".padStart(32, "0")}`);
    expect(first).toContain("Page 1 of 2");
    expect(first).toContain('href="/ops/calls?outcome=abandoned&amp;page=2"');
    const second = await (await client.request("/ops/calls?outcome=abandoned&page=2")).text();
    expect(tableRows(second, "call-log").map((row) => row[5])).toEqual([
      `CA${"2".padStart(32, "0")}`,
      `CA${"1".padStart(32, "0")}`,
      `CA${"0".padStart(32, "0")}`,
    ]);
    const api = (await (await client.request("/ops/api/calls?outcome=abandoned&page=2")).json()) as {
      calls: { callSid: string }[];
      total: number;
    };
    expect(api.total).toBe(53);
    expect(api.calls.map((c) => c.callSid)).toHaveLength(3);

    // Past the last page: said so, not an empty page that looks like "no calls".
    const past = await client.request("/ops/calls?outcome=abandoned&page=3");
    expect(past.status).toBe(404);
    expect(await past.text()).toContain("There is no page 3: these calls fill 2 pages.");
    const pastApi = await client.request("/ops/api/calls?outcome=abandoned&page=3");
    expect(pastApi.status).toBe(404);
    // An empty log still has its first page.
    expect((await client.request("/ops/calls?outcome=error")).status).toBe(200);
  });

  it("exports exactly the filtered calls as CSV", async () => {
    const sids = await placeKnownCalls();
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const response = await client.request("/ops/calls.csv?from=2026-12-01T11:00");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="?renewline-calls-\d{12}\.csv"?$/,
    );
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(CALL_LOG_CSV_HEADER);
    // Oldest first, as a spreadsheet reads.
    expect(rows.map((row) => [row[0], row[1], row[2], row[5], row[6]])).toEqual([
      [sids.failed, "2026-12-01 11:30:00", "2026-12-01T03:30:00.000Z", "cmn", "login_failed"],
      [sids.abandoned, "2026-12-01 12:00:00", "2026-12-01T04:00:00.000Z", "en", "abandoned"],
    ]);

    const renewed = parseCsv(await (await client.request("/ops/calls.csv?outcome=renewed")).text());
    expect(renewed.slice(1).map((row) => [row[0], row[7]])).toEqual([[sids.renewed, "0001"]]);
  });

  it("exports the same CSV to a script with an API token as to a signed-in operator", async () => {
    const sids = await placeKnownCalls();
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const token = await createApiToken(line.demo.db, {
      operatorName: "staff1",
      label: "nightly export",
      now: new Date(DEMO_NOW),
    });
    const path = "/ops/calls.csv?from=2026-12-01T11:00";
    // Issue 8: this answered 302 to the login page.
    const scripted = await fetch(`${line.app.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(scripted.status).toBe(200);
    expect(scripted.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    const rows = parseCsv(await scripted.text());
    expect(rows.slice(1).map((row) => row[0])).toEqual([sids.failed, sids.abandoned]);
    expect(rows).toEqual(parseCsv(await (await client.request(path)).text()));
  });

  it("shows one call: its facts, its renewal with the TRN and items, a timeline with the card and PIN masked", async () => {
    const sids = await placeKnownCalls();
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const response = await client.request(`/ops/calls/${sids.renewed}`);
    expect(response.status).toBe(200);
    const page = await response.text();

    const api = (await (await client.request(`/ops/api/calls/${sids.renewed}`)).json()) as {
      call: { outcome: string; cardLastFour: string };
      renewals: { trn: string; items: { title: string; outcome: string; newDueOn: string | null }[] }[];
      events: { kind: string; step: string | null; detail: Record<string, unknown> }[];
      path: string[];
    };
    expect(api.call).toMatchObject({ outcome: "renewed", cardLastFour: "0001" });
    expect(api.renewals).toHaveLength(1);
    const trn = api.renewals[0]?.trn ?? "";
    expect(trn).toMatch(/^\d{10}$/);
    expect(page).toContain(`${trn.slice(0, 5)} ${trn.slice(5)}`);
    expect(page).toContain(`href="/ops/trn?trn=${trn}"`);
    for (const item of api.renewals[0]?.items ?? []) {
      expect(item.outcome).toBe("renewed");
      expect(item.newDueOn).toBe("2026-12-15");
      expect(page).toContain(item.title.replace(/&/g, "&amp;").replace(/</g, "&lt;"));
    }
    expect(page).toContain("Renewed to 2026-12-15");

    // The keys pressed at the card and PIN steps are masked; menu keys are shown.
    const keyed = api.events.filter((e) => e.kind === "key");
    expect(keyed.map((e) => e.detail)).toEqual([
      { key: "3" },
      { keyed: "masked" },
      { keyed: "masked" },
      { key: "0" },
      { key: "*" },
    ]);
    const timeline = tableRows(page, "timeline").map((row) => row[2]);
    expect(timeline).toContain("Keyed digits (masked)");
    expect(timeline).toContain("Logged in: card ending 0001");
    expect(timeline.some((text) => /^Call ended: completed/.test(text ?? ""))).toBe(true);
    expect(api.path[0]).toBe(api.events.find((e) => e.kind === "step")?.step);
    // The path is drawn on the flow: every step it went through is marked visited, and no other.
    const visited = [...page.matchAll(/<g id="flow-step-([^"]+)" class="[^"]*\bvisited\b/g)].map((m) => m[1]);
    expect(new Set(visited)).toEqual(new Set(api.path));
    expect(page).toContain('class="flow-step kind-');

    // Nothing the reader keyed or holds in secret is on the page or in the API.
    const apiText = JSON.stringify(api);
    for (const secret of [READER_1.card, READER_1.pin, "135790"]) {
      expect(page).not.toContain(secret);
      expect(apiText).not.toContain(secret);
    }
  });

  it("shows a login through the caller ID shortcut as such, and never the caller's number", async () => {
    // From reader 1's registered phone (91234567): the PIN alone, for the card ending 0001.
    const result = await call(line.app, ["3", `${READER_1.pin}#`, "*"], { from: "+85291234567" });
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const page = await (await client.request(`/ops/calls/${result.callSid}`)).text();
    const api = (await (await client.request(`/ops/api/calls/${result.callSid}`)).json()) as {
      events: { kind: string; detail: Record<string, unknown> }[];
    };

    expect(api.events.filter((e) => e.kind === "login").map((e) => e.detail)).toEqual([
      { result: "ok", via: "callerId", cardLastFour: "0001" },
    ]);
    expect(tableRows(page, "timeline").map((row) => row[2])).toContain(
      "Logged in at the caller ID shortcut: card ending 0001",
    );
    for (const text of [page, JSON.stringify(api)]) {
      expect(text).not.toContain("91234567");
      expect(text).not.toContain(READER_1.pin);
    }
  });

  it("passes on through the API only the fields each kind of event is known to carry", async () => {
    const sids = await placeKnownCalls();
    // As if a future change recorded something it should not have.
    await line.demo.db.insert(callEvents).values({
      callSid: sids.abandoned,
      at: new Date(DEMO_NOW),
      kind: "key",
      step: "menu",
      detail: { key: "1", phone: "91234567", pin: "135790" },
    });
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const api = (await (await client.request(`/ops/api/calls/${sids.abandoned}`)).json()) as {
      events: { kind: string; detail: Record<string, unknown> }[];
    };
    expect(api.events.at(-1)).toMatchObject({ kind: "key", detail: { key: "1" } });
    expect(Object.keys(api.events.at(-1)?.detail ?? {})).toEqual(["key"]);
    expect(JSON.stringify(api)).not.toContain("91234567");
  });

  it("says so for a call that is not there", async () => {
    const client = await signedInClient(line.app.baseUrl, line.demo.db, "staff1", "staff");
    const page = await client.request("/ops/calls/CAnot-a-call");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("No call has this identifier.");
    expect((await client.request("/ops/api/calls/CAnot-a-call")).status).toBe(404);
  });
});
