/**
 * voice-flows/ as the app reads it at start. Each bad case is a fresh copy of the shipped folder
 * with ONE named mistake (generated here from the real files, so the cases follow the flow as it
 * changes), and must fail with exactly its own line under "voice-flows is broken:".
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../../src/time/clock.js";
import { libraryCalendar } from "../../../src/time/library-clock.js";
import { CODE_PROMPT_KEYS, engineContext, VOCABULARY } from "../../../src/voice/actions/index.js";
import {
  type Catalogue,
  type FlowDefinition,
  FlowDefinitionError,
  LANGUAGES,
  type Language,
  loadVoiceFlow,
  VOICE_FLOWS_DIR,
} from "../../../src/voice/flow-definition.js";
import { keyIn, SHIPPED, stepIn } from "./shipped-flow.js";

const ROOT = mkdtempSync(join(tmpdir(), "renewline-flow-"));
let copies = 0;

afterAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
});

/** A copy of the shipped folder to break; its files are rewritten by the edits. */
class FlowCopy {
  constructor(readonly dir: string) {}

  flow(edit: (flow: FlowDefinition) => void): void {
    this.json("flow.json", edit);
  }

  catalogue(language: Language, edit: (catalogue: Catalogue) => void): void {
    this.json(`prompts/${language}.json`, edit);
  }

  /** For mistakes only the raw text can hold (broken JSON). */
  text(file: string, edit: (text: string) => string): void {
    const path = join(this.dir, file);
    const before = readFileSync(path, "utf8");
    const after = edit(before);
    if (after === before) throw new Error(`the edit changed nothing in ${file}`);
    writeFileSync(path, after);
  }

  private json<T>(file: string, edit: (value: T) => void): void {
    const path = join(this.dir, file);
    const value = JSON.parse(readFileSync(path, "utf8")) as T;
    edit(value);
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  }
}

type Mutation = (copy: FlowCopy) => void;

/** The folder is named voice-flows, as in the app, so messages name files as they do at start. */
function copyOfShipped(mutate: Mutation = () => {}, folderName = "voice-flows"): string {
  copies += 1;
  const dir = join(ROOT, String(copies), folderName);
  mkdirSync(dir, { recursive: true });
  cpSync(VOICE_FLOWS_DIR, dir, { recursive: true });
  mutate(new FlowCopy(dir));
  return dir;
}

/** The lines under the heading of the error that loading the folder must throw. */
function problemsOf(dir: string): string[] {
  let error: unknown;
  try {
    loadVoiceFlow(VOCABULARY, dir);
  } catch (caught) {
    error = caught;
  }
  expect(error, "the broken copy loaded without complaint").toBeInstanceOf(FlowDefinitionError);
  const [heading, ...lines] = (error as Error).message.split("\n");
  expect(heading).toBe("voice-flows is broken:");
  for (const line of lines) expect(line).toMatch(/^ {2}\S/);
  return lines.map((line) => line.slice(2));
}

function prompts(catalogue: Catalogue): Record<string, string> {
  return catalogue.prompts;
}

interface BadCase {
  name: string;
  mutate: Mutation;
  problem: string;
}

