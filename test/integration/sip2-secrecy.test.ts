/**
 * No PIN in logs (library-system.md, "SIP2 connection"), nor a reader's card number, name or
 * phone: with SIP2 traffic logging on (debug), a call that logs in and renews leaves its SIP2
 * traffic in the log, the PIN's AD field masked, the card down to its last four digits.
 */
import { describe, expect, it } from "vitest";
import { heard, login, prompt } from "../calls/call-helpers.js";
import { useLibraryLine } from "../support/library-line.js";
import { capturingLogger } from "../support/log-capture.js";
import { call } from "../support/voice-app.js";

const CARD = "2100000024";
const PHONE = "61238888";
// Eight digits: a shorter PIN could turn up by chance in a CallSid, a TRN or a timestamp.
const WRONG_PIN = "97531864";
const { logger, lines, text } = capturingLogger();

describe("SIP2 traffic in the log", () => {
  const line = useLibraryLine("sip2", "pglite", { sip2Logger: logger, app: { logger } });

  it("shows the traffic with the PIN masked, and never the PIN, the card, the name or the phone", async () => {
    // Reader 24 has no PIN: a wrong PIN first (sent to the ILS in AD), then the phone's last four.
    const result = await call(line.app, [...login(CARD, WRONG_PIN), `${CARD}#`, "8888#", "0", "*"]);
    expect(heard(result)).toContain(prompt("en", "login.failed"));
    expect(heard(result)).toContain(prompt("en", "renewAll.one"));

    const traffic = lines().filter((entry) => entry.sip2 === "out" || entry.sip2 === "in");
    const sent = traffic.filter((entry) => entry.sip2 === "out").map((entry) => String(entry.line));
    expect(sent.some((message) => message.startsWith("63"))).toBe(true);
    expect(sent.some((message) => message.startsWith("29"))).toBe(true);
    // The wrong PIN went to the ILS, and the log shows only that a PIN was sent.
    expect(sent.some((message) => message.startsWith("63") && message.includes("|AD****|"))).toBe(true);
    expect(sent.some((message) => message.includes(`|AA****${CARD.slice(-4)}|`))).toBe(true);

    const everything = text();
    for (const secret of [WRONG_PIN, CARD, PHONE, "Sit Man Yee", "line-secret"]) {
      expect(everything, secret).not.toContain(secret);
    }
  });
});
