/**
 * The TwiML each reply becomes, parsed and checked by structure: verbs, their order and nesting,
 * attributes, URLs and the words spoken (engineering.md, "Verbs and fixtures").
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { initialCallState } from "../../../src/voice/call-state.js";
import { enterStep, type SpokenPart } from "../../../src/voice/engine.js";
import { type Catalogue, LANGUAGES, type Language } from "../../../src/voice/flow-definition.js";
import {
  promptText,
  type RenderTarget,
  renderDial,
  renderGather,
  renderHangup,
} from "../../../src/voice/twiml.js";
import { SHIPPED, stepIn, stubContext } from "./shipped-flow.js";

const { catalogues } = SHIPPED;
// A query string with "&", as the handler's URLs could carry: it must come back unescaped.
const STEP_URL = "https://line.example.org/voice/step?seq=4&call=CA123";
const DIAL_URL = "https://line.example.org/voice/dial?seq=5&call=CA123";
const STAFF_NUMBER = "+85221234567";
// Twilio refuses a <Say> body of 4,096 characters or more.
const SAY_LIMIT = 4096;

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** For "#text" nodes. */
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

type OrderedEntry = Record<string, unknown>;

function toNodes(entries: OrderedEntry[]): XmlNode[] {
  return entries.map((entry) => {
    const name = Object.keys(entry).find((k) => k !== ":@");
    if (!name) throw new Error("an entry without a name");
    if (name === "#text") return { name, attrs: {}, children: [], text: String(entry[name]) };
    const attrs = (entry[":@"] ?? {}) as Record<string, string>;
    return { name, attrs, children: toNodes(entry[name] as OrderedEntry[]), text: "" };
  });
}

/** The <Response> of a well-formed TwiML document. */
function parseTwiml(xml: string): XmlNode {
  expect(XMLValidator.validate(xml)).toBe(true);
  const top = toNodes(parser.parse(xml) as OrderedEntry[]).filter((node) => node.name !== "?xml");
  expect(top.map((node) => node.name)).toEqual(["Response"]);
  return top[0] as XmlNode;
}

const names = (node: XmlNode) => node.children.map((child) => child.name);

function child(node: XmlNode, name: string): XmlNode {
  const found = node.children.find((c) => c.name === name);
  if (!found) throw new Error(`<${node.name}> has no <${name}>: ${names(node).join(", ")}`);
  return found;
}

/** A <Say>'s words; it must hold text only. */
function textOf(node: XmlNode): string {
  expect(node.children.every((c) => c.name === "#text")).toBe(true);
  return node.children.map((c) => c.text).join("");
}

interface Said {
  voice: string | undefined;
  language: string | undefined;
  text: string;
}

function saysIn(node: XmlNode): Said[] {
  expect(names(node).filter((n) => n === "Say").length).toBeGreaterThan(0);
  return node.children
    .filter((c) => c.name === "Say")
    .map((say) => ({ voice: say.attrs.voice, language: say.attrs.language, text: textOf(say) }));
}

function voiceOf(language: Language) {
  const { voice, languageCode } = catalogues[language];
  return { voice, language: languageCode };
}

const text = (key: string, language: Language, params?: Record<string, string>) =>
  promptText(catalogues, key, language, params);

const english: RenderTarget = { catalogues, language: "en" };

// Texts of these suites' own, so that rewording the shipped catalogues moves nothing here.
const TEST_PROMPTS: Record<string, Record<Language, string>> = {
  "test.item": { en: "{title}, due {date}.", yue: "{title}，{date}到期。", cmn: "{title}，{date}到期。" },
  "test.quoted": {
    en: 'Not renewed: "{title}".',
    yue: "未能續借：「{title}」。",
    cmn: "未能续借：「{title}」。",
  },
  "test.news": { en: "Items renewed: 2.", yue: "已續借：2項。", cmn: "已续借：2项。" },
  "test.options": { en: "For the main menu, press 9.", yue: "主選單請按9。", cmn: "主菜单请按9。" },
  "test.more": { en: "To end the call, press star.", yue: "結束通話請按星號。", cmn: "结束通话请按星号键。" },
  "test.counts": {
    en: "Items renewed: {renewed}. Items not renewed: {refused}.",
    yue: "已續借：{renewed}項。未能續借：{refused}項。",
    cmn: "已续借：{renewed}项。未能续借：{refused}项。",
  },
};

