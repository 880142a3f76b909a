/**
 * The call flow as data (voice-flows/flow.json) and the prompt catalogues
 * (voice-flows/prompts/<language>.json), read once at start and checked whole: a broken file
 * stops the start with a message naming every problem.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const LANGUAGES = ["yue", "cmn", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const VOICE_FLOWS_DIR = fileURLToPath(new URL("../../voice-flows", import.meta.url));

const stepName = z.string().min(1);
const condition = z.string().min(1);

const transition = z.strictObject({
  action: z.string().min(1).optional(),
  args: z.record(z.string(), z.string()).optional(),
  when: condition.optional(),
  to: stepName.optional(),
  results: z.record(z.string(), stepName).optional(),
});

const promptRef = z.union([
  z.string().min(1),
  z.strictObject({
    key: z.string().min(1),
    language: z.enum(LANGUAGES).optional(),
    when: condition.optional(),
  }),
  z.strictObject({ speech: z.string().min(1), when: condition.optional() }),
]);

const gather = z.strictObject({
  numDigits: z.number().int().min(1).max(20).optional(),
  finishOnKey: z.enum(["#", "*", ""]).optional(),
  timeout: z.number().int().min(1).max(60),
});

const step = z.strictObject({
  sensitive: z.boolean().optional(),
  prompts: z.array(promptRef).optional(),
  gather: gather.optional(),
  keys: z
    .record(z.string(), transition)
    .superRefine((keys, ctx) => {
      for (const key of Object.keys(keys)) {
        if (!/^[0-9*#]$/.test(key))
          ctx.addIssue({ code: "custom", path: [key], message: "a key is one of 0-9, * or #" });
      }
    })
    .optional(),
  digits: transition.optional(),
  enter: transition.optional(),
  dial: transition.optional(),
  hangup: z.literal(true).optional(),
});

const flowFile = z.strictObject({
  $comment: z.string().optional(),
  start: stepName,
  maxMisses: z.number().int().min(1).max(10),
  missPrompt: z.string().min(1),
  missLimitPrompt: z.string().min(1),
  missLimitStep: stepName,
  steps: z.record(z.string(), step),
});

/** The scripts a title can be split into (twiml.ts), each of which a catalogue may give a voice. */
export const TITLE_SCRIPTS = ["Han", "Latin"] as const;
export type TitleScript = (typeof TITLE_SCRIPTS)[number];

const scriptVoices = z.record(z.string(), z.enum(LANGUAGES)).superRefine((voices, ctx) => {
  for (const script of Object.keys(voices)) {
    if (!(TITLE_SCRIPTS as readonly string[]).includes(script))
      ctx.addIssue({
        code: "custom",
        path: [script],
        message: `a script is one of ${TITLE_SCRIPTS.join(", ")}`,
      });
  }
});

const catalogueFile = z.strictObject({
  voice: z.string().min(1),
  languageCode: z.string().min(2),
  /** Title text in these scripts is read by that language's voice: `{ "Han": "yue" }` in en.json. */
  scriptVoices: scriptVoices.optional(),
  prompts: z.record(z.string(), z.string().min(1)),
});

/** A catalogue's schema, knowing whose it is: a script is sent to another language's voice, not its own. */
function catalogueFileOf(language: Language) {
  return catalogueFile.superRefine((catalogue, ctx) => {
    for (const [script, voiceLanguage] of Object.entries(catalogue.scriptVoices ?? {})) {
      if (voiceLanguage === language)
        ctx.addIssue({
          code: "custom",
          path: ["scriptVoices", script],
          message: `"${language}" is this catalogue's own language; leave ${script} out to keep its voice`,
        });
    }
  });
}

export type Transition = z.infer<typeof transition>;
export type PromptRef = z.infer<typeof promptRef>;
export type GatherSpec = z.infer<typeof gather>;
export type Step = z.infer<typeof step>;
export type FlowDefinition = z.infer<typeof flowFile>;
export type Catalogue = z.infer<typeof catalogueFile>;

export interface VoiceFlow {
  flow: FlowDefinition;
  catalogues: Record<Language, Catalogue>;
}

/** What the code provides, by name; the flow may only use these. */
export interface FlowVocabulary {
  actions: ReadonlySet<string>;
  /** The outcomes of each action that has more than one; the flow must lead each somewhere. */
  actionOutcomes: Readonly<Record<string, readonly string[]>>;
  conditions: ReadonlySet<string>;
  speeches: ReadonlySet<string>;
  /** Prompt keys the actions speak, which every catalogue must have too. */
  promptKeys: ReadonlySet<string>;
}

export class FlowDefinitionError extends Error {
  override name = "FlowDefinitionError";
}

export function loadVoiceFlow(vocabulary: FlowVocabulary, dir = VOICE_FLOWS_DIR): VoiceFlow {
  const problems: string[] = [];
  const flow = parseFile(dir, "flow.json", flowFile, problems);
  const catalogues: Partial<Record<Language, Catalogue>> = {};
  for (const language of LANGUAGES) {
    const catalogue = parseFile(dir, `prompts/${language}.json`, catalogueFileOf(language), problems);
    if (catalogue) catalogues[language] = catalogue;
  }
  if (flow && LANGUAGES.every((language) => catalogues[language])) {
    const complete = catalogues as Record<Language, Catalogue>;
    problems.push(...checkFlow(flow, vocabulary), ...checkCatalogues(flow, complete, vocabulary.promptKeys));
    if (problems.length === 0) return { flow, catalogues: complete };
  }
  throw new FlowDefinitionError(`voice-flows is broken:\n${problems.map((p) => `  ${p}`).join("\n")}`);
}

