/**
 * The line under test, started as `npm start` starts it (compiled to dist/ by scripts/build.mjs,
 * then plain node, in a process of its own), on a free port against one benchmark database, with
 * its memory sampled from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type StartCommand, startCommand } from "../src/config/start-command.js";

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface ServerProcess {
  baseUrl: string;
  pid: number;
  /** Output kept for the report when the process fails. */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * The line as package.json's start script runs it, after its prestart build: node itself,
 * without npm in between, so the pid is the serving process.
 */
export function lineStart(): StartCommand {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
  return startCommand(REPO_ROOT);
}

/** Starts node with these arguments, and waits for /healthz to answer 200. */
export async function startServer(
  command: { args: string[]; env?: Record<string, string> },
  env: Record<string, string>,
): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, command.args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...command.env, ...env, PORT: String(port), PUBLIC_BASE_URL: baseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  await waitHealthy(baseUrl, child, () => output);
  return {
    baseUrl,
    pid: child.pid as number,
    output: () => output,
    stop: () => stopChild(child),
  };
}

async function waitHealthy(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const giveUp = Date.now() + 60_000;
  while (Date.now() < giveUp) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  child.kill("SIGKILL");
  throw new Error(`the server did not answer /healthz with 200 within 60 s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Resident memory of a process, in MB (VmRSS in /proc/PID/status); null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples RSS every 200 ms until stopped; returns the peak and the last sample. */
export function sampleRss(pid: number): { stop(): { peakMb: number; lastMb: number } } {
  let peakMb = rssMb(pid) ?? 0;
  let lastMb = peakMb;
  const timer = setInterval(() => {
    const mb = rssMb(pid);
    if (mb === null) return;
    lastMb = mb;
    peakMb = Math.max(peakMb, mb);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: Math.round(peakMb), lastMb: Math.round(lastMb) };
    },
  };
}