/** The shipped voices with TEST_PROMPTS; no scriptVoices unless a test gives them. */
function withTestPrompts(language: Language, extra: Partial<Catalogue> = {}): Catalogue {
  const prompts = Object.fromEntries(
    Object.entries(TEST_PROMPTS).map(([key, texts]) => [key, texts[language]]),
  );
  return {
    voice: catalogues[language].voice,
    languageCode: catalogues[language].languageCode,
    ...extra,
    prompts,
  };
}

function testCatalogues(
  extra: Partial<Record<Language, Partial<Catalogue>>> = {},
): Record<Language, Catalogue> {
  return {
    yue: withTestPrompts("yue", extra.yue),
    cmn: withTestPrompts("cmn", extra.cmn),
    en: withTestPrompts("en", extra.en),
  };
}

const testText = (key: string, language: Language) => TEST_PROMPTS[key]?.[language];

function gatheredSays(parts: SpokenPart[], target: RenderTarget): Said[] {
  const response = parseTwiml(renderGather(parts, { numDigits: 1, timeout: 8 }, STEP_URL, target));
  // Every <Say> inside the <Gather>, so that the caller can press ahead through the title too.
  expect(names(response)).toEqual(["Gather", "Redirect"]);
  return saysIn(child(response, "Gather"));
}

describe("a gather", () => {
  it("at a menu: one key, no finishing key, the prompts inside, a redirect after", () => {
    const response = parseTwiml(
      renderGather([{ key: "test.options" }], { numDigits: 1, timeout: 8 }, STEP_URL, {
        catalogues: testCatalogues(),
        language: "en",
      }),
    );
    expect(names(response)).toEqual(["Gather", "Redirect"]);
    const gather = child(response, "Gather");
    expect(gather.attrs).toEqual({
      input: "dtmf",
      action: STEP_URL,
      method: "POST",
      timeout: "8",
      finishOnKey: "",
      numDigits: "1",
      actionOnEmptyResult: "true",
    });
    expect(names(gather)).toEqual(["Say"]);
    expect(saysIn(gather)).toEqual([{ ...voiceOf("en"), text: testText("test.options", "en") }]);
    const redirect = child(response, "Redirect");
    expect(redirect.attrs).toEqual({ method: "POST" });
    expect(textOf(redirect)).toBe(STEP_URL);
  });

  it("at a digits step: ended by the hash key, no digit count", () => {
    const response = parseTwiml(
      renderGather([{ key: "card.prompt" }], { finishOnKey: "#", timeout: 10 }, STEP_URL, english),
    );
    const gather = child(response, "Gather");
    expect(gather.attrs.finishOnKey).toBe("#");
    expect(gather.attrs.timeout).toBe("10");
    expect(gather.attrs).not.toHaveProperty("numDigits");
    expect(saysIn(gather)).toEqual([{ ...voiceOf("en"), text: text("card.prompt", "en") }]);
  });

  const gatherSteps = Object.entries(SHIPPED.flow.steps)
    .filter(([, step]) => step.gather)
    .flatMap(([name]) => LANGUAGES.map((language) => [name, language] as const));

  it.each(gatherSteps)("the %s step in %s, as the engine enters it", (name, language) => {
    const step = stepIn(SHIPPED.flow, name);
    const state = { ...initialCallState(SHIPPED.flow.start), step: name, language };
    const entered = enterStep(SHIPPED.flow, state, stubContext(true));
    if (entered.type !== "reply" || !entered.gather) throw new Error(`${name} does not gather`);
    const response = parseTwiml(
      renderGather(entered.say, entered.gather, STEP_URL, { catalogues, language }),
    );
    expect(names(response)).toEqual(["Gather", "Redirect"]);
    const gather = child(response, "Gather");
    expect(gather.attrs.timeout).toBe(String(step.gather?.timeout));
    if (step.digits) {
      expect(gather.attrs.finishOnKey).toBe("#");
      expect(gather.attrs).not.toHaveProperty("numDigits");
    } else {
      expect(gather.attrs.finishOnKey).toBe("");
      expect(gather.attrs.numDigits).toBe("1");
    }
    for (const say of saysIn(gather)) expect(say.text.trim()).not.toBe("");
    // Only the language step mixes voices; every other step speaks in the call's language.
    if (name !== "language")
      expect(saysIn(gather).map(({ voice }) => voice)).toEqual([voiceOf(language).voice]);
  });
});

