/**
 * What keeps the line safe (voice-line.md, "Webhooks" and "Authentication and lockout"): the
 * signature check, the same answer to a retried webhook and no second renewal, a safe answer to
 * anything unexpected, any instance answering any webhook, and no secret in a log line, a call
 * event or a URL.
 */
import { and, count, eq, sql } from "drizzle-orm";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { rowsOf } from "../../src/db/migrations.js";
import { callEvents, callResponses, calls, renewalTransactions } from "../../src/db/schema/index.js";
import type { FetchFunction } from "../../src/simulator/call-simulator.js";
import { DRIVERS } from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";
import { capturingLogger } from "../support/log-capture.js";
import { call, startVoiceApp, TEST_AUTH_TOKEN } from "../support/voice-app.js";
import {
  callRow,
  DEMO_NOW,
  detailsOf,
  eventsOf,
  heard,
  loansOf,
  login,
  NEW_DUE,
  prompt,
  transactions,
  useDemoLine,
} from "./call-helpers.js";
import { apologyTwiml, callParams, newCallSid, post } from "./signed-posts.js";

describe.each(DRIVERS)("safety on %s", (driver) => {
  const line = useDemoLine(driver);

  const callCount = async () => (await line.demo.db.select({ n: count() }).from(calls))[0]?.n;

  describe("the signature", () => {
    it("a missing or forged X-Twilio-Signature gets 403 and creates no call", async () => {
      const url = `${line.app.baseUrl}/voice/incoming`;
      const params = callParams(newCallSid());
      const forgedWithOtherToken = twilio.getExpectedTwilioSignature("not-the-token", url, params);
      const signedForOtherUrl = twilio.getExpectedTwilioSignature(
        TEST_AUTH_TOKEN,
        "https://elsewhere.example/voice/incoming",
        params,
      );

      for (const signature of [null, "", "bm90LWEtc2lnbmF0dXJl", forgedWithOtherToken, signedForOtherUrl]) {
        const answer = await post(url, params, signature);
        expect(answer.status).toBe(403);
        expect(answer.body).not.toContain("<Response");
      }
      expect(await callCount()).toBe(0);
      // The same request properly signed is answered: the refusals above were the signature's doing.
      expect((await post(url, params)).status).toBe(200);
      expect(await callCount()).toBe(1);
    });

    it("a signed request whose keys were changed on the way gets 403 and changes nothing", async () => {
      const result = await call(line.app, login("2100000001", "135790"));
      const before = await callRow(line.demo.db, result.callSid);
      const menuUrl =
        result.requests[3]?.twiml.match(/action="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&") ?? "";
      expect(menuUrl).toMatch(/\/voice\/step\?seq=4&lang=en$/);

      const params = callParams(result.callSid, { CallStatus: "in-progress", Digits: "9" });
      const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, menuUrl, params);
      const tampered = await post(menuUrl, { ...params, Digits: "0" }, signature);
      expect(tampered.status).toBe(403);
      expect(await post(menuUrl.replace("seq=4", "seq=5"), params, signature)).toMatchObject({ status: 403 });

      expect(await callRow(line.demo.db, result.callSid)).toEqual(before);
      expect(await transactions(line.demo.db)).toEqual([]);
    });

    it("the status callback is checked too", async () => {
      const result = await call(line.app, ["3"]);
      const url = `${line.app.baseUrl}/voice/status`;
      const params = callParams(result.callSid, { CallStatus: "failed" });
      expect((await post(url, params, "Zm9yZ2Vk")).status).toBe(403);
      expect((await callRow(line.demo.db, result.callSid))?.status).toBe("completed");
    });
  });

  describe("the status callback", () => {
    it("ringing and answered do not end the call; completed does, with its duration", async () => {
      const callSid = newCallSid();
      expect((await post(`${line.app.baseUrl}/voice/incoming`, callParams(callSid))).status).toBe(200);

      // The "answered" event comes with CallStatus in-progress.
      for (const status of ["ringing", "in-progress"]) {
        const answer = await post(
          `${line.app.baseUrl}/voice/status`,
          callParams(callSid, { CallStatus: status }),
        );
        expect(answer.status).toBe(200);
        expect(answer.contentType).toMatch(/^text\/xml/);
        expect(await callRow(line.demo.db, callSid)).toMatchObject({
          status: "in-progress",
          endedAt: null,
          outcome: null,
        });
      }

      await post(
        `${line.app.baseUrl}/voice/status`,
        callParams(callSid, { CallStatus: "completed", CallDuration: "42" }),
      );
      const row = await callRow(line.demo.db, callSid);
      expect(row).toMatchObject({ status: "completed", durationSeconds: 42, outcome: "abandoned" });
      expect(row?.endedAt).not.toBeNull();
    });
  });

  describe("the answer itself", () => {
    it("is TwiML in UTF-8 with the Content-Length of its bytes, and no ETag", async () => {
      // The language menu speaks Cantonese and Mandarin: three bytes a character in UTF-8.
      const url = `${line.app.baseUrl}/voice/incoming`;
      const params = callParams(newCallSid());
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      const body = await response.text();
      expect(body).toContain(prompt("yue", "greeting"));
      expect(response.headers.get("content-type")).toBe("text/xml; charset=utf-8");
      expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(body, "utf8"));
      expect(Number(response.headers.get("content-length"))).toBeGreaterThan(body.length);
      expect(response.headers.get("etag")).toBeNull();
    });
  });

  describe("retries and the unexpected", () => {
    it("the same webhook delivered twice gets byte-identical TwiML and renews once", async () => {
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "*"]);
      const renewal = result.requests[4];
      expect(renewal?.params.Digits).toBe("0");
      if (!renewal) throw new Error("no renewal request");

      const again = await post(renewal.url, renewal.params);
      expect(again).toMatchObject({ status: 200 });
      expect(again.contentType).toMatch(/^text\/xml/);
      expect(again.body).toBe(renewal.twiml);
      // And the very first webhook, too.
      const first = result.requests[0];
      expect((await post(first?.url ?? "", first?.params ?? {})).body).toBe(first?.twiml);

      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(renewal.twiml).toContain(
        prompt("en", "renewal.reference", {
          trn: [transaction?.trn.slice(0, 5), transaction?.trn.slice(5)]
            .map((g) => [...(g ?? "")].join(" "))
            .join(", "),
        }),
      );
      expect((await detailsOf(line.demo.db, result.callSid, "renewal")).length).toBe(1);
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        1, 1, 1,
      ]);
    });

    it("two deliveries of one webhook at the same time: one answer, one renewal", async () => {
      let duplicate: Promise<Response> | null = null;
      const racing: FetchFunction = async (input, init) => {
        const body = String(init?.body ?? "");
        if (!duplicate && new URLSearchParams(body).get("Digits") === "0") {
          duplicate = fetch(input, init);
        }
        return fetch(input, init);
      };
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "*"], { fetch: racing });
      const second = await (duplicate as Promise<Response> | null);
      expect(second?.status).toBe(200);
      expect(await second?.text()).toBe(result.requests[4]?.twiml);
      expect(await transactions(line.demo.db)).toHaveLength(1);
      expect(Object.values(await loansOf(line.demo.db, "2100000001")).map((l) => l.renewals)).toEqual([
        1, 1, 1,
      ]);
    });

    // A key that runs no action ("9", the menu again) is answered from the state this instance
    // left the call in, saved only if the call is still where that state says (CallMemory).
    const responsesTo = async (callSid: string, seq: number) =>
      line.demo.db
        .select({ twiml: callResponses.twiml })
        .from(callResponses)
        .where(and(eq(callResponses.callSid, callSid), eq(callResponses.seq, seq)));
    const menuKeys = async (callSid: string) =>
      (await detailsOf(line.demo.db, callSid, "key")).filter((detail) => detail.key === "9");
    // Backends of the line's database waiting for a lock, seen from the pool.
    const lockWaiters = async () =>
      rowsOf<{ n: number }>(
        await line.demo.db.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        ),
      )[0]?.n ?? 0;

    it("a key another instance answered, delivered again here, gets that answer, stored once", async () => {
      // Both instances on one database: this one last answered the webhook before the "9".
      const other = await startVoiceApp({ db: line.demo.db, now: DEMO_NOW, publicBaseUrl: line.app.baseUrl });
      try {
        let redelivered: { body: string; expected: string } | null = null;
        const viaOther: FetchFunction = async (input, init) => {
          if (redelivered || new URLSearchParams(String(init?.body ?? "")).get("Digits") !== "9") {
            return fetch(input, init);
          }
          const answered = await fetch(String(input).replace(line.app.baseUrl, other.baseUrl), init);
          const expected = await answered.text();
          const again = await fetch(input, init);
          redelivered = { body: await again.text(), expected };
          return new Response(expected, { status: answered.status, headers: answered.headers });
        };
        const result = await call(line.app, [...login("2100000001", "135790"), "9", "2", "*"], {
          fetch: viaOther,
        });

        expect(result.error).toBeUndefined();
        const menuAgain = result.requests.find((r) => r.params.Digits === "9");
        if (!menuAgain || !redelivered) throw new Error("the 9 was not delivered twice");
        const { body, expected } = redelivered as { body: string; expected: string };
        expect(body).toBe(expected);
        expect(expected).toContain(prompt("en", "menu.renewAll"));
        const seq = Number(new URL(menuAgain.url).searchParams.get("seq"));
        expect(await responsesTo(result.callSid, seq)).toEqual([{ twiml: expected }]);
        expect(await menuKeys(result.callSid)).toHaveLength(1);
        // And the call went on here after it: the loans, then the goodbye.
        expect(heard(result)).toContain(prompt("en", "goodbye"));
      } finally {
        await other.close();
      }
    });

    it("two deliveries of a key that runs no action at the same time: one answer, stored once", async () => {
      let duplicate: Promise<Response> | null = null;
      const racing: FetchFunction = async (input, init) => {
        if (!duplicate && new URLSearchParams(String(init?.body ?? "")).get("Digits") === "9") {
          duplicate = fetch(input, init);
        }
        return fetch(input, init);
      };
      const result = await call(line.app, [...login("2100000001", "135790"), "9", "*"], { fetch: racing });
      const second = await (duplicate as Promise<Response> | null);
      const menuAgain = result.requests.find((r) => r.params.Digits === "9");
      if (!menuAgain) throw new Error("no 9 was keyed");

      expect(result.error).toBeUndefined();
      expect(await second?.text()).toBe(menuAgain.twiml);
      const seq = Number(new URL(menuAgain.url).searchParams.get("seq"));
      expect(await responsesTo(result.callSid, seq)).toEqual([{ twiml: menuAgain.twiml }]);
      expect(await menuKeys(result.callSid)).toHaveLength(1);
    });

    // PGlite is one connection: a transaction holding the call would hold the whole database.
    it.runIf(driver === "postgres")(
      "a key that runs no action while another transaction holds the call: answered once it is free, stored once",
      async () => {
        // Transactions the line opens: the "9" must take the locking path, not wait in its save.
        const openTransaction = line.demo.db.transaction.bind(line.demo.db);
        let opened = 0;
        line.demo.db.transaction = (work, config) => {
          opened++;
          return openTransaction(work, config);
        };
        let answered: Promise<Response> | null = null;
        let openedForNine = -1;
        const holding: FetchFunction = async (input, init) => {
          const params = new URLSearchParams(String(init?.body ?? ""));
          if (answered || params.get("Digits") !== "9") return fetch(input, init);
          const callSid = params.get("CallSid") ?? "";
          await openTransaction(async (holder) => {
            await holder.select().from(calls).where(eq(calls.callSid, callSid)).for("update");
            const before = opened;
            answered = fetch(input, init);
            // Held until the webhook waits for the call (its locking path), or has answered.
            let settled = false;
            void answered
              .finally(() => {
                settled = true;
              })
              .catch(() => {});
            while (!settled) {
              if ((await lockWaiters()) > 0) break;
            }
            openedForNine = opened - before;
          });
          return answered as unknown as Promise<Response>;
        };
        const result = await call(line.app, [...login("2100000001", "135790"), "9", "2", "*"], {
          fetch: holding,
        }).finally(() => {
          line.demo.db.transaction = openTransaction;
        });

        expect(result.error).toBeUndefined();
        const menuAgain = result.requests.find((r) => r.params.Digits === "9");
        if (!menuAgain) throw new Error("no 9 was keyed");
        expect(menuAgain.twiml).toContain(prompt("en", "menu.renewAll"));
        // Its save met the held call and did not wait: the webhook locked the call instead.
        expect(openedForNine).toBe(1);
        const seq = Number(new URL(menuAgain.url).searchParams.get("seq"));
        expect(await responsesTo(result.callSid, seq)).toEqual([{ twiml: menuAgain.twiml }]);
        expect(await menuKeys(result.callSid)).toHaveLength(1);
        expect(heard(result)).toContain(prompt("en", "goodbye"));
      },
    );

    it("a webhook for an unknown CallSid past the first step gets the apology, not a crash", async () => {
      const callSid = newCallSid();
      for (const path of ["/voice/step?seq=3", "/voice/dial?seq=2", "/voice/step"]) {
        const answer = await post(
          `${line.app.baseUrl}${path}`,
          callParams(callSid, { CallStatus: "in-progress", Digits: "1" }),
        );
        expect(answer.status).toBe(200);
        expect(answer.contentType).toMatch(/^text\/xml/);
        // Whose call, and so which language, is unknown: the apology in each language of the line.
        expect(answer.body).toBe(apologyTwiml("yue", "cmn", "en"));
      }
      expect(await callCount()).toBe(0);
    });

    it("a webhook out of order for a known call gets the apology and an error event", async () => {
      const result = await call(line.app, ["3"]);
      const answer = await post(
        `${line.app.baseUrl}/voice/step?seq=7`,
        callParams(result.callSid, { CallStatus: "in-progress", Digits: "1" }),
      );
      expect(answer.body).toBe(apologyTwiml("en"));
      expect((await detailsOf(line.demo.db, result.callSid, "error")).length).toBe(1);
    });

    it("a failure inside is an apology in the call's language, then the call ends", async () => {
      // Between two webhooks the logged-in reader's account disappears from the call's state.
      const breaking: FetchFunction = async (input, init) => {
        if (new URLSearchParams(String(init?.body ?? "")).get("Digits") === "2") {
          await line.demo.db.execute(
            sql`update calls set state = jsonb_set(state, '{patronId}', '999999') where call_sid = ${new URLSearchParams(String(init?.body)).get("CallSid")}`,
          );
        }
        return fetch(input, init);
      };
      const result = await call(line.app, [...login("2100000001", "135790", "yue"), "2", "9"], {
        fetch: breaking,
      });
      expect(result.error).toBeUndefined();
      expect(result.requests[4]).toMatchObject({ status: 200, twiml: apologyTwiml("yue") });
      expect(heard(result).endsWith(prompt("yue", "apology"))).toBe(true);
      expect(result.transcript.at(-1)).toEqual({ kind: "hangup", by: "app", seconds: 0 });
      expect(await detailsOf(line.demo.db, result.callSid, "error")).toEqual([{ error: "Error" }]);
      expect((await callRow(line.demo.db, result.callSid))?.outcome).toBe("error");
    });
  });

  it("a long answer stays within Twilio's limits: every <Say> under 4,096 characters (200 loans)", async () => {
    const n = 200;
    const title = (i: number) => `Papers on the Natural History of Hong Kong, Volume ${i}`;
    await loadFixture(line.demo.db, {
      closedDays: [],
      patrons: [
        {
          cardNumber: "2100000099",
          name: "Many Loans",
          phone: "91110099",
          pin: "9999",
          category: "adult",
          status: "active",
          expiresOn: "2030-06-30",
        },
      ],
      titles: Array.from({ length: n }, (_, i) => ({ id: `ML${i + 1}`, title: title(i + 1) })),
      items: Array.from({ length: n }, (_, i) => ({
        barcode: `35${String(i + 1).padStart(12, "0")}`,
        titleId: `ML${i + 1}`,
        status: "on_loan",
      })),
      loans: Array.from({ length: n }, (_, i) => ({
        barcode: `35${String(i + 1).padStart(12, "0")}`,
        cardNumber: "2100000099",
        borrowedOn: "2026-11-26",
        dueOn: "2026-12-10",
        renewals: 0,
      })),
      reservations: [],
      charges: [],
    });
    const result = await call(line.app, [...login("2100000099", "9999"), "2", "0", "*"]);

    expect(result.error).toBeUndefined();
    const says = result.transcript.flatMap((e) => (e.kind === "say" ? [e.text] : []));
    expect(says.every((text) => text.length > 0 && text.length < 4096)).toBe(true);
    const text = heard(result);
    for (const i of [1, 100, n]) {
      expect(text).toContain(prompt("en", "loans.item", { title: title(i), date: "Thursday 10 December" }));
    }
    expect(text).toContain(prompt("en", "renewAll.all", { count: String(n) }));
    expect(Math.max(...result.requests.map((r) => Buffer.byteLength(r.twiml)))).toBeLessThan(64 * 1024);
  });

  // Two processes sharing one database is what PostgreSQL is for; PGlite is one process's own.
  const postgresOnly = driver === "postgres" ? it : () => undefined;
  postgresOnly("two app instances on one PostgreSQL answer one call in turn, renewal included", async () => {
    const url = line.demo.database.url;
    if (!url) throw new Error("no database URL");
    const second = await openDatabase({ kind: "postgres", url });
    // Both check signatures against the one public URL the simulator calls.
    const other = await startVoiceApp({ db: second.db, now: DEMO_NOW, publicBaseUrl: line.app.baseUrl });
    try {
      const served: string[] = [];
      const alternate: FetchFunction = async (input, init) => {
        const target = served.length % 2 === 0 ? line.app.baseUrl : other.baseUrl;
        served.push(target);
        return fetch(String(input).replace(line.app.baseUrl, target), init);
      };
      const result = await call(line.app, [...login("2100000001", "135790"), "0", "*"], { fetch: alternate });

      expect(result.error).toBeUndefined();
      expect(new Set(served)).toEqual(new Set([line.app.baseUrl, other.baseUrl]));
      expect(served.length).toBe(result.requests.length);
      const [transaction, ...others] = await transactions(line.demo.db);
      expect(others).toEqual([]);
      expect(transaction?.results.map((r) => r.newDueOn)).toEqual([NEW_DUE, NEW_DUE, NEW_DUE]);
      expect(heard(result)).toContain(prompt("en", "renewAll.all", { count: "3" }));
      // A reference number was given, so the goodbye says to keep it.
      expect(heard(result).endsWith(prompt("en", "goodbye.withReference"))).toBe(true);
      expect(await callRow(line.demo.db, result.callSid)).toMatchObject({
        outcome: "renewed",
        status: "completed",
      });
    } finally {
      await other.close();
      await second.close();
    }
  });

  it("no log line, call event or URL holds a PIN, keyed digits, or a full card, HKID or phone number", async () => {
    const captured = capturingLogger();
    const logged = await startVoiceApp({ db: line.demo.db, now: DEMO_NOW, logger: captured.logger });
    // A call SID without the digits looked for, so a match can only be a leak.
    const callSid = `CA${"ab".repeat(16)}`;
    try {
      const result = await call(
        logged,
        [
          // A wrong PIN, then reader 1 by card and PIN: renew all and one item.
          ...login("2100000001", "975310"),
          "2100000001#",
          "135790#",
          "0",
          "8",
          // Reader 24 by HKID digits and phone's last four.
          "1123582#",
          "8888#",
          "0",
          "9",
          "1",
          "*",
        ],
        { callSid, from: "+85291234567" },
      );
      expect(heard(result)).toContain(prompt("en", "renewAll.all", { count: "3" }));
      expect(heard(result)).toContain(prompt("en", "renewAll.one"));

      const secrets = [
        "975310", // the wrong PIN
        "135790", // the PIN
        "2100000001", // the full card number
        "2100000024",
        "1123582", // HKID digits keyed
        "1234563", // reader 1's HKID digits
        "H1123582",
        "91234567", // reader 1's phone, and the caller's
        "61238888", // reader 24's phone
      ];
      const lines = captured.lines();
      expect(lines.length).toBeGreaterThan(10);
      const logText = captured.text();
      const events = JSON.stringify(await eventsOf(line.demo.db, callSid));
      const urls = result.requests.map((r) => r.url).join(" ");
      for (const secret of secrets) {
        expect(logText, `log lines hold ${secret}`).not.toContain(secret);
        expect(events, `call events hold ${secret}`).not.toContain(secret);
        expect(urls, `URLs hold ${secret}`).not.toContain(secret);
      }
      // Four-digit secrets (reader 24's phone last four) in any string value; an ETag is a hash.
      const strings = (value: unknown): string[] =>
        typeof value === "string"
          ? [value]
          : value && typeof value === "object"
            ? Object.entries(value).flatMap(([k, v]) => (k === "etag" ? [] : [k, ...strings(v)]))
            : [];
      for (const text of [...lines.flatMap(strings), ...strings(JSON.parse(events))]) {
        expect(text).not.toContain("8888");
      }
      // The card shows as its last four digits.
      expect(await detailsOf(line.demo.db, callSid, "login")).toEqual([
        { result: "failed", attempt: 1 },
        { result: "ok", cardLastFour: "0001" },
        { result: "ok", cardLastFour: "0024" },
      ]);
      // The stored answers and the call's state hold no secret either.
      const stored = JSON.stringify([
        await line.demo.db.select().from(calls).where(eq(calls.callSid, callSid)),
        await line.demo.db.select().from(callResponses).where(eq(callResponses.callSid, callSid)),
      ]);
      for (const secret of secrets) expect(stored, `stored call holds ${secret}`).not.toContain(secret);
      expect((await line.demo.db.select({ n: count() }).from(renewalTransactions))[0]?.n).toBe(2);
      expect((await line.demo.db.select({ n: count() }).from(callEvents))[0]?.n).toBeGreaterThan(10);
    } finally {
      await logged.close();
    }
  });
});
