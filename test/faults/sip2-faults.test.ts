/**
 * The ILS in trouble, through real calls to the line behind the sip2 library system and the fake
 * ILS of test/support/sip2 (library-system.md, "SIP2 connection"):
 * - the ILS down: the caller hears the apology within 5 s, and /healthz is 503 naming SIP2;
 * - the ILS slow (3 s an answer): the call completes, every webhook answers under Twilio's 15 s;
 * - a Renew that timed out after the ILS applied it: learned with 17/18, nothing renewed twice,
 *   the caller hears the true result; one lost before the ILS applied it: refused, and said so;
 * - a connection dropped mid-call: replaced, and the call goes on.
 * The bounds are the (5 s, 15 s), generous on any machine; no test asserts speed.
 */
import { describe, expect, it } from "vitest";
import { placeCall } from "../../src/simulator/call-simulator.js";
import { heard, login, NEW_DUE, prompt, transactions } from "../calls/call-helpers.js";
import { type LibraryLine, useLibraryLine } from "../support/library-line.js";
import { timedCall } from "./fault-calls.js";

/** Twilio gives up on a webhook after 15 s (voice-line.md). */
const TWILIO_PATIENCE_MS = 15_000;
/** The apology within 5 s of the trouble (issue #8, library-system.md). */
const APOLOGY_WITHIN_MS = 5_000;

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);
const READER_1 = login("2100000001", "135790");
const READER_1_BARCODES = ["34000000000001", "34000000000003", "34000000000004"];

function dueDatesOf(line: LibraryLine, card: string): Record<string, string> {
  const ils = line.ils;
  if (!ils) throw new Error("these faults are the sip2 library system's");
  return Object.fromEntries(ils.library.loans.filter((l) => l.card === card).map((l) => [l.barcode, l.due]));
}

