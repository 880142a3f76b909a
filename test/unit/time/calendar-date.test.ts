import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  calendarDateIn,
  daysBetween,
  isCalendarDate,
  weekdayOf,
} from "../../../src/time/calendar-date.js";

const HONG_KONG = "Asia/Hong_Kong";

describe("calendarDateIn: the library's day, whatever the server's zone", () => {
  it("the suite runs on a UTC server, where both calls below are on the 6th", () => {
    expect(new Date("2026-12-06T15:59:00Z").getDate()).toBe(6);
    expect(new Date("2026-12-06T16:01:00Z").getDate()).toBe(6);
  });

  it("23:59 Hong Kong time (15:59Z) is still the 6th", () => {
    expect(calendarDateIn(new Date("2026-12-06T15:59:00Z"), HONG_KONG)).toBe("2026-12-06");
  });

  it("00:01 Hong Kong time (16:01Z) is already the 7th", () => {
    expect(calendarDateIn(new Date("2026-12-06T16:01:00Z"), HONG_KONG)).toBe("2026-12-07");
  });

  it("midnight exactly (16:00Z) belongs to the new day", () => {
    expect(calendarDateIn(new Date("2026-12-06T16:00:00Z"), HONG_KONG)).toBe("2026-12-07");
    expect(calendarDateIn(new Date("2026-12-06T15:59:59.999Z"), HONG_KONG)).toBe("2026-12-06");
  });

  it("New Year's Eve 00:01 HKT is already the new year", () => {
    expect(calendarDateIn(new Date("2026-12-31T16:01:00Z"), HONG_KONG)).toBe("2027-01-01");
  });

  it("another zone gives another day for the same instant", () => {
    expect(calendarDateIn(new Date("2026-12-06T16:01:00Z"), "UTC")).toBe("2026-12-06");
    expect(calendarDateIn(new Date("2026-12-06T03:00:00Z"), "America/Los_Angeles")).toBe("2026-12-05");
  });
});

describe("addDays", () => {
  it.each([
    ["2026-12-06", 14, "2026-12-20"],
    ["2026-01-31", 1, "2026-02-01"],
    ["2026-02-28", 1, "2026-03-01"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2028-02-29", 1, "2028-03-01"],
    ["2026-11-30", 1, "2026-12-01"],
    ["2026-12-31", 1, "2027-01-01"],
    ["2026-12-20", 14, "2027-01-03"],
    ["2027-01-01", -1, "2026-12-31"],
    ["2026-03-01", -1, "2026-02-28"],
    ["2026-12-06", -91, "2026-09-06"],
    ["2026-12-06", 0, "2026-12-06"],
  ])("%s + %i = %s", (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it("is unaffected by daylight saving in the process zone (a European spring-forward date)", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30");
  });
});

describe("daysBetween", () => {
  it.each([
    ["2026-12-01", "2026-12-10", 9],
    ["2026-12-10", "2026-12-01", -9],
    ["2026-12-06", "2026-12-06", 0],
    ["2026-12-25", "2027-01-05", 11],
    ["2028-02-01", "2028-03-01", 29],
    ["2026-02-01", "2026-03-01", 28],
    ["2026-09-06", "2026-12-06", 91],
    ["2026-01-01", "2027-01-01", 365],
    ["2028-01-01", "2029-01-01", 366],
  ])("%s → %s = %i", (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it("undoes addDays for any date and offset", () => {
    const date = fc.integer({ min: 0, max: 365 * 80 }).map((n) => addDays("2000-01-01", n));
    fc.assert(
      fc.property(date, fc.integer({ min: -3000, max: 3000 }), (d, n) => {
        const later = addDays(d, n);
        expect(isCalendarDate(later)).toBe(true);
        expect(daysBetween(d, later)).toBe(n);
      }),
    );
  });
});

describe("isCalendarDate and weekdayOf", () => {
  it("accepts real ISO dates only", () => {
    expect(isCalendarDate("2026-12-06")).toBe(true);
    expect(isCalendarDate("2028-02-29")).toBe(true);
    expect(isCalendarDate("2026-02-29")).toBe(false);
    expect(isCalendarDate("2026-12-6")).toBe(false);
    expect(isCalendarDate("2026-12-06T00:00:00Z")).toBe(false);
  });

  it("Sunday is 0: 2026-12-06 is a Sunday, 2026-12-21 a Monday", () => {
    expect(weekdayOf("2026-12-06")).toBe(0);
    expect(weekdayOf("2026-12-21")).toBe(1);
    expect(weekdayOf("2027-01-02")).toBe(6);
  });
});
