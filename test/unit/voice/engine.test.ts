/**
 * The pure step function on the shipped flow: what it asks the handler to run, and what it says
 * and gathers next. The context is a stub, so `smsAvailable` and the offered item are fixed here.
 */
import { describe, expect, it } from "vitest";
import { type CallState, initialCallState } from "../../../src/voice/call-state.js";
import {
  afterAction,
  type CallEvent,
  enterStep,
  handleEvent,
  type Instruction,
  type SpokenPart,
} from "../../../src/voice/engine.js";
import type { Transition } from "../../../src/voice/flow-definition.js";
import { keyIn, OFFERED_ITEM, RECOGNISED_CARD, SHIPPED, stepIn, stubContext } from "./shipped-flow.js";

const flow = SHIPPED.flow;
const NO_SMS = stubContext(false);
const SMS = stubContext(true);

type Reply = Extract<Instruction, { type: "reply" }>;
type Run = Extract<Instruction, { type: "run" }>;

function reply(instruction: Instruction): Reply {
  if (instruction.type !== "reply") throw new Error(`expected a reply, got a run of "${instruction.action}"`);
  return instruction;
}

function run(instruction: Instruction): Run {
  if (instruction.type !== "run")
    throw new Error(`expected a run, got a reply at "${instruction.state.step}"`);
  return instruction;
}

/** A logged-in English call at a step, frozen so that any mutation by the engine throws. */
function at(step: string, misses = 0): CallState {
  return Object.freeze({
    ...initialCallState(flow.start),
    step,
    misses,
    patronId: 7,
    cardLastFour: "0001",
    candidates: Object.freeze([7]) as number[],
    // A reader with loans, no block and no charges, unless a test says otherwise.
    account: { loans: 3, blocked: false, charges: false },
  });
}

/** The main menu for that reader: only the options that do something, most used first. */
const MENU = ["menu.renewAll", "menu.renewOne", "menu.loans", "menu.staff", "menu.anotherCard", "menu.end"];
const MENU_SHORT = ["menu.renewAll", "menu.more", "menu.end"];
const AFTER_RENEW_ALL = ["afterRenewal.repeat", "afterRenewal.moreOptions"];

const input = (digits: string): CallEvent => ({ type: "input", digits });
const keys = (parts: SpokenPart[]) => parts.map((part) => part.key);

describe("the call starts at the language step", () => {
  it("asks for one key, each option in its own language", () => {
    const r = reply(handleEvent(flow, initialCallState(flow.start), { type: "call" }, NO_SMS));
    expect(r.state.step).toBe("language");
    expect(r.state.misses).toBe(0);
    expect(r.say).toEqual([
      { key: "greeting", language: "yue" },
      { key: "language.option", language: "yue" },
      { key: "language.option", language: "cmn" },
      { key: "language.option", language: "en" },
    ]);
    expect(r.gather?.numDigits).toBe(1);
    expect(r.gather?.finishOnKey).toBeUndefined();
    expect(r).toMatchObject({ dial: false, hangup: false });
  });

  it("starts over from the language step, misses cleared, whatever the state held", () => {
    const r = reply(handleEvent(flow, at("menu", 2), { type: "call" }, NO_SMS));
    expect(r.state).toMatchObject({ step: "language", misses: 0 });
  });
});

