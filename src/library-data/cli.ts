/**
 * `npm run db:load -- [--replace] FILE.json|FILE.jsonl`: checks the file whole, then loads it in
 * one transaction (library-data.md). Applies pending migrations first. A JSON document is read
 * and checked in memory; JSON Lines (.jsonl, .ndjson) are streamed, for libraries of any size.
 */
import { accessSync, constants, createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { resolveSecrets } from "../config/development-secrets.js";
import { loadDotEnv } from "../config/dot-env.js";
import { loadSettings, SettingsError } from "../config/settings.js";
import { type Database, databaseTargetOf, openDatabase } from "../db/database.js";
import { safeErrorMessage } from "../logging/safe-error.js";
import { validateLibraryData } from "./import-schema.js";
import {
  type LoadOptions,
  type LoadOutcome,
  loadLibraryData,
  loadLibraryLines,
} from "./load-library-data.js";

const USAGE = "usage: npm run db:load -- [--replace] FILE.json|FILE.jsonl";
const JSON_LINES = /\.(jsonl|ndjson)$/i;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { replace: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }

  const replace = values.replace ?? false;
  if (JSON_LINES.test(file)) return loadLines(file, replace);

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(
      `${file}: cannot read it as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  const checked = validateLibraryData(raw);
  if (!checked.ok) {
    console.error(`${file}: refused, nothing was loaded. ${checked.problems.length} problem(s):`);
    for (const problem of checked.problems) console.error(`  ${problem}`);
    return 1;
  }
  const outcome = await withDatabase((db, options) => loadLibraryData(db, checked.data, options));
  reportLoaded(file, outcome, replace);
  return 0;

  async function withDatabase<T>(load: (db: Database, options: LoadOptions) => Promise<T>): Promise<T> {
    loadDotEnv();
    const settings = loadSettings(process.env);
    const secrets = resolveSecrets(settings);
    const database = await openDatabase(databaseTargetOf(settings), { purpose: "maintenance" });
    try {
      await database.migrate();
      return await load(database.db, { replace, identityHashKey: secrets.identityHashKey });
    } finally {
      await database.close();
    }
  }

  async function loadLines(path: string, replace: boolean): Promise<number> {
    try {
      // Checked before the database opens, so that a missing file is named as one.
      accessSync(path, constants.R_OK);
    } catch (error) {
      console.error(`${path}: cannot read it: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    const lines = linesOf(path);
    const result = await withDatabase((db, options) => loadLibraryLines(db, lines, options));
    if (!result.ok) {
      const shown =
        result.problems.length < result.problemCount ? ` (the first ${result.problems.length} by line)` : "";
      console.error(`${path}: refused, nothing was loaded. ${result.problemCount} problem(s)${shown}:`);
      for (const problem of result.problems) console.error(`  ${problem}`);
      return 1;
    }
    reportLoaded(path, result, replace);
    return 0;
  }
}

/**
 * The file's lines, read as they are consumed. A generator, so that reading starts only when the
 * load does: a readline interface made earlier would read on, unheard, while migrations run.
 */
async function* linesOf(path: string): AsyncGenerator<string> {
  yield* createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
}

function reportLoaded(file: string, outcome: LoadOutcome, replace: boolean): void {
  const counts = Object.entries(outcome.summary)
    .map(([what, n]) => `${n} ${what}`)
    .join(", ");
  console.log(`${file}: loaded ${counts}${replace ? " (library data replaced)" : ""}.`);
  // library-data.md, "Snapshots taken before phone renewals".
  const { kept, reset } = outcome.phoneRenewals;
  if (outcome.exportedAt !== null && kept > 0) {
    console.log(
      `${file}: ${kept} loan(s) renewed by phone after exportedAt (${outcome.exportedAt}) kept the line's due date, count and charge.`,
    );
  }
  if (outcome.exportedAt === null && reset > 0) {
    console.error(
      `${file}: warning: no exportedAt, so the file's loans won: ${reset} loan(s) renewed by phone were reset to the file's older due date or count. Add "exportedAt" (when the library's system took the export) to keep renewals made after it.`,
    );
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof SettingsError
        ? error.message
        : `db:load failed, nothing was loaded: ${safeErrorMessage(error)}`,
    );
    process.exit(1);
  },
);
