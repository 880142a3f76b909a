/** Renewing by keypad (voice-line.md steps 6 and 7), always through the library system. */

import type { RenewalChoice } from "../../library-system/library-system.js";
import {
  findTransactionByTrn,
  type RenewalLoanResult,
  type RenewalTransactionRecord,
} from "../../renewals/renewal-records.js";
import type { CallState, OfferedItem } from "../call-state.js";
import type { SpokenPart } from "../engine.js";
import { speakableTitle, speakDate, speakTrn } from "../speech-format.js";
import { inDueDateOrder, readAccount } from "./account.js";
import { type Action, type ActionContext, libraryRequest } from "./types.js";

async function renewFor(ctx: ActionContext, state: CallState, choice: RenewalChoice) {
  if (state.patronId === null) throw new Error("no reader is logged in");
  // One request key per webhook: a repeated delivery of this webhook can never renew twice.
  const outcome = await ctx.library.renew(libraryRequest(ctx), {
    patronId: state.patronId,
    choice,
    channel: "phone",
    requestKey: `call:${ctx.callSid}:${ctx.seq}`,
  });
  const renewed = outcome.results.filter((r) => r.outcome === "renewed").length;
  const refused = outcome.results.length - renewed;
  ctx.record({
    kind: "renewal",
    // "loan" for one item, as the console has always shown it.
    detail: { trn: outcome.trn, selection: choice.kind === "all" ? "all" : "loan", renewed, refused },
  });
  ctx.metrics?.countRenewals(outcome.results);
  return {
    outcome,
    renewed,
    refused,
    state: {
      ...state,
      lastRenewal: { trn: outcome.trn, transactionId: outcome.id, refused },
      referenceGiven: true,
    },
  };
}

function reference(trn: string, state: CallState): SpokenPart {
  return { key: "renewal.reference", params: { trn: speakTrn(trn, state.language) } };
}

function newDueDates(ctx: ActionContext, record: RenewalTransactionRecord, state: CallState): SpokenPart[] {
  const renewed = record.results.filter((r) => r.outcome === "renewed" && r.newDueOn);
  const dates = new Set(renewed.map((r) => r.newDueOn));
  const today = ctx.calendar.today();
  if (dates.size === 1) {
    return [
      {
        key: "renewal.newDueDate",
        params: { date: speakDate(renewed[0]?.newDueOn as string, today, state.language) },
      },
    ];
  }
  return renewed.map((r) => ({
    key: "renewal.newDueDateOfItem",
    params: {
      title: speakableTitle(r.title, state.language),
      date: speakDate(r.newDueOn as string, today, state.language),
    },
  }));
}

/** How many were renewed, as a sentence: all of them, some of them, or none. */
function renewedSentence(renewed: number, refused: number): SpokenPart {
  const count = renewed + refused;
  // Loans returned since the summary: the request found nothing to renew.
  if (count === 0) return { key: "loans.none" };
  if (refused === 0)
    return count === 1 ? { key: "renewAll.one" } : { key: "renewAll.all", params: { count: String(count) } };
  if (renewed === 0) return { key: "renewAll.none" };
  return { key: "renewAll.some", params: { renewed: String(renewed), count: String(count) } };
}

/**
 * `0`: one transaction, one reference number; how many were renewed, any block as the reason,
 * the reference number and the new due dates. With nothing on loan there is nothing to ask for:
 * no request is made, so no reference number (voice-line.md, "The caller's time").
 */
export const renewAll: Action = async (ctx, state) => {
  if (state.account?.loans === 0) return { outcome: "none", state, say: [{ key: "loans.none" }] };
  const { outcome, renewed, refused, state: next } = await renewFor(ctx, state, { kind: "all" });
  // A blocked account hears the block, which says why nothing was renewed.
  const say: SpokenPart[] =
    outcome.accountBlocks.length > 0
      ? outcome.accountBlocks.map((block) => ({ key: `block.${block}` }))
      : [renewedSentence(renewed, refused)];
  say.push(reference(outcome.trn, next), ...newDueDates(ctx, outcome, next));
  return { outcome: "done", state: next, say };
};

/**
 * Why an item was not renewed, and the date it is still due, so the reader knows when to return
 * it; an item no longer on loan has no such date. With its title after renew all, without it
 * after renewing the one item on offer.
 */
function refusalPart(
  ctx: ActionContext,
  result: RenewalLoanResult,
  state: CallState,
  named: boolean,
): SpokenPart {
  const code = result.primaryReason ?? "NOT_ON_LOAN";
  const reason = ctx.text(`reason.${code}`, state.language);
  const title: Record<string, string> = named ? { title: speakableTitle(result.title, state.language) } : {};
  if (code === "NOT_ON_LOAN") {
    return { key: named ? "refusals.itemNotOnLoan" : "renewOne.notRenewed", params: { ...title, reason } };
  }
  const date = speakDate(result.oldDueOn, ctx.calendar.today(), state.language);
  return { key: named ? "refusals.item" : "renewOne.refused", params: { ...title, reason, date } };
}

