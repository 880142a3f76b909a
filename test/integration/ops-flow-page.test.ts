/**
 * "The flow" page and its API, through the whole app: signed in, the page draws every step of the
 * flow the line runs and lists its transitions; the API gives the same graph; without a session,
 * neither answers. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flowGraph } from "../../src/voice/flow-graph.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { type OpsApp, OpsClient, signedInClient, startOpsApp } from "../support/ops-app.js";
import { VOICE_FLOW } from "../support/voice-app.js";

const flow = VOICE_FLOW.flow;

/** The text of an attribute value as preact writes it (`<`, `&` and `"` escaped). */
function attribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
}

describe.each(DRIVERS)("the flow page on %s", (driver) => {
  let database: TestDatabase;
  let app: OpsApp;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
    app = await startOpsApp({ db: database.db });
  });
  afterEach(async () => {
    await app.close();
  });

  it("draws every step of the running flow, and lists every transition in a table", async () => {
    const client = await signedInClient(app.baseUrl, database.db, "sam", "staff");
    const response = await client.request("/ops/flow");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();

    expect(page).toContain("<title>The flow · Renewline console</title>");
    expect(page).toMatch(/<a href="\/ops\/flow" aria-current="page">The flow<\/a>/);
    const svgStart = page.indexOf("<svg");
    const svgEnd = page.indexOf("</svg>");
    expect(svgStart).toBeGreaterThan(page.indexOf('<div class="diagram">'));
    expect(svgEnd).toBeGreaterThan(svgStart);
    const svg = page.slice(svgStart, svgEnd);
    for (const step of Object.keys(flow.steps)) {
      expect(svg, step).toContain(`id="flow-step-${attribute(step)}"`);
    }
    for (const edge of flowGraph(flow).edges) {
      expect(svg).toContain(`data-from="${attribute(edge.from)}" data-to="${attribute(edge.to)}"`);
    }
    // Nothing is highlighted on the flow page: no call's path is drawn.
    expect(svg).not.toMatch(/class="[^"]*\b(visited|taken)\b/);

    const table = page.slice(svgEnd);
    for (const step of Object.keys(flow.steps)) expect(table).toContain(`id="flow-row-${attribute(step)}"`);
    expect(table).toContain("key 3 (only if smsAvailable)");
    expect(table).toContain("verifyPin");
    expect(table).toContain('<a href="#flow-row-cardNumber">cardNumber</a>');
  });

  it("answers GET /ops/api/flow with the steps and arrows as JSON", async () => {
    const client = await signedInClient(app.baseUrl, database.db, "sam", "staff");
    const response = await client.request("/ops/api/flow");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as {
      start: string;
      steps: { id: string; kind: string }[];
      edges: { from: string; to: string; label: string }[];
    };
    expect(body.start).toBe(flow.start);
    expect(body.steps.map((s) => s.id)).toEqual(Object.keys(flow.steps));
    expect(body.steps.find((s) => s.id === "pin")?.kind).toBe("digits");
    expect(body.edges).toHaveLength(flowGraph(flow).edges.length);
    expect(body.edges).toContainEqual({ from: "menu", to: "staffCall", label: "7 (dial)" });
    expect(body.edges).toContainEqual({ from: "pin", to: "goodbye", label: "tooManyFailures / 3rd miss" });
  });

  it("refuses both without a session: the page sends to the login, the API answers 401", async () => {
    const client = new OpsClient(app.baseUrl);
    const page = await client.request("/ops/flow");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/ops/login");
    const api = await client.request("/ops/api/flow");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "not signed in" });
  });
});
