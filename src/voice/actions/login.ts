/** Choosing the language and logging in (voice-line.md steps 1-3, "Authentication and lockout"). */
import type { LoggedInReader } from "../authentication.js";
import { type CallState, initialCallState } from "../call-state.js";
import { LANGUAGES, type Language } from "../flow-definition.js";
import { type Action, type ActionContext, type ActionResult, libraryRequest } from "./types.js";

// Three failed logins in one call end the call.
const FAILED_LOGINS_PER_CALL = 3;

export const chooseLanguage: Action = async (_ctx, state, _input, args) => {
  const language = LANGUAGES.find((l) => l === args.language) as Language | undefined;
  if (!language) throw new Error(`chooseLanguage: unknown language "${args.language}"`);
  // The service was named before the language menu: nothing more to say before the next prompt.
  return { outcome: "done", state: { ...state, language, languageChosen: true }, say: [] };
};

/** Remembers which accounts the digits matched, never the digits; the caller is not told. */
export const identifyCard: Action = async (ctx, state, input) => {
  const candidates = await ctx.library.findCandidates(libraryRequest(ctx), input);
  return { outcome: "done", state: { ...state, candidates }, say: [] };
};

export const verifyPin: Action = async (ctx, state, input) => {
  const check = await ctx.library.checkCredentials(libraryRequest(ctx), state.candidates, input, {
    precheck: ctx.pinPrecheck,
    verify: ctx.pinChecks.verify,
    lockout: ctx.lockout,
  });
  if (check.result === "ok") return loggedIn(ctx, state, check);
  if (check.result === "ambiguous") {
    ctx.record({ kind: "login", detail: { result: "ambiguous" } });
    return { outcome: "ambiguous", state: { ...state, candidates: check.matches }, say: [] };
  }
  ctx.metrics?.countPhoneLocks(check.lockedAccounts);
  return failedLogin(ctx, state);
};

/** Several accounts fitted the HKID digits and PIN: the card number picks one of them. */
export const chooseAccountByCard: Action = async (ctx, state, input) => {
  const reader = await ctx.library.chooseByCardNumber(libraryRequest(ctx), state.candidates, input);
  if (reader === null) return failedLogin(ctx, state);
  return loggedIn(ctx, state, reader);
};

/**
 * `8`: another card in the same call. The reader is forgotten; the language, the call's failed
 * logins and whether a reference number was given (for the goodbye) stay.
 */
export const forgetReader: Action = async (_ctx, state) => ({
  outcome: "done",
  state: {
    ...initialCallState(state.step),
    language: state.language,
    languageChosen: state.languageChosen,
    failedLogins: state.failedLogins,
    referenceGiven: state.referenceGiven,
  },
  say: [],
});

/** How the login came: the usual card and PIN, or the caller ID shortcut (shown on the console). */
export type LoginPath = "card" | "callerId";

/** The login event's mention of its path: none for the usual one, as before the shortcut. */
const pathDetail = (via: LoginPath) => (via === "card" ? {} : { via });

export function loggedIn(
  ctx: ActionContext,
  state: CallState,
  reader: LoggedInReader,
  via: LoginPath = "card",
): ActionResult {
  const cardLastFour = reader.cardNumber.slice(-4);
  ctx.record({ kind: "login", detail: { result: "ok", ...pathDetail(via), cardLastFour } });
  return {
    outcome: "ok",
    state: {
      ...state,
      candidates: [],
      patronId: reader.patronId,
      cardLastFour,
      hasMobile: isMobile(reader.phone),
      // failedLogins stays: three failed logins in one call end it, whoever logged in between.
    },
    say: [],
  };
}

export function failedLogin(ctx: ActionContext, state: CallState, via: LoginPath = "card"): ActionResult {
  const failedLogins = state.failedLogins + 1;
  ctx.record({ kind: "login", detail: { result: "failed", ...pathDetail(via), attempt: failedLogins } });
  ctx.metrics?.countLoginFailure();
  const next = { ...state, candidates: [], failedLogins };
  if (failedLogins >= FAILED_LOGINS_PER_CALL) {
    return {
      outcome: "tooManyFailures",
      state: next,
      say: [{ key: "login.failed" }, { key: "login.tooManyFailures" }],
    };
  }
  return { outcome: "failed", state: next, say: [{ key: "login.failed" }] };
}

/** Hong Kong mobile numbers start with 4-9; landlines with 2 or 3. Other countries: assume mobile. */
export function isMobile(phone: string | null): boolean {
  if (!phone) return false;
  const local = phone.startsWith("+852") ? phone.slice(4) : phone.startsWith("+") ? null : phone;
  return local === null ? true : /^[4-9]\d{7}$/.test(local);
}

/** E.164 form of a registered phone, for sending an SMS. */
export function toE164(phone: string): string {
  return phone.startsWith("+") ? phone : `+852${phone}`;
}
