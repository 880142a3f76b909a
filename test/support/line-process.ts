/**
 * The line as its own process, started exactly as `npm start` starts it (LINE_START), on PostgreSQL:
 * for tests that kill it, signal it, or watch it outlive its database. Everything it prints is
 * kept, so a failing test can show it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { startCommand } from "../../src/config/start-command.js";
import { TEST_IDENTITY_HASH_KEY } from "./database.js";

const ROOT = new URL("../..", import.meta.url).pathname;

/** npm start's command (package.json); dist/ is built once before the suites (test/global-setup.ts). */
export const LINE_START = startCommand(ROOT);

export const LINE_AUTH_TOKEN = "test-twilio-auth-token-0123456789";
/** The demo library's day: the demo needs no shift. */
export const LINE_FIXED_NOW = "2026-12-01T10:00:00+08:00";

export interface LineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process was seen to exit. */
  at: number;
}

export interface LineProcess {
  /** The URL the line listens on, which is also its PUBLIC_BASE_URL (signatures cover it). */
  readonly baseUrl: string;
  readonly port: number;
  readonly authToken: string;
  readonly child: ChildProcess;
  /** Resolves when the process exits, however it ends. */
  readonly exited: Promise<LineExit>;
  isRunning(): boolean;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  terminate(): Promise<LineExit>;
  /** SIGKILL (kill -9), then waits for the exit. */
  kill(): Promise<LineExit>;
}

export interface LineOptions {
  databaseUrl: string;
  /** Default: a free port. A restart passes the port of the line it replaces. */
  port?: number;
  logLevel?: "warn" | "info";
  /** How long the line may take to answer /healthz with 200. Default 45 s. */
  startTimeoutMs?: number;
}

/** Starts the line and waits until /healthz says 200. */
export async function startLine(options: LineOptions): Promise<LineProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, LINE_START.args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      ...LINE_START.env,
      NODE_ENV: "test",
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      TWILIO_AUTH_TOKEN: LINE_AUTH_TOKEN,
      IDENTITY_HASH_KEY: TEST_IDENTITY_HASH_KEY,
      FIXED_NOW: LINE_FIXED_NOW,
      LOG_LEVEL: options.logLevel ?? "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: unknown) => {
    output += String(chunk);
    // A long fault run logs a lot; the end is what explains a failure.
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<LineExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const line: LineProcess = {
    baseUrl,
    port,
    authToken: LINE_AUTH_TOKEN,
    child,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    terminate: async () => {
      if (line.isRunning()) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (line.isRunning()) child.kill("SIGKILL");
      return exited;
    },
  };
  try {
    await waitUntilHealthy(line, options.startTimeoutMs ?? 45_000);
  } catch (error) {
    await line.kill();
    throw error;
  }
  return line;
}

/** Polls /healthz until it answers 200. */
export async function waitUntilHealthy(line: LineProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!line.isRunning()) throw new Error(`the line exited while starting:\n${tail(line.output())}`);
    try {
      const response = await fetch(`${line.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no healthy answer within ${timeoutMs} ms:\n${tail(line.output())}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a process's output, for a failure message. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
