/** The ILS's patron status flags as the line's account blocks (patron-blocks.ts). */
import { describe, expect, it } from "vitest";
import { PATRON_STATUS_FLAGS, type PatronStatus } from "../../../../src/library-system/sip2/fixed-fields.js";
import { blocksOf } from "../../../../src/library-system/sip2/patron-blocks.js";

const status = (flags: Partial<PatronStatus>): PatronStatus => ({
  ...(Object.fromEntries(PATRON_STATUS_FLAGS.map((flag) => [flag, false])) as PatronStatus),
  ...flags,
});

describe("blocksOf", () => {
  it("no flag, no block", () => {
    expect(blocksOf(status({}))).toEqual([]);
  });

  it("renewals denied for no reason the flags give: suspended", () => {
    expect(blocksOf(status({ renewalPrivilegesDenied: true, chargePrivilegesDenied: true }))).toEqual([
      "ACCOUNT_SUSPENDED",
    ]);
  });

  it("a lost card blocks by itself, and says so rather than suspended", () => {
    expect(blocksOf(status({ cardReportedLost: true }))).toEqual(["CARD_REPORTED_LOST"]);
    expect(blocksOf(status({ cardReportedLost: true, renewalPrivilegesDenied: true }))).toEqual([
      "CARD_REPORTED_LOST",
    ]);
  });

  it("renewals denied with fines or overdue items: those reasons, in the speaking order", () => {
    expect(
      blocksOf(
        status({ renewalPrivilegesDenied: true, tooManyItemsOverdue: true, excessiveOutstandingFees: true }),
      ),
    ).toEqual(["ACCOUNT_CHARGE_CEILING", "OVERDUE_TIME_LIMIT"]);
    expect(blocksOf(status({ renewalPrivilegesDenied: true, excessiveOutstandingFines: true }))).toEqual([
      "ACCOUNT_CHARGE_CEILING",
    ]);
  });

  it("flags without renewals denied block nothing: the ILS decides item by item", () => {
    expect(
      blocksOf(
        status({
          chargePrivilegesDenied: true,
          tooManyItemsCharged: true,
          tooManyItemsOverdue: true,
          excessiveOutstandingFines: true,
        }),
      ),
    ).toEqual([]);
  });
});
