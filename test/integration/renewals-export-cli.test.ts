/**
 * The real `npm run renewals:export` and `npm run db:load` as child processes on a PGlite
 * directory of their own: an export to a path it cannot write fails and moves no cursor, the next
 * writes every renewal once, the one after only the header; a reload without exportedAt warns
 * with the number of loans it reset. Each run costs a few seconds.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { patrons } from "../../src/db/schema/index.js";
import { renew } from "../../src/renewals/renew.js";
import { DEFAULT_POLICY } from "../../src/rules/policy.js";
import { fixedClock } from "../../src/time/clock.js";
import { libraryCalendar } from "../../src/time/library-clock.js";
import { ROOT } from "../support/library-files.js";
import { FIXTURE_NOW, renewalFixture } from "../support/library-fixture.js";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  script: string,
  args: string[],
  pgliteDir: string,
  settings: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...settings,
    NODE_ENV: "test",
    PGLITE_DIR: pgliteDir,
    IDENTITY_HASH_KEY: "cli-test-identity-hash-key-0123456789abc",
    TWILIO_AUTH_TOKEN: "cli-test-twilio-auth-token",
    LIBRARY_TZ: "Asia/Hong_Kong",
  };
  // Set, they would send the command to PostgreSQL instead of the PGlite directory.
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise((resolve) => {
    execFile("npx", ["tsx", script, ...args], { cwd: ROOT, env }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const EXPORT = "src/renewals/export-cli.ts";
const LOAD = "src/library-data/cli.ts";

describe("npm run renewals:export", () => {
  const dir = mkdtempSync(join(tmpdir(), "renewline-export-"));
  const pglite = join(dir, "pglite");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exports each renewal once, moves no cursor on a failed write, and db:load warns of the loans it reset", async () => {
    const library = join(dir, "library.json");
    writeFileSync(library, JSON.stringify(renewalFixture()));
    expect((await run(LOAD, [library], pglite)).code).toBe(0);

    const handle = await openDatabase({ kind: "pglite", dataDir: pglite });
    let trn: string;
    try {
      const [reader] = await handle.db
        .select({ id: patrons.id })
        .from(patrons)
        .where(eq(patrons.cardNumber, "2100000001"));
      const outcome = await renew(
        {
          db: handle.db,
          calendar: libraryCalendar(fixedClock(FIXTURE_NOW), "Asia/Hong_Kong"),
          policy: DEFAULT_POLICY,
        },
        { patronId: reader?.id ?? 0, selection: { kind: "all" }, channel: "phone", requestKey: "cli-1" },
      );
      trn = outcome.trn;
    } finally {
      await handle.close();
    }

    const unwritable = join(dir, "no-such-folder", "renewals.csv");
    const failed = await run(EXPORT, ["--out", unwritable], pglite);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain("renewals:export failed; the cursor did not move");
    expect(existsSync(unwritable)).toBe(false);

    const out = join(dir, "renewals.csv");
    const first = await run(EXPORT, ["--out", out], pglite);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("5 row(s) of 1 transaction(s)");
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.trn, r.card, r.barcode, r.result])).toEqual(
      expect.arrayContaining([
        [trn, "2100000001", "34000000000002", "renewed"],
        [trn, "2100000001", "34000000000005", "refused"],
      ]),
    );
    expect(rows).toHaveLength(5);

    const second = await run(EXPORT, ["--format", "json"], pglite);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual([]);

    const bad = await run(EXPORT, ["--format", "xml"], pglite);
    expect(bad).toMatchObject({ code: 2, stdout: "" });

    // The ILS snapshot, reloaded without exportedAt: the four renewed loans go back.
    const reload = await run(LOAD, [library], pglite);
    expect(reload.code, reload.stderr).toBe(0);
    expect(reload.stderr).toContain(
      `${library}: warning: no exportedAt, so the file's loans won: 4 loan(s) renewed by phone were reset`,
    );
  }, 120_000);

  it("refuses with the sip2 library system, whose ILS made every renewal itself", async () => {
    const sip2 = await run(EXPORT, [], pglite, {
      LIBRARY_SYSTEM: "sip2",
      SIP2_HOST: "127.0.0.1",
      SIP2_USER: "phone-line",
      SIP2_PASSWORD: "line-secret",
      SIP2_INSTITUTION: "DEMO",
    });
    expect(sip2.code).toBe(2);
    expect(sip2.stderr).toContain("LIBRARY_SYSTEM is sip2");
    expect(sip2.stdout).toBe("");
  });
});
