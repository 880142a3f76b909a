/**
 * The caller ID shortcut (voice-line.md, "The caller's time and the situation"): after the
 * language menu, a caller whose number is the registered phone of exactly one reader with a PIN
 * may key that PIN for "the card ending 0001" instead of entering the card. Only the PIN counts
 * here, never the phone's last four, since caller ID can be forged; the lockout rules are the
 * usual ones.
 */
import type { CallState } from "../call-state.js";
import { shortcutEntryOf } from "../caller-recognition.js";
import type { SpokenPart } from "../engine.js";
import { digitsForSpeech } from "../speech-format.js";
import { failedLogin, identifyCard, loggedIn } from "./login.js";
import { type Action, libraryRequest } from "./types.js";

/**
 * `recognised` when the shortcut is on and the caller's number names one reader with a PIN: that
 * account becomes the one candidate, and its card's last four are kept to be spoken. The number
 * itself is not kept.
 */
export const recogniseCaller: Action = async (ctx, state) => {
  // An ILS cannot look readers up by phone: the shortcut is the embedded system's (library-system.md).
  const offered = ctx.callerIdShortcut && ctx.library.features.callerIdShortcut;
  const reader = offered ? await ctx.library.recogniseCaller(libraryRequest(ctx), ctx.callerNumber) : null;
  if (!reader) return { outcome: "unknown", state, say: [] };
  return {
    outcome: "recognised",
    state: { ...state, candidates: [reader.patronId], callerCardLastFour: reader.cardLastFour },
    say: [],
  };
};

/**
 * The keys at the shortcut: `*` → another card (`anotherCard`); a card number keyed out of habit
 * → on to the PIN step for that card (`card`), no failed PIN counted; else the PIN, checked
 * against the recognised account alone (`ok`, or `failed` / `tooManyFailures` as on the usual path).
 */
export const verifyCallerPin: Action = async (ctx, state, input) => {
  // Whatever the keys were, the offer is over: the card ending is not spoken again.
  const offerOver: CallState = { ...state, callerCardLastFour: null };
  switch (shortcutEntryOf(input)) {
    case "anotherCard":
      return { outcome: "anotherCard", state: { ...offerOver, candidates: [] }, say: [] };
    case "cardNumber":
      return { ...(await identifyCard(ctx, offerOver, input, {})), outcome: "card" };
    case "pin": {
      const check = await ctx.library.checkCredentials(libraryRequest(ctx), state.candidates, input, {
        precheck: ctx.pinPrecheck,
        verify: ctx.pinChecks.verify,
        lockout: ctx.lockout,
        pinOnly: true,
      });
      if (check.result === "ok") return loggedIn(ctx, offerOver, check, "callerId");
      // One candidate is never ambiguous; anything but a login fails like a wrong PIN.
      ctx.metrics?.countPhoneLocks(check.result === "failed" ? check.lockedAccounts : 0);
      return failedLogin(ctx, offerOver, "callerId");
    }
  }
};

/** The shortcut's offer: "for the card ending 0, 0, 0, 1, key your PIN…", the digits one by one. */
export function recognisedCardSpeech(state: CallState): SpokenPart[] {
  const lastFour = state.callerCardLastFour;
  // recogniseCaller sets it before the call reaches the shortcut's step; without it, nothing to offer.
  if (!lastFour) throw new Error("the caller ID shortcut has no card to offer");
  return [{ key: "callerPin.prompt", params: { card: digitsForSpeech(lastFour, state.language) } }];
}
