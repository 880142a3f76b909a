/**
 * Each refusal of renewal-rules.md on its own, the order that picks the primary reason, and the
 * boundaries of every figure. Today is Sunday 2026-12-06 unless a test says otherwise.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../../src/rules/policy.js";
import { REFUSAL_PRIORITY } from "../../../src/rules/reasons.js";
import type { ItemStatus } from "../../../src/rules/types.js";
import { addDays } from "../../../src/time/calendar-date.js";
import { ALL, account, OTHER_READER, oneLoan, policy, READER } from "../../support/account-builder.js";
import { decide, refusedOf, renewedOf } from "../../support/decide.js";

const TODAY = "2026-12-06";
const YESTERDAY = "2026-12-05";
const DUE = "2026-12-08";
/** TODAY + 14: where a renewal today lands when no day is closed. */
const RENEWED_DUE = "2026-12-20";

function overdueBy(days: number): string {
  return addDays(TODAY, -days);
}

describe("the figures are the documented defaults", () => {
  it("DEFAULT_POLICY", () => {
    expect(DEFAULT_POLICY).toEqual({
      loanPeriodDays: 14,
      renewalLimit: 5,
      itemChargeCeilingCents: 13000,
      accountChargeCeilingCents: 20000,
      dailyOverdueRateCents: { adult: 150, junior: 50 },
      overdueTimeLimitDays: 90,
    });
  });

  it("the speaking order is the one of renewal-rules.md", () => {
    expect(REFUSAL_PRIORITY).toEqual([
      "ACCOUNT_SUSPENDED",
      "CARD_REPORTED_LOST",
      "ACCOUNT_EXPIRED",
      "ITEM_CHARGE_CEILING",
      "ACCOUNT_CHARGE_CEILING",
      "OVERDUE_TIME_LIMIT",
      "NOT_ON_LOAN",
      "ITEM_NOT_RENEWABLE",
      "SET_MAIN_RETURNED",
      "RESERVED",
      "RENEWAL_LIMIT",
      "SET_MEMBER_REFUSED",
      "NO_EXTENSION",
      // Last: the ILS's own refusal, which no mapping names (library-system.md; sip2 only).
      "ILS_REFUSED",
    ]);
  });
});

