import { describe, expect, it } from "vitest";
import { DEMO_AS_OF, demoShiftDays, readDemoFile, shiftDemoDates } from "../../../src/demo/demo-data.js";
import { validateLibraryData } from "../../../src/library-data/import-schema.js";

describe("the demo library", () => {
  it("is a valid import file", () => {
    const checked = validateLibraryData(readDemoFile());
    expect(checked.ok ? [] : checked.problems).toEqual([]);
  });

  it("moves to today by whole days", () => {
    expect(demoShiftDays(DEMO_AS_OF)).toBe(0);
    expect(demoShiftDays("2026-11-28")).toBe(-3);
    expect(demoShiftDays("2027-01-05")).toBe(35);
  });

  it("shifts every date and nothing else, and stays valid", () => {
    const raw = {
      closedDays: ["2026-12-25"],
      patrons: [{ cardNumber: "2100000001", expiresOn: "2030-06-30", phone: "91234567", pin: "20261201" }],
      loans: [
        {
          barcode: "1",
          borrowedOn: "2026-12-01",
          dueOn: "2026-12-15",
          returnedOn: "2026-12-02",
          renewals: 0,
        },
      ],
      reservations: [{ placedOn: "2026-11-30", titleId: "T1" }],
    };
    expect(shiftDemoDates(raw, 3)).toEqual({
      closedDays: ["2026-12-28"],
      patrons: [{ cardNumber: "2100000001", expiresOn: "2030-07-03", phone: "91234567", pin: "20261201" }],
      loans: [
        {
          barcode: "1",
          borrowedOn: "2026-12-04",
          dueOn: "2026-12-18",
          returnedOn: "2026-12-05",
          renewals: 0,
        },
      ],
      reservations: [{ placedOn: "2026-12-03", titleId: "T1" }],
    });
    const shifted = validateLibraryData(shiftDemoDates(readDemoFile(), -400));
    expect(shifted.ok).toBe(true);
  });
});