describe("voices", () => {
  it("the language menu speaks each option in its own voice and language", () => {
    const parts: SpokenPart[] = LANGUAGES.map((language) => ({ key: "language.option", language }));
    const gather = child(
      parseTwiml(renderGather(parts, { numDigits: 1, timeout: 6 }, STEP_URL, english)),
      "Gather",
    );
    expect(saysIn(gather)).toEqual(
      LANGUAGES.map((language) => ({ ...voiceOf(language), text: text("language.option", language) })),
    );
  });

  it("consecutive parts in one language share one <Say>, in order", () => {
    const gather = child(
      parseTwiml(
        renderGather(
          [{ key: "test.news" }, { key: "test.options" }],
          { numDigits: 1, timeout: 8 },
          STEP_URL,
          { catalogues: testCatalogues(), language: "yue" },
        ),
      ),
      "Gather",
    );
    expect(saysIn(gather)).toEqual([
      { ...voiceOf("yue"), text: `${testText("test.news", "yue")} ${testText("test.options", "yue")}` },
    ]);
  });

  it("a language that comes back after another starts a <Say> of its own", () => {
    const parts: SpokenPart[] = [
      { key: "language.option", language: "yue" },
      { key: "language.option", language: "en" },
      { key: "goodbye" },
    ];
    const response = parseTwiml(renderHangup(parts, { catalogues, language: "yue" }));
    expect(saysIn(response)).toEqual([
      { ...voiceOf("yue"), text: text("language.option", "yue") },
      { ...voiceOf("en"), text: text("language.option", "en") },
      { ...voiceOf("yue"), text: text("goodbye", "yue") },
    ]);
  });
});

