/**
 * An ILS's refusal, as the caller hears it (library-system.md): a Renew Response's screen
 * messages (AF) become one of the line's reason codes through a mapping file of patterns, one per
 * ILS family. A refusal that matches no pattern is ILS_REFUSED. The file is checked with zod at
 * start, and every problem in it is named at once, so a library fixes its file in one go.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { REFUSAL_PRIORITY, type RefusalCode } from "../../rules/reasons.js";

/** The mapping files bundled with the line, by the name SIP2_REFUSALS may give. */
export const BUNDLED_MAPPINGS = ["koha", "evergreen"] as const;

export interface RefusalMapping {
  family: string;
  /** The first pattern, in file order, matching any of the messages in order; else ILS_REFUSED. */
  reasonOf(screenMessages: readonly string[]): RefusalCode;
}

export class RefusalMappingError extends Error {
  override readonly name = "RefusalMappingError";
}

const REASON_CODES = new Set<string>(REFUSAL_PRIORITY);

const mappingFileSchema = z.object({
  family: z.string().min(1),
  /** Where the ILS's wording was read: repository, file and version. */
  source: z.string().min(1),
  patterns: z
    .array(
      z.object({
        pattern: z
          .string()
          .min(1)
          .superRefine((text, ctx) => {
            try {
              new RegExp(text, "iu");
            } catch (error) {
              ctx.addIssue({
                code: "custom",
                message: `not a regular expression: ${(error as Error).message}`,
              });
            }
          }),
        reason: z.string().refine((code) => REASON_CODES.has(code), {
          error: (issue) =>
            `unknown reason code ${JSON.stringify(issue.input)} (one of ${REFUSAL_PRIORITY.join(", ")})`,
        }),
        note: z.string().optional(),
      }),
    )
    .min(1, "at least one pattern"),
});

/** A mapping from its parsed JSON; `name` says where it came from in an error. */
export function parseRefusalMapping(json: unknown, name: string): RefusalMapping {
  const parsed = mappingFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join(".") || "(file)"}: ${issue.message}`,
    );
    throw new RefusalMappingError(`The refusal mapping ${name} is invalid:\n${problems.join("\n")}`);
  }
  const patterns = parsed.data.patterns.map((p) => ({
    test: new RegExp(p.pattern, "iu"),
    reason: p.reason as RefusalCode,
  }));
  return {
    family: parsed.data.family,
    reasonOf(screenMessages) {
      for (const { test, reason } of patterns) {
        if (screenMessages.some((message) => test.test(message))) return reason;
      }
      return "ILS_REFUSED";
    },
  };
}

/** "koha", "evergreen" (bundled), or the path of a library's own mapping file. */
export function loadRefusalMapping(source: string): RefusalMapping {
  const bundled = (BUNDLED_MAPPINGS as readonly string[]).includes(source);
  const path = bundled ? fileURLToPath(new URL(`./refusals/${source}.json`, import.meta.url)) : source;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new RefusalMappingError(
      `The refusal mapping ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}): SIP2_REFUSALS is koha, evergreen, or the path of a mapping file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RefusalMappingError(
      `The refusal mapping ${path} is invalid:\n  (file): not JSON: ${(error as Error).message}`,
    );
  }
  return parseRefusalMapping(json, path);
}