describe("language, card and PIN", () => {
  it.each([
    ["1", "yue"],
    ["2", "cmn"],
    ["3", "en"],
  ])("key %s at language runs chooseLanguage for %s, then the caller ID step", (key, language) => {
    const state = at("language");
    const r = run(handleEvent(flow, state, input(key), NO_SMS));
    expect(r).toMatchObject({ action: "chooseLanguage", args: { language }, input: key });
    expect(r.transition.to).toBe("callerId");
    expect(r.state).toBe(state);
  });

  it("after chooseLanguage, recogniseCaller; an unknown caller is asked for the card ended by the hash key", () => {
    const { transition } = run(handleEvent(flow, at("language"), input("3"), NO_SMS));
    const recognise = run(afterAction(flow, at("language"), transition, "done", NO_SMS));
    expect(recognise).toMatchObject({ action: "recogniseCaller", input: "", state: { step: "callerId" } });
    const r = reply(afterAction(flow, recognise.state, recognise.transition, "unknown", NO_SMS));
    expect(r.state.step).toBe("card");
    expect(keys(r.say)).toEqual(["card.prompt"]);
    expect(r.gather?.finishOnKey).toBe("#");
    expect(r.gather?.numDigits).toBeUndefined();
    expect(r).toMatchObject({ dial: false, hangup: false });
  });

  it("a recognised caller is offered the card ending, for the PIN ended by the hash key", () => {
    const recognise = run(enterStep(flow, at("callerId"), NO_SMS));
    const r = reply(afterAction(flow, recognise.state, recognise.transition, "recognised", NO_SMS));
    expect(r.state.step).toBe("callerPin");
    expect(r.say).toEqual([RECOGNISED_CARD]);
    expect(r.gather?.finishOnKey).toBe("#");
    expect(stepIn(flow, "callerPin").sensitive).toBe(true);
    expect(run(handleEvent(flow, at("callerPin"), input("*"), NO_SMS))).toMatchObject({
      action: "verifyCallerPin",
      input: "*",
    });
  });

  it.each([
    ["ok", "summary"],
    ["card", "pin"],
    ["anotherCard", "card"],
    ["failed", "card"],
    ["tooManyFailures", "goodbye"],
  ])("verifyCallerPin %s leads to %s", (outcome, step) => {
    const { transition } = run(handleEvent(flow, at("callerPin"), input("135790"), NO_SMS));
    const next = afterAction(flow, at("callerPin"), transition, outcome, NO_SMS);
    expect(next.state.step).toBe(step);
  });

  it("digits at the card step run identifyCard with the digits, then the PIN step", () => {
    const r = run(handleEvent(flow, at("card"), input("2100000001"), NO_SMS));
    expect(r).toMatchObject({ action: "identifyCard", args: {}, input: "2100000001" });
    const next = reply(afterAction(flow, r.state, r.transition, "done", NO_SMS));
    expect(next.state.step).toBe("pin");
    expect(keys(next.say)).toEqual(["pin.prompt"]);
    expect(next.gather?.finishOnKey).toBe("#");
  });

  it("digits at the PIN step run verifyPin with the digits", () => {
    const r = run(handleEvent(flow, at("pin"), input("135790"), NO_SMS));
    expect(r).toMatchObject({ action: "verifyPin", input: "135790" });
  });

  it("verifyPin ok: the summary step runs summariseAccount, then the main menu", () => {
    const { transition } = run(handleEvent(flow, at("pin"), input("135790"), NO_SMS));
    const summary = run(afterAction(flow, at("pin"), transition, "ok", NO_SMS));
    expect(summary).toMatchObject({ action: "summariseAccount", input: "", state: { step: "summary" } });
    const menu = reply(afterAction(flow, summary.state, summary.transition, "done", NO_SMS));
    expect(menu.state.step).toBe("menu");
    // The state still holds at()'s account facts: the stub action changed nothing.
    expect(keys(menu.say)).toEqual(MENU);
    expect(menu.gather).toMatchObject({ numDigits: 1 });
  });

  it.each([
    ["failed", "card", ["card.prompt"], false],
    ["ambiguous", "cardNumber", ["cardNumber.prompt"], false],
    ["tooManyFailures", "goodbye", ["goodbye"], true],
  ])("verifyPin %s leads to %s", (outcome, step, say, hangup) => {
    const { transition } = run(handleEvent(flow, at("pin"), input("000000"), NO_SMS));
    const r = reply(afterAction(flow, at("pin", 1), transition, outcome, NO_SMS));
    expect(r.state).toMatchObject({ step, misses: 0 });
    expect(keys(r.say)).toEqual(say);
    expect(r.hangup).toBe(hangup);
    expect(r.gather === null).toBe(hangup);
  });
});