describe("account blocks", () => {
  it("ACCOUNT_SUSPENDED refuses every loan and is reported once for the account", () => {
    const snapshot = account()
      .status("suspended")
      .loan({ loanId: 1, dueOn: DUE })
      .loan({ loanId: 2, dueOn: DUE })
      .build();
    const decision = decide(snapshot, TODAY, ALL);
    expect(decision.accountBlocks).toEqual(["ACCOUNT_SUSPENDED"]);
    expect(decision.loans).toHaveLength(2);
    for (const loanId of [1, 2]) {
      const d = refusedOf(decision, loanId);
      expect(d.reasons).toEqual(["ACCOUNT_SUSPENDED"]);
      expect(d.primaryReason).toBe("ACCOUNT_SUSPENDED");
    }
  });

  it("CARD_REPORTED_LOST", () => {
    const snapshot = account().status("card_lost").loan({ loanId: 1, dueOn: DUE }).build();
    const decision = decide(snapshot, TODAY, oneLoan(1));
    expect(decision.accountBlocks).toEqual(["CARD_REPORTED_LOST"]);
    expect(refusedOf(decision, 1).reasons).toEqual(["CARD_REPORTED_LOST"]);
  });

  describe("ACCOUNT_EXPIRED: the expiry date is before today", () => {
    it("expired yesterday → blocked", () => {
      const snapshot = account().expiresOn(YESTERDAY).loan({ loanId: 1, dueOn: DUE }).build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual(["ACCOUNT_EXPIRED"]);
      const d = refusedOf(decision, 1);
      expect(d.reasons).toEqual(["ACCOUNT_EXPIRED"]);
      expect(d.primaryReason).toBe("ACCOUNT_EXPIRED");
    });

    it("expires today → not expired, renewed", () => {
      const snapshot = account().expiresOn(TODAY).loan({ loanId: 1, dueOn: DUE }).build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual([]);
      expect(renewedOf(decision, 1).newDueOn).toBe(RENEWED_DUE);
    });

    it("expires tomorrow → renewed (the new due date may lie past the expiry)", () => {
      const snapshot = account().expiresOn("2026-12-07").loan({ loanId: 1, dueOn: DUE }).build();
      expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe(RENEWED_DUE);
    });
  });

  describe("ITEM_CHARGE_CEILING: one item's outstanding charge ≥ HK$130.00", () => {
    it.each([
      { cents: 12999, blocked: false },
      { cents: 13000, blocked: true },
      { cents: 13001, blocked: true },
    ])("recorded charge of $cents cents on the loaned item → blocked: $blocked", ({ cents, blocked }) => {
      const snapshot = account().loan({ loanId: 1, itemId: 101, dueOn: DUE }).charge(101, cents).build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      if (blocked) {
        expect(decision.accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
        expect(refusedOf(decision, 1).reasons).toEqual(["ITEM_CHARGE_CEILING"]);
      } else {
        expect(decision.accountBlocks).toEqual([]);
        expect(renewedOf(decision, 1).newDueOn).toBe(RENEWED_DUE);
      }
    });

    it("several recorded charges on one item add up (HK$65.00 + HK$65.00)", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 101, dueOn: DUE })
        .charge(101, 6500)
        .charge(101, 6500)
        .build();
      expect(decide(snapshot, TODAY, oneLoan(1)).accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
    });

    it("charges on two different items do not add up per item (HK$129.99 + HK$60.00)", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 101, dueOn: DUE })
        .charge(101, 12999)
        .charge(555, 6000)
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual([]);
      renewedOf(decision, 1);
    });

    it("a charge on an item no longer on loan counts too", () => {
      const snapshot = account().loan({ loanId: 1, itemId: 101, dueOn: DUE }).charge(555, 13000).build();
      expect(decide(snapshot, TODAY, oneLoan(1)).accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
    });

    it.each([
      { recorded: 12699, blocked: false },
      { recorded: 12700, blocked: true },
      { recorded: 12701, blocked: true },
    ])(
      "recorded $recorded cents + 2 days accrued (adult, 300 cents) on another loan → blocked: $blocked",
      ({ recorded, blocked }) => {
        const snapshot = account()
          .category("adult")
          .loan({ loanId: 1, itemId: 101, dueOn: DUE })
          .loan({ loanId: 2, itemId: 102, dueOn: overdueBy(2) })
          .charge(102, recorded)
          .build();
        const decision = decide(snapshot, TODAY, oneLoan(1));
        if (blocked) {
          expect(decision.accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
          expect(refusedOf(decision, 1).reasons).toEqual(["ITEM_CHARGE_CEILING"]);
        } else {
          expect(decision.accountBlocks).toEqual([]);
          renewedOf(decision, 1);
        }
      },
    );

    it("the accrued charge of the loan being renewed counts: HK$127.00 recorded + 2 days overdue", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 101, dueOn: overdueBy(2) })
        .charge(101, 12700)
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
      expect(refusedOf(decision, 1).primaryReason).toBe("ITEM_CHARGE_CEILING");
    });

    it("accrual alone: 87 days overdue adult (HK$130.50) blocks; 86 days (HK$129.00) does not", () => {
      const at87 = account()
        .loan({ loanId: 1, dueOn: overdueBy(87) })
        .build();
      expect(decide(at87, TODAY, oneLoan(1)).accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
      const at86 = account()
        .loan({ loanId: 1, dueOn: overdueBy(86) })
        .build();
      const d = renewedOf(decide(at86, TODAY, oneLoan(1)), 1);
      expect(d.accruedChargeCents).toBe(12900);
    });

    it("the reader's category sets the rate: HK$100 + 30 days blocks an adult (HK$145), not a junior (HK$115)", () => {
      const build = (category: "adult" | "junior") =>
        account()
          .category(category)
          .loan({ loanId: 1, itemId: 101, dueOn: overdueBy(30) })
          .charge(101, 10000)
          .build();
      expect(decide(build("adult"), TODAY, oneLoan(1)).accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
      const junior = decide(build("junior"), TODAY, oneLoan(1));
      expect(junior.accountBlocks).toEqual([]);
      expect(renewedOf(junior, 1).accruedChargeCents).toBe(1500);
    });

    it("a lower ceiling from policy applies", () => {
      const snapshot = account().loan({ loanId: 1, itemId: 101, dueOn: DUE }).charge(101, 5000).build();
      const decision = decide(snapshot, TODAY, oneLoan(1), policy({ itemChargeCeilingCents: 5000 }));
      expect(decision.accountBlocks).toEqual(["ITEM_CHARGE_CEILING"]);
    });
  });

  describe("ACCOUNT_CHARGE_CEILING: total outstanding ≥ HK$200.00", () => {
    it.each([
      { accountOnly: 9999, blocked: false },
      { accountOnly: 10000, blocked: true },
      { accountOnly: 10001, blocked: true },
    ])(
      "HK$100.00 on an item + $accountOnly cents on the account only → blocked: $blocked",
      ({ accountOnly, blocked }) => {
        const snapshot = account()
          .loan({ loanId: 1, itemId: 101, dueOn: DUE })
          .charge(101, 10000)
          .charge(null, accountOnly)
          .build();
        const decision = decide(snapshot, TODAY, oneLoan(1));
        if (blocked) {
          expect(decision.accountBlocks).toEqual(["ACCOUNT_CHARGE_CEILING"]);
          const d = refusedOf(decision, 1);
          expect(d.reasons).toEqual(["ACCOUNT_CHARGE_CEILING"]);
          expect(d.primaryReason).toBe("ACCOUNT_CHARGE_CEILING");
        } else {
          expect(decision.accountBlocks).toEqual([]);
          renewedOf(decision, 1);
        }
      },
    );

    it("three items of HK$66.67 each (HK$200.01) block the account though none reaches the item ceiling", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 101, dueOn: DUE })
        .charge(201, 6667)
        .charge(202, 6667)
        .charge(203, 6667)
        .build();
      expect(decide(snapshot, TODAY, oneLoan(1)).accountBlocks).toEqual(["ACCOUNT_CHARGE_CEILING"]);
    });

    it.each([
      { accountOnly: 10999, blocked: false },
      { accountOnly: 11000, blocked: true },
    ])(
      "accrued charge pushes it over: 60 days overdue adult (HK$90) + $accountOnly cents → blocked: $blocked",
      ({ accountOnly, blocked }) => {
        const snapshot = account()
          .loan({ loanId: 1, itemId: 101, dueOn: DUE })
          .loan({ loanId: 2, itemId: 102, dueOn: overdueBy(60) })
          .charge(null, accountOnly)
          .build();
        const decision = decide(snapshot, TODAY, oneLoan(1));
        expect(decision.accountBlocks).toEqual(blocked ? ["ACCOUNT_CHARGE_CEILING"] : []);
        expect(decision.loans[0]?.outcome).toBe(blocked ? "refused" : "renewed");
      },
    );
  });

  describe("OVERDUE_TIME_LIMIT: an item on loan overdue by more than 90 days", () => {
    // Junior reader, so that the accrued charge (HK$0.50 a day) stays under the item ceiling.
    it("90 days overdue → not blocked; that loan itself is renewed with 90 days accrued", () => {
      const snapshot = account()
        .category("junior")
        .loan({ loanId: 1, dueOn: DUE })
        .loan({ loanId: 2, dueOn: overdueBy(90) })
        .build();
      const decision = decide(snapshot, TODAY, ALL);
      expect(decision.accountBlocks).toEqual([]);
      expect(renewedOf(decision, 1).newDueOn).toBe(RENEWED_DUE);
      const overdue = renewedOf(decision, 2);
      expect(overdue.newDueOn).toBe(RENEWED_DUE);
      expect(overdue.accruedChargeCents).toBe(4500);
    });

    it("91 days overdue → blocked, even when only another loan is asked for", () => {
      const snapshot = account()
        .category("junior")
        .loan({ loanId: 1, dueOn: DUE })
        .loan({ loanId: 2, dueOn: overdueBy(91) })
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual(["OVERDUE_TIME_LIMIT"]);
      expect(decision.loans.map((d) => d.loanId)).toEqual([1]);
      expect(refusedOf(decision, 1).reasons).toEqual(["OVERDUE_TIME_LIMIT"]);
    });

    it("an adult 91 days overdue has also reached the item ceiling (HK$136.50), which speaks first", () => {
      const snapshot = account()
        .category("adult")
        .loan({ loanId: 1, dueOn: overdueBy(91) })
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual(["ITEM_CHARGE_CEILING", "OVERDUE_TIME_LIMIT"]);
      const d = refusedOf(decision, 1);
      expect(d.reasons).toEqual(["ITEM_CHARGE_CEILING", "OVERDUE_TIME_LIMIT"]);
      expect(d.primaryReason).toBe("ITEM_CHARGE_CEILING");
    });

    it("a returned loan, however late, neither blocks nor accrues", () => {
      const snapshot = account()
        .loan({ loanId: 1, dueOn: DUE })
        .loan({ loanId: 2, dueOn: overdueBy(200), returnedOn: YESTERDAY })
        .build();
      const decision = decide(snapshot, TODAY, ALL);
      expect(decision.accountBlocks).toEqual([]);
      expect(decision.loans.map((d) => d.loanId)).toEqual([1]);
    });

    it("another reader's loan in the snapshot, however late, does not block this account", () => {
      const snapshot = account()
        .loan({ loanId: 1, dueOn: DUE })
        .loan({ loanId: 2, patronId: OTHER_READER, dueOn: overdueBy(200) })
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual([]);
      renewedOf(decision, 1);
    });

    it("the limit comes from policy: 30 days → 31 blocks, 30 does not", () => {
      const limit30 = policy({ overdueTimeLimitDays: 30 });
      const at30 = account()
        .category("junior")
        .loan({ loanId: 1, dueOn: overdueBy(30) })
        .build();
      expect(decide(at30, TODAY, ALL, limit30).accountBlocks).toEqual([]);
      const at31 = account()
        .category("junior")
        .loan({ loanId: 1, dueOn: overdueBy(31) })
        .build();
      expect(decide(at31, TODAY, ALL, limit30).accountBlocks).toEqual(["OVERDUE_TIME_LIMIT"]);
    });
  });
});

