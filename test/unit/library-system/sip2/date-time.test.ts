import { describe, expect, it } from "vitest";
import { parseSipDateTime, sipDateTime } from "../../../../src/library-system/sip2/date-time.js";

describe("SIP2 dates (YYYYMMDDZZZZHHMMSS)", () => {
  it("reads local time, keeping the raw text", () => {
    expect(parseSipDateTime("20230822    152434")).toEqual({
      raw: "20230822    152434",
      date: "2023-08-22",
      time: "15:24:34",
      zone: "    ",
      utc: false,
    });
  });

  it("reads UTC and keeps other zone text as sent (Sierra's 0000)", () => {
    expect(parseSipDateTime("20240229   Z235959")).toMatchObject({ date: "2024-02-29", utc: true });
    expect(parseSipDateTime("201610210000142725")).toMatchObject({
      zone: "0000",
      time: "14:27:25",
      utc: false,
    });
  });

  it.each([
    "2023-08-31 23:59:00 CEST", // Koha-style free text in AH
    "20230230    120000", // no 30 February
    "20230822    246000",
    "20230822    1524", // short
    "",
  ])("returns null for %j", (raw) => {
    expect(parseSipDateTime(raw)).toBeNull();
  });

  it("builds the 18-character form", () => {
    expect(sipDateTime("2025-01-31", "09:05:00").raw).toBe("20250131    090500");
    expect(sipDateTime("2025-01-31", "09:05:00", true).raw).toBe("20250131   Z090500");
    expect(() => sipDateTime("2025-02-30", "09:05:00")).toThrow(RangeError);
  });
});