describe("misses: no input or a key that does nothing", () => {
  it("no digits at a digits step re-prompts without saying the choice was invalid", () => {
    const r = reply(handleEvent(flow, at("card"), input(""), NO_SMS));
    expect(r.state).toMatchObject({ step: "card", misses: 1 });
    expect(keys(r.say)).toEqual(["card.prompt"]);
    expect(r.gather).toEqual(stepIn(flow, "card").gather);
  });

  it("a wrong key at a menu says invalidChoice first, then the menu again", () => {
    const r = reply(handleEvent(flow, at("menu"), input("4"), NO_SMS));
    expect(r.state).toMatchObject({ step: "menu", misses: 1 });
    expect(keys(r.say)).toEqual(["invalidChoice", ...MENU]);
    expect(r.gather).toEqual(stepIn(flow, "menu").gather);
    expect(r).toMatchObject({ dial: false, hangup: false });
  });

  it("no key at a menu repeats the menu without invalidChoice", () => {
    const r = reply(handleEvent(flow, at("menu"), input(""), NO_SMS));
    expect(r.state.misses).toBe(1);
    expect(keys(r.say)).toEqual(MENU);
  });

  it("the hash key at a menu is a wrong key, not an entry", () => {
    const r = reply(handleEvent(flow, at("menu"), input("#"), NO_SMS));
    expect(keys(r.say)).toEqual(["invalidChoice", ...MENU]);
  });

  it("the second miss still asks again; the third in a row ends the call politely", () => {
    const first = reply(handleEvent(flow, at("menu"), input("4"), NO_SMS));
    const second = reply(handleEvent(flow, first.state, input(""), NO_SMS));
    expect(second.state).toMatchObject({ step: "menu", misses: 2 });
    expect(second.hangup).toBe(false);
    const third = reply(handleEvent(flow, second.state, input("5"), NO_SMS));
    expect(third.state).toMatchObject({ step: "goodbye", misses: 0 });
    expect(keys(third.say)).toEqual(["tooManyMisses", "goodbye"]);
    expect(third).toMatchObject({ gather: null, dial: false, hangup: true });
  });

  it("three empty entries at a digits step end the call too", () => {
    let state = at("pin");
    for (let i = 0; i < 2; i++) state = reply(handleEvent(flow, state, input(""), NO_SMS)).state;
    const r = reply(handleEvent(flow, state, input(""), NO_SMS));
    expect(r.state.step).toBe("goodbye");
    expect(keys(r.say)).toEqual(["tooManyMisses", "goodbye"]);
    expect(r.hangup).toBe(true);
  });

  it("a valid key resets the count: two misses, a key, then a miss is the first again", () => {
    const again = reply(handleEvent(flow, at("menu", 2), input("9"), NO_SMS));
    expect(again.state).toMatchObject({ step: "menu", misses: 0 });
    const miss = reply(handleEvent(flow, again.state, input("4"), NO_SMS));
    expect(miss.state).toMatchObject({ step: "menu", misses: 1 });
    expect(miss.hangup).toBe(false);
  });

  it("a valid key that runs an action resets the count once the action is done", () => {
    const r = run(handleEvent(flow, at("menu", 2), input("2"), NO_SMS));
    expect(r.action).toBe("listLoans");
    const back = reply(afterAction(flow, r.state, r.transition, "done", NO_SMS));
    expect(back.state).toMatchObject({ step: "menuShort", misses: 0 });
  });
});

describe("keys that work only when a condition holds", () => {
  it("3 after renew all is a wrong key when SMS is not available", () => {
    const r = reply(handleEvent(flow, at("afterRenewAll"), input("3"), NO_SMS));
    expect(r.state).toMatchObject({ step: "afterRenewAll", misses: 1 });
    expect(keys(r.say)).toEqual(["invalidChoice", ...AFTER_RENEW_ALL]);
  });

  it("3 after renew all runs sendRenewalSms when SMS is available", () => {
    const r = run(handleEvent(flow, at("afterRenewAll"), input("3"), SMS));
    expect(r).toMatchObject({ action: "sendRenewalSms", input: "3" });
    expect(r.transition.to).toBe("afterRenewAll");
  });

  it.each([
    ["afterRenewAll", "menu", "0", []],
    ["afterRenewOne", "itemOffer", "1", ["afterRenewOne.another"]],
  ])("the SMS option at %s is offered only when SMS is available", (step, from, key, first) => {
    const { transition } = run(handleEvent(flow, at(from), input(key), SMS));
    const withSms = reply(afterAction(flow, at(from), transition, "done", SMS));
    const without = reply(afterAction(flow, at(from), transition, "done", NO_SMS));
    expect(withSms.state.step).toBe(step);
    expect(keys(withSms.say)).toEqual([
      ...first,
      "afterRenewal.repeat",
      "afterRenewal.smsOption",
      "afterRenewal.moreOptions",
    ]);
    expect(keys(without.say)).toEqual([...first, "afterRenewal.repeat", "afterRenewal.moreOptions"]);
  });
});