const BAD_CASES: BadCase[] = [
  {
    name: "a transition to a step that does not exist",
    mutate: (c) =>
      c.flow((f) => {
        keyIn(f, "menu", "9").to = "mainMenu";
      }),
    problem: 'steps.menu.keys.9: leads to step "mainMenu", which does not exist',
  },
  {
    name: "a result that leads to a step that does not exist",
    mutate: (c) =>
      c.flow((f) => {
        const digits = stepIn(f, "pin").digits;
        if (!digits?.results) throw new Error("pin has no results");
        digits.results.ok = "sumary";
      }),
    problem: 'steps.pin.digits.results.ok: leads to step "sumary", which does not exist',
  },
  {
    name: "a start step that does not exist",
    mutate: (c) =>
      c.flow((f) => {
        f.start = "languages";
      }),
    problem: 'start: leads to step "languages", which does not exist',
  },
  {
    name: "an unknown action",
    mutate: (c) =>
      c.flow((f) => {
        keyIn(f, "menu", "2").action = "listLoan";
      }),
    problem: 'steps.menu.keys.2: unknown action "listLoan"',
  },
  {
    name: "an unknown condition on a key",
    mutate: (c) =>
      c.flow((f) => {
        keyIn(f, "afterRenewAll", "3").when = "smsAvailible";
      }),
    problem: 'steps.afterRenewAll.keys.3: unknown condition "smsAvailible"',
  },
  {
    name: "an unknown condition on a prompt",
    mutate: (c) =>
      c.flow((f) => {
        stepIn(f, "afterRenewOne").prompts?.splice(1, 1, { key: "afterRenewal.smsOption", when: "hasSms" });
      }),
    problem: 'steps.afterRenewOne.prompts.1: unknown condition "hasSms"',
  },
  {
    name: "an unknown speech",
    mutate: (c) =>
      c.flow((f) => {
        stepIn(f, "itemOffer").prompts?.splice(0, 1, { speech: "offeredItems" });
      }),
    problem: 'steps.itemOffer.prompts.0: unknown speech "offeredItems"',
  },
  {
    name: "a prompt key missing in one language",
    mutate: (c) =>
      c.catalogue("yue", (cat) => {
        delete prompts(cat).goodbye;
      }),
    problem: 'prompts/yue.json: missing "goodbye"',
  },
  {
    name: "a placeholder renamed in one language",
    mutate: (c) =>
      c.catalogue("cmn", (cat) => {
        prompts(cat)["renewal.reference"] = "您的交易参考编号是{reference}。";
      }),
    problem:
      'prompt "renewal.reference": placeholders differ between languages (yue ["trn"], cmn ["reference"], en ["trn"])',
  },
  {
    name: "a placeholder left out in one language",
    mutate: (c) =>
      c.catalogue("en", (cat) => {
        prompts(cat)["loans.item"] = "{title}.";
      }),
    problem:
      'prompt "loans.item": placeholders differ between languages (yue ["date","title"], cmn ["date","title"], en ["title"])',
  },
  {
    name: "a prompt key named in flow.json that no catalogue has",
    mutate: (c) =>
      c.flow((f) => {
        stepIn(f, "menu").prompts = ["menu.option"];
      }),
    problem: 'flow.json names prompt "menu.option", which no catalogue has',
  },
  {
    name: "a prompt key spoken by the code that no catalogue has",
    mutate: (c) => {
      for (const language of LANGUAGES) {
        c.catalogue(language, (cat) => {
          delete prompts(cat).apology;
        });
      }
    },
    problem: 'the code speaks prompt "apology", which no catalogue has',
  },
  {
    name: "an empty text",
    mutate: (c) =>
      c.catalogue("cmn", (cat) => {
        prompts(cat).goodbye = "";
      }),
    problem:
      "voice-flows/prompts/cmn.json: prompts.goodbye: Too small: expected string to have >=1 characters",
  },
  {
    name: "a step with both gather and hangup",
    mutate: (c) =>
      c.flow((f) => {
        stepIn(f, "menu").hangup = true;
      }),
    problem: "steps.menu: needs exactly one of gather, enter, dial or hangup",
  },
  {
    name: "a gather without keys or digits",
    mutate: (c) =>
      c.flow((f) => {
        delete stepIn(f, "menu").keys;
      }),
    problem: 'steps.menu: a gather needs "keys" or "digits"',
  },
  {
    name: "keys without a gather",
    mutate: (c) =>
      c.flow((f) => {
        stepIn(f, "goodbye").keys = { "1": { to: "menu" } };
      }),
    problem: 'steps.goodbye: "keys" and "digits" need a gather',
  },
  {
    name: '"results" without an action',
    mutate: (c) =>
      c.flow((f) => {
        delete keyIn(f, "menu", "7").action;
      }),
    problem: 'steps.menu.keys.7: "results" needs an action',
  },
  {
    name: "an outcome of the action that leads nowhere",
    mutate: (c) =>
      c.flow((f) => {
        const dial = stepIn(f, "staffCall").dial;
        if (dial?.results) delete dial.results.unanswered;
      }),
    problem: 'steps.staffCall.dial: "results" needs "unanswered"',
  },
  {
    name: "a result the action never gives",
    mutate: (c) =>
      c.flow((f) => {
        keyIn(f, "menu", "1").results = { ok: "itemOffer", none: "menu", maybe: "menu" };
      }),
    problem: 'steps.menu.keys.1.results.maybe: action "startItemOffer" has no such outcome',
  },
  {
    name: "a one-outcome action given results",
    mutate: (c) =>
      c.flow((f) => {
        const listLoans = keyIn(f, "menu", "2");
        delete listLoans.to;
        listLoans.results = { done: "menu" };
      }),
    problem: 'steps.menu.keys.2: action "listLoans" has one outcome: use "to"',
  },
  {
    name: 'both "to" and "results"',
    mutate: (c) =>
      c.flow((f) => {
        keyIn(f, "menu", "2").results = { ok: "menu" };
      }),
    problem: 'steps.menu.keys.2: has both "to" and "results"',
  },
  {
    name: 'neither "to" nor "results"',
    mutate: (c) =>
      c.flow((f) => {
        delete keyIn(f, "menu", "9").to;
      }),
    problem: 'steps.menu.keys.9: needs "to" or "results"',
  },
  {
    name: "an unknown top-level field",
    mutate: (c) =>
      c.flow((f) => {
        Object.assign(f, { missLimitPromt: "tooManyMisses" });
      }),
    problem: 'voice-flows/flow.json: (file): Unrecognized key: "missLimitPromt"',
  },
  {
    name: "an unknown field in a step",
    mutate: (c) =>
      c.flow((f) => {
        Object.assign(stepIn(f, "menu"), { prompt: ["menu.options"] });
      }),
    problem: 'voice-flows/flow.json: steps.menu: Unrecognized key: "prompt"',
  },
  {
    name: "an unknown field in a catalogue",
    mutate: (c) =>
      c.catalogue("en", (cat) => {
        Object.assign(cat, { voices: "Polly.Amy" });
      }),
    problem: 'voice-flows/prompts/en.json: (file): Unrecognized key: "voices"',
  },
  {
    name: "a script the code cannot tell apart",
    mutate: (c) =>
      c.catalogue("en", (cat) => {
        cat.scriptVoices = { Cyrillic: "yue" };
      }),
    problem: "voice-flows/prompts/en.json: scriptVoices.Cyrillic: a script is one of Han, Latin",
  },
  {
    name: "a script sent to a language that has no catalogue",
    mutate: (c) =>
      c.catalogue("en", (cat) => {
        Object.assign(cat, { scriptVoices: { Han: "zh" } });
      }),
    problem:
      'voice-flows/prompts/en.json: scriptVoices.Han: Invalid option: expected one of "yue"|"cmn"|"en"',
  },
  {
    name: "a script sent to the catalogue's own language",
    mutate: (c) =>
      c.catalogue("yue", (cat) => {
        cat.scriptVoices = { Han: "yue" };
      }),
    problem:
      'voice-flows/prompts/yue.json: scriptVoices.Han: "yue" is this catalogue\'s own language; leave Han out to keep its voice',
  },
  {
    name: "a timeout of 0 seconds",
    mutate: (c) =>
      c.flow((f) => {
        const gather = stepIn(f, "card").gather;
        if (!gather) throw new Error("card has no gather");
        gather.timeout = 0;
      }),
    problem: "voice-flows/flow.json: steps.card.gather.timeout: Too small: expected number to be >=1",
  },
  {
    // The schema's own wording (flow-definition.ts) is what a reader of the message needs.
    name: "a key that is not 0-9, * or #",
    mutate: (c) =>
      c.flow((f) => {
        const keys = stepIn(f, "menu").keys;
        if (!keys) throw new Error("menu has no keys");
        keys.A = { to: "menu" };
      }),
    problem: "voice-flows/flow.json: steps.menu.keys.A: a key is one of 0-9, * or #",
  },
];

