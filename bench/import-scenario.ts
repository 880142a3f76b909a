/**
 * Import: how long `npm run db:load -- --replace FILE.jsonl` takes for a library of N readers
 * (with pinHash), into a scratch database of its own, never the libraries the line is measured on.
 * The file comes from bench/generate-import-file.ts; without it the figure is "not available".
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { databaseUrl, recreateDatabase } from "./generate-library.js";
import { REPO_ROOT } from "./line-process.js";

const GENERATOR = join(REPO_ROOT, "bench", "generate-import-file.ts");
const SCRATCH_DATABASE = "renewline_bench_import";

export type ImportResult =
  | { readers: number; available: true; ok: true; seconds: number; generateSeconds: number }
  | { readers: number; available: true; ok: false; error: string }
  | { readers: number; available: false; reason: string };

export async function measureImport(
  adminUrl: string,
  readers: number,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<ImportResult> {
  if (!existsSync(GENERATOR))
    return { readers, available: false, reason: "bench/generate-import-file.ts is absent" };
  const dir = mkdtempSync(join(tmpdir(), "renewline-import-"));
  const file = join(dir, `library-${readers}.jsonl`);
  try {
    log(`import ${readers.toLocaleString("en")}: generating ${file}`);
    const generated = await timed(
      process.execPath,
      ["--import", "tsx", GENERATOR, "--readers", String(readers), "--out", file],
      {},
    );
    if (generated.code !== 0)
      return { readers, available: true, ok: false, error: `generator: ${generated.output}` };
    await recreateDatabase(adminUrl, SCRATCH_DATABASE);
    log(`import ${readers.toLocaleString("en")}: npm run db:load -- --replace`);
    const loaded = await timed("npm", ["run", "--silent", "db:load", "--", "--replace", file], {
      ...env,
      DATABASE_URL: databaseUrl(adminUrl, SCRATCH_DATABASE),
    });
    if (loaded.code !== 0) return { readers, available: true, ok: false, error: `db:load: ${loaded.output}` };
    return {
      readers,
      available: true,
      ok: true,
      seconds: loaded.seconds,
      generateSeconds: generated.seconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(command: string, args: string[], env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, output: output.trim(), seconds: Math.round((performance.now() - started) / 100) / 10 };
}
