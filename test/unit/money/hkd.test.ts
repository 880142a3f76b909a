import { describe, expect, it } from "vitest";
import { formatCentsAsHkd, parseHkdToCents } from "../../../src/money/hkd.js";

describe("HK$ amounts as integer cents", () => {
  it.each([
    ["12.50", 1250],
    ["12.5", 1250],
    ["130", 13000],
    ["0.01", 1],
    ["199.99", 19999],
  ])("reads %s as %i cents", (text, cents) => {
    expect(parseHkdToCents(text)).toBe(cents);
  });

  it.each(["12.345", "-1.00", "1,000.00", "", "HK$5", "1e3", " 5"])("refuses %j", (text) => {
    expect(parseHkdToCents(text)).toBeNull();
  });

  it("writes cents back as dollars and cents", () => {
    expect(formatCentsAsHkd(1350)).toBe("13.50");
    expect(formatCentsAsHkd(5)).toBe("0.05");
    expect(formatCentsAsHkd(13000)).toBe("130.00");
  });
});