describe("the shipped voice-flows/", () => {
  it("loads with the code's vocabulary", () => {
    const { flow, catalogues } = loadVoiceFlow(VOCABULARY);
    expect(flow.start).toBe("language");
    expect(Object.keys(catalogues).sort()).toEqual([...LANGUAGES].sort());
  });

  it("loads from an untouched copy, so each bad case below differs by its one mistake", () => {
    expect(() => loadVoiceFlow(VOCABULARY, copyOfShipped())).not.toThrow();
  });

  it("has every prompt key the code speaks, with a text, in all three catalogues", () => {
    const missing = CODE_PROMPT_KEYS.flatMap((key) =>
      LANGUAGES.filter((language) => !SHIPPED.catalogues[language].prompts[key]?.trim()).map(
        (language) => `${language}: ${key}`,
      ),
    );
    expect(missing).toEqual([]);
  });

  it("gives each language its own voice and language code", () => {
    const voices = LANGUAGES.map((language) => {
      const { voice, languageCode } = SHIPPED.catalogues[language];
      return [language, voice, languageCode];
    });
    expect(voices).toEqual([
      ["yue", "Polly.Hiujin-Neural", "yue-CN"],
      ["cmn", "Polly.Zhiyu", "cmn-CN"],
      ["en", "Polly.Amy", "en-GB"],
    ]);
  });
});

