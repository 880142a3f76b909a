/**
 * The real `npm run db:load` (library-data.md), run as a child process on a PGlite directory of
 * its own: a bad file exits 1 with every problem on stderr and writes nothing; a good file loads
 * and prints its summary, and loading it again changes nothing. Each run costs a few seconds.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { rowsOf } from "../../src/db/migrations.js";
import { hashHkidDigits } from "../../src/security/hkid.js";
import {
  BAD_DIR,
  BAD_FILES,
  dumpTables,
  expectedProblems,
  ROOT,
  readJson,
  SPEC_EXAMPLE,
} from "../support/library-files.js";

const CLI_IDENTITY_HASH_KEY = "cli-test-identity-hash-key-0123456789abc";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], pgliteDir: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "test",
    PGLITE_DIR: pgliteDir,
    IDENTITY_HASH_KEY: CLI_IDENTITY_HASH_KEY,
    // Given, so the command has no reason to create .data/ in the working tree.
    TWILIO_AUTH_TOKEN: "cli-test-twilio-auth-token",
  };
  // Set, it would send the command to PostgreSQL instead of the PGlite directory.
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise((resolve) => {
    execFile(
      "npx",
      ["tsx", "src/library-data/cli.ts", ...args],
      { cwd: ROOT, env },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Opens the command's PGlite directory: null when it holds no tables, else every table. */
async function dumpDir(pgliteDir: string) {
  const handle = await openDatabase({ kind: "pglite", dataDir: pgliteDir });
  try {
    const [table] = rowsOf<{ present: boolean }>(
      await handle.db.execute(sql`select to_regclass('public.patrons') is not null as present`),
    );
    return table?.present ? await dumpTables(handle.db) : null;
  } finally {
    await handle.close();
  }
}

describe("npm run db:load", () => {
  const workDirs: string[] = [];

  function freshPgliteDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "renewline-db-load-"));
    workDirs.push(dir);
    return join(dir, "pglite");
  }

  afterAll(() => {
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses each bad file with exit code 1, prints every problem, and writes nothing", async () => {
    const runs = await Promise.all(
      BAD_FILES.map(async (name) => {
        const dir = freshPgliteDir();
        return { name, dir, run: await runCli([`${BAD_DIR}/${name}.json`], dir) };
      }),
    );
    expect(runs).toHaveLength(3);
    for (const { name, dir, run } of runs) {
      const expected = expectedProblems(name);
      const lines = run.stderr.split("\n").filter((line) => line !== "");
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toBe("");
      expect(lines[0]).toBe(
        `${BAD_DIR}/${name}.json: refused, nothing was loaded. ${expected.length} problem(s):`,
      );
      expect(lines.slice(1).sort()).toEqual(expected.map((line) => `  ${line}`).sort());

      // The command never created the directory, or created it and wrote no reader.
      const written = existsSync(dir) ? await dumpDir(dir) : null;
      expect(written === null || written.patrons.length === 0).toBe(true);
    }
  }, 60_000);

  it("loads the good file into an empty directory; a second run, and a bad file after it, change nothing", async () => {
    const dir = freshPgliteDir();
    const summary = `${SPEC_EXAMPLE}: loaded 2 closedDays, 2 patrons, 3 titles, 4 items, 4 loans, 1 reservations, 2 charges.\n`;

    const first = await runCli([SPEC_EXAMPLE], dir);
    expect(first, first.stderr).toMatchObject({ code: 0, stdout: summary });
    const afterFirst = await dumpDir(dir);
    expect(afterFirst?.patrons.map((p) => p.cardNumber)).toEqual(["2100000001", "2100000002"]);
    // The key comes from IDENTITY_HASH_KEY.
    expect(afterFirst?.patrons[0]?.hkidDigitsHash).toBe(hashHkidDigits("1234563", CLI_IDENTITY_HASH_KEY));
    expect(afterFirst?.charges.map((c) => c.amountCents)).toEqual([1250, 300]);
    expect(afterFirst?.loans).toHaveLength(4);

    const second = await runCli([SPEC_EXAMPLE], dir);
    expect(second, second.stderr).toMatchObject({ code: 0, stdout: summary });
    expect(await dumpDir(dir)).toEqual(afterFirst);

    const refused = await runCli([`${BAD_DIR}/reference-mistakes.json`], dir);
    expect(refused.code).toBe(1);
    expect(await dumpDir(dir)).toEqual(afterFirst);
  }, 90_000);

  it("streams a JSON Lines file: loads a good one, refuses a bad one by line and writes nothing", async () => {
    const dir = freshPgliteDir();
    const spec = readJson(SPEC_EXAMPLE);
    const lines = [
      ...spec.closedDays.map((day) => ({ closedDay: day })),
      ...spec.patrons.map((patron) => ({ patron })),
      ...spec.titles.map((title) => ({ title })),
      ...spec.items.map((item) => ({ item })),
      ...spec.loans.map((loan) => ({ loan })),
      ...spec.reservations.map((reservation) => ({ reservation })),
      ...spec.charges.map((charge) => ({ charge })),
    ].map((line) => JSON.stringify(line));
    const good = join(dirname(dir), "library.jsonl");
    // CRLF line ends, as a Windows export writes them.
    writeFileSync(good, `${[...lines].reverse().join("\r\n")}\r\n`);
    const loaded = await runCli(["--replace", good], dir);
    expect(loaded, loaded.stderr).toMatchObject({
      code: 0,
      stdout: `${good}: loaded 2 closedDays, 2 patrons, 3 titles, 4 items, 4 loans, 1 reservations, 2 charges (library data replaced).\n`,
    });
    const afterGood = await dumpDir(dir);
    expect(afterGood?.loans).toHaveLength(4);

    const bad = join(dirname(dir), "bad.ndjson");
    writeFileSync(bad, `${lines.slice(0, 3).join("\n")}\n{"loan":{"barcode":"NOPE"}}\n`);
    const refused = await runCli([bad], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr.split("\n").filter((line) => line !== "")).toEqual([
      `${bad}: refused, nothing was loaded. 5 problem(s):`,
      "  line 4: loan.cardNumber: Invalid input: expected string, received undefined",
      "  line 4: loan.borrowedOn: Invalid input: expected string, received undefined",
      "  line 4: loan.dueOn: Invalid input: expected string, received undefined",
      "  line 4: loan.renewals: Invalid input: expected number, received undefined",
      '  line 4: loan.barcode: no item with barcode "NOPE"',
    ]);
    expect(await dumpDir(dir)).toEqual(afterGood);
  }, 90_000);
});
