/**
 * OFFICE_HOURS read and spoken: the hours key 7 tells a caller come from the setting itself, in
 * the call's language, so they cannot disagree with when staff actually answer.
 */
import { describe, expect, it } from "vitest";
import { isWithinOfficeHours, parseOfficeHours, speakOfficeHours } from "../../../src/voice/office-hours.js";

function hours(text: string) {
  const parsed = parseOfficeHours(text);
  if (!parsed) throw new Error(`not office hours: ${text}`);
  return parsed;
}

describe("speakOfficeHours", () => {
  it("reads days with the same hours together, Monday first, in each language", () => {
    const week = hours("mon-fri 09:00-18:00, sat 09:00-13:00");
    expect(speakOfficeHours(week, "en")).toBe(
      "Monday to Friday, 9 a.m. to 6 p.m.; Saturday, 9 a.m. to 1 p.m.",
    );
    expect(speakOfficeHours(week, "yue")).toBe("星期一至五上午9時至下午6時；星期六上午9時至下午1時");
    expect(speakOfficeHours(week, "cmn")).toBe("星期一至五上午9点至下午6点；星期六上午9点至下午1点");
  });

  it("says minutes, noon and midnight as people say them", () => {
    expect(speakOfficeHours(hours("sun 00:00-12:00"), "en")).toBe("Sunday, midnight to noon");
    expect(speakOfficeHours(hours("wed 09:30-17:45"), "en")).toBe("Wednesday, 9:30 a.m. to 5:45 p.m.");
    expect(speakOfficeHours(hours("wed 09:30-12:00"), "yue")).toBe("星期三上午9時30分至中午12時");
  });

  it("keeps days apart when their hours differ or a day between them is closed", () => {
    expect(speakOfficeHours(hours("mon 09:00-18:00, wed 09:00-18:00"), "en")).toBe(
      "Monday, 9 a.m. to 6 p.m.; Wednesday, 9 a.m. to 6 p.m.",
    );
    expect(speakOfficeHours(hours("mon-tue 09:00-18:00, wed 10:00-18:00"), "en")).toBe(
      "Monday and Tuesday, 9 a.m. to 6 p.m.; Wednesday, 10 a.m. to 6 p.m.",
    );
  });

  it("reads two periods in one day together", () => {
    expect(speakOfficeHours(hours("mon-fri 09:00-12:00, mon-fri 14:00-17:00"), "en")).toBe(
      "Monday to Friday, 9 a.m. to noon, 2 p.m. to 5 p.m.",
    );
  });
});

describe("parseOfficeHours and isWithinOfficeHours", () => {
  it("refuses what it cannot read", () => {
    expect(parseOfficeHours("weekdays 9-6")).toBeNull();
    expect(parseOfficeHours("mon 18:00-09:00")).toBeNull();
  });

  it("is open inside a period and closed at its end, in the library's time zone", () => {
    const week = hours("mon-fri 09:00-18:00");
    // Tuesday 1 December 2026, 10:00 and 18:00 in Hong Kong.
    expect(isWithinOfficeHours(week, new Date("2026-12-01T02:00:00Z"), "Asia/Hong_Kong")).toBe(true);
    expect(isWithinOfficeHours(week, new Date("2026-12-01T10:00:00Z"), "Asia/Hong_Kong")).toBe(false);
  });
});

describe("hours with no period", () => {
  it("are not office hours: nothing could be spoken for them", () => {
    expect(parseOfficeHours(",")).toBeNull();
    expect(parseOfficeHours("")).toBeNull();
  });

  it("a Chinese call hears two periods of one day joined by 、", () => {
    expect(speakOfficeHours(hours("mon 09:00-12:00, mon 14:00-17:00"), "cmn")).toBe(
      "星期一上午9点至中午12点、下午2点至下午5点",
    );
  });
});
