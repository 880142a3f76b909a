/**
 * The SIP2 pool against the fake ILS (test/support/sip2-test-server.ts): login, request and
 * answer, the AY sequence, and the retry rule of library-system.md ("SIP2 connection") under
 * each fault. Timeouts are generous and the assertions are about behaviour, never speed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sipDateTime } from "../../src/library-system/sip2/date-time.js";
import { Sip2ProtocolError } from "../../src/library-system/sip2/errors.js";
import { Sip2Pool, type Sip2PoolOptions } from "../../src/library-system/sip2/pool.js";
import {
  Sip2AnswerLostError,
  Sip2ConnectionError,
  Sip2LoginRefusedError,
} from "../../src/library-system/sip2/transport-errors.js";
import { capturingLogger } from "../support/log-capture.js";
import { demoLibrary } from "../support/sip2/demo-library.js";
import { REFUSAL } from "../support/sip2/ils.js";
import { Sip2TestServer } from "../support/sip2-test-server.js";

const TIMEOUT_MS = 3000;
const when = sipDateTime("2026-12-01", "10:00:00");

let server: Sip2TestServer;
const pools: Sip2Pool[] = [];

function pool(overrides: Partial<Sip2PoolOptions> = {}): Sip2Pool {
  const created = new Sip2Pool({
    host: "127.0.0.1",
    tls: false,
    user: "phone-line",
    password: "line-secret",
    location: "PHONE",
    checksums: true,
    charset: "utf-8",
    timeoutMs: TIMEOUT_MS,
    size: 1,
    ...overrides,
    port: overrides.port ?? server.port,
  });
  pools.push(created);
  return created;
}

const status = { code: "99", statusCode: "0", maxPrintWidth: 80, protocolVersion: "2.00" } as const;
const item = (barcode: string) =>
  ({ code: "17", transactionDate: when, institutionId: "TESTLIB", itemIdentifier: barcode }) as const;
const renew = (card: string, pin: string, barcode: string) =>
  ({
    code: "29",
    thirdPartyAllowed: false,
    noBlock: false,
    transactionDate: when,
    nbDueDate: null,
    institutionId: "TESTLIB",
    patronIdentifier: card,
    patronPassword: pin,
    itemIdentifier: barcode,
  }) as const;

beforeEach(async () => {
  server = await Sip2TestServer.start();
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await server.close();
});

describe("SIP2 pool: login", () => {
  it("logs in once per connection and reuses it", async () => {
    const p = pool();
    const answer = await p.request(status, { idempotent: true });
    expect(answer).toMatchObject({ code: "98", onlineStatus: true, institutionId: "TESTLIB" });
    await p.request(status, { idempotent: true });
    expect(server.stats).toMatchObject({ connections: 1, logins: 1 });
    expect(server.stats.received.map((r) => r.code)).toEqual(["93", "99", "99"]);
  });

  it("fill() logs in every connection of the pool at once; requests then use them without a login", async () => {
    const p = pool({ size: 3 });
    await p.fill();
    expect(server.stats).toMatchObject({ connections: 3, logins: 3 });
    await Promise.all([1, 2, 3].map(() => p.request(status, { idempotent: true })));
    expect(server.stats).toMatchObject({ connections: 3, logins: 3 });
    // Full already: nothing more to open.
    await p.fill();
    expect(server.stats.connections).toBe(3);
  });

  it("a refused login is a clear error, and the connection is closed", async () => {
    const p = pool({ password: "wrong-password" });
    const failure = p.request(status, { idempotent: true });
    await expect(failure).rejects.toBeInstanceOf(Sip2LoginRefusedError);
    await expect(failure).rejects.toThrow(/refused the SIP2 login of "phone-line"/);
    await expect(failure).rejects.not.toThrow(/wrong-password/);
    expect(server.stats.refusedLogins).toBe(1);
    await expect.poll(() => server.openConnections).toBe(0);
  });

  it("a closed port is a connection error naming the address", async () => {
    const port = server.port;
    await server.close();
    const p = pool({ port });
    await expect(p.request(status, { idempotent: true })).rejects.toThrow(
      new RegExp(`could not connect to the ILS at 127.0.0.1:${port}`),
    );
    server = await Sip2TestServer.start();
  });
});

describe("SIP2 pool: requests and answers", () => {
  it("decodes each answer: patron information, item information, renew and renew all", async () => {
    const p = pool({ size: 2 });
    const patron = await p.request(
      {
        code: "63",
        language: "001",
        transactionDate: when,
        summary: "charged",
        institutionId: "TESTLIB",
        patronIdentifier: "2100000002",
        patronPassword: "0202",
      },
      { idempotent: true },
    );
    expect(patron).toMatchObject({
      code: "64",
      personalName: "Wong Siu Ming",
      validPatronPassword: "Y",
      chargedItemsCount: 3,
      chargedItems: ["34000000000003", "34000000000004", "34000000000005"],
      feeAmount: "9.00",
      currencyType: "HKD",
    });

    const info = await p.request(item("34000000000002"), { idempotent: true });
    expect(info).toMatchObject({ code: "18", titleIdentifier: "紅樓夢", circulationStatus: "04" });
    expect(info.dueDate).toBe("20261209    235900");

    const renewed = await p.request(renew("2100000001", "1357", "34000000000001"), { idempotent: false });
    expect(renewed).toMatchObject({ ok: true, renewalOk: true, dueDate: "20261215    235900" });
    for (const [barcode, reason] of [
      ["34000000000003", REFUSAL.limit],
      ["34000000000004", REFUSAL.recalled],
      ["34000000000005", REFUSAL.onHold],
    ] as const) {
      const refused = await p.request(renew("2100000002", "0202", barcode), { idempotent: false });
      expect(refused).toMatchObject({ ok: false, renewalOk: false, screenMessages: [reason] });
    }

    const all = await p.request(
      {
        code: "65",
        transactionDate: when,
        institutionId: "TESTLIB",
        patronIdentifier: "2100000001",
        patronPassword: "1357",
      },
      { idempotent: false },
    );
    expect(all).toMatchObject({
      ok: true,
      renewedItems: ["34000000000001", "34000000000002"],
      unrenewedItems: [],
    });
    expect(server.renewalsApplied).toBe(3);
  });

  it("numbers requests 0-9 and round again on each connection, and checks each answer's AY", async () => {
    const p = pool();
    for (let i = 0; i < 11; i++) await p.request(status, { idempotent: true });
    expect(server.stats.received.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it("sends no AY/AZ with checksums off", async () => {
    const p = pool({ checksums: false });
    await p.request(status, { idempotent: true });
    expect(server.stats.received.map((r) => r.sequence)).toEqual([null, null]);
  });

  it('accepts answers ending in "\\r\\n"', async () => {
    server.lineEnding = "\r\n";
    const p = pool();
    await p.request(status, { idempotent: true });
    await expect(p.request(item("34000000000001"), { idempotent: true })).resolves.toMatchObject({
      code: "18",
    });
  });

  it("callers beyond the pool's size wait for a free connection", async () => {
    server.answerDelayMs = 100;
    const p = pool({ size: 2 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => p.request(status, { idempotent: true })),
    );
    expect(answers.every((a) => a.code === "98")).toBe(true);
    expect(server.stats.connections).toBe(2);
  });
});

describe("SIP2 pool: faults and the retry rule", () => {
  it("a slow answer: the connection is replaced and an idempotent request is retried once and answered", async () => {
    const p = pool();
    await p.request(status, { idempotent: true });
    server.inject({ kind: "delay", on: "17", ms: TIMEOUT_MS * 3 });
    const answer = await p.request(item("34000000000001"), { idempotent: true });
    expect(answer).toMatchObject({ code: "18", titleIdentifier: "A Brief History of Time" });
    expect(server.requestsOf("17")).toBe(2);
    expect(server.stats.connections).toBe(2);
  });

  it("an idempotent request slow twice fails with a timeout after one retry", async () => {
    const p = pool();
    server.inject({ kind: "delay", on: "17", ms: TIMEOUT_MS * 3, times: 5 });
    await expect(p.request(item("34000000000001"), { idempotent: true })).rejects.toThrow(
      /17 Item Information: no answer from the ILS within/,
    );
    expect(server.requestsOf("17")).toBe(2);
  });

  it("a Renew the ILS applied but never answered: Sip2AnswerLostError, not resent, renewed exactly once", async () => {
    const p = pool();
    server.inject({ kind: "apply-then-silent", on: "29" });
    const failure = p.request(renew("2100000001", "1357", "34000000000001"), { idempotent: false });
    await expect(failure).rejects.toBeInstanceOf(Sip2AnswerLostError);
    await expect(failure).rejects.toThrow(/29 Renew: no valid answer/);
    expect(server.requestsOf("29")).toBe(1);
    expect(server.renewalsApplied).toBe(1);
    // The next layer's check: 17/18 shows the new due date.
    const info = await p.request(item("34000000000001"), { idempotent: true });
    expect(info.dueDate).toBe("20261215    235900");
  });

  it("a Renew All that timed out is not resent either", async () => {
    const p = pool();
    server.inject({ kind: "apply-then-silent", on: "65" });
    await expect(
      p.request(
        {
          code: "65",
          transactionDate: when,
          institutionId: "TESTLIB",
          patronIdentifier: "2100000001",
          patronPassword: "1357",
        },
        { idempotent: false },
      ),
    ).rejects.toBeInstanceOf(Sip2AnswerLostError);
    expect(server.requestsOf("65")).toBe(1);
    expect(server.renewalsApplied).toBe(2);
  });

  it("a connection the ILS dropped is replaced, and the next request works", async () => {
    const p = pool();
    await p.request(status, { idempotent: true });
    server.dropConnections();
    await expect.poll(() => server.openConnections).toBe(0);
    await expect(p.request(status, { idempotent: true })).resolves.toMatchObject({ code: "98" });
    expect(server.stats).toMatchObject({ connections: 2, logins: 2 });
  });

  it("a connection dropped in the middle of a request: retried when idempotent, answer lost for a Renew", async () => {
    const p = pool();
    server.inject({ kind: "drop", on: "17" });
    await expect(p.request(item("34000000000001"), { idempotent: true })).resolves.toMatchObject({
      code: "18",
    });

    server.inject({ kind: "drop", on: "29" });
    const failure = p.request(renew("2100000001", "1357", "34000000000001"), { idempotent: false });
    await expect(failure).rejects.toBeInstanceOf(Sip2AnswerLostError);
    expect(server.requestsOf("29")).toBe(1);
    expect(server.renewalsApplied).toBe(0);
    await expect(p.request(status, { idempotent: true })).resolves.toMatchObject({ code: "98" });
  });

  it("a bad checksum is refused with a clear error; once is retried, always is not", async () => {
    const p = pool();
    await p.request(status, { idempotent: true });
    server.inject({ kind: "bad-checksum", on: "99" });
    await expect(p.request(status, { idempotent: true })).resolves.toMatchObject({ code: "98" });

    server.inject({ kind: "bad-checksum", on: "99", times: 2 });
    const failure = p.request(status, { idempotent: true });
    await expect(failure).rejects.toBeInstanceOf(Sip2ProtocolError);
    await expect(failure).rejects.toThrow(/98 ACS Status: AZ checksum [0-9A-F]{4} is wrong/);
  });

  it("a bad checksum on the login answer is a connection error", async () => {
    server.badChecksums = true;
    const p = pool();
    const failure = p.request(status, { idempotent: true });
    await expect(failure).rejects.toBeInstanceOf(Sip2ConnectionError);
    await expect(failure).rejects.toThrow(/SIP2 login: 94 Login Response: AZ checksum/);
  });

  it("close() ends every connection and fails a request in flight", async () => {
    const p = pool({ size: 2 });
    await p.request(status, { idempotent: true });
    server.inject({ kind: "delay", on: "17", ms: TIMEOUT_MS * 3 });
    // Caught at once: it fails during close(), before the assertion below is reached.
    const inFlight = p.request(item("34000000000001"), { idempotent: true }).catch((error: unknown) => error);
    await expect.poll(() => server.requestsOf("17")).toBe(1);
    await p.close();
    expect(String(await inFlight)).toMatch(/closed/);
    await expect.poll(() => server.openConnections).toBe(0);
    await expect(p.request(status, { idempotent: true })).rejects.toThrow(/pool is closed/);
  });
});

describe("SIP2 pool: traffic log", () => {
  it("logs every line with AD, CO and AC masked", async () => {
    const capture = capturingLogger();
    const p = pool({ logger: capture.logger });
    await p.request(renew("2100000001", "1357", "34000000000001"), { idempotent: false });
    const traffic = capture.lines().filter((line) => line.sip2 === "out" || line.sip2 === "in");
    expect(traffic.map((line) => String(line.line).slice(0, 2))).toEqual(["93", "94", "29", "30"]);
    expect(traffic[0]?.line).toContain("COline-secret".replace("line-secret", "****"));
    expect(traffic[2]?.line).toContain("AD****|");
    expect(capture.text()).not.toContain("1357");
    expect(capture.text()).not.toContain("line-secret");
  });
});

describe("the fake ILS on the demo library (npm run sip2:serve)", () => {
  it("tells the demo's story: reader 1 renews all three, reader 11 hits the renewal limit", async () => {
    await server.close();
    const account = { user: "phone-line", password: "line-secret" };
    server = await Sip2TestServer.start({ library: demoLibrary("2026-12-01", account, "TESTLIB") });
    const p = pool();
    const limit = await p.request(renew("2100000011", "1111", "34000000000023"), { idempotent: false });
    expect(limit).toMatchObject({ ok: false, screenMessages: [REFUSAL.limit] });
    const all = await p.request(
      {
        code: "65",
        transactionDate: when,
        institutionId: "TESTLIB",
        patronIdentifier: "2100000001",
        patronPassword: "135790",
      },
      { idempotent: false },
    );
    expect(all).toMatchObject({ ok: true, renewedCount: 3, unrenewedCount: 0 });
  });
});