describe("titles in the voice that reads their script", () => {
  const HAN_IN_CANTONESE = { scriptVoices: { Han: "yue" as const } };
  const item = (title: string): SpokenPart => ({
    key: "test.item",
    params: { title, date: "Friday 7 March" },
  });

  it("the shipped English catalogue sends Han script to the Cantonese voice", () => {
    expect(catalogues.en.scriptVoices).toEqual({ Han: "yue" });
    expect(catalogues.yue.scriptVoices).toBeUndefined();
    expect(catalogues.cmn.scriptVoices).toBeUndefined();
  });

  it("a Chinese title in an English call: its own <Say> in the Chinese voice, the sentence in English", () => {
    const target = { catalogues: testCatalogues({ en: HAN_IN_CANTONESE }), language: "en" as const };
    expect(gatheredSays([{ key: "test.news" }, item("三體"), item("Sapiens")], target)).toEqual([
      { ...voiceOf("en"), text: testText("test.news", "en") },
      { ...voiceOf("yue"), text: "三體," },
      { ...voiceOf("en"), text: "due Friday 7 March. Sapiens, due Friday 7 March." },
    ]);
  });

  it("punctuation written against the title goes with it, so no <Say> is only a quote mark", () => {
    const target = { catalogues: testCatalogues({ en: HAN_IN_CANTONESE }), language: "en" as const };
    expect(gatheredSays([{ key: "test.quoted", params: { title: "傾城之戀" } }], target)).toEqual([
      { ...voiceOf("en"), text: "Not renewed:" },
      { ...voiceOf("yue"), text: '"傾城之戀".' },
    ]);
  });

  it("a mixed title is split by script runs; digits and punctuation go with the nearer words", () => {
    const target = { catalogues: testCatalogues({ en: HAN_IN_CANTONESE }), language: "en" as const };
    expect(gatheredSays([item("Harry Potter 哈利波特 2 and 3")], target)).toEqual([
      { ...voiceOf("en"), text: "Harry Potter" },
      { ...voiceOf("yue"), text: "哈利波特 2" },
      { ...voiceOf("en"), text: "and 3, due Friday 7 March." },
    ]);
    expect(gatheredSays([item("花樣年華 (DVD)")], target)).toEqual([
      { ...voiceOf("yue"), text: "花樣年華" },
      { ...voiceOf("en"), text: "(DVD), due Friday 7 March." },
    ]);
  });

  it("only the title is split: Chinese elsewhere in the sentence keeps the call's voice", () => {
    const target = { catalogues: testCatalogues({ en: HAN_IN_CANTONESE }), language: "en" as const };
    const part: SpokenPart = { key: "test.item", params: { title: "Sapiens", date: "星期五" } };
    expect(gatheredSays([part], target)).toEqual([{ ...voiceOf("en"), text: "Sapiens, due 星期五." }]);
  });

  it("a Latin title in a Chinese call stays with the Chinese voice, as the shipped catalogues say", () => {
    const target = { catalogues: testCatalogues({ en: HAN_IN_CANTONESE }), language: "yue" as const };
    expect(gatheredSays([item("Harry Potter 哈利波特")], target)).toEqual([
      { ...voiceOf("yue"), text: "Harry Potter 哈利波特，Friday 7 March到期。" },
    ]);
  });

  it("a Chinese catalogue can send Latin script to the English voice", () => {
    const target = {
      catalogues: testCatalogues({ cmn: { scriptVoices: { Latin: "en" } } }),
      language: "cmn" as const,
    };
    expect(gatheredSays([item("Harry Potter 哈利波特")], target)).toEqual([
      { ...voiceOf("en"), text: "Harry Potter" },
      { ...voiceOf("cmn"), text: "哈利波特，Friday 7 March到期。" },
    ]);
  });

  it("without scriptVoices, an English call reads the whole sentence in English, as before", () => {
    const target = { catalogues: testCatalogues(), language: "en" as const };
    expect(gatheredSays([item("三體")], target)).toEqual([
      { ...voiceOf("en"), text: "三體, due Friday 7 March." },
    ]);
  });

  it("the pieces, joined with spaces, are the shipped prompt as written", () => {
    const parts: SpokenPart[] = [
      { key: "loans.item", params: { title: "三體", date: "Thursday 10 December" } },
      { key: "loans.overdueItem", params: { title: "Harry Potter 哈利波特", date: "Friday 7 March" } },
      { key: "charges.item", params: { title: "傾城之戀", amount: "9 dollars" } },
    ];
    const says = gatheredSays(parts, english);
    expect(says.some((say) => say.voice === voiceOf("yue").voice)).toBe(true);
    expect(says.map((say) => say.text).join(" ")).toBe(
      parts.map((part) => text(part.key, "en", part.params)).join(" "),
    );
  });

  it("a long Chinese title in an English call is cut under Twilio's limit for Chinese", () => {
    const says = gatheredSays([item("圖書館".repeat(600))], {
      catalogues: testCatalogues({ en: HAN_IN_CANTONESE }),
      language: "en",
    });
    const chinese = says.filter((say) => say.voice === voiceOf("yue").voice);
    expect(chinese.length).toBeGreaterThan(1);
    for (const say of says) expect(encodeURIComponent(say.text).length).toBeLessThanOrEqual(4500);
    expect(says.at(-1)).toEqual({ ...voiceOf("en"), text: "due Friday 7 March." });
  });
});

