/**
 * The reference number by SMS (voice-line.md steps 6 and 7, key 3): offered only where SMS is set
 * up and the reader has a mobile number; sent through the real Twilio REST client, with msw
 * standing in for api.twilio.com; a failed send is told to the caller and the renewal stands.
 */
import { eq } from "drizzle-orm";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callEvents, patrons } from "../../src/db/schema/index.js";
import { twilioSmsSender } from "../../src/voice/sms-sender.js";
import { DRIVERS } from "../support/database.js";
import { call, TEST_AUTH_TOKEN } from "../support/voice-app.js";
import {
  detailsOf,
  heard,
  loansOf,
  login,
  NEW_DUE,
  prompt,
  transactions,
  useDemoLine,
} from "./call-helpers.js";

const ACCOUNT_SID = `AC${"0".repeat(32)}`;
const FROM = "+85230001234";
const MESSAGES_URL = "https://api.twilio.com/2010-04-01/Accounts/:sid/Messages.json";

interface SentMessage {
  sid: string;
  authorization: string | null;
  to: string | null;
  from: string | null;
  body: string | null;
}

const sent: SentMessage[] = [];
let twilioAnswers: "ok" | "server-error" | "invalid-number" = "ok";

const twilioApi = setupServer(
  http.post(MESSAGES_URL, async ({ request, params }) => {
    const form = new URLSearchParams(await request.text());
    const to = form.get("To");
    sent.push({
      sid: String(params.sid),
      authorization: request.headers.get("authorization"),
      to,
      from: form.get("From"),
      body: form.get("Body"),
    });
    if (twilioAnswers === "server-error") {
      return HttpResponse.json(
        { code: 20500, message: "Internal Server Error", status: 500 },
        { status: 500 },
      );
    }
    if (twilioAnswers === "invalid-number") {
      // Twilio's own answer for error 21211 quotes the number it refused.
      return HttpResponse.json(
        {
          code: 21211,
          message: `The 'To' number ${to} is not a valid phone number.`,
          more_info: "https://www.twilio.com/docs/errors/21211",
          status: 400,
        },
        { status: 400 },
      );
    }
    return HttpResponse.json(
      { sid: `SM${"1".repeat(32)}`, status: "queued", to, body: form.get("Body") },
      { status: 201 },
    );
  }),
);

const en = (key: string, params?: Record<string, string>) => prompt("en", key, params);
// Reader 1's 304-character title, cut to a speakable length; a text message shows the cut as "…",
// where the voice says ", and so on".
const ROBINSON_WRITTEN = "The Life and Strange Surprizing Adventures of Robinson…";
const READER_1 = { card: "2100000001", pin: "135790", mobile: "+85291234567" };
// The options after a renewal, as spoken where SMS can be sent (nothing refused: no "to hear why").
const AFTER_RENEWAL_WITH_SMS = `${en("afterRenewal.repeat")} ${en("afterRenewal.smsOption")} ${en("afterRenewal.moreOptions")}`;

