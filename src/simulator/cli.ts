/**
 * `npm run call`: a simulated call against a running line. With --script it keys the given entries
 * and prints the transcript; without, a person listens in the terminal and types the keys. With
 * --report it places the standard calls and prints the caller's time in each language.
 */
import { createInterface, type Interface } from "node:readline/promises";
import { type CallResult, KeysError, placeCall } from "./call-simulator.js";
import { LineUnavailableError, measureStandardCalls } from "./caller-time-report.js";
import { type CliOptions, CliUsageError, parseCliArgs, resolveAuthToken, USAGE } from "./cli-options.js";
import { parseKeys } from "./gather-input.js";
import { formatCallerTimeReport } from "./report-format.js";
import { formatEntry, formatSummary } from "./transcript-format.js";

async function main(): Promise<number> {
  const options = parseCliArgs(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const authToken = options.token ?? resolveAuthToken(process.env);
  if (!authToken) {
    console.error(
      "No Twilio auth token: set TWILIO_AUTH_TOKEN or --token, or run `npm start` once so that it creates .data/twilio-auth-token.",
    );
    return 1;
  }
  if (options.report)
    return report({ baseUrl: options.baseUrl, authToken, ...(options.to ? { to: options.to } : {}) });
  const call = {
    baseUrl: options.baseUrl,
    authToken,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
  };

  let result: CallResult;
  if (options.script) {
    const script = options.languageKey ? [options.languageKey, ...options.script] : options.script;
    result = await placeCall({ ...call, script });
    for (const entry of result.transcript) console.log(formatEntry(entry));
  } else {
    result = await callInteractively(call, options);
    // The prompts were printed as heard; show how the call ended.
    const last = result.transcript.at(-1);
    if (last && last.kind !== "say" && last.kind !== "gather") console.log(formatEntry(last));
  }

  const advice = hint(result, options.baseUrl);
  if (advice) console.error(advice);
  console.log(formatSummary(result));
  return result.endedBy === "error" ? 1 : 0;
}

async function report(line: { baseUrl: string; authToken: string; to?: string }): Promise<number> {
  console.error(`Placing the standard calls against ${line.baseUrl} …`);
  try {
    const rows = await measureStandardCalls(line, (call) =>
      console.error(`  ${call.language}: ${call.label}`),
    );
    console.log(formatCallerTimeReport(rows, line.baseUrl));
    return 0;
  } catch (error) {
    if (!(error instanceof LineUnavailableError)) throw error;
    console.error(hint(error.result, line.baseUrl) ?? `The line failed: ${error.message}`);
    return 1;
  }
}

async function callInteractively(
  call: { baseUrl: string; authToken: string; from?: string; to?: string },
  options: CliOptions,
): Promise<CallResult> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C hangs up like Ctrl-D, rather than leaving the call half-run.
  terminal.on("SIGINT", () => terminal.close());
  const lines = terminal[Symbol.asyncIterator]();
  let languageKey = options.languageKey;
  console.log(`Calling ${call.baseUrl}. At each prompt type the keys and Enter;`);
  console.log('an empty line keys nothing, "hangup" or Ctrl-D ends the call.\n');
  try {
    return await placeCall({
      ...call,
      onPrompt: (text) => console.log(`🔊 ${text}`),
      nextKeys: async () => {
        if (languageKey) {
          console.log(`⌨  ${languageKey} (--lang)`);
          const key = languageKey;
          languageKey = undefined;
          return key;
        }
        return readKeys(terminal, lines);
      },
    });
  } finally {
    terminal.close();
  }
}

async function readKeys(terminal: Interface, lines: AsyncIterator<string>): Promise<string | null> {
  for (;;) {
    terminal.setPrompt("⌨  ");
    terminal.prompt();
    const line = await lines.next();
    if (line.done) {
      console.log();
      return null;
    }
    const text = line.value.trim();
    // A terminal echoes what is typed; piped input does not.
    if (!process.stdin.isTTY) console.log(text);
    if (text.toLowerCase() === "hangup") return null;
    try {
      parseKeys(text);
      return text;
    } catch (error) {
      if (!(error instanceof KeysError)) throw error;
      console.log("   Keys are 0-9, * and # (an empty line keys nothing).");
    }
  }
}

/** A hint for the failures a developer meets first, beyond the error line of the transcript. */
function hint(result: CallResult, baseUrl: string): string | null {
  // The very first request got no answer: nothing is listening there.
  if (result.error?.reason === "unreachable" && result.requests[0]?.status === 0) {
    return `The line at ${baseUrl} is not reachable. Is \`npm start\` running?`;
  }
  if (result.requests.some((request) => request.status === 403)) {
    return "The line refused the signature: is the token the one the line uses, and does --base-url match its PUBLIC_BASE_URL?";
  }
  return null;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`npm run call failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