describe("the main menu and the item offer", () => {
  it("9 at the menu says the menu again without running an action", () => {
    const r = reply(handleEvent(flow, at("menu"), input("9"), NO_SMS));
    expect(r.state.step).toBe("menu");
    expect(keys(r.say)).toEqual(MENU);
  });

  it("* at the menu says goodbye and hangs up", () => {
    const r = reply(handleEvent(flow, at("menu"), input("*"), NO_SMS));
    expect(r.state.step).toBe("goodbye");
    expect(keys(r.say)).toEqual(["goodbye"]);
    expect(r).toMatchObject({ gather: null, hangup: true });
  });

  it("8 at the menu runs forgetReader, then asks for a card", () => {
    const r = run(handleEvent(flow, at("menu"), input("8"), NO_SMS));
    expect(r.action).toBe("forgetReader");
    expect(reply(afterAction(flow, r.state, r.transition, "done", NO_SMS)).state.step).toBe("card");
  });

  it.each([
    ["ok", "itemOffer"],
    ["none", "menuShort"],
  ])("startItemOffer %s leads to %s", (outcome, step) => {
    const r = run(handleEvent(flow, at("menu"), input("1"), NO_SMS));
    expect(r.action).toBe("startItemOffer");
    expect(reply(afterAction(flow, r.state, r.transition, outcome, NO_SMS)).state.step).toBe(step);
  });

  it("the item offer speaks the offered item before its options", () => {
    const r = reply(enterStep(flow, at("itemOffer"), NO_SMS));
    expect(r.say).toEqual([OFFERED_ITEM, { key: "itemOffer.options" }]);
  });

  it("3 at the item offer repeats it, offered item included, without an action", () => {
    const r = reply(handleEvent(flow, at("itemOffer"), input("3"), NO_SMS));
    expect(r.state.step).toBe("itemOffer");
    expect(r.say).toEqual([OFFERED_ITEM, { key: "itemOffer.options" }]);
  });

  it("a wrong key at the item offer repeats the offered item after invalidChoice", () => {
    const r = reply(handleEvent(flow, at("itemOffer"), input("7"), NO_SMS));
    expect(r.say).toEqual([{ key: "invalidChoice" }, OFFERED_ITEM, { key: "itemOffer.options" }]);
  });
});

describe("what is spoken fits the reader and the moment", () => {
  const reader = (account: CallState["account"]): CallState => ({ ...at("menu"), account });

  it("a blocked reader's menu: staff first, then loans and charges, never renew all or one", () => {
    const r = reply(
      handleEvent(flow, reader({ loans: 2, blocked: true, charges: true }), input("9"), NO_SMS),
    );
    expect(keys(r.say)).toEqual(["menu.staff", "menu.loans", "menu.charges", "menu.anotherCard", "menu.end"]);
  });

  it("a reader with no loans hears no renew options, and charges only when there are some", () => {
    const r = reply(
      handleEvent(flow, reader({ loans: 0, blocked: false, charges: false }), input("9"), NO_SMS),
    );
    expect(keys(r.say)).toEqual(["menu.staff", "menu.anotherCard", "menu.end"]);
    const owing = reply(
      handleEvent(flow, reader({ loans: 0, blocked: false, charges: true }), input("9"), NO_SMS),
    );
    expect(keys(owing.say)).toEqual(["menu.charges", "menu.staff", "menu.anotherCard", "menu.end"]);
  });

  it("unspoken keys still work: 0 with no loans runs renewAll, whose none leads to the short menu", () => {
    const r = run(
      handleEvent(flow, reader({ loans: 0, blocked: false, charges: false }), input("0"), NO_SMS),
    );
    expect(r.action).toBe("renewAll");
    expect(reply(afterAction(flow, r.state, r.transition, "none", NO_SMS)).state.step).toBe("menuShort");
  });

  it("after an information key the short menu, not the whole menu again", () => {
    const r = run(handleEvent(flow, at("menu"), input("2"), NO_SMS));
    const back = reply(afterAction(flow, r.state, r.transition, "done", NO_SMS));
    expect(keys(back.say)).toEqual(MENU_SHORT);
    expect(stepIn(flow, "menuShort").keys).toEqual(stepIn(flow, "menu").keys);
  });

  it("after renew all, 'why' is offered only when something was refused", () => {
    const refused = {
      ...at("afterRenewAll"),
      lastRenewal: { trn: "1234567890", transactionId: 1, refused: 1 },
    };
    const none = { ...refused, lastRenewal: { ...refused.lastRenewal, refused: 0 } };
    expect(keys(reply(enterStep(flow, refused, NO_SMS)).say)).toEqual([
      "afterRenewAll.why",
      ...AFTER_RENEW_ALL,
    ]);
    expect(keys(reply(enterStep(flow, none, NO_SMS)).say)).toEqual(AFTER_RENEW_ALL);
  });

  it("renew another item runs offerAnotherItem; none leads back to the short menu", () => {
    const r = run(handleEvent(flow, at("afterRenewOne"), input("1"), NO_SMS));
    expect(r.action).toBe("offerAnotherItem");
    expect(reply(afterAction(flow, r.state, r.transition, "ok", NO_SMS)).state.step).toBe("itemOffer");
    expect(reply(afterAction(flow, r.state, r.transition, "none", NO_SMS)).state.step).toBe("menuShort");
  });

  it("the goodbye reminds of the reference number only when one was given in the call", () => {
    const given = reply(handleEvent(flow, { ...at("menu"), referenceGiven: true }, input("*"), NO_SMS));
    expect(keys(given.say)).toEqual(["goodbye.withReference"]);
    expect(keys(reply(handleEvent(flow, at("menu"), input("*"), NO_SMS)).say)).toEqual(["goodbye"]);
  });
});

