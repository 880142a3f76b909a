import { describe, expect, it } from "vitest";
import { KeysError } from "../../../src/simulator/gather-input.js";
import { parseScriptStep, promptsHeardInFull } from "../../../src/simulator/script-entry.js";
import type { PromptVerb } from "../../../src/simulator/twiml-parser.js";

const say = (text: string): PromptVerb => ({ verb: "Say", text, loop: 1, breakSeconds: 0 });
const pause: PromptVerb = { verb: "Pause", length: 1 };

describe("script entries: the keys and how much the caller hears first", () => {
  it("reads plain keys as before, listening as the call's default says", () => {
    expect(parseScriptStep("2100000001#", "all")).toEqual({ keys: "2100000001#", listen: "all" });
    expect(parseScriptStep("(timeout)", "none")).toEqual({ keys: "", listen: "none" });
    expect(parseScriptStep("", "all")).toEqual({ keys: "", listen: "all" });
  });

  it("reads KEYS@LISTENING, and the same as an object", () => {
    expect(parseScriptStep("0@news", "all")).toEqual({ keys: "0", listen: "news" });
    expect(parseScriptStep("3030#@none", "all")).toEqual({ keys: "3030#", listen: "none" });
    expect(parseScriptStep("*@all", "none")).toEqual({ keys: "*", listen: "all" });
    expect(parseScriptStep("(timeout)@news", "all")).toEqual({ keys: "", listen: "news" });
    expect(parseScriptStep({ keys: "0", listen: "news" }, "all")).toEqual({ keys: "0", listen: "news" });
    expect(parseScriptStep({ keys: "0" }, "none")).toEqual({ keys: "0", listen: "none" });
  });

  it("refuses an unknown way of listening and keys a keypad cannot send", () => {
    expect(() => parseScriptStep("0@later", "all")).toThrow(KeysError);
    expect(() => parseScriptStep("0@later", "all")).toThrow(/"later" is not a way of listening/);
    expect(() => parseScriptStep("0a@news", "all")).toThrow(/not something a keypad sends/);
  });
});

describe("promptsHeardInFull", () => {
  const prompts = [say("Items renewed: 4."), say("Your reference number is 1 2 3."), pause, say("Press 9.")];

  it("all: every prompt; none: not one", () => {
    expect(promptsHeardInFull(prompts, "all")).toEqual([true, true, true, true]);
    expect(promptsHeardInFull(prompts, "none")).toEqual([false, false, false, false]);
  });

  it("news: every prompt before the last <Say>, which holds the options", () => {
    expect(promptsHeardInFull(prompts, "news")).toEqual([true, true, true, false]);
    // A pause after the options is cut short with them.
    expect(promptsHeardInFull([say("news"), say("options"), pause], "news")).toEqual([true, false, false]);
  });

  it("news: a Gather with one <Say> (news and options together) has no news of its own", () => {
    expect(promptsHeardInFull([say("Items renewed: 4. Press 9.")], "news")).toEqual([false]);
    expect(promptsHeardInFull([pause], "news")).toEqual([false]);
    expect(promptsHeardInFull([], "news")).toEqual([]);
  });
});
