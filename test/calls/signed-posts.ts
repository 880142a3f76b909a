/**
 * Webhooks posted by hand, signed as Twilio signs them: for the suites that replay a delivery,
 * send one out of turn, or send what the simulator never would.
 */
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { DEFAULT_CALLER_NUMBER } from "../../src/simulator/call-simulator.js";
import { TEST_AUTH_TOKEN } from "../support/voice-app.js";
import { CATALOGUES, type Language, prompt } from "./call-helpers.js";

export const newCallSid = () => `CA${randomBytes(16).toString("hex")}`;

export function callParams(callSid: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: `AC${"0".repeat(32)}`,
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus: "ringing",
    Direction: "inbound",
    // No reader's phone: the caller enters a card, as the suites expect (no caller ID shortcut).
    From: DEFAULT_CALLER_NUMBER,
    To: "+85230001234",
    ...extra,
  };
}

/** A form POST as Twilio makes it; the signature is Twilio's unless one is given (null: none). */
export async function post(url: string, params: Record<string, string>, signature?: string | null) {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  const signed =
    signature === undefined ? twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, params) : signature;
  if (signed !== null) headers["X-Twilio-Signature"] = signed;
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    busy: response.headers.get("x-renewline-busy") === "1",
    body: await response.text(),
  };
}

const sayIn = (key: string) => (language: Language) =>
  `<Say voice="${CATALOGUES[language].voice}" language="${CATALOGUES[language].languageCode}">${prompt(language, key)}</Say>`;

/** The apology TwiML, said in each of these languages, then the hang-up. */
export const apologyTwiml = (...languages: Language[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${languages.map(sayIn("apology")).join("")}<Hangup/></Response>`;

/** The busy message ("please call again later"), said in each of these languages, then the hang-up. */
export const busyTwiml = (...languages: Language[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${languages.map(sayIn("busy")).join("")}<Hangup/></Response>`;
