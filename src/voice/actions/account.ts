/** Telling the reader about the account: the summary after login, the loans, the charges. */
import type { AccountView } from "../../library-system/library-system.js";
import type { CallState } from "../call-state.js";
import type { SpokenPart } from "../engine.js";
import { speakableTitle, speakDate, speakMoney } from "../speech-format.js";
import { enquiryLine, staffAvailableNow } from "./staff.js";
import { type Action, type ActionContext, libraryRequest } from "./types.js";

/** The logged-in reader's account, from the library system. */
export async function readAccount(ctx: ActionContext, state: CallState): Promise<AccountView> {
  if (state.patronId === null) throw new Error("no reader is logged in");
  return ctx.library.readAccount(libraryRequest(ctx), state.patronId);
}

/** The loans in the order they are listed and offered: due date first (a stable sort keeps the rest). */
export function inDueDateOrder(account: AccountView): AccountView["loans"] {
  return [...account.loans].sort((a, b) => (a.dueOn === b.dueOn ? 0 : a.dueOn < b.dueOn ? -1 : 1));
}

/**
 * After login (step 4): the loans and how many are overdue as one sentence, then any account-level
 * block, once, with the way forward. Remembers what the menu needs to speak only what helps.
 */
export const summariseAccount: Action = async (ctx, state) => {
  if (state.patronId === null) throw new Error("no reader is logged in");
  const summary = await ctx.library.readSummary(libraryRequest(ctx), state.patronId);
  const blocks = summary.blocks;
  const say: SpokenPart[] = [loansSentence(summary.loans, summary.overdue)];
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
    state: { ...state, account: { loans: summary.loans, blocked: blocks.length > 0, charges: summary.owes } },
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
  const open = inDueDateOrder(account);
  if (open.length === 0) return { outcome: "done", state, say: [{ key: "loans.none" }] };
  const say = open.map((loan) => ({
    key: loan.dueOn < today ? "loans.overdueItem" : "loans.item",
    params: {
      title: speakableTitle(loan.title, state.language),
      date: speakDate(loan.dueOn, today, state.language),
    },
  }));
  return { outcome: "done", state, say };
};

/** The total outstanding and the items it comes from (step 8), as the library system counts it. */
export const readCharges: Action = async (ctx, state) => {
  const { charges } = await readAccount(ctx, state);
  if (charges.totalCents === 0) return { outcome: "done", state, say: [{ key: "charges.none" }] };
  const say: SpokenPart[] = [
    { key: "charges.total", params: { amount: speakMoney(charges.totalCents, state.language) } },
  ];
  let itemised = 0;
  for (const { title, cents } of charges.items) {
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
