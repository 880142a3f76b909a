/** Runs the driver (bench/driver.ts) as a separate process on one job and reads back its result. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Phase, PhaseResult } from "./driver-job.js";
import { REPO_ROOT } from "./line-process.js";

export async function runDriver(authToken: string, phases: Phase[]): Promise<PhaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "renewline-bench-"));
  const jobFile = join(dir, "job.json");
  const resultFile = join(dir, "result.json");
  writeFileSync(jobFile, JSON.stringify({ authToken, phases, resultFile }));
  try {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/driver.ts", jobFile], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`the driver exited with ${code}`);
    return JSON.parse(readFileSync(resultFile, "utf8")) as PhaseResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
