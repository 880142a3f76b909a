import { describe, expect, it } from "vitest";
import { appendErrorDetection, computeChecksum } from "../../../../src/library-system/sip2/checksum.js";

const latin1 = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

describe("AZ checksum", () => {
  it.each([
    // 3M SIP2 Developers' Guide, page 26, as quoted in Evergreen SIPServer's checksum test.
    ["990 402.00AY1AZ", "FCB4"],
    // DigitalPlatform/dp-library UnitTestSIP/TestMessage.cs, Test_94.
    ["941AY3AZ", "FDFA"],
    // ub-library/sip2-ruby test/fixtures/98.sip2.
    [
      "98YYNNNY00500520230822    1524342.00AO3662|BXYYYNYNYYYYYNNNYY|AMThe Library|ANSomeLocation|AY1AZ",
      "E3C0",
    ],
  ])("of %j is %s", (text, checksum) => {
    expect(computeChecksum(text)).toBe(checksum);
  });

  it("is the 16-bit two's complement of the byte sum, as four uppercase hex digits", () => {
    // "A" is 65: -65 & 0xffff = 0xFFBF. An empty sum gives 0000, not 10000.
    expect(computeChecksum("A")).toBe("FFBF");
    expect(computeChecksum("")).toBe("0000");
    expect(computeChecksum("\u00ff".repeat(300), latin1)).toBe(
      ((-255 * 300) & 0xffff).toString(16).toUpperCase(),
    );
  });

  it("sums bytes, so non-ASCII text depends on the ILS's charset", () => {
    // é is one byte in ISO-8859-1 (0xE9) and two in UTF-8 (0xC3 0xA9).
    expect(computeChecksum("é")).toBe((-(0xc3 + 0xa9) & 0xffff).toString(16).toUpperCase());
    expect(computeChecksum("é", latin1)).toBe((-0xe9 & 0xffff).toString(16).toUpperCase());
  });

  it("appends AY, the sequence, AZ and the checksum", () => {
    expect(appendErrorDetection("941", 3)).toBe("941AY3AZFDFA");
  });
});
