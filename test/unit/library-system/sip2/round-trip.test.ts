import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../../src/library-system/sip2/codec.js";
import { MESSAGES, type MessageCode } from "../../../../src/library-system/sip2/messages.js";
import { CAPTURED_REQUESTS } from "../../../fixtures/sip2/captured-answers.js";
import { EXAMPLES } from "./examples.js";

const CODES = Object.keys(MESSAGES) as MessageCode[];

describe("every message the line uses round-trips", () => {
  it.each(CODES)("%s, with the AY/AZ trailer", (code) => {
    const line = encodeMessage(EXAMPLES[code], { sequence: 7 });
    expect(line.startsWith(code)).toBe(true);
    expect(line).toMatch(/AY7AZ[0-9A-F]{4}$/);
    const decoded = decodeMessage(line, { sequence: 7 });
    expect(decoded.sequence).toBe(7);
    expect(decoded.message).toEqual({ ...EXAMPLES[code], unknownFields: [] });
    expect(encodeMessage(decoded.message, { sequence: 7 })).toBe(line);
  });

  it.each(CODES)("%s, without error detection", (code) => {
    const line = encodeMessage(EXAMPLES[code]);
    expect(line).not.toMatch(/AY\dAZ/);
    const decoded = decodeMessage(line, { errorDetection: false });
    expect(decoded.sequence).toBeNull();
    expect(decoded.message).toEqual({ ...EXAMPLES[code], unknownFields: [] });
  });

  it("writes the fixed fields by position as SIP2 2.00 lays them out", () => {
    expect(encodeMessage(EXAMPLES["99"])).toBe("9900802.00");
    expect(encodeMessage(EXAMPLES["94"])).toBe("941");
    expect(encodeMessage(EXAMPLES["63"])).toBe(
      "6300120250314    101500  Y       AOHKPL|AA21234000012345|ACterm|AD4321|",
    );
    // nb due date left blank: 18 spaces.
    expect(encodeMessage(EXAMPLES["29"])).toBe(
      `29NN20250314    101500${" ".repeat(18)}AOHKPL|AA21234000012345|AD4321|AB39000000000011|`,
    );
    expect(encodeMessage(EXAMPLES["65"])).toBe("6520250314    101500AOHKPL|AA21234000012345|AD4321|BON|");
    expect(encodeMessage(EXAMPLES["17"])).toBe("1720250314    101500AOHKPL|AB39000000000011|");
    expect(encodeMessage(EXAMPLES["93"])).toBe("9300CNphone-line|COs3cret|CPMAIN|");
  });

  it.each(Object.entries(CAPTURED_REQUESTS))(
    "re-encodes the published %s request byte for byte",
    (_name, captured) => {
      const { message, sequence } = decodeMessage(captured.line);
      expect(encodeMessage(message, { sequence: sequence ?? 0 })).toBe(captured.line);
    },
  );
});
