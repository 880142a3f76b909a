import { describe, expect, it } from "vitest";
import { encodeMessage } from "../../../../src/library-system/sip2/codec.js";
import { maskForLog } from "../../../../src/library-system/sip2/mask.js";
import { EXAMPLES } from "./examples.js";

describe("maskForLog", () => {
  it("hides the patron PIN (AD) and keeps the rest readable", () => {
    const line = encodeMessage(EXAMPLES["63"], { sequence: 1 });
    const masked = maskForLog(line);
    expect(masked).not.toContain("4321");
    expect(masked).not.toContain("term");
    expect(masked).toContain("|AD****|");
    expect(masked).toContain("|AC****|");
    // The card keeps its last four digits, as the console shows it.
    expect(masked).toContain("|AA****2345|");
    expect(masked).not.toContain("21234000012345");
    expect(masked).toMatch(/AY1AZ[0-9A-F]{4}$/);
  });

  it("hides the login password (CO) of message 93", () => {
    const masked = maskForLog(`${encodeMessage(EXAMPLES["93"], { sequence: 0 })}\r`);
    expect(masked).toMatch(/^9300CNphone-line\|CO\*\*\*\*\|CPMAIN\|AY0AZ[0-9A-F]{4}\r$/);
  });

  it.each([
    ["renew", encodeMessage(EXAMPLES["29"], { sequence: 2 })],
    ["renew all", encodeMessage(EXAMPLES["65"])],
    ["a last field without its |", "6520250314    101500AOHKPL|AA2123|AD4321"],
    ["a PIN in first place", "6520250314    101500AD4321|AOHKPL|AA2123|"],
    ["a garbled line", "6520250314 AD4321|AOHKPL"],
    ["an unknown message", "ZZAD4321|"],
  ])("never lets the PIN through: %s", (_name, line) => {
    const masked = maskForLog(line);
    expect(masked).not.toContain("4321");
    expect(masked).toContain("AD****");
  });

  it("leaves an empty AD as it is: nothing to hide, and it tells that no PIN was sent", () => {
    expect(maskForLog("6520250314    101500AOHKPL|AA2123|AD|")).toBe(
      "6520250314    101500AOHKPL|AA****2123|AD|",
    );
  });

  it("hides a reader's name, address, e-mail and phone in a Patron Information answer", () => {
    const line =
      "64              00120261201    100000000000000000000000000000AOHKPL|AA2100000001|AEChan Tai Man|BDFlat 1, 2 Main Street|BEchan@example.org|BF91234567|";
    const masked = maskForLog(line);
    for (const secret of ["2100000001", "Chan Tai Man", "Main Street", "chan@example.org", "91234567"]) {
      expect(masked).not.toContain(secret);
    }
    expect(masked).toContain("|AA****0001|AE****|BD****|BE****|BF****|");
  });

  it("a garbled line loses any card number with the rest", () => {
    expect(maskForLog("64 garbled AA2100000001|")).not.toContain("2100000001");
  });

  it("does not touch a line without secrets", () => {
    const line = encodeMessage(EXAMPLES["66"], { sequence: 5 });
    expect(maskForLog(line)).toBe(line);
  });
});
