/** Everything the flow may name: actions, conditions and speeches, and the prompt keys they speak. */
import { ACCOUNT_BLOCK_CODES, REFUSAL_PRIORITY } from "../../rules/reasons.js";
import type { CallState } from "../call-state.js";
import type { EngineContext } from "../engine.js";
import type { FlowVocabulary } from "../flow-definition.js";
import { listLoans, readCharges, summariseAccount } from "./account.js";
import { chooseAccountByCard, chooseLanguage, forgetReader, identifyCard, verifyPin } from "./login.js";
import {
  explainRefusals,
  nextOfferedItem,
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
  renewOfferedItem,
  transferToStaff,
  afterStaffCall,
  sendRenewalSms,
};

export function engineContext(deps: Pick<VoiceDeps, "sendSms" | "calendar">): EngineContext {
  return {
    conditions: {
      // Offered only where SMS is set up and the account has a mobile number (voice-line.md).
      smsAvailable: (state: CallState) =>
        deps.sendSms !== null && state.hasMobile && state.lastRenewal !== null,
    },
    speeches: { offeredItem: offeredItemSpeech(() => deps.calendar.today()) },
  };
}

/** Prompt keys spoken from code rather than named in flow.json. */
export const CODE_PROMPT_KEYS: readonly string[] = [
  "welcome",
  "login.failed",
  "login.tooManyFailures",
  "summary.loans",
  "summary.noLoans",
  ...ACCOUNT_BLOCK_CODES.map((code) => `block.${code}`),
  ...REFUSAL_PRIORITY.map((code) => `reason.${code}`),
  "renewAll.counts",
  "renewal.reference",
  "renewal.newDueDate",
  "renewal.newDueDateOfItem",
  "refusals.none",
  "refusals.item",
  "itemOffer.item",
  "itemOffer.overdue",
  "itemOffer.set",
  "itemOffer.noMore",
  "renewOne.renewed",
  "renewOne.refused",
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
  startItemOffer: ["ok", "none"],
  nextOfferedItem: ["ok", "none"],
  transferToStaff: ["dial", "closed"],
  afterStaffCall: ["answered", "unanswered"],
};

export const VOCABULARY: FlowVocabulary = {
  actions: new Set(Object.keys(ACTIONS)),
  actionOutcomes: ACTION_OUTCOMES,
  conditions: new Set(["smsAvailable"]),
  speeches: new Set(["offeredItem"]),
  promptKeys: new Set(CODE_PROMPT_KEYS),
};
