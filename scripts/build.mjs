/**
 * `npm start` runs the line compiled to plain JavaScript in dist/, not under tsx: tsx's loader
 * thread, its esbuild service and its source maps cost the serving process 45-90 MB of RSS
 * (issue #9, memory). This compiles each file of src/ on its own (no bundle, so every module
 * keeps its place) and links what the code finds beside itself through import.meta.url.
 * The commands (db:load, ops:user, call, bench) still run the TypeScript under tsx.
 */
import { mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, "dist");

function sourcesIn(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesIn(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: sourcesIn(join(root, "src")),
  outbase: join(root, "src"),
  outdir: join(out, "src"),
  format: "esm",
  platform: "node",
  target: "node20",
  tsconfig: join(root, "tsconfig.json"),
  logLevel: "warning",
});

// Folders the code reads at run time, relative to its own file (src/voice/flow-definition.ts:
// ../../voice-flows, and so on): the same folders, not copies, so an edit needs no rebuild.
for (const folder of [
  "voice-flows",
  "drizzle",
  "demo",
  "src/ops/assets",
  "src/library-system/sip2/refusals",
]) {
  const link = join(out, folder);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(relative(dirname(link), join(root, folder)), link);
}
