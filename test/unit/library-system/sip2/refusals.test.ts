import { describe, expect, it } from "vitest";
import { appendErrorDetection } from "../../../../src/library-system/sip2/checksum.js";
import {
  type DecodeOptions,
  decodeAnswer,
  decodeMessage,
  encodeMessage,
} from "../../../../src/library-system/sip2/codec.js";
import { Sip2ProtocolError } from "../../../../src/library-system/sip2/errors.js";
import { EXAMPLES } from "./examples.js";

function refusal(raw: string, options?: DecodeOptions): Sip2ProtocolError {
  try {
    decodeMessage(raw, options);
  } catch (error) {
    if (error instanceof Sip2ProtocolError) return error;
    throw error;
  }
  throw new Error("the line was accepted");
}

const renewed = encodeMessage(EXAMPLES["30"], { sequence: 4 });

describe("malformed answers are refused with a clear error", () => {
  it("a wrong checksum", () => {
    const error = refusal(`${renewed.slice(0, -4)}0000`);
    expect(error.kind).toBe("checksum");
    expect(error.message).toMatch(/^30 Renew Response: AZ checksum 0000 is wrong \(computed [0-9A-F]{4}\)$/);
  });

  it("a changed character under a right-looking trailer", () => {
    expect(refusal(renewed.replace("The Analects", "The Analectz")).kind).toBe("checksum");
  });

  it("a missing trailer, unless error detection is off", () => {
    const bare = encodeMessage(EXAMPLES["30"]);
    expect(refusal(bare).message).toBe("30 Renew Response: no AY/AZ error-detection trailer at the end");
    expect(decodeAnswer(bare, "30", { errorDetection: false }).message.ok).toBe(true);
  });

  it("a bad checksum is let through when error detection is off (SIP2_CHECKSUMS=off)", () => {
    const decoded = decodeMessage(`${renewed.slice(0, -4)}0000`, { errorDetection: false, sequence: 5 });
    expect(decoded.sequence).toBe(4);
  });

  it("an answer to another request (AY sequence differs)", () => {
    const error = refusal(renewed, { sequence: 5 });
    expect(error.kind).toBe("sequence");
    expect(error.message).toBe("30 Renew Response: AY sequence 4 does not match the request's 5");
    expect(decodeMessage(renewed, { sequence: 4 }).sequence).toBe(4);
  });

  it("another message than the one expected", () => {
    expect(() => decodeAnswer(renewed, "66", { sequence: 4 })).toThrow(
      "expected 66 Renew All Response, got 30 Renew Response",
    );
    expect(decodeAnswer(renewed, "30", { sequence: 4 }).message.renewalOk).toBe(true);
  });

  it("the ILS asking for a resend (96), and unknown codes", () => {
    expect(refusal("96").kind).toBe("resend-requested");
    expect(refusal("XXhello").message).toBe('unknown message code "XX"');
  });

  it("a fixed part cut short", () => {
    const error = refusal(appendErrorDetection("301YNN2025", 0));
    expect(error.kind).toBe("fixed-field");
    expect(error.message).toMatch(
      /^30 Renew Response: too short: the fixed fields need 24 characters, got \d+$/,
    );
  });

  it.each([
    ["ok", "30X", "ok at position 2: expected 0 or 1"],
    ["renewalOk", "301X", "renewalOk at position 3: expected Y or N"],
    ["magneticMedia", "301YX", "magneticMedia at position 4: expected Y, N or U"],
  ])("a bad %s", (field, prefix, expected) => {
    const line = appendErrorDetection(prefix + encodeMessage(EXAMPLES["30"]).slice(prefix.length), 1);
    const error = refusal(line);
    expect(error.field).toBe(field);
    expect(error.message).toContain(expected);
  });

  it("a date that is not YYYYMMDDZZZZHHMMSS", () => {
    const line = appendErrorDetection(
      encodeMessage(EXAMPLES["66"]).replace("20250314    101500", "2025-03-14 10:15:0"),
      1,
    );
    expect(refusal(line).message).toContain("transactionDate at position 11: expected YYYYMMDDZZZZHHMMSS");
  });

  it("counts that are neither digits nor blank", () => {
    const line = appendErrorDetection(encodeMessage(EXAMPLES["66"]).replace("10002", "1000x"), 1);
    expect(refusal(line).message).toContain("renewedCount at position 3: expected 4 digits");
  });

  it("a patron status flag other than Y, N or blank", () => {
    const line = appendErrorDetection(`64 X${encodeMessage(EXAMPLES["64"]).slice(4)}`, 1);
    expect(refusal(line).message).toContain(
      "patron status flag 2 (renewalPrivilegesDenied) should be Y, N or blank",
    );
  });

  it("a variable field without a two-character code", () => {
    const line = appendErrorDetection("6610001000020250314    101500AOHKPL|x|BM1|", 1);
    expect(refusal(line).message).toBe(
      "66 Renew All Response: malformed variable field at position 36: expected a two-character code",
    );
  });

  it("a single-valued field sent twice", () => {
    const line = appendErrorDetection("6610001000020250314    101500AOHKPL|AOOTHER|", 1);
    expect(refusal(line).message).toBe(
      "66 Renew All Response: field AO appears twice (again at position 36)",
    );
  });

  it("a required field missing", () => {
    const line = appendErrorDetection("6610001000020250314    101500BM39000000000011|", 1);
    const error = refusal(line);
    expect(error.kind).toBe("missing-field");
    expect(error.message).toBe("66 Renew All Response: required field AO (institutionId) is missing");
  });

  it("a line break inside the message", () => {
    expect(refusal("941\r941AY1AZ0000").kind).toBe("framing");
  });

  it("never quotes the PIN or the raw line", () => {
    const withPin = encodeMessage(EXAMPLES["63"], { sequence: 2 });
    const errors = [
      refusal(`${withPin.slice(0, -4)}0000`),
      refusal(withPin, { sequence: 3 }),
      refusal(appendErrorDetection(encodeMessage(EXAMPLES["63"]).replace("AA21234000012345|", ""), 2)),
      refusal(appendErrorDetection(encodeMessage(EXAMPLES["63"]).replace("|AD4321|", "|AD4321|AD4321|"), 2)),
    ];
    for (const error of errors) {
      expect(error.message).not.toContain("4321");
      expect(error.message).not.toContain("HKPL");
    }
  });
});

describe("writing refuses what would break the framing", () => {
  it("a value containing the delimiter, without quoting it", () => {
    const error = (() => {
      try {
        encodeMessage({ ...EXAMPLES["63"], patronPassword: "12|34" });
      } catch (e) {
        return e as Sip2ProtocolError;
      }
    })();
    expect(error?.kind).toBe("unencodable");
    expect(error?.message).toBe('63 Patron Information: field AD contains "|" or a line break');
  });

  it("a missing required field, a sequence that is not a digit, a fixed text of the wrong width", () => {
    const { patronIdentifier: _, ...noPatron } = EXAMPLES["65"];
    expect(() => encodeMessage(noPatron as (typeof EXAMPLES)["65"])).toThrow(
      "required field AA (patronIdentifier) is missing",
    );
    expect(() => encodeMessage(EXAMPLES["94"], { sequence: 10 })).toThrow("AY sequence must be a digit 0–9");
    expect(() => encodeMessage({ ...EXAMPLES["99"], protocolVersion: "2.0" })).toThrow("protocolVersion");
    expect(() => encodeMessage({ ...EXAMPLES["66"], renewedCount: 10000 })).toThrow("renewedCount");
  });
});