describe("loan refusals", () => {
  describe("NOT_ON_LOAN", () => {
    it("a returned loan asked for by id", () => {
      const snapshot = account().loan({ loanId: 7, itemId: 107, dueOn: DUE, returnedOn: YESTERDAY }).build();
      const decision = decide(snapshot, TODAY, oneLoan(7));
      expect(decision.accountBlocks).toEqual([]);
      const d = refusedOf(decision, 7);
      expect(d.reasons).toEqual(["NOT_ON_LOAN"]);
      expect(d.primaryReason).toBe("NOT_ON_LOAN");
      expect(d.itemId).toBe(107);
      expect(d.dueOn).toBe(DUE);
    });

    it("another reader's loan asked for by id", () => {
      const snapshot = account().loan({ loanId: 7, patronId: OTHER_READER, dueOn: DUE }).build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(7)), 7);
      expect(d.reasons).toEqual(["NOT_ON_LOAN"]);
    });

    it("a loan id the snapshot does not hold is a caller's mistake, not a decision", () => {
      // The service puts every loan a request names into the snapshot, or refuses the request.
      const snapshot = account().loan({ loanId: 1, dueOn: DUE }).build();
      expect(() => decide(snapshot, TODAY, oneLoan(999))).toThrow(/loan 999 is not in the account snapshot/);
    });

    it("'renew all' covers only this reader's open loans", () => {
      const snapshot = account()
        .loan({ loanId: 1, dueOn: DUE })
        .loan({ loanId: 2, dueOn: DUE, returnedOn: YESTERDAY })
        .loan({ loanId: 3, dueOn: DUE, patronId: OTHER_READER })
        .loan({ loanId: 4, dueOn: "2026-12-09" })
        .build();
      const decision = decide(snapshot, TODAY, ALL);
      expect(decision.loans.map((d) => [d.loanId, d.outcome])).toEqual([
        [1, "renewed"],
        [4, "renewed"],
      ]);
    });
  });

  describe("ITEM_NOT_RENEWABLE", () => {
    it.each<{ what: string; itemStatus: ItemStatus; renewableByType: boolean }>([
      { what: "item marked lost", itemStatus: "lost", renewableByType: true },
      { what: "item claimed returned", itemStatus: "claimed_returned", renewableByType: true },
      { what: "item type not renewable", itemStatus: "on_loan", renewableByType: false },
    ])("$what", ({ itemStatus, renewableByType }) => {
      const snapshot = account().loan({ loanId: 1, dueOn: DUE, itemStatus, renewableByType }).build();
      const decision = decide(snapshot, TODAY, oneLoan(1));
      expect(decision.accountBlocks).toEqual([]);
      const d = refusedOf(decision, 1);
      expect(d.reasons).toEqual(["ITEM_NOT_RENEWABLE"]);
      expect(d.primaryReason).toBe("ITEM_NOT_RENEWABLE");
    });
  });

  describe("SET_MAIN_RETURNED", () => {
    it("accompanying material whose main item is no longer on loan", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 501, dueOn: DUE, set: { setId: "S", main: false } })
        .setMain("S", 500)
        .build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["SET_MAIN_RETURNED"]);
      expect(d.primaryReason).toBe("SET_MAIN_RETURNED");
    });

    it("the main item's loan is in the snapshot but returned", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 500, dueOn: DUE, set: { setId: "S", main: true }, returnedOn: YESTERDAY })
        .loan({ loanId: 2, itemId: 501, dueOn: DUE, set: { setId: "S", main: false } })
        .build();
      const decision = decide(snapshot, TODAY, ALL);
      expect(decision.loans.map((d) => d.loanId)).toEqual([2]);
      expect(refusedOf(decision, 2).reasons).toEqual(["SET_MAIN_RETURNED"]);
    });

    it("main item still on loan → the set is renewed", () => {
      const snapshot = account()
        .loan({ loanId: 1, itemId: 500, dueOn: DUE, set: { setId: "S", main: true } })
        .loan({ loanId: 2, itemId: 501, dueOn: DUE, set: { setId: "S", main: false } })
        .build();
      const decision = decide(snapshot, TODAY, oneLoan(2));
      expect(renewedOf(decision, 1).newDueOn).toBe(RENEWED_DUE);
      expect(renewedOf(decision, 2).newDueOn).toBe(RENEWED_DUE);
    });

    it("a set that has no main item cannot have had it returned", () => {
      // types.ts: mainItemId is "null when the set has none"; the rule is about a main item
      // that "has been returned".
      const snapshot = account()
        .loan({ loanId: 1, itemId: 501, dueOn: DUE, set: { setId: "S", main: false } })
        .loan({ loanId: 2, itemId: 502, dueOn: DUE, set: { setId: "S", main: false } })
        .setMain("S", null)
        .build();
      const decision = decide(snapshot, TODAY, ALL);
      expect(renewedOf(decision, 1).newDueOn).toBe(RENEWED_DUE);
      expect(renewedOf(decision, 2).newDueOn).toBe(RENEWED_DUE);
    });
  });

  describe("RESERVED", () => {
    const T = "T";
    const thisCopy = (b: ReturnType<typeof account>) =>
      b.loan({ loanId: 1, itemId: 101, titleId: T, dueOn: DUE });

    it("title reservation by another reader, no other copy at all → RESERVED", () => {
      const snapshot = thisCopy(account()).reservation(T, OTHER_READER).build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["RESERVED"]);
      expect(d.primaryReason).toBe("RESERVED");
    });

    it.each<ItemStatus>(["on_hold_shelf", "lost", "not_for_loan", "claimed_returned", "on_loan"])(
      "the only other copy is %s → it does not count as available → RESERVED",
      (status) => {
        const snapshot = thisCopy(account()).copy(T, 102, status).reservation(T, OTHER_READER).build();
        expect(refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1).reasons).toEqual(["RESERVED"]);
      },
    );

    it("another copy on the shelf → renewed", () => {
      const snapshot = thisCopy(account()).copy(T, 102, "on_shelf").reservation(T, OTHER_READER).build();
      expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe(RENEWED_DUE);
    });

    it("two title reservations by others, one copy on the shelf → RESERVED (they outnumber it)", () => {
      const snapshot = thisCopy(account())
        .copy(T, 102, "on_shelf")
        .copy(T, 103, "on_hold_shelf")
        .reservation(T, OTHER_READER)
        .reservation(T, 3)
        .build();
      expect(refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1).reasons).toEqual(["RESERVED"]);
    });

    it("two title reservations by others, two copies on the shelf → renewed (they do not outnumber)", () => {
      const snapshot = thisCopy(account())
        .copy(T, 102, "on_shelf")
        .copy(T, 103, "on_shelf")
        .reservation(T, OTHER_READER)
        .reservation(T, 3)
        .build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });

    it("a reservation on this very copy by another reader blocks even with copies on the shelf", () => {
      const snapshot = thisCopy(account())
        .copy(T, 102, "on_shelf")
        .copy(T, 103, "on_shelf")
        .reservation(T, OTHER_READER, 101)
        .build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["RESERVED"]);
    });

    it("the loaned copy itself is not one of the 'other copies', whatever status the catalogue shows", () => {
      const snapshot = thisCopy(account()).copy(T, 101, "on_shelf").reservation(T, OTHER_READER).build();
      expect(refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1).reasons).toEqual(["RESERVED"]);
    });

    it("a reservation on a different copy does not block this one", () => {
      const snapshot = thisCopy(account()).copy(T, 102, "on_loan").reservation(T, OTHER_READER, 102).build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });

    it("the reader's own title reservation never blocks, with no other copy", () => {
      const snapshot = thisCopy(account()).reservation(T, READER).build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });

    it("the reader's own reservation on this very copy never blocks", () => {
      const snapshot = thisCopy(account()).reservation(T, READER, 101).build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });

    it("own reservations are not counted against the copies on the shelf", () => {
      // One other reader's reservation and one copy on the shelf: not outnumbered, whatever
      // the reader's own two reservations.
      const snapshot = thisCopy(account())
        .copy(T, 102, "on_shelf")
        .reservation(T, OTHER_READER)
        .reservation(T, READER)
        .reservation(T, READER)
        .build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });

    it("a reservation on another title does not block", () => {
      const snapshot = thisCopy(account())
        .loan({ loanId: 2, titleId: "U", dueOn: "2026-12-30" })
        .reservation("U", OTHER_READER)
        .build();
      renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    });
  });

  describe("RENEWAL_LIMIT: 5 consecutive renewals, the 6th refused", () => {
    it("4 renewals so far → renewed, now 5", () => {
      const snapshot = account().loan({ loanId: 1, dueOn: DUE, renewals: 4 }).build();
      const d = renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.renewalsAfter).toBe(5);
      expect(d.newDueOn).toBe(RENEWED_DUE);
    });

    it.each([5, 6])("%i renewals so far → RENEWAL_LIMIT", (renewals) => {
      const snapshot = account().loan({ loanId: 1, dueOn: DUE, renewals }).build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["RENEWAL_LIMIT"]);
      expect(d.primaryReason).toBe("RENEWAL_LIMIT");
    });

    it("the limit comes from policy: limit 2 → 1 renewed, 2 refused", () => {
      const limit2 = policy({ renewalLimit: 2 });
      const one = account().loan({ loanId: 1, dueOn: DUE, renewals: 1 }).build();
      expect(renewedOf(decide(one, TODAY, oneLoan(1), limit2), 1).renewalsAfter).toBe(2);
      const two = account().loan({ loanId: 1, dueOn: DUE, renewals: 2 }).build();
      expect(refusedOf(decide(two, TODAY, oneLoan(1), limit2), 1).reasons).toEqual(["RENEWAL_LIMIT"]);
    });
  });

  describe("NO_EXTENSION: the due date would not move later", () => {
    it("renewing on the day of borrowing", () => {
      const snapshot = account().loan({ loanId: 1, borrowedOn: TODAY, dueOn: RENEWED_DUE }).build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["NO_EXTENSION"]);
      expect(d.primaryReason).toBe("NO_EXTENSION");
    });

    it("a second renewal on the same day is refused and does not use up a renewal", () => {
      // Renewed once this morning: due the 20th, count 1.
      const snapshot = account()
        .loan({ loanId: 1, borrowedOn: "2026-11-22", dueOn: RENEWED_DUE, renewals: 1 })
        .build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["NO_EXTENSION"]);
      expect(d.dueOn).toBe(RENEWED_DUE);
      expect(d).not.toHaveProperty("renewalsAfter");
      expect(d).not.toHaveProperty("newDueOn");
    });

    it("a second renewal on the same day when the first moved past a closed day", () => {
      const snapshot = account()
        .loan({ loanId: 1, dueOn: "2026-12-21", renewals: 1 })
        .closed("2026-12-20")
        .build();
      expect(refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1).reasons).toEqual(["NO_EXTENSION"]);
    });

    it("a due date later than today + 14 would move earlier → NO_EXTENSION", () => {
      const snapshot = account().loan({ loanId: 1, dueOn: "2026-12-25" }).build();
      const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
      expect(d.reasons).toEqual(["NO_EXTENSION"]);
      expect(d.dueOn).toBe("2026-12-25");
    });

    it("due the 19th, renewed the 6th → one day gained, renewed", () => {
      const snapshot = account().loan({ loanId: 1, dueOn: "2026-12-19" }).build();
      expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe(RENEWED_DUE);
    });
  });
});

