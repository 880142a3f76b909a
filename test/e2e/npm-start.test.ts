/**
 * `npm start` as a newcomer runs it: no settings but a port and a data folder, the embedded
 * database, the demo library loaded once, and kept across restarts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { loans, patrons } from "../../src/db/schema/index.js";
import { threadPoolSize } from "../../src/security/thread-pool-priority.js";
import { LINE_START } from "../support/line-process.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "renewline-start-"));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, LINE_START.args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      ...LINE_START.env,
      PGLITE_DIR: join(dataDir, "pglite"),
      // Kept out of the repository's own .data/.
      TWILIO_AUTH_TOKEN: "test-twilio-auth-token",
      IDENTITY_HASH_KEY: "test-identity-hash-key-0123456789abcdef",
      FIXED_NOW: "2026-12-01T10:00:00+08:00",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Each thread of a process and its nice value (field 19 of /proc/PID/task/TID/stat). */
function threadNices(pid: number): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
  }
  return nices;
}

async function waitForHealth(baseUrl: string, started: Started): Promise<Response> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited:\n${started.output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no healthy answer in time:\n${started.output()}`);
}

async function withDatabase<T>(
  work: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<T>,
): Promise<T> {
  const handle = await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pglite") });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("npm start", () => {
  it("serves /healthz on the embedded database with the demo library, and keeps the data across restarts", async () => {
    const port = await freePort();
    const first = await start({ PORT: String(port) });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}`, first);
      expect(await health.json()).toEqual({ status: "ok" });
      // The PIN hashing threads (libuv's pool, its default size here) run niced; the thread that
      // serves webhooks does not.
      const nices = threadNices(first.child.pid as number);
      expect(nices.get(first.child.pid as number)).toBe(0);
      expect([...nices.values()].filter((nice) => nice === 10)).toHaveLength(threadPoolSize({}));
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).toContain("loaded the demo library");
    expect(first.output()).toContain("FIXED_NOW pins the clock");

    // The demo, unshifted under FIXED_NOW: reader 12's loan was borrowed "today".
    await withDatabase(async (db) => {
      const [reader] = await db.select().from(patrons).where(eq(patrons.cardNumber, "2100000012"));
      const held = await db
        .select()
        .from(loans)
        .where(eq(loans.patronId, reader?.id ?? -1));
      expect(held.map((l) => l.borrowedOn)).toContain("2026-12-01");
      await db
        .update(patrons)
        .set({ name: "Renamed between starts" })
        .where(eq(patrons.cardNumber, "2100000001"));
    });

    const second = await start({ PORT: String(port) });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, second);
    } finally {
      await second.stop();
    }
    expect(second.output()).not.toContain("loaded the demo library");
    await withDatabase(async (db) => {
      const [reader] = await db.select().from(patrons).where(eq(patrons.cardNumber, "2100000001"));
      expect(reader?.name).toBe("Renamed between starts");
    });
  });

  it("a port already in use stops the start with a clear message and exit code 1, never 'listening'", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const { port } = busy.address() as { port: number };
    try {
      const started = await start({ PORT: String(port), PGLITE_DIR: join(dataDir, "second-pglite") });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`port ${port} is already in use`);
      expect(started.output()).not.toContain("Renewline is listening");
    } finally {
      busy.close();
    }
  });

  it("stops at once on a bad setting, naming the variable", async () => {
    const started = await start({ PORT: "not-a-port", LIBRARY_TZ: "Nowhere/Atlantis" });
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/PORT: /);
    expect(started.output()).toMatch(/LIBRARY_TZ: expected an IANA time zone/);
  });
});
