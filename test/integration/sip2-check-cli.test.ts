/**
 * The real `npm run sip2:check`, run as a child process with tsx: against the fake ILS it prints
 * the 98 answer and what the line will use; against a refused login or a closed port it exits 1
 * with one clear line on stderr.
 */
import { execFile } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/library-files.js";
import { Sip2TestServer } from "../support/sip2-test-server.js";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCheck(env: Record<string, string>): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, SIP2_TIMEOUT_MS: "5000", ...env };
  return new Promise((resolve) => {
    execFile(
      "npx",
      ["tsx", "src/library-system/sip2/check-cli.ts"],
      { cwd: ROOT, env: childEnv },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return address.port;
}

describe("npm run sip2:check", () => {
  let server: Sip2TestServer;
  const account = { SIP2_HOST: "127.0.0.1", SIP2_USER: "phone-line", SIP2_INSTITUTION: "TESTLIB" };

  beforeAll(async () => {
    server = await Sip2TestServer.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it("logs in, prints the ILS's status and what the line will use, and exits 0", async () => {
    const run = await runCheck({ ...account, SIP2_PORT: String(server.port), SIP2_PASSWORD: "line-secret" });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe(
      `Logged in to 127.0.0.1:${server.port} as phone-line (TLS off, checksums on, charset utf-8).`,
    );
    expect(lines).toContain("  online: yes");
    expect(lines).toContain("  renewals allowed for this account (renewal policy): yes");
    expect(lines).toContain("  institution: TESTLIB (Test Branch Library)");
    expect(run.stdout).toMatch(
      /supported messages: .*Item Information, Patron Enable, Hold, Renew, Renew All\n/,
    );
    expect(run.stdout).not.toMatch(/supported messages: .*Item Status Update/);
    expect(lines).toContain("  screen message: Welcome to Test Branch Library");
    expect(lines).toContain("  Renew (29): yes");
    expect(lines).toContain("  Renew All (65): yes");
    expect(run.stdout + run.stderr).not.toContain("line-secret");
    expect(server.stats.received.map((r) => r.code)).toEqual(["93", "99"]);
  }, 60_000);

  it("a refused login: exit 1, one line naming it", async () => {
    const run = await runCheck({
      ...account,
      SIP2_PORT: String(server.port),
      SIP2_PASSWORD: "not-the-password",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^sip2:check: .*Sip2LoginRefusedError: the ILS refused the SIP2 login of "phone-line"/,
    );
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toContain("not-the-password");
  }, 60_000);

  it("a closed port: exit 1, one line naming the address", async () => {
    const port = await closedPort();
    const run = await runCheck({ ...account, SIP2_PORT: String(port), SIP2_PASSWORD: "line-secret" });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim()).toMatch(
      new RegExp(`^sip2:check: cannot talk to the ILS at 127.0.0.1:${port}: .*could not connect`),
    );
  }, 60_000);

  it("missing settings: exit 1, each named", async () => {
    const run = await runCheck({ SIP2_HOST: "", SIP2_USER: "", SIP2_PASSWORD: "", SIP2_INSTITUTION: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("SIP2_HOST: required");
    expect(run.stderr).toContain("SIP2_PASSWORD: required");
  }, 60_000);
});