describe("a part that asks for a break", () => {
  const target: RenderTarget = { catalogues: testCatalogues(), language: "en" };

  it("starts a <Say> of its own after a part in the same voice", () => {
    const parts: SpokenPart[] = [
      { key: "test.news" },
      { key: "test.options", breakBefore: true },
      { key: "test.more" },
    ];
    expect(gatheredSays(parts, target)).toEqual([
      { ...voiceOf("en"), text: testText("test.news", "en") },
      { ...voiceOf("en"), text: `${testText("test.options", "en")} ${testText("test.more", "en")}` },
    ]);
  });

  it("changes nothing where the voice changes anyway, or first", () => {
    const parts: SpokenPart[] = [
      { key: "test.news", breakBefore: true },
      { key: "test.options", language: "yue", breakBefore: true },
    ];
    expect(gatheredSays(parts, target)).toEqual([
      { ...voiceOf("en"), text: testText("test.news", "en") },
      { ...voiceOf("yue"), text: testText("test.options", "yue") },
    ]);
  });
});

describe("length and emptiness of <Say>", () => {
  const title = "A Very Long Title About the Natural History of Hong Kong and Its Outlying Islands";
  const loans: SpokenPart[] = Array.from({ length: 150 }, (_, i) => ({
    key: "loans.item",
    params: { title: `${title} ${i + 1}`, date: "Friday 7 March" },
  }));

  it("a long run of text is cut into several <Say>s, each under Twilio's limit, nothing lost", () => {
    const gather = child(
      parseTwiml(renderGather(loans, { numDigits: 1, timeout: 8 }, STEP_URL, english)),
      "Gather",
    );
    const says = saysIn(gather);
    const whole = loans.map((part) => text(part.key, "en", part.params)).join(" ");
    expect(whole.length).toBeGreaterThan(2 * SAY_LIMIT);
    expect(says.length).toBeGreaterThan(2);
    for (const say of says) {
      expect(say.text.length).toBeLessThan(SAY_LIMIT);
      expect(say.text.trim()).not.toBe("");
      expect(say).toMatchObject(voiceOf("en"));
    }
    expect(says.map((say) => say.text).join(" ")).toBe(whole);
  });

  it("a long Chinese text without spaces is cut too", () => {
    const part: SpokenPart = {
      key: "loans.item",
      params: { title: "圖書館".repeat(3000), date: "3月7日 星期五" },
    };
    const says = saysIn(parseTwiml(renderHangup([part], { catalogues, language: "yue" })));
    expect(says.length).toBeGreaterThan(2);
    for (const say of says) expect(say.text.length).toBeLessThan(SAY_LIMIT);
    expect(says.map((say) => say.text).join("")).toBe(text("loans.item", "yue", part.params));
  });

  it("a part whose words come out empty gives no empty <Say>", () => {
    // A catalogue text that is all placeholder, filled with nothing.
    const withBlank = (language: Language): Catalogue => ({
      ...catalogues[language],
      prompts: { ...catalogues[language].prompts, blank: "{words}" },
    });
    const blankCatalogues = { yue: withBlank("yue"), cmn: withBlank("cmn"), en: withBlank("en") };
    const target: RenderTarget = { catalogues: blankCatalogues, language: "en" };
    const response = parseTwiml(
      renderGather(
        [
          { key: "blank", params: { words: "" }, language: "yue" },
          { key: "blank", params: { words: "   " } },
          { key: "goodbye" },
        ],
        { numDigits: 1, timeout: 8 },
        STEP_URL,
        target,
      ),
    );
    expect(saysIn(child(response, "Gather"))).toEqual([{ ...voiceOf("en"), text: text("goodbye", "en") }]);
    expect(names(parseTwiml(renderHangup([{ key: "blank", params: { words: "" } }], target)))).toEqual([
      "Hangup",
    ]);
  });

  it("characters XML reserves come through as they were written", () => {
    const title = `Tom & Jerry <Vol. 2> "Best" of 'Cats'`;
    const says = saysIn(
      parseTwiml(renderHangup([{ key: "loans.item", params: { title, date: "Friday 7 March" } }], english)),
    );
    expect(says.map((say) => say.text)).toEqual([`${title}, due Friday 7 March.`]);
  });
});