describe("the new due date", () => {
  it("an early renewal gains nothing: due the 8th, renewed the 6th → the 20th, not the 22nd", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: DUE }).build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe("2026-12-20");
  });

  it("an overdue item due the 1st renewed the 10th → the 24th", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: "2026-12-01" }).build();
    expect(renewedOf(decide(snapshot, "2026-12-10", oneLoan(1)), 1).newDueOn).toBe("2026-12-24");
  });

  it("moves past a run of three closed days (20th, 21st, 22nd → 23rd)", () => {
    const snapshot = account()
      .loan({ loanId: 1, dueOn: DUE })
      .closed("2026-12-20", "2026-12-21", "2026-12-22")
      .build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe("2026-12-23");
  });

  it("stops at the first open day (20th and 22nd closed → 21st)", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: DUE }).closed("2026-12-20", "2026-12-22").build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe("2026-12-21");
  });

  it("closed days before the new due date do not matter", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: DUE }).closed(TODAY, DUE, "2026-12-19").build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).newDueOn).toBe(RENEWED_DUE);
  });

  it("across the year end, past closed days (Jan 3rd and 4th closed → Jan 5th)", () => {
    const snapshot = account()
      .loan({ loanId: 1, dueOn: "2026-12-22" })
      .closed("2027-01-03", "2027-01-04")
      .build();
    const d = renewedOf(decide(snapshot, "2026-12-20", oneLoan(1)), 1);
    expect(d.newDueOn).toBe("2027-01-05");
  });

  it("the loan period comes from policy (21 days → the 27th)", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: DUE }).build();
    const d = renewedOf(decide(snapshot, TODAY, oneLoan(1), policy({ loanPeriodDays: 21 })), 1);
    expect(d.newDueOn).toBe("2026-12-27");
  });
});

