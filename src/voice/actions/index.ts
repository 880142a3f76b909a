/** Everything the flow may name: actions, conditions and speeches, and the prompt keys they speak. */
import type { LibrarySystem } from "../../library-system/library-system.js";
import { ACCOUNT_BLOCK_CODES, REFUSAL_PRIORITY } from "../../rules/reasons.js";
import type { CallState } from "../call-state.js";
import type { EngineContext } from "../engine.js";
import type { FlowVocabulary } from "../flow-definition.js";
import { listLoans, readCharges, summariseAccount } from "./account.js";
import { recogniseCaller, recognisedCardSpeech, verifyCallerPin } from "./caller-id.js";
import { chooseAccountByCard, chooseLanguage, forgetReader, identifyCard, verifyPin } from "./login.js";
import {
  explainRefusals,
  nextOfferedItem,
  offerAnotherItem,
  offeredItemSpeech,
  renewAll,
  renewOfferedItem,
  repeatReference,
  startItemOffer,
} from "./renewing.js";
import { sendRenewalSms } from "./sms.js";
import { afterStaffCall, transferToStaff } from "./staff.js";
import type { Action, VoiceDeps } from "./types.js";

export const ACTIONS: Record<string, Action> = {
  chooseLanguage,
  identifyCard,
  verifyPin,
  recogniseCaller,
  verifyCallerPin,
  chooseAccountByCard,
  forgetReader,
  summariseAccount,
  listLoans,
  readCharges,
  renewAll,
  explainRefusals,
  repeatReference,
  startItemOffer,
  nextOfferedItem,
  offerAnotherItem,
  renewOfferedItem,
  transferToStaff,
  afterStaffCall,
  sendRenewalSms,
};

/**
 * What the menus and the goodbye depend on (voice-line.md, "The caller's time and the situation"):
 * a menu speaks only the options that do something for this reader. Read from the call state alone.
 */
export const SITUATIONS: Record<string, (state: CallState) => boolean> = {
  hasLoans: (state) => (state.account?.loans ?? 0) > 0,
  hasCharges: (state) => state.account?.charges === true,
  blocked: (state) => state.account?.blocked === true,
  notBlocked: (state) => state.account?.blocked !== true,
  canRenew: (state) => (state.account?.loans ?? 0) > 0 && state.account?.blocked !== true,
  someRefused: (state) => (state.lastRenewal?.refused ?? 0) > 0,
  gaveReference: (state) => state.referenceGiven === true,
  noReference: (state) => state.referenceGiven !== true,
};

export function engineContext(
  deps: Pick<VoiceDeps, "sendSms" | "calendar"> & { library: Pick<LibrarySystem, "features"> },
): EngineContext {
  // HKID digits are the embedded system's (an ILS knows no HKID): the card prompt offers them
  // only where they work.
  const hkid = deps.library.features.hkidDigits;
  return {
    conditions: {
      ...SITUATIONS,
      hkidAccepted: () => hkid,
      cardOnly: () => !hkid,
      // Offered only where SMS is set up and the account has a mobile number (voice-line.md).
      smsAvailable: (state: CallState) =>
        deps.sendSms !== null && state.hasMobile && state.lastRenewal !== null,
    },
    speeches: {
      offeredItem: offeredItemSpeech(() => deps.calendar.today()),
      recognisedCard: recognisedCardSpeech,
    },
  };
}

/** Prompt keys spoken from code rather than named in flow.json. */
export const CODE_PROMPT_KEYS: readonly string[] = [
  "login.failed",
  "login.tooManyFailures",
  "callerPin.prompt",
  "summary.loans",
  "summary.loansOverdue",
  "summary.oneLoan",
  "summary.oneLoanOverdue",
  "summary.noLoans",
  ...ACCOUNT_BLOCK_CODES.map((code) => `block.${code}`),
  "block.help",
  "block.helpLater",
  ...REFUSAL_PRIORITY.map((code) => `reason.${code}`),
  "renewAll.one",
  "renewAll.all",
  "renewAll.some",
  "renewAll.none",
  "renewal.reference",
  "renewal.newDueDate",
  "renewal.newDueDateOfItem",
  "refusals.none",
  "refusals.item",
  "refusals.itemNotOnLoan",
  "itemOffer.item",
  "itemOffer.overdueItem",
  "itemOffer.set",
  "itemOffer.noMore",
  "renewOne.renewed",
  "renewOne.refused",
  "renewOne.notRenewed",
  "loans.none",
  "loans.item",
  "loans.overdueItem",
  "charges.none",
  "charges.total",
  "charges.item",
  "charges.other",
  "staff.connecting",
  "staff.noAnswer",
  "staff.closed",
  "staff.enquiryLine",
  "sms.sent",
  "sms.failed",
  "sms.body",
  "sms.line",
  "apology",
  "busy",
  "goodbye",
];

/** Actions with more than one outcome, and what each can answer; the rest always answer "done". */
export const ACTION_OUTCOMES: Record<string, readonly string[]> = {
  verifyPin: ["ok", "failed", "ambiguous", "tooManyFailures"],
  chooseAccountByCard: ["ok", "failed", "tooManyFailures"],
  recogniseCaller: ["recognised", "unknown"],
  verifyCallerPin: ["ok", "card", "anotherCard", "failed", "tooManyFailures"],
  renewAll: ["done", "none"],
  startItemOffer: ["ok", "none"],
  nextOfferedItem: ["ok", "none"],
  offerAnotherItem: ["ok", "none"],
  transferToStaff: ["dial", "closed"],
  afterStaffCall: ["answered", "unanswered"],
};

export const VOCABULARY: FlowVocabulary = {
  actions: new Set(Object.keys(ACTIONS)),
  actionOutcomes: ACTION_OUTCOMES,
  conditions: new Set(["smsAvailable", "hkidAccepted", "cardOnly", ...Object.keys(SITUATIONS)]),
  speeches: new Set(["offeredItem", "recognisedCard"]),
  promptKeys: new Set(CODE_PROMPT_KEYS),
};
