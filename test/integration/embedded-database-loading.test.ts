/**
 * A line on PostgreSQL keeps PGlite out of its process (issue #9, memory): database.ts imports
 * the embedded database only for a PGlite target. Checked in a child process started as
 * `npm start` starts the line (`node --import tsx`), with a module hook that refuses to resolve
 * @electric-sql/pglite: opening a PostgreSQL target must not ask for it, opening a PGlite one
 * must (else the check could not fail). postgres.js connects on the first query, so no server is
 * needed.
 */
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;

// Runs in the module hooks' thread, ahead of tsx's hooks.
const REFUSE_PGLITE = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes("/node_modules/@electric-sql/pglite/")) throw new Error("PGLITE WAS LOADED");
  return resolved;
}`;

const openTarget = (target: string) => `
import { register } from "node:module";
register("data:text/javascript,${encodeURIComponent(REFUSE_PGLITE)}");
const { openDatabase } = await import("./src/db/database.ts");
const database = await openDatabase(${target});
await database.close();
console.log("opened", database.kind);
`;

function run(script: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", NODE_ENV: "test" }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}

describe("which database code a target loads", () => {
  it("opens a PostgreSQL target without loading PGlite", async () => {
    const result = await run(openTarget(`{ kind: "postgres", url: "postgres://nobody@127.0.0.1:1/none" }`));
    expect(result.output).not.toContain("PGLITE WAS LOADED");
    expect(result.output).toContain("opened postgres");
    expect(result.code).toBe(0);
  });

  it("loads PGlite for an embedded target (the hook does see it)", async () => {
    const result = await run(openTarget(`{ kind: "pglite", dataDir: null }`));
    expect(result.output).toContain("PGLITE WAS LOADED");
    expect(result.code).not.toBe(0);
  });
});
