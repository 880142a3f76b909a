/**
 * `npm run db:load -- [--replace] FILE.json`: checks the file whole, then loads it in one
 * transaction (library-data.md). Applies pending migrations first.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolveSecrets } from "../config/development-secrets.js";
import { loadDotEnv } from "../config/dot-env.js";
import { loadSettings, SettingsError } from "../config/settings.js";
import { databaseTargetOf, openDatabase } from "../db/database.js";
import { safeErrorMessage } from "../logging/safe-error.js";
import { validateLibraryData } from "./import-schema.js";
import { loadLibraryData } from "./load-library-data.js";

const USAGE = "usage: npm run db:load -- [--replace] FILE.json";

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

  loadDotEnv();
  const settings = loadSettings(process.env);
  const secrets = resolveSecrets(settings);
  const database = await openDatabase(databaseTargetOf(settings), { purpose: "maintenance" });
  try {
    await database.migrate();
    const summary = await loadLibraryData(database.db, checked.data, {
      replace: values.replace ?? false,
      identityHashKey: secrets.identityHashKey,
    });
    const counts = Object.entries(summary)
      .map(([what, n]) => `${n} ${what}`)
      .join(", ");
    console.log(`${file}: loaded ${counts}${values.replace ? " (library data replaced)" : ""}.`);
    return 0;
  } finally {
    await database.close();
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