describe("library staff", () => {
  it("7 at the menu runs transferToStaff; dial leads to the staff call, closed back to the menu", () => {
    const r = run(handleEvent(flow, at("menu"), input("7"), NO_SMS));
    expect(r.action).toBe("transferToStaff");
    const dial = reply(afterAction(flow, r.state, r.transition, "dial", NO_SMS));
    expect(dial).toMatchObject({ state: { step: "staffCall" }, gather: null, dial: true, hangup: false });
    expect(reply(afterAction(flow, r.state, r.transition, "closed", NO_SMS)).state.step).toBe("menuShort");
  });

  it("the end of the staff call runs afterStaffCall with the dial status as input", () => {
    const r = run(handleEvent(flow, at("staffCall"), { type: "dialEnded", status: "no-answer" }, NO_SMS));
    expect(r).toMatchObject({ action: "afterStaffCall", input: "no-answer" });
    expect(reply(afterAction(flow, r.state, r.transition, "unanswered", NO_SMS)).state.step).toBe(
      "menuShort",
    );
    expect(reply(afterAction(flow, r.state, r.transition, "answered", NO_SMS)).state.step).toBe("goodbye");
  });

  it("a dial that ends at a step which dials nobody is an error", () => {
    expect(() => handleEvent(flow, at("menu"), { type: "dialEnded", status: "completed" }, NO_SMS)).toThrow(
      /dials nobody/,
    );
  });
});

describe("what the flow does not handle", () => {
  it("an outcome the flow does not list throws, naming the action and the outcome", () => {
    const transition: Transition = stepIn(flow, "pin").digits ?? {};
    expect(() => afterAction(flow, at("pin"), transition, "locked", NO_SMS)).toThrow(
      'action "verifyPin" gave outcome "locked", which the flow does not handle',
    );
  });

  it("an action with results that reports plain done throws too", () => {
    expect(() => afterAction(flow, at("menu"), keyIn(flow, "menu", "1"), "done", NO_SMS)).toThrow(
      /startItemOffer.*"done"/,
    );
  });

  it("a call at a step the flow does not have throws", () => {
    expect(() => handleEvent(flow, at("mainMenu"), input("1"), NO_SMS)).toThrow(/unknown step "mainMenu"/);
  });
});

describe("every key of the shipped flow", () => {
  // The graph walk: each key of each step either runs an action or leads to a step that answers.
  const everyKey = Object.entries(flow.steps).flatMap(([step, s]) =>
    Object.keys(s.keys ?? {}).map((key) => [step, key] as const),
  );

  it.each(everyKey)("%s, key %s, leads somewhere that answers", (step, key) => {
    const r = handleEvent(flow, at(step), input(key), SMS);
    if (r.type === "reply") {
      expect(r.state.misses).toBe(0);
      expect(r.gather !== null || r.dial || r.hangup).toBe(true);
      return;
    }
    expect(r.action).toBe(keyIn(flow, step, key).action);
    for (const outcome of Object.keys(r.transition.results ?? { done: "" })) {
      const next = afterAction(flow, r.state, r.transition, outcome, SMS);
      expect(next.state.misses).toBe(0);
    }
  });
});