function parseFile<T>(dir: string, file: string, schema: z.ZodType<T>, problems: string[]): T | null {
  // Named as in the repository, wherever the folder actually is.
  const name = `voice-flows/${file}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(`${dir}/${file}`, "utf8"));
  } catch (error) {
    problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    problems.push(`${name}: ${issue.path.join(".") || "(file)"}: ${issue.message}`);
  return null;
}

/** Every transition leads somewhere real; every name the flow uses is one the code knows. */
function checkFlow(flow: FlowDefinition, vocabulary: FlowVocabulary): string[] {
  const problems: string[] = [];
  const steps = new Set(Object.keys(flow.steps));
  const leadsTo = (where: string, target: string) => {
    if (!steps.has(target)) problems.push(`${where}: leads to step "${target}", which does not exist`);
  };
  leadsTo("start", flow.start);
  leadsTo("missLimitStep", flow.missLimitStep);

  const checkTransition = (where: string, t: Transition) => {
    if (t.action && !vocabulary.actions.has(t.action))
      problems.push(`${where}: unknown action "${t.action}"`);
    if (t.when && !vocabulary.conditions.has(t.when))
      problems.push(`${where}: unknown condition "${t.when}"`);
    if (t.to) leadsTo(where, t.to);
    for (const [result, target] of Object.entries(t.results ?? {}))
      leadsTo(`${where}.results.${result}`, target);
    if (!t.to && !t.results) problems.push(`${where}: needs "to" or "results"`);
    if (t.to && t.results) problems.push(`${where}: has both "to" and "results"`);
    if (t.results && !t.action) problems.push(`${where}: "results" needs an action`);
    const outcomes = t.action ? vocabulary.actionOutcomes[t.action] : undefined;
    if (t.to && t.results) {
      // Already named above; the outcome checks would only repeat it.
    } else if (outcomes) {
      const missing = outcomes.filter((outcome) => !t.results?.[outcome]);
      if (t.results && missing.length > 0)
        problems.push(`${where}: "results" needs ${missing.map((o) => `"${o}"`).join(", ")}`);
      if (t.to)
        problems.push(`${where}: action "${t.action}" has outcomes ${outcomes.join(", ")}: use "results"`);
      for (const result of Object.keys(t.results ?? {})) {
        if (!outcomes.includes(result))
          problems.push(`${where}.results.${result}: action "${t.action}" has no such outcome`);
      }
    } else if (t.results && t.action) {
      problems.push(`${where}: action "${t.action}" has one outcome: use "to"`);
    }
  };

  for (const [name, s] of Object.entries(flow.steps)) {
    const where = `steps.${name}`;
    const kinds = [s.gather && "gather", s.enter && "enter", s.dial && "dial", s.hangup && "hangup"].filter(
      Boolean,
    );
    if (kinds.length !== 1) problems.push(`${where}: needs exactly one of gather, enter, dial or hangup`);
    if (s.gather && !s.keys && !s.digits) problems.push(`${where}: a gather needs "keys" or "digits"`);
    if ((s.keys || s.digits) && !s.gather) problems.push(`${where}: "keys" and "digits" need a gather`);
    if (s.keys && s.digits) problems.push(`${where}: has both "keys" and "digits"`);
    for (const [key, t] of Object.entries(s.keys ?? {})) checkTransition(`${where}.keys.${key}`, t);
    if (s.digits) checkTransition(`${where}.digits`, s.digits);
    if (s.enter) checkTransition(`${where}.enter`, s.enter);
    if (s.dial) checkTransition(`${where}.dial`, s.dial);
    for (const [index, prompt] of (s.prompts ?? []).entries()) {
      if (typeof prompt === "object" && "speech" in prompt && !vocabulary.speeches.has(prompt.speech)) {
        problems.push(`${where}.prompts.${index}: unknown speech "${prompt.speech}"`);
      }
      if (typeof prompt === "object" && prompt.when && !vocabulary.conditions.has(prompt.when)) {
        problems.push(`${where}.prompts.${index}: unknown condition "${prompt.when}"`);
      }
    }
  }
  return problems;
}

/** The same keys in every language, each with the same placeholders; every key the flow names exists. */
function checkCatalogues(
  flow: FlowDefinition,
  catalogues: Record<Language, Catalogue>,
  codeKeys: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const allKeys = new Set(LANGUAGES.flatMap((language) => Object.keys(catalogues[language].prompts)));
  for (const key of [...allKeys].sort()) {
    const placeholders = LANGUAGES.map((language) => {
      const text = catalogues[language].prompts[key];
      if (text === undefined) problems.push(`prompts/${language}.json: missing "${key}"`);
      return text === undefined ? null : placeholdersOf(text);
    });
    const present = placeholders.filter((p): p is string => p !== null);
    if (new Set(present).size > 1) {
      const detail = LANGUAGES.map((language, i) => `${language} ${placeholders[i] ?? "-"}`).join(", ");
      problems.push(`prompt "${key}": placeholders differ between languages (${detail})`);
    }
  }
  const named = [flow.missPrompt, flow.missLimitPrompt];
  for (const s of Object.values(flow.steps)) {
    for (const prompt of s.prompts ?? []) {
      if (typeof prompt === "string") named.push(prompt);
      else if ("key" in prompt) named.push(prompt.key);
    }
  }
  for (const key of named) {
    if (!allKeys.has(key)) problems.push(`flow.json names prompt "${key}", which no catalogue has`);
  }
  for (const key of codeKeys) {
    if (!allKeys.has(key)) problems.push(`the code speaks prompt "${key}", which no catalogue has`);
  }
  return problems;
}

function placeholdersOf(text: string): string {
  return JSON.stringify([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
}
