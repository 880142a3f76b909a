import { describe, expect, it } from "vitest";
import { instantOfLocalTime } from "../../../src/time/zoned-time.js";

describe("instantOfLocalTime", () => {
  it("reads a Hong Kong wall-clock time as UTC+8", () => {
    expect(instantOfLocalTime("2026-12-01T09:30", "Asia/Hong_Kong")?.toISOString()).toBe(
      "2026-12-01T01:30:00.000Z",
    );
    expect(instantOfLocalTime("2026-12-01T00:00:59", "Asia/Hong_Kong")?.toISOString()).toBe(
      "2026-11-30T16:00:59.000Z",
    );
  });

  it("follows a zone with summer time on both sides of the change", () => {
    expect(instantOfLocalTime("2026-01-15T12:00", "Europe/London")?.toISOString()).toBe(
      "2026-01-15T12:00:00.000Z",
    );
    expect(instantOfLocalTime("2026-07-15T12:00", "Europe/London")?.toISOString()).toBe(
      "2026-07-15T11:00:00.000Z",
    );
  });

  it("refuses what is not a real local time", () => {
    for (const text of [
      "2026-02-30T10:00",
      "2026-12-01 10:00",
      "2026-12-01T24:00",
      "2026-12-01T10:75",
      "2026-12-01T10:00:99",
      "0099-12-01T10:00",
      "2026-13-01T10:00",
      "yesterday",
      "",
    ])
      expect(instantOfLocalTime(text, "Asia/Hong_Kong")).toBeNull();
  });
});