/** `1` after renew-all: each item not renewed, with its reason and the date it is still due. */
export const explainRefusals: Action = async (ctx, state) => {
  const record = state.lastRenewal ? await findTransactionByTrn(ctx.db, state.lastRenewal.trn) : null;
  const refused = record?.results.filter((r) => r.outcome === "refused") ?? [];
  if (refused.length === 0) return { outcome: "done", state, say: [{ key: "refusals.none" }] };
  return { outcome: "done", state, say: refused.map((r) => refusalPart(ctx, r, state, true)) };
};

export const repeatReference: Action = async (_ctx, state) => ({
  outcome: "done",
  state,
  say: state.lastRenewal ? [reference(state.lastRenewal.trn, state)] : [],
});

/** `1` in the menu: the loans one at a time in due-date order, a set as one entry. */
export const startItemOffer: Action = async (ctx, state) => {
  const account = await readAccount(ctx, state);
  const today = ctx.calendar.today();
  const entries = new Map<string, OfferedItem>();
  for (const loan of inDueDateOrder(account)) {
    const key = loan.set ? `set:${loan.set.setId}` : `loan:${loan.ref}`;
    const title = loan.title;
    const existing = entries.get(key);
    if (existing) {
      existing.itemCount += 1;
      // A set is named by its main item.
      if (loan.set?.main) existing.title = title;
      continue;
    }
    entries.set(key, {
      ref: loan.ref,
      title,
      dueOn: loan.dueOn,
      overdue: loan.dueOn < today,
      itemCount: 1,
    });
  }
  const items = [...entries.values()];
  if (items.length === 0)
    return { outcome: "none", state: { ...state, offer: null }, say: [{ key: "loans.none" }] };
  return {
    outcome: "ok",
    state: { ...state, offer: { items, index: 0 } },
    say: [],
  };
};

/** `2` at an offered item: the next one; after the last, back to the menu. */
export const nextOfferedItem: Action = async (_ctx, state) => {
  const offer = state.offer;
  if (!offer || offer.index + 1 >= offer.items.length) {
    return { outcome: "none", state: { ...state, offer: null }, say: [{ key: "itemOffer.noMore" }] };
  }
  return { outcome: "ok", state: { ...state, offer: { ...offer, index: offer.index + 1 } }, say: [] };
};

/**
 * `1` after renewing one ("renew another item"): the next item after it not yet tried in this
 * call, so the one just refused is not offered again; after the last, back to the menu.
 */
export const offerAnotherItem: Action = async (_ctx, state) => {
  const offer = state.offer;
  // Kept for the whole call (not with the offer), so an offer started again from the menu still skips them.
  const tried = new Set(state.triedRefs);
  const next = offer
    ? offer.items.findIndex((item, index) => index > offer.index && !tried.has(item.ref))
    : -1;
  if (!offer || next < 0) {
    return { outcome: "none", state: { ...state, offer: null }, say: [{ key: "itemOffer.noMore" }] };
  }
  return { outcome: "ok", state: { ...state, offer: { ...offer, index: next } }, say: [] };
};

/** What the item offer says about the current entry (used as a speech in the flow). */
export function offeredItemSpeech(today: () => string) {
  return (state: CallState): SpokenPart[] => {
    const item = state.offer?.items[state.offer.index];
    if (!item) return [];
    const parts: SpokenPart[] = [
      {
        key: item.overdue ? "itemOffer.overdueItem" : "itemOffer.item",
        params: {
          title: speakableTitle(item.title, state.language),
          date: speakDate(item.dueOn, today(), state.language),
        },
      },
    ];
    if (item.itemCount > 1) parts.push({ key: "itemOffer.set", params: { count: String(item.itemCount) } });
    return parts;
  };
}

/** `1` at an offered item: renew it (its whole set), then the result and the reference number. */
export const renewOfferedItem: Action = async (ctx, state) => {
  const offer = state.offer;
  const item = offer?.items[offer.index];
  if (!offer || !item) throw new Error("no item is being offered");
  const { outcome, state: next } = await renewFor(ctx, state, { kind: "one", ref: item.ref });
  const refused = outcome.results.find((r) => r.outcome === "refused");
  const renewedResult = outcome.results.find((r) => r.outcome === "renewed");
  const say: SpokenPart[] = [];
  if (refused || !renewedResult?.newDueOn) {
    const result = refused ?? outcome.results[0];
    say.push(
      result
        ? refusalPart(ctx, result, state, false)
        : { key: "renewOne.notRenewed", params: { reason: ctx.text("reason.NOT_ON_LOAN", state.language) } },
    );
  } else {
    say.push({
      key: "renewOne.renewed",
      params: { date: speakDate(renewedResult.newDueOn, ctx.calendar.today(), state.language) },
    });
  }
  say.push(reference(outcome.trn, next));
  // The offer stays where it was, so that "another item" goes on after this one.
  return {
    outcome: "done",
    state: { ...next, triedRefs: [...state.triedRefs, item.ref] },
    say,
  };
};