describe("the ILS down", () => {
  const line = useLibraryLine("sip2", "pglite");

  it("the caller hears the apology within 5 s, and /healthz is 503 naming SIP2", async () => {
    await line.ils?.close();

    const call = await timedCall(line.app, READER_1);
    // The card step is the first to ask the ILS (63).
    const card = call.webhooks.find((w) => w.params.Digits === "2100000001");
    expect(card?.status).toBe(200);
    expect(card?.twiml).toContain(en("apology"));
    expect(card?.ms).toBeLessThan(APOLOGY_WITHIN_MS);
    expect(await transactions(line.db)).toEqual([]);

    const health = await fetch(`${line.app.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; reason: string };
    expect(body.status).toBe("unavailable");
    expect(body.reason).toMatch(/SIP2/);
  });
});

describe("the ILS slow: 3 s an answer", () => {
  // A fresh connection costs a login and an answer (6 s): the library sets SIP2_TIMEOUT_MS to fit.
  const line = useLibraryLine("sip2", "pglite", { sip2TimeoutMs: 8_000, sip2PoolSize: 4 });

  it("the call completes with the true result, every webhook under Twilio's 15 s", {
    timeout: 120_000,
  }, async () => {
    const ils = line.ils;
    if (!ils) throw new Error("no ILS");
    const health = await fetch(`${line.app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    ils.answerDelayMs = 3_000;

    const call = await timedCall(line.app, [...READER_1, "0", "*"]);

    const slowest = Math.max(...call.webhooks.map((w) => w.ms));
    expect(slowest).toBeLessThan(TWILIO_PATIENCE_MS);
    // The ILS's pace shows: a webhook that asked it waited for at least one answer.
    expect(slowest).toBeGreaterThanOrEqual(3_000);
    expect(call.webhooks.every((w) => w.status === 200)).toBe(true);
    expect(heard(call.result)).not.toContain(en("apology"));
    const [transaction] = await transactions(line.db);
    expect(transaction?.results.map((r) => [r.barcode, r.outcome])).toEqual(
      READER_1_BARCODES.map((barcode) => [barcode, "renewed"]),
    );
    expect(heard(call.result)).toContain(en("renewAll.all", { count: "3" }));
    expect(dueDatesOf(line, "2100000001")).toEqual(
      Object.fromEntries(READER_1_BARCODES.map((barcode) => [barcode, NEW_DUE])),
    );
  });
});

describe("a Renew with no answer", () => {
  const line = useLibraryLine("sip2", "pglite", { sip2TimeoutMs: 800 });

  it("timed out after the ILS applied it: 17/18 says so, nothing is renewed twice, the caller hears the truth", async () => {
    const ils = line.ils;
    if (!ils) throw new Error("no ILS");
    ils.inject({ kind: "apply-then-silent", on: "29" });

    const call = await timedCall(line.app, [...READER_1, "0", "*"]);

    // Three items, three renewals applied, three Renews sent: the silent one was not sent again.
    expect(ils.renewalsApplied).toBe(3);
    expect(ils.requestsOf("29")).toBe(3);
    const [transaction] = await transactions(line.db);
    expect(transaction?.results.map((r) => [r.barcode, r.outcome, r.newDueOn])).toEqual(
      READER_1_BARCODES.map((barcode) => [barcode, "renewed", NEW_DUE]),
    );
    expect(heard(call.result)).toContain(en("renewAll.all", { count: "3" }));
    expect(heard(call.result)).not.toContain(en("apology"));
    expect(dueDatesOf(line, "2100000001")).toEqual(
      Object.fromEntries(READER_1_BARCODES.map((barcode) => [barcode, NEW_DUE])),
    );
  });

  it("lost before the ILS applied it: not renewed, not sent again, and the caller hears it was refused", async () => {
    const ils = line.ils;
    if (!ils) throw new Error("no ILS");
    ils.inject({ kind: "drop", on: "29" });

    const call = await timedCall(line.app, [...READER_1, "0", "1", "*"]);

    expect(ils.renewalsApplied).toBe(2);
    expect(ils.requestsOf("29")).toBe(3);
    const [transaction] = await transactions(line.db);
    const refused = transaction?.results.filter((r) => r.outcome === "refused") ?? [];
    expect(refused.map((r) => r.primaryReason)).toEqual(["ILS_REFUSED"]);
    expect(heard(call.result)).toContain(en("renewAll.some", { renewed: "2", count: "3" }));
    expect(heard(call.result)).toContain(en("reason.ILS_REFUSED"));
    const still = dueDatesOf(line, "2100000001")[refused[0]?.barcode ?? ""];
    expect(still).not.toBe(NEW_DUE);
  });
});

describe("a connection dropped mid-call", () => {
  const line = useLibraryLine("sip2", "pglite", { sip2PoolSize: 2 });

  it("is replaced, and the call goes on to renew", async () => {
    const ils = line.ils;
    if (!ils) throw new Error("no ILS");
    let dropped = 0;
    const result = await placeCall({
      baseUrl: line.app.publicBaseUrl,
      authToken: line.app.authToken,
      script: [...READER_1, "0", "*"],
      // After the login, before renew all: the ILS resets every connection (a restart).
      fetch: async (input, init) => {
        if (new URLSearchParams(String(init?.body ?? "")).get("Digits") === "0") {
          dropped = ils.openConnections;
          ils.dropConnections();
        }
        return fetch(input, init);
      },
    });

    expect(dropped).toBeGreaterThan(0);
    expect(heard(result)).not.toContain(en("apology"));
    expect(heard(result)).toContain(en("renewAll.all", { count: "3" }));
    const [transaction] = await transactions(line.db);
    expect(transaction?.results.every((r) => r.outcome === "renewed")).toBe(true);
    expect(ils.renewalsApplied).toBe(3);
    // New connections replaced the dropped ones, each logged in again.
    expect(ils.stats.logins).toBeGreaterThan(dropped);
  });
});
