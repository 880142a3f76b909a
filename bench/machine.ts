/** The machine a run measures on: its load, CPUs and the code's commit. */
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/**
 * Waits until the 1-minute load is under 1, or gives up after `maxWaitMs` and says so: on a
 * shared machine a run under load is still worth having, with the load it ran under recorded.
 */
export async function waitForQuiet(
  maxWaitMs: number,
  log: (line: string) => void,
): Promise<{ quiet: boolean; load: number; waitedSeconds: number }> {
  const started = Date.now();
  let said = false;
  while (load1() >= 1 && Date.now() - started < maxWaitMs) {
    if (!said) log(`waiting for a quiet machine (1-minute load ${load1()}, at most ${maxWaitMs / 1000} s)`);
    said = true;
    await sleep(2000);
  }
  return { quiet: load1() < 1, load: load1(), waitedSeconds: Math.round((Date.now() - started) / 1000) };
}

export function machineFacts(cwd: string) {
  let commit = "unknown";
  let dirty = false;
  try {
    commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8" }).trim();
    dirty = execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8" }).trim() !== "";
  } catch {
    // Not a git checkout.
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    commit,
    dirty,
  };
}
