/**
 * A call under way during a deploy: its state was stored by the line before the situational
 * prompts, without the fields added for them. It must go on as the reader expects.
 */
import { describe, expect, it } from "vitest";
import { type CallState, initialCallState } from "../../../src/voice/call-state.js";
import { withCurrentFields } from "../../../src/voice/call-store.js";

/** A logged-in state as the older line stored it: no account facts, no tried loans, no referenceGiven. */
function olderState(lastRenewal: { trn: string; transactionId: number } | null): CallState {
  const { account, referenceGiven, triedRefs, ...rest } = initialCallState("language");
  return { ...rest, step: "menu", patronId: 7, cardLastFour: "0001", lastRenewal } as unknown as CallState;
}

describe("withCurrentFields", () => {
  it("gives a logged-in reader the whole menu: loans, charges, no block", () => {
    expect(withCurrentFields(olderState(null)).account).toEqual({ loans: 1, blocked: false, charges: true });
  });

  it("keeps the goodbye's reminder and the refusals' explanation after a renewal", () => {
    const state = withCurrentFields(olderState({ trn: "1234567890", transactionId: 3 }));
    expect(state.referenceGiven).toBe(true);
    expect(state.lastRenewal).toEqual({ trn: "1234567890", transactionId: 3, refused: 1 });
    expect(state.triedRefs).toEqual([]);
  });

  it("leaves a state of the current line as it is", () => {
    const current: CallState = {
      ...initialCallState("language"),
      account: { loans: 0, blocked: true, charges: false },
      lastRenewal: { trn: "1234567890", transactionId: 3, refused: 0 },
      referenceGiven: true,
      triedRefs: ["5"],
      offer: {
        items: [{ ref: "5", title: "Matilda", dueOn: "2026-12-08", overdue: false, itemCount: 1 }],
        index: 0,
      },
    };
    expect(withCurrentFields(current)).toEqual(current);
  });

  it("names the loans on offer and those tried by their ref, as the library system does", () => {
    const older = {
      ...olderState(null),
      offer: {
        items: [{ loanId: 5, title: "Matilda", dueOn: "2026-12-08", overdue: false, itemCount: 1 }],
        index: 0,
      },
      triedLoanIds: [5, 9],
    } as unknown as CallState;
    const state = withCurrentFields(older);
    expect(state.offer?.items).toEqual([
      { ref: "5", title: "Matilda", dueOn: "2026-12-08", overdue: false, itemCount: 1 },
    ]);
    expect(state.triedRefs).toEqual(["5", "9"]);
    expect(state).not.toHaveProperty("triedLoanIds");
  });

  it("a caller not logged in yet has no account facts", () => {
    expect(withCurrentFields({ ...olderState(null), patronId: null }).account).toBeNull();
  });
});