describe("the accrued overdue charge to record", () => {
  it.each([
    { category: "adult" as const, overdue: 0, cents: 0 },
    { category: "adult" as const, overdue: 1, cents: 150 },
    { category: "adult" as const, overdue: 9, cents: 1350 },
    { category: "junior" as const, overdue: 1, cents: 50 },
    { category: "junior" as const, overdue: 9, cents: 450 },
  ])("$category, $overdue days overdue → $cents cents", ({ category, overdue, cents }) => {
    const snapshot = account()
      .category(category)
      .loan({ loanId: 1, dueOn: overdueBy(overdue) })
      .build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).accruedChargeCents).toBe(cents);
  });

  it("not yet due → nothing", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: DUE }).build();
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1)), 1).accruedChargeCents).toBe(0);
  });

  it("the rate comes from policy", () => {
    const snapshot = account()
      .category("junior")
      .loan({ loanId: 1, dueOn: overdueBy(4) })
      .build();
    const rates = policy({ dailyOverdueRateCents: { adult: 200, junior: 75 } });
    expect(renewedOf(decide(snapshot, TODAY, oneLoan(1), rates), 1).accruedChargeCents).toBe(300);
  });
});

describe("several reasons at once: all kept, the first by priority spoken", () => {
  it("every loan-level reason but NOT_ON_LOAN and SET_MEMBER_REFUSED on one loan", () => {
    const snapshot = account()
      .loan({
        loanId: 1,
        itemId: 501,
        titleId: "T",
        borrowedOn: TODAY,
        dueOn: RENEWED_DUE,
        renewals: 5,
        itemStatus: "lost",
        set: { setId: "S", main: false },
      })
      .setMain("S", 500)
      .reservation("T", OTHER_READER, 501)
      .build();
    const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    expect(d.reasons).toEqual([
      "ITEM_NOT_RENEWABLE",
      "SET_MAIN_RETURNED",
      "RESERVED",
      "RENEWAL_LIMIT",
      "NO_EXTENSION",
    ]);
    expect(d.primaryReason).toBe("ITEM_NOT_RENEWABLE");
  });

  it("RESERVED and RENEWAL_LIMIT → RESERVED spoken", () => {
    const snapshot = account()
      .loan({ loanId: 1, titleId: "T", dueOn: DUE, renewals: 5 })
      .reservation("T", OTHER_READER)
      .build();
    const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    expect(d.reasons).toEqual(["RESERVED", "RENEWAL_LIMIT"]);
    expect(d.primaryReason).toBe("RESERVED");
  });

  it("RENEWAL_LIMIT and NO_EXTENSION → RENEWAL_LIMIT spoken", () => {
    const snapshot = account().loan({ loanId: 1, dueOn: "2026-12-25", renewals: 5 }).build();
    const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    expect(d.reasons).toEqual(["RENEWAL_LIMIT", "NO_EXTENSION"]);
    expect(d.primaryReason).toBe("RENEWAL_LIMIT");
  });

  it("an account block comes before the loan's own reason", () => {
    const snapshot = account().status("suspended").loan({ loanId: 1, dueOn: DUE, renewals: 5 }).build();
    const decision = decide(snapshot, TODAY, oneLoan(1));
    expect(decision.accountBlocks).toEqual(["ACCOUNT_SUSPENDED"]);
    const d = refusedOf(decision, 1);
    expect(d.reasons).toEqual(["ACCOUNT_SUSPENDED", "RENEWAL_LIMIT"]);
    expect(d.primaryReason).toBe("ACCOUNT_SUSPENDED");
  });

  it("an account block and NOT_ON_LOAN", () => {
    const snapshot = account()
      .status("suspended")
      .loan({ loanId: 1, dueOn: DUE, returnedOn: YESTERDAY })
      .build();
    const d = refusedOf(decide(snapshot, TODAY, oneLoan(1)), 1);
    expect(d.reasons).toEqual(["ACCOUNT_SUSPENDED", "NOT_ON_LOAN"]);
  });

  it("five account blocks at once, in the table's order", () => {
    // Junior: 100 days overdue accrues HK$50.00; with HK$80.00 recorded, the item is at HK$130.00;
    // HK$70.00 on the account makes HK$200.00.
    const snapshot = account()
      .category("junior")
      .status("card_lost")
      .expiresOn(YESTERDAY)
      .loan({ loanId: 1, itemId: 101, dueOn: DUE, renewals: 5 })
      .loan({ loanId: 2, itemId: 102, dueOn: overdueBy(100) })
      .charge(102, 8000)
      .charge(null, 7000)
      .build();
    const decision = decide(snapshot, TODAY, ALL);
    const blocks = [
      "CARD_REPORTED_LOST",
      "ACCOUNT_EXPIRED",
      "ITEM_CHARGE_CEILING",
      "ACCOUNT_CHARGE_CEILING",
      "OVERDUE_TIME_LIMIT",
    ];
    expect(decision.accountBlocks).toEqual(blocks);
    expect(refusedOf(decision, 2).reasons).toEqual(blocks);
    const d = refusedOf(decision, 1);
    expect(d.reasons).toEqual([...blocks, "RENEWAL_LIMIT"]);
    expect(d.primaryReason).toBe("CARD_REPORTED_LOST");
  });

  it("suspended and expired → ACCOUNT_SUSPENDED spoken", () => {
    const snapshot = account()
      .status("suspended")
      .expiresOn(YESTERDAY)
      .loan({ loanId: 1, dueOn: DUE })
      .build();
    const decision = decide(snapshot, TODAY, oneLoan(1));
    expect(decision.accountBlocks).toEqual(["ACCOUNT_SUSPENDED", "ACCOUNT_EXPIRED"]);
    expect(refusedOf(decision, 1).primaryReason).toBe("ACCOUNT_SUSPENDED");
  });
});

