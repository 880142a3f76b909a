/**
 * The worked-examples table of renewal-rules.md, row by row, in December 2026.
 * "6th" is 2026-12-06, "8th" is 2026-12-08, and so on.
 */
import { describe, expect, it } from "vitest";
import { ALL, account, OTHER_READER, oneLoan, READER } from "../../support/account-builder.js";
import { decide, refusedOf, renewedOf } from "../../support/decide.js";

const D6 = "2026-12-06";
const D8 = "2026-12-08";

describe("renewal-rules.md worked examples", () => {
  it("6th, due 8th, 0 renewals → renewed, due 20th", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: D8, renewals: 0 }).build();
    const decision = decide(snapshot, D6, oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    expect(decision.loans).toHaveLength(1);
    const d = renewedOf(decision, 1);
    expect(d.oldDueOn).toBe(D8);
    expect(d.newDueOn).toBe("2026-12-20");
    expect(d.renewalsAfter).toBe(1);
    expect(d.accruedChargeCents).toBe(0);
  });

  it("10th, due 1st, 2 renewals, overdue 9 days, adult → renewed, due 24th; HK$13.50 outstanding", () => {
    const snapshot = account()
      .category("adult")
      .loan({ loanId: 1, dueOn: "2026-12-01", renewals: 2 })
      .build();
    const decision = decide(snapshot, "2026-12-10", oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    const d = renewedOf(decision, 1);
    expect(d.oldDueOn).toBe("2026-12-01");
    expect(d.newDueOn).toBe("2026-12-24");
    expect(d.renewalsAfter).toBe(3);
    expect(d.accruedChargeCents).toBe(1350);
  });

  it("6th, due 8th, 5 renewals → RENEWAL_LIMIT", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: D8, renewals: 5 }).build();
    const decision = decide(snapshot, D6, oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    const d = refusedOf(decision, 1);
    expect(d.reasons).toEqual(["RENEWAL_LIMIT"]);
    expect(d.primaryReason).toBe("RENEWAL_LIMIT");
    expect(d.dueOn).toBe(D8);
  });

  it("6th, due 8th, title reserved by another reader, the only other copy on loan → RESERVED", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 101, titleId: "T", dueOn: D8 })
      .copy("T", 102, "on_loan")
      .reservation("T", OTHER_READER)
      .build();
    const decision = decide(snapshot, D6, oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    const d = refusedOf(decision, 1);
    expect(d.reasons).toEqual(["RESERVED"]);
    expect(d.primaryReason).toBe("RESERVED");
  });

  it("6th, due 8th, title reserved by another reader, another copy on the shelf → renewed, due 20th", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 101, titleId: "T", dueOn: D8 })
      .copy("T", 102, "on_shelf")
      .reservation("T", OTHER_READER)
      .build();
    const d = renewedOf(decide(snapshot, D6, oneLoan(1)), 1);
    expect(d.newDueOn).toBe("2026-12-20");
  });

  it("6th, due 8th, title reserved by this reader → renewed, due 20th", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 101, titleId: "T", dueOn: D8 })
      .reservation("T", READER)
      .build();
    const d = renewedOf(decide(snapshot, D6, oneLoan(1)), 1);
    expect(d.newDueOn).toBe("2026-12-20");
  });

  it("6th, due 8th, the 20th a closed day and the 21st open → renewed, due 21st", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: D8 }).closed("2026-12-20").build();
    const d = renewedOf(decide(snapshot, D6, oneLoan(1)), 1);
    expect(d.newDueOn).toBe("2026-12-21");
  });

  it("6th, due 20th, borrowed today → NO_EXTENSION, no renewal used", () => {
    const snapshot = account().loan({ loanId: 1, borrowedOn: D6, dueOn: "2026-12-20", renewals: 0 }).build();
    const decision = decide(snapshot, D6, oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    const d = refusedOf(decision, 1);
    expect(d.reasons).toEqual(["NO_EXTENSION"]);
    expect(d.primaryReason).toBe("NO_EXTENSION");
    expect(d.dueOn).toBe("2026-12-20");
    expect(d).not.toHaveProperty("renewalsAfter");
  });

  it("6th, due 8th, another loan 91 days overdue → OVERDUE_TIME_LIMIT for every loan", () => {
    // A junior reader: an adult's 91 days × HK$1.50 = HK$136.50 would also reach the per-item
    // ceiling (HK$130.00), which speaks first. The example names only the time limit.
    const snapshot = account()
      .category("junior")
      .loan({ loanId: 1, dueOn: D8 })
      .loan({ loanId: 2, dueOn: "2026-09-06" }) // 91 days before the 6th of December
      .build();
    const decision = decide(snapshot, D6, ALL);
    expect(decision.accountBlocks).toEqual(["OVERDUE_TIME_LIMIT"]);
    expect(decision.loans.map((d) => d.loanId)).toEqual([2, 1]);
    for (const loanId of [1, 2]) {
      const d = refusedOf(decision, loanId);
      expect(d.reasons).toEqual(["OVERDUE_TIME_LIMIT"]);
      expect(d.primaryReason).toBe("OVERDUE_TIME_LIMIT");
    }
  });

  it("6th, due 8th, set of 2, the other member reserved with no other copy → neither renewed", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 101, titleId: "BOOK", dueOn: D8, set: { setId: "S", main: true } })
      .loan({ loanId: 2, itemId: 102, titleId: "CD", dueOn: D8, set: { setId: "S", main: false } })
      .reservation("CD", OTHER_READER)
      .build();
    const decision = decide(snapshot, D6, oneLoan(1));
    expect(decision.accountBlocks).toEqual([]);
    expect(decision.loans.map((d) => d.loanId)).toEqual([1, 2]);
    const thisOne = refusedOf(decision, 1);
    expect(thisOne.reasons).toEqual(["SET_MEMBER_REFUSED"]);
    expect(thisOne.primaryReason).toBe("SET_MEMBER_REFUSED");
    const thatOne = refusedOf(decision, 2);
    expect(thatOne.reasons).toEqual(["RESERVED"]);
    expect(thatOne.primaryReason).toBe("RESERVED");
  });
});