describe("scriptVoices: which voice reads a title's other script", () => {
  it("the shipped English catalogue sends Han to the Cantonese voice; the Chinese ones send nothing", () => {
    expect(LANGUAGES.map((language) => SHIPPED.catalogues[language].scriptVoices)).toEqual([
      undefined,
      undefined,
      { Han: "yue" },
    ]);
  });

  it("a Chinese catalogue may send Latin to the English voice", () => {
    const dir = copyOfShipped((c) =>
      c.catalogue("cmn", (cat) => {
        cat.scriptVoices = { Latin: "en" };
      }),
    );
    expect(loadVoiceFlow(VOCABULARY, dir).catalogues.cmn.scriptVoices).toEqual({ Latin: "en" });
  });
});

describe("the code's context and vocabulary", () => {
  const ctx = engineContext({
    sendSms: null,
    calendar: libraryCalendar(fixedClock("2025-03-04T02:00:00Z"), "Asia/Hong_Kong"),
    library: { features: { hkidDigits: true, callerIdShortcut: true, pinPrecheck: true } },
  });

  it("provides exactly the conditions the vocabulary lets the flow name", () => {
    expect(Object.keys(ctx.conditions).sort()).toEqual([...VOCABULARY.conditions].sort());
  });

  it("provides exactly the speeches the vocabulary lets the flow name", () => {
    expect(Object.keys(ctx.speeches).sort()).toEqual([...VOCABULARY.speeches].sort());
  });
});

describe("a broken copy of voice-flows/ stops the start, naming its one mistake", () => {
  it.each(BAD_CASES)("$name", ({ mutate, problem }) => {
    expect(problemsOf(copyOfShipped(mutate))).toEqual([problem]);
  });

  it("invalid JSON: the message names the file", () => {
    const dir = copyOfShipped((c) =>
      c.text("prompts/en.json", (text) => text.replace(/("apology": "[^"]*"),/, "$1")),
    );
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/^voice-flows\/prompts\/en\.json: .*JSON/)]);
  });

  it("names the file also when the folder has another name", () => {
    const dir = copyOfShipped(
      (c) => c.text("flow.json", (text) => text.replace('"start"', "start")),
      "flows",
    );
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/^(\S+\/)?flow\.json: .*JSON/)]);
  });
});

describe("several mistakes are all named at once", () => {
  it("across the flow and the catalogues", () => {
    const dir = copyOfShipped((c) => {
      c.flow((f) => {
        keyIn(f, "menu", "2").action = "listLoan";
        keyIn(f, "afterRenewOne", "9").to = "mainMenu";
      });
      c.catalogue("yue", (cat) => {
        delete prompts(cat).goodbye;
      });
      c.catalogue("en", (cat) => {
        prompts(cat)["renewal.reference"] = "Your reference number is {ref}.";
      });
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(
      expect.arrayContaining([
        'steps.menu.keys.2: unknown action "listLoan"',
        'steps.afterRenewOne.keys.9: leads to step "mainMenu", which does not exist',
        'prompts/yue.json: missing "goodbye"',
        'prompt "renewal.reference": placeholders differ between languages (yue ["trn"], cmn ["trn"], en ["ref"])',
      ]),
    );
  });

  it("across files the schema refuses", () => {
    const dir = copyOfShipped((c) => {
      c.flow((f) => {
        Object.assign(f, { maxMiss: 3 });
      });
      c.catalogue("cmn", (cat) => {
        prompts(cat).goodbye = "";
      });
      c.text("prompts/yue.json", (text) => text.replace(/("apology": "[^"]*"),/, "$1"));
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        'voice-flows/flow.json: (file): Unrecognized key: "maxMiss"',
        "voice-flows/prompts/cmn.json: prompts.goodbye: Too small: expected string to have >=1 characters",
        expect.stringMatching(/^voice-flows\/prompts\/yue\.json: .*JSON/),
      ]),
    );
  });
});
