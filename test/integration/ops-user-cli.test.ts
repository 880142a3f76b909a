/**
 * The real `npm run ops:user`, run as a child process on a PGlite directory of its own, with the
 * password on standard input.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { operatorApiTokens, operatorLoginFailures, operators } from "../../src/db/schema/index.js";
import { LOGIN_FAILURE_LIMITS, loginThrottle, recordLoginFailure } from "../../src/ops/login-throttle.js";
import { sha256Hex } from "../../src/ops/tokens.js";
import { verifyPassword } from "../../src/security/password-hash.js";
import { ROOT } from "../support/library-files.js";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], pgliteDir: string, stdin = ""): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "test", PGLITE_DIR: pgliteDir };
  // Set, it would send the command to PostgreSQL instead of the PGlite directory.
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise((resolve) => {
    const child = execFile(
      "npx",
      ["tsx", "src/ops/cli.ts", ...args],
      { cwd: ROOT, env },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

async function storedOperators(pgliteDir: string) {
  const handle = await openDatabase({ kind: "pglite", dataDir: pgliteDir });
  try {
    return await handle.db.select().from(operators).orderBy(operators.name);
  } finally {
    await handle.close();
  }
}

describe("npm run ops:user", () => {
  const workDir = mkdtempSync(join(tmpdir(), "renewline-ops-user-"));
  const dir = join(workDir, "pglite");
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("adds operators with the password from stdin, lists them, changes a password and disables one", async () => {
    const added = await runCli(["add", "alice", "--role", "admin"], dir, "correct horse battery\n");
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: "added alice (admin)\n" });
    expect((await runCli(["add", "sam", "--role", "staff"], dir, "staff password 42\n")).code).toBe(0);

    const [alice] = await storedOperators(dir);
    expect(alice?.passwordHash).not.toContain("correct horse battery");
    expect(await verifyPassword("correct horse battery", alice?.passwordHash ?? "")).toBe(true);

    const listed = await runCli(["list"], dir);
    expect(listed).toMatchObject({ code: 0, stdout: "alice\tadmin\tactive\nsam\tstaff\tactive\n" });

    const passwd = await runCli(["passwd", "sam"], dir, "a brand new password\n");
    expect(passwd.code, passwd.stderr).toBe(0);
    const disabled = await runCli(["disable", "sam"], dir);
    expect(disabled).toMatchObject({ code: 0, stdout: "disabled sam; their sessions are closed\n" });
    expect((await runCli(["list"], dir)).stdout).toMatch(
      /^alice\tadmin\tactive\nsam\tstaff\tdisabled \d{4}-/,
    );

    const [, sam] = await storedOperators(dir);
    expect(await verifyPassword("a brand new password", sam?.passwordHash ?? "")).toBe(true);
    expect(sam?.disabledAt).toBeInstanceOf(Date);
  }, 150_000);

  it("refuses a short password, a taken name, an unknown role, an unknown operator", async () => {
    const short = await runCli(["add", "bob", "--role", "staff"], dir, "short\n");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("a password has 12 to 1024 characters");

    const taken = await runCli(["add", "alice", "--role", "staff"], dir, "another long password\n");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("an operator named alice already exists");

    const role = await runCli(["add", "bob", "--role", "root"], dir, "another long password\n");
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("--role must be one of: staff, admin");

    const unknown = await runCli(["disable", "nobody"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no operator named nobody");

    expect((await storedOperators(dir)).map((o) => o.name)).not.toContain("bob");
  }, 150_000);

  it("makes an API token, shown once and stored as a hash, and revokes it", async () => {
    const made = await runCli(["token", "alice", "--label", "nightly report"], dir);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^rlt_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain("an API token for alice (nightly report)");

    const handle = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const rows = await handle.db.select().from(operatorApiTokens);
      expect(rows.map((r) => [r.label, r.tokenHash])).toEqual([["nightly report", sha256Hex(token)]]);
    } finally {
      await handle.close();
    }

    expect(await runCli(["revoke-tokens", "alice"], dir)).toMatchObject({
      code: 0,
      stdout: "revoked 1 API token of alice\n",
    });
    const unknown = await runCli(["token", "nobody"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no active operator named nobody");
  }, 150_000);

  it("unthrottles a name: its failures from every address are forgotten, others' stay", async () => {
    // The command counts with the real clock (no FIXED_NOW here): failures made just now.
    const now = new Date();
    const desk = "192.0.2.10";
    const handle = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      for (let i = 0; i < LOGIN_FAILURE_LIMITS.name; i++)
        await recordLoginFailure(handle.db, { name: "alice", ip: i === 0 ? "192.0.2.99" : desk, now });
      await recordLoginFailure(handle.db, { name: "sam", ip: desk, now });
      expect(await loginThrottle(handle.db, { name: "alice", ip: desk, now })).toBe("name");
    } finally {
      await handle.close();
    }

    const run = await runCli(["unthrottle", "alice"], dir);
    expect(run, run.stderr).toMatchObject({
      code: 0,
      stdout: "cleared 5 failed logins of alice; alice can sign in now\n",
    });
    expect((await runCli(["unthrottle", "alice"], dir)).stdout).toBe(
      "alice had no recent failed logins; alice can sign in now\n",
    );

    const after = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const left = await after.db.select().from(operatorLoginFailures);
      expect(left.map((f) => [f.name, f.ip])).toEqual([["sam", desk]]);
      expect(await loginThrottle(after.db, { name: "alice", ip: desk, now: new Date() })).toBeNull();

      // A desk held back by a spray of other names stays so, and the command says where.
      for (let i = 1; i < LOGIN_FAILURE_LIMITS.address; i++)
        await recordLoginFailure(after.db, { name: `sprayed-${i}`, ip: desk, now });
      await recordLoginFailure(after.db, { name: "alice", ip: desk, now });
    } finally {
      await after.close();
    }
    const held = await runCli(["unthrottle", "alice"], dir);
    expect(held.stdout).toBe(
      `cleared 1 failed login of alice; alice can sign in now, except from ${desk}, held back by failed logins under other names for up to 15 minutes\n`,
    );
    expect((await runCli(["unthrottle", "bad name"], dir)).code).toBe(2);
  }, 150_000);
});
