/**
 * `npm run renewals:export -- [--since ISO-TIME] [--format csv|json] [--out FILE]`: writes the
 * renewals made through the line since the last export, for the library's system to take in
 * (library-system.md, "Writing renewals back (embedded)"), and moves the cursor past them only
 * once they are written. Applies pending migrations first.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadDotEnv } from "../config/dot-env.js";
import { loadSettings, SettingsError } from "../config/settings.js";
import { databaseTargetOf, openDatabase } from "../db/database.js";
import { safeErrorMessage } from "../logging/safe-error.js";
import { EXPORT_FORMATS, type ExportFormat, formatExport } from "./export-format.js";
import { exportRenewals } from "./export-renewals.js";

const USAGE = "usage: npm run renewals:export -- [--since ISO-TIME] [--format csv|json] [--out FILE]";

const isoTime = z.iso.datetime({ offset: true });

async function main(): Promise<number> {
  let values: { since?: string; format?: string; out?: string };
  try {
    ({ values } = parseArgs({
      options: {
        since: { type: "string" },
        format: { type: "string", default: "csv" },
        out: { type: "string" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const format = values.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    console.error(`--format: expected csv or json\n${USAGE}`);
    return 2;
  }
  if (values.since !== undefined && !isoTime.safeParse(values.since).success) {
    console.error(`--since: expected an ISO time with offset, such as 2026-12-01T08:00:00+08:00\n${USAGE}`);
    return 2;
  }
  const since = values.since === undefined ? undefined : new Date(values.since);
  const out = values.out;

  loadDotEnv();
  const settings = loadSettings(process.env);
  // With sip2 each renewal was made in the ILS itself: there is nothing to write back, and
  // applying the export there would renew every item a second time.
  if (settings.librarySystem.kind === "sip2") {
    console.error(
      "LIBRARY_SYSTEM is sip2: the ILS made every renewal itself, so there is nothing to write back (the export is for embedded).",
    );
    return 2;
  }
  const database = await openDatabase(databaseTargetOf(settings), { purpose: "maintenance" });
  try {
    await database.migrate();
    const result = await exportRenewals(database.db, {
      since,
      write: (rows) => {
        const text = formatExport(rows, format, settings.libraryTimeZone);
        return out === undefined ? writeStdout(text) : writeFileWhole(out, text);
      },
    });
    const cursor = since
      ? `transactions created after ${values.since}; the cursor stays at ${result.cursor.from}`
      : `cursor ${result.cursor.from} → ${result.cursor.to}`;
    console.error(
      `renewals:export: ${result.rows} row(s) of ${result.transactions} transaction(s) written to ${out ?? "standard output"} (${cursor}).`,
    );
    if (result.withoutCard > 0) {
      console.error(
        `renewals:export: warning: ${result.withoutCard} row(s) have no card number: their reader is no longer in the library data (find them by TRN and barcode).`,
      );
    }
    return 0;
  } finally {
    await database.close();
  }
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Written beside FILE, flushed to disk, then renamed over it: FILE is either the whole export or
 * untouched, never half an export the cursor has already moved past.
 */
async function writeFileWhole(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const file = await open(temporary, "wx");
    try {
      await file.writeFile(text, "utf8");
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof SettingsError
        ? error.message
        : `renewals:export failed; the cursor did not move, so the next export writes these renewals again: ${safeErrorMessage(error)}`,
    );
    process.exit(1);
  },
);
