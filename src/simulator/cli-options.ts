/** The options of `npm run call`, read and checked without touching the terminal or the network. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEVELOPMENT_SECRETS_DIR } from "../config/development-secrets.js";
import { parseScriptStep } from "./script-entry.js";

export const USAGE = `usage: npm run call -- [options]

  --base-url URL   the line to call (default http://localhost:$PORT, PORT defaulting to 3000)
  --from NUMBER    the caller's number (default +85228000000, no reader's phone; +85291234567 is
                   demo reader 1's, to try the caller ID shortcut)
  --to NUMBER      the line's number (default +85230001234)
  --lang L         key the language menu at once: 1 or yue, 2 or cmn, 3 or en
  --script KEYS    run without a person: comma-separated keys, one entry per prompt,
                   e.g. "3,2100000001#,135790#,0,*" (an empty entry or (timeout) keys nothing);
                   KEYS@none keys as the prompt starts, KEYS@news after all but its last <Say>
                   (the result, not the options), KEYS@all (the default) after all of it
  --report         place the standard calls in each language and print the caller's time
                   against the budgets (needs a line freshly started on the demo library)
  --token TOKEN    the Twilio auth token (default $TWILIO_AUTH_TOKEN, else .data/twilio-auth-token)
  -h, --help       this help`;

export interface CliOptions {
  help: boolean;
  baseUrl: string;
  from?: string;
  to?: string;
  /** The key for the language menu, keyed automatically at the first prompt. */
  languageKey?: string;
  script?: string[];
  /** Place the standard calls and print the caller-time report instead of one call. */
  report?: true;
  token?: string;
}

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

const LANGUAGE_KEYS: Record<string, string> = { "1": "1", yue: "1", "2": "2", cmn: "2", "3": "3", en: "3" };

export function parseCliArgs(args: string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const languageKey = values.lang === undefined ? undefined : LANGUAGE_KEYS[values.lang.toLowerCase()];
  if (values.lang !== undefined && !languageKey) {
    throw new CliUsageError(`--lang ${values.lang}: expected 1, 2, 3, yue, cmn or en`);
  }
  if (values.report && (values.script !== undefined || values.lang !== undefined)) {
    throw new CliUsageError("--report places its own calls: leave out --script and --lang");
  }
  return {
    help: values.help ?? false,
    baseUrl: values["base-url"] ?? `http://localhost:${env.PORT || 3000}`,
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(languageKey ? { languageKey } : {}),
    ...(values.script === undefined ? {} : { script: splitScript(values.script) }),
    ...(values.report ? { report: true as const } : {}),
    ...(values.token ? { token: values.token } : {}),
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      "base-url": { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      lang: { type: "string" },
      script: { type: "string" },
      report: { type: "boolean" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** "3,2100000001#,,0@news" → ["3", "2100000001#", "", "0@news"], each entry checked. */
export function splitScript(text: string): string[] {
  const entries = text.split(",").map((entry) => entry.trim());
  for (const entry of entries) {
    try {
      parseScriptStep(entry, "all");
    } catch (error) {
      throw new CliUsageError(`--script: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return entries;
}

/** The token the line checks signatures with, as `npm start` finds it in development. */
export function resolveAuthToken(
  env: NodeJS.ProcessEnv,
  secretsDir: string = DEVELOPMENT_SECRETS_DIR,
): string | null {
  if (env.TWILIO_AUTH_TOKEN) return env.TWILIO_AUTH_TOKEN;
  const file = join(secretsDir, "twilio-auth-token");
  if (!existsSync(file)) return null;
  return readFileSync(file, "utf8").trim() || null;
}
