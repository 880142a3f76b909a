/**
 * Bodies the parsers refuse (issue 8, item 6): each gets its own 4xx on /voice and on /ops, with
 * a warn line naming the refusal and nothing of the body, before any route runs: not a single
 * query, so nothing is written. They used to reach the last-resort handler: a 500 at error level.
 * PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DRIVERS, type TestDatabase } from "../support/database.js";
import { capturingLogger } from "../support/log-capture.js";
import { startVoiceApp, TEST_AUTH_TOKEN, type VoiceApp } from "../support/voice-app.js";

const FORM = "application/x-www-form-urlencoded";
const SID = `CA${"5e".repeat(16)}`;
// Written into every refused body: it must not reach a log line.
const MARKER = "2100000777";

interface RefusedBody {
  name: string;
  headers: Record<string, string>;
  body: string | Buffer;
  status: number;
  type: string;
}

/** The same kinds of refusal on both parsers; `limit` is the route's body limit in bytes. */
function formRefusals(limit: number): RefusedBody[] {
  const small = `CallSid=${SID}&Digits=${MARKER}`;
  return [
    {
      name: "a body over the limit",
      headers: { "content-type": FORM },
      body: `${small}&Pad=${"x".repeat(limit)}`,
      status: 413,
      type: "entity.too.large",
    },
    {
      name: "a gzip body that inflates past the limit",
      headers: { "content-type": FORM, "content-encoding": "gzip" },
      body: gzipSync(`${small}&Pad=${"x".repeat(limit * 4)}`),
      status: 413,
      type: "entity.too.large",
    },
    {
      name: "1,001 parameters",
      headers: { "content-type": FORM },
      body: [small, ...Array.from({ length: 999 }, (_, i) => `p${i}=1`)].join("&"),
      status: 413,
      type: "parameters.too.many",
    },
    {
      name: "an unknown charset",
      headers: { "content-type": `${FORM}; charset=koi8-r` },
      body: small,
      status: 415,
      type: "charset.unsupported",
    },
    {
      name: "a Content-Encoding no parser knows",
      headers: { "content-type": FORM, "content-encoding": "bogus" },
      body: small,
      status: 415,
      type: "encoding.unsupported",
    },
    {
      name: "two Content-Encodings",
      headers: { "content-type": FORM, "content-encoding": "gzip, deflate" },
      body: small,
      status: 415,
      type: "encoding.unsupported",
    },
    {
      name: "a body that is not the gzip it claims",
      headers: { "content-type": FORM, "content-encoding": "gzip" },
      body: small,
      status: 400,
      type: "body.unreadable",
    },
    {
      name: "a truncated gzip body",
      headers: { "content-type": FORM, "content-encoding": "gzip" },
      body: gzipSync(small).subarray(0, 12),
      status: 400,
      type: "body.unreadable",
    },
  ];
}

const JSON_REFUSALS: RefusedBody[] = [
  {
    name: "malformed JSON",
    headers: { "content-type": "application/json" },
    body: `{"name":"alice","password":"${MARKER}"`,
    status: 400,
    type: "entity.parse.failed",
  },
  {
    name: "JSON that is not an object or array (strict mode)",
    headers: { "content-type": "application/json" },
    body: `"${MARKER}"`,
    status: 400,
    type: "entity.parse.failed",
  },
  {
    name: "JSON in a charset JSON does not allow",
    headers: { "content-type": "application/json; charset=latin1" },
    body: `{"password":"${MARKER}"}`,
    status: 415,
    type: "charset.unsupported",
  },
];

describe.each(DRIVERS)("refused bodies on %s", (driver) => {
  let database: TestDatabase;
  let app: VoiceApp;
  const log = capturingLogger();
  const queries: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(driver, { onQuery: (query) => queries.push(query) });
    app = await startVoiceApp({
      db: database.db,
      now: "2026-12-01T10:00:00+08:00",
      logger: log.logger,
      ops: true,
    });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  let logFrom = 0;
  beforeEach(() => {
    logFrom = log.lines().length;
    queries.length = 0;
  });
  const newLines = () => log.lines().slice(logFrom);

  /** The answer, the warn line and the absence of any query or error line, for one refusal. */
  async function expectRefused(path: string, refused: RefusedBody, signature?: string): Promise<void> {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method: "POST",
      headers: { ...refused.headers, ...(signature ? { "x-twilio-signature": signature } : {}) },
      body: typeof refused.body === "string" ? refused.body : new Uint8Array(refused.body),
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(refused.status);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect((await response.text()).length).toBeLessThan(100);

    const lines = newLines();
    const warnings = lines.filter((line) => line.msg === "request body refused");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      refusal: { status: refused.status, type: refused.type },
      req: { method: "POST", path },
    });
    expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(MARKER);
    // Refused before any route: no call, no login attempt, no session, not a single query.
    expect(queries).toEqual([]);
  }

  describe("on /voice (limit 20 kB), before the signature check", () => {
    for (const refused of formRefusals(20 * 1024)) {
      it(`${refused.name}: ${refused.status} ${refused.type}`, async () => {
        // Signed over the parameters meant, so only the body can be what is refused.
        const url = `${app.publicBaseUrl}/voice/incoming`;
        const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, {
          CallSid: SID,
          Digits: MARKER,
        });
        await expectRefused("/voice/incoming", refused, signature);
      });
    }

    it("still answers a well-formed signed body with TwiML", async () => {
      const params = { CallSid: SID, CallStatus: "ringing" };
      const signature = twilio.getExpectedTwilioSignature(
        TEST_AUTH_TOKEN,
        `${app.publicBaseUrl}/voice/incoming`,
        params,
      );
      const response = await fetch(`${app.baseUrl}/voice/incoming`, {
        method: "POST",
        headers: { "content-type": FORM, "x-twilio-signature": signature },
        body: new URLSearchParams(params).toString(),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^<\?xml[^>]*\?><Response>/);
    });
  });

  describe("on /ops (limit 10 kB), before the session and CSRF checks", () => {
    for (const refused of [...formRefusals(10 * 1024), ...JSON_REFUSALS]) {
      it(`${refused.name}: ${refused.status} ${refused.type}`, async () => {
        await expectRefused("/ops/login", refused);
      });
    }
  });

  it("logs an aborted body at warn level, without the body", async () => {
    const { port } = new URL(app.baseUrl);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /voice/incoming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\nContent-Length: 1000\r\n\r\nCallSid=${SID}&Digits=${MARKER}`,
        );
        // Gone mid-body, as a caller's network might.
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    await expect
      .poll(() => newLines().filter((line) => line.msg === "request body refused"), { timeout: 2000 })
      .toEqual([expect.objectContaining({ level: 40, refusal: { status: 400, type: "request.aborted" } })]);
    expect(newLines().filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(JSON.stringify(newLines())).not.toContain(MARKER);
    expect(queries).toEqual([]);
  });
});