describe("a dial", () => {
  it("says what comes first, then dials the number with the action URL", () => {
    const response = parseTwiml(renderDial([{ key: "staff.connecting" }], STAFF_NUMBER, DIAL_URL, english));
    expect(names(response)).toEqual(["Say", "Dial"]);
    expect(saysIn(response)).toEqual([{ ...voiceOf("en"), text: text("staff.connecting", "en") }]);
    const dial = child(response, "Dial");
    expect(dial.attrs).toMatchObject({ action: DIAL_URL, method: "POST" });
    expect(names(dial)).toEqual(["Number"]);
    expect(textOf(child(dial, "Number"))).toBe(STAFF_NUMBER);
  });

  it("with nothing to say, is only the dial", () => {
    expect(names(parseTwiml(renderDial([], STAFF_NUMBER, DIAL_URL, english)))).toEqual(["Dial"]);
  });
});

describe("a hangup", () => {
  it.each(LANGUAGES)("says goodbye in %s, then hangs up last", (language) => {
    const response = parseTwiml(
      renderHangup([{ key: "tooManyMisses" }, { key: "goodbye" }], { catalogues, language }),
    );
    expect(names(response)).toEqual(["Say", "Hangup"]);
    expect(response.children.at(-1)?.children).toEqual([]);
    expect(saysIn(response)).toEqual([
      { ...voiceOf(language), text: `${text("tooManyMisses", language)} ${text("goodbye", language)}` },
    ]);
  });
});

describe("promptText", () => {
  const withCounts = testCatalogues();

  it("fills every placeholder", () => {
    expect(promptText(withCounts, "test.counts", "en", { renewed: "3", refused: "1" })).toBe(
      "Items renewed: 3. Items not renewed: 1.",
    );
  });

  it("inserts values as written, even ones that look like patterns or placeholders", () => {
    expect(promptText(withCounts, "test.counts", "en", { renewed: "$& {refused} $1", refused: "1" })).toBe(
      "Items renewed: $& {refused} $1. Items not renewed: 1.",
    );
  });

  it("throws when a placeholder has no value", () => {
    expect(() => promptText(withCounts, "test.counts", "en", { renewed: "3" })).toThrow(
      'prompt "test.counts" needs {refused}',
    );
  });

  it("throws for a key the catalogue does not have", () => {
    expect(() => promptText(catalogues, "menu.option", "cmn")).toThrow('no prompt "menu.option" in cmn');
  });
});

describe("Twilio's <Say> limits for Chinese", () => {
  it("keeps every Cantonese <Say> under 4,500 characters once URL-encoded", async () => {
    const { renderHangup } = await import("../../../src/voice/twiml.js");
    const { SHIPPED } = await import("./shipped-flow.js");
    const parts = Array.from({ length: 40 }, () => ({ key: "staff.noAnswer" }));
    const twiml = renderHangup(parts, { catalogues: SHIPPED.catalogues, language: "yue" });
    const says = [...twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1] ?? "");
    expect(says.length).toBeGreaterThan(1);
    for (const say of says) expect(encodeURIComponent(say).length).toBeLessThanOrEqual(4500);
  });
});