describe("sets are renewed together", () => {
  it("asking for one member renews the whole set", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 500, dueOn: DUE, set: { setId: "S", main: true } })
      .loan({ loanId: 2, itemId: 501, dueOn: DUE, set: { setId: "S", main: false } })
      .loan({ loanId: 3, itemId: 502, dueOn: DUE, set: { setId: "S", main: false } })
      .loan({ loanId: 4, dueOn: DUE })
      .build();
    const decision = decide(snapshot, TODAY, oneLoan(3));
    expect(decision.loans.map((d) => [d.loanId, d.outcome])).toEqual([
      [1, "renewed"],
      [2, "renewed"],
      [3, "renewed"],
    ]);
  });

  it("asking for a loan outside any set renews only it", () => {
    const snapshot = account()
      .loan({ loanId: 1, dueOn: DUE, set: { setId: "S", main: true } })
      .loan({ loanId: 2, dueOn: DUE })
      .build();
    expect(decide(snapshot, TODAY, oneLoan(2)).loans.map((d) => d.loanId)).toEqual([2]);
  });

  it("one member at its renewal limit → no member renewed", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 500, dueOn: DUE, set: { setId: "S", main: true } })
      .loan({ loanId: 2, itemId: 501, dueOn: DUE, renewals: 5, set: { setId: "S", main: false } })
      .loan({ loanId: 3, itemId: 502, dueOn: DUE, set: { setId: "S", main: false } })
      .build();
    const decision = decide(snapshot, TODAY, oneLoan(1));
    expect(refusedOf(decision, 1).reasons).toEqual(["SET_MEMBER_REFUSED"]);
    expect(refusedOf(decision, 2).reasons).toEqual(["RENEWAL_LIMIT"]);
    expect(refusedOf(decision, 3).reasons).toEqual(["SET_MEMBER_REFUSED"]);
  });

  it("two members refused for their own reasons each keep theirs and add SET_MEMBER_REFUSED", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 500, titleId: "BOOK", dueOn: DUE, set: { setId: "S", main: true } })
      .loan({
        loanId: 2,
        itemId: 501,
        titleId: "CD",
        dueOn: DUE,
        renewals: 5,
        set: { setId: "S", main: false },
      })
      .reservation("BOOK", OTHER_READER)
      .build();
    const decision = decide(snapshot, TODAY, oneLoan(1));
    const book = refusedOf(decision, 1);
    expect(book.reasons).toEqual(["RESERVED", "SET_MEMBER_REFUSED"]);
    expect(book.primaryReason).toBe("RESERVED");
    const cd = refusedOf(decision, 2);
    expect(cd.reasons).toEqual(["RENEWAL_LIMIT", "SET_MEMBER_REFUSED"]);
    expect(cd.primaryReason).toBe("RENEWAL_LIMIT");
  });

  it("a refused set does not hold back other loans or other sets in 'renew all'", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 500, dueOn: DUE, set: { setId: "S1", main: true } })
      .loan({ loanId: 2, itemId: 501, dueOn: DUE, itemStatus: "lost", set: { setId: "S1", main: false } })
      .loan({ loanId: 3, itemId: 600, dueOn: DUE, set: { setId: "S2", main: true } })
      .loan({ loanId: 4, itemId: 601, dueOn: DUE, set: { setId: "S2", main: false } })
      .loan({ loanId: 5, dueOn: DUE })
      .build();
    const decision = decide(snapshot, TODAY, ALL);
    expect(decision.loans.map((d) => [d.loanId, d.outcome])).toEqual([
      [1, "refused"],
      [2, "refused"],
      [3, "renewed"],
      [4, "renewed"],
      [5, "renewed"],
    ]);
    expect(refusedOf(decision, 1).reasons).toEqual(["SET_MEMBER_REFUSED"]);
    expect(refusedOf(decision, 2).reasons).toEqual(["ITEM_NOT_RENEWABLE"]);
  });

  it("a member with the same due date as the others gets the same new due date", () => {
    const snapshot = account()
      .loan({ loanId: 1, itemId: 500, dueOn: "2026-12-01", set: { setId: "S", main: true } })
      .loan({ loanId: 2, itemId: 501, dueOn: "2026-12-01", set: { setId: "S", main: false } })
      .closed("2026-12-20")
      .build();
    const decision = decide(snapshot, TODAY, oneLoan(2));
    expect(renewedOf(decision, 1).newDueOn).toBe("2026-12-21");
    expect(renewedOf(decision, 2).newDueOn).toBe("2026-12-21");
  });
});

describe("order of the decisions", () => {
  it("by due date, then loan id", () => {
    const snapshot = account()
      .loan({ loanId: 5, dueOn: "2026-12-10" })
      .loan({ loanId: 3, dueOn: DUE })
      .loan({ loanId: 9, dueOn: "2026-12-01" })
      .loan({ loanId: 1, dueOn: DUE })
      .build();
    expect(decide(snapshot, TODAY, ALL).loans.map((d) => d.loanId)).toEqual([9, 1, 3, 5]);
  });
});