describe.each(DRIVERS)("SMS on %s", (driver) => {
  beforeAll(() => twilioApi.listen({ onUnhandledRequest: "bypass" }));
  afterAll(() => twilioApi.close());
  const line = useDemoLine(driver, { app: { sms: twilioSmsSender(ACCOUNT_SID, TEST_AUTH_TOKEN, FROM) } });
  beforeEach(() => {
    sent.length = 0;
    twilioAnswers = "ok";
  });

  it("offers 3 after renew all and sends the TRN and new due date to the registered mobile", async () => {
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "3", "*"]);

    const [transaction] = await transactions(line.demo.db);
    if (!transaction) throw new Error("no renewal transaction");
    const trn = `${transaction.trn.slice(0, 5)} ${transaction.trn.slice(5)}`;
    expect(heard(result)).toContain(
      `${en("renewal.newDueDate", { date: "Tuesday 15 December" })} ${AFTER_RENEWAL_WITH_SMS}`,
    );
    expect(heard(result)).toContain(`${en("sms.sent")} ${AFTER_RENEWAL_WITH_SMS}`);
    expect(heard(result)).not.toContain(en("afterRenewAll.why"));

    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message).toMatchObject({ sid: ACCOUNT_SID, to: READER_1.mobile, from: FROM });
    expect(message?.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${TEST_AUTH_TOKEN}`).toString("base64")}`,
    );
    expect(message?.body).toBe(
      en("sms.body", {
        trn,
        lines: ["A Brief History of Time", "紅樓夢", ROBINSON_WRITTEN]
          .map((title) => en("sms.line", { title, date: "Tuesday 15 December" }))
          .join(" "),
      }),
    );
    expect(message?.body).toContain(trn);
    expect(await detailsOf(line.demo.db, result.callSid, "sms")).toEqual([
      { result: "sent", trn: transaction.trn },
    ]);
  });

  it("sends one SMS when Twilio delivers the webhook of key 3 twice at the same time", async () => {
    let duplicate: Promise<Response> | null = null;
    const racing: typeof fetch = async (input, init) => {
      const url = String(input);
      const digits = new URLSearchParams(String(init?.body ?? "")).get("Digits");
      // Key 3 after renew all: the seventh webhook of this script.
      if (!duplicate && digits === "3" && url.includes("seq=5")) duplicate = fetch(input, init);
      return fetch(input, init);
    };
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "3", "*"], {
      fetch: racing,
    });
    const second = await (duplicate as Promise<Response> | null);

    expect(second?.status).toBe(200);
    expect(await second?.text()).toBe(result.requests.find((r) => r.url.includes("seq=5"))?.twiml);
    expect(sent).toHaveLength(1);
  });

  it("writes the message in the reader's language (Cantonese)", async () => {
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin, "yue"), "0", "3", "*"]);
    const [transaction] = await transactions(line.demo.db);
    const trn = `${transaction?.trn.slice(0, 5)} ${transaction?.trn.slice(5)}`;
    expect(heard(result)).toContain(prompt("yue", "afterRenewal.smsOption"));
    expect(heard(result)).toContain(prompt("yue", "sms.sent"));
    const body = sent[0]?.body ?? "";
    expect(body.startsWith(prompt("yue", "sms.body", { trn, lines: "" }).trimEnd())).toBe(true);
    expect(body).toContain(prompt("yue", "sms.line", { title: "紅樓夢", date: "12月15日 星期二" }));
    expect(body).not.toContain("Tuesday");
  });

  it("offers 3 after renewing one item, and sends that renewal", async () => {
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "1", "1", "3", "*"]);
    const [transaction] = await transactions(line.demo.db);
    expect(heard(result)).toContain(`${en("afterRenewOne.another")} ${AFTER_RENEWAL_WITH_SMS}`);
    expect(heard(result)).toContain(`${en("sms.sent")} ${en("afterRenewOne.another")}`);
    expect(sent.map((m) => m.body)).toEqual([
      en("sms.body", {
        trn: `${transaction?.trn.slice(0, 5)} ${transaction?.trn.slice(5)}`,
        lines: en("sms.line", { title: "A Brief History of Time", date: "Tuesday 15 December" }),
      }),
    ]);
  });

  it("does not offer SMS to a reader without a mobile number; 3 is then a wrong key", async () => {
    await line.demo.db
      .update(patrons)
      .set({ phone: "23456789" })
      .where(eq(patrons.cardNumber, READER_1.card));
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "3", "*"]);
    expect(heard(result)).not.toContain(en("afterRenewal.smsOption"));
    expect(heard(result)).toContain(
      `${en("invalidChoice")} ${en("afterRenewal.repeat")} ${en("afterRenewal.moreOptions")}`,
    );
    expect(sent).toEqual([]);
  });

  it("tells the caller when the send fails, and the renewal stands", async () => {
    twilioAnswers = "server-error";
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "3", "2", "*"]);

    expect(sent).toHaveLength(1);
    expect(heard(result)).toContain(`${en("sms.failed")} ${AFTER_RENEWAL_WITH_SMS}`);
    expect(heard(result)).not.toContain(en("sms.sent"));
    expect(heard(result)).not.toContain(en("apology"));
    const [transaction, ...others] = await transactions(line.demo.db);
    expect(others).toEqual([]);
    expect(transaction?.results.every((r) => r.outcome === "renewed")).toBe(true);
    expect(Object.values(await loansOf(line.demo.db, READER_1.card))).toEqual([
      { dueOn: NEW_DUE, renewals: 1 },
      { dueOn: NEW_DUE, renewals: 1 },
      { dueOn: NEW_DUE, renewals: 1 },
    ]);
    expect((await detailsOf(line.demo.db, result.callSid, "sms")).map((d) => d.result)).toEqual(["failed"]);
  });

  it("a refused number never puts the phone number in a call event (Twilio's error quotes it)", async () => {
    twilioAnswers = "invalid-number";
    const result = await call(line.app, [...login(READER_1.card, READER_1.pin), "0", "3", "*"]);
    expect(heard(result)).toContain(en("sms.failed"));
    const rows = await line.demo.db.select().from(callEvents).where(eq(callEvents.callSid, result.callSid));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain("91234567");
  });
});
