/** Telling the reader about the account: the summary after login, the loans, the charges. */
import { loadAccount } from "../../renewals/account-snapshot.js";
import { byDueDate, openLoansOf, outstandingCharges } from "../../rules/charges.js";
import { accountBlocks } from "../../rules/decide-renewals.js";
import type { CallState } from "../call-state.js";
import type { SpokenPart } from "../engine.js";
import { speakableTitle, speakDate, speakMoney } from "../speech-format.js";
import { enquiryLine, staffAvailableNow } from "./staff.js";
import type { Action, ActionContext } from "./types.js";

export async function readAccount(ctx: ActionContext, state: CallState) {
  if (state.patronId === null) throw new Error("no reader is logged in");
  const account = await loadAccount(ctx.db, state.patronId, { kind: "all" }, ctx.calendar.today(), {
    lock: false,
  });
  if (!account) throw new Error("the logged-in reader's account is gone");
  return account;
}

/**
 * After login (step 4): the loans and how many are overdue as one sentence, then any account-level
 * block, once, with the way forward. Remembers what the menu needs to speak only what helps.
 */
export const summariseAccount: Action = async (ctx, state) => {
  const account = await readAccount(ctx, state);
  const today = ctx.calendar.today();
  const open = openLoansOf(account.snapshot);
  const overdue = open.filter((l) => l.dueOn < today).length;
  const blocks = accountBlocks(account.snapshot, today, ctx.policy);
  const charges = outstandingCharges(account.snapshot, today, ctx.policy).totalCents > 0;
  const say: SpokenPart[] = [loansSentence(open.length, overdue)];
  for (const block of blocks) say.push({ key: `block.${block}` });
  // The way forward: staff on 7 when they can take the call now, else the enquiry line and its hours.
  if (blocks.length > 0) {
    say.push(
      (await staffAvailableNow(ctx))
        ? { key: "block.help" }
        : { key: "block.helpLater", params: enquiryLine(ctx, state) },
    );
  }
  return {
    outcome: "done",
    state: { ...state, account: { loans: open.length, blocked: blocks.length > 0, charges } },
    say,
  };
};

/** "You have 3 items on loan, 1 of them overdue." One item and none are said their own way. */
function loansSentence(count: number, overdue: number): SpokenPart {
  if (count === 0) return { key: "summary.noLoans" };
  if (count === 1) return { key: overdue > 0 ? "summary.oneLoanOverdue" : "summary.oneLoan" };
  if (overdue === 0) return { key: "summary.loans", params: { count: String(count) } };
  return { key: "summary.loansOverdue", params: { count: String(count), overdue: String(overdue) } };
}

/** Every item on loan: title, due date, overdue or not, in due-date order. */
export const listLoans: Action = async (ctx, state) => {
  const account = await readAccount(ctx, state);
  const today = ctx.calendar.today();
  const open = openLoansOf(account.snapshot).sort(byDueDate);
  if (open.length === 0) return { outcome: "done", state, say: [{ key: "loans.none" }] };
  const say = open.map((loan) => ({
    key: loan.dueOn < today ? "loans.overdueItem" : "loans.item",
    params: {
      title: speakableTitle(account.labels.get(loan.loanId)?.title ?? "", state.language),
      date: speakDate(loan.dueOn, today, state.language),
    },
  }));
  return { outcome: "done", state, say };
};

/** The total outstanding and the items it comes from (step 8), as the rule module counts it. */
export const readCharges: Action = async (ctx, state) => {
  const account = await readAccount(ctx, state);
  const charges = outstandingCharges(account.snapshot, ctx.calendar.today(), ctx.policy);
  if (charges.totalCents === 0) return { outcome: "done", state, say: [{ key: "charges.none" }] };
  const titleOfItem = new Map(
    account.snapshot.loans.map((loan) => [loan.itemId, account.labels.get(loan.loanId)?.title ?? ""]),
  );
  const say: SpokenPart[] = [
    { key: "charges.total", params: { amount: speakMoney(charges.totalCents, state.language) } },
  ];
  let itemised = 0;
  for (const [itemId, cents] of charges.perItemCents) {
    const title = titleOfItem.get(itemId) ?? account.chargeTitles.get(itemId);
    if (!title) continue;
    itemised += cents;
    say.push({
      key: "charges.item",
      params: { title: speakableTitle(title, state.language), amount: speakMoney(cents, state.language) },
    });
  }
  if (charges.totalCents > itemised) {
    say.push({
      key: "charges.other",
      params: { amount: speakMoney(charges.totalCents - itemised, state.language) },
    });
  }
  return { outcome: "done", state, say };
};
