/**
 * The words that tell the driver how a webhook went, read from the prompt catalogues in every
 * language: the apology (an error), the busy message (load shedding, not an error), and the
 * texts a call that went as planned never hears.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const PROMPTS_DIR = fileURLToPath(new URL("../voice-flows/prompts/", import.meta.url));
const catalogueSchema = z.object({ prompts: z.record(z.string(), z.string()) });

export interface PromptTexts {
  apology: string[];
  busy: string[];
  /** Heard only when a call went astray: a failed login, too many misses, the apology. */
  astray: string[];
}

export function promptTexts(): PromptTexts {
  const catalogues = readdirSync(PROMPTS_DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => catalogueSchema.parse(JSON.parse(readFileSync(`${PROMPTS_DIR}${name}`, "utf8"))).prompts);
  const textsOf = (key: string) =>
    catalogues
      .map((prompts) => prompts[key])
      .filter((text): text is string => typeof text === "string" && text !== "");
  return {
    apology: textsOf("apology"),
    busy: textsOf("busy"),
    astray: [
      ...textsOf("apology"),
      ...textsOf("login.failed"),
      ...textsOf("login.tooManyFailures"),
      ...textsOf("tooManyMisses"),
    ],
  };
}
