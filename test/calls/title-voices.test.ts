/**
 * Titles in the voice that reads their script (voice-line.md, "The caller's time and the
 * situation"), through the real app on a real database: a Chinese title in an English call is
 * spoken by the Chinese voice that en.json's scriptVoices names, in a <Say> of its own, and that
 * <Say> sits inside the <Gather> with the rest, so the caller can still press ahead. Read from the
 * raw TwiML of the webhook answers, not from what the simulator made of it.
 */
import { describe, expect, it } from "vitest";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { type GatherVerb, parseTwiml, type SayVerb, type Verb } from "../../src/simulator/twiml-parser.js";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import { CATALOGUES, login, useDemoLine } from "./call-helpers.js";

// Demo reader 3 has 三體 and The Little Prince on loan.
const READER_3 = login("2100000003", "0303", "en");
const CHINESE_TITLE = "三體";
const LATIN_TITLE = "The Little Prince";

/** Every answer of the call, as the verbs Twilio would run. */
function answers(result: CallResult): Verb[][] {
  return result.requests
    .filter((exchange) => exchange.twiml !== "")
    .map((exchange) => parseTwiml(exchange.twiml));
}

function gatherOf(verbs: Verb[]): GatherVerb | undefined {
  return verbs.find((verb): verb is GatherVerb => verb.verb === "Gather");
}

function saysIn(gather: GatherVerb): SayVerb[] {
  return gather.prompts.filter((prompt): prompt is SayVerb => prompt.verb === "Say");
}

/** The answer whose gather speaks `text`. */
function gatherSpeaking(result: CallResult, text: string): GatherVerb {
  const gather = answers(result)
    .map(gatherOf)
    .find((found) => found && saysIn(found).some((say) => say.text.includes(text)));
  if (!gather) throw new Error(`no gather speaks "${text}"`);
  return gather;
}

describe.each(DRIVERS)("title voices on %s", (driver) => {
  const line = useDemoLine(driver);
  const english = { voice: CATALOGUES.en.voice, language: CATALOGUES.en.languageCode };
  const cantonese = { voice: CATALOGUES.yue.voice, language: CATALOGUES.yue.languageCode };

  it("an English call reads a Chinese title in the Cantonese voice, inside the gather (reader 3, key 2)", async () => {
    const result = await call(line.app, [...READER_3, "2", "*"]);
    expect(result.endedBy).toBe("hangup");
    const says = saysIn(gatherSpeaking(result, CHINESE_TITLE));

    const title = says.find((say) => say.text.includes(CHINESE_TITLE));
    expect(title).toMatchObject(cantonese);
    // The Chinese voice gets the title and the punctuation against it, no English words.
    expect(title?.text).not.toMatch(/\p{Script=Latin}/u);
    // The rest of the list, the Latin title included, stays in English.
    const latin = says.find((say) => say.text.includes(LATIN_TITLE));
    expect(latin).toMatchObject(english);
    expect(says.filter((say) => say.voice === cantonese.voice)).toHaveLength(1);
  });

  it("no answer of the call has a <Say> outside its gather, where one gathers", async () => {
    const result = await call(line.app, [...READER_3, "2", "*"]);
    for (const verbs of answers(result)) {
      if (!gatherOf(verbs)) continue;
      expect(verbs.map((verb) => verb.verb)).toEqual(["Gather", "Redirect"]);
    }
  });
});
