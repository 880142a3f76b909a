/**
 * What `npm start` runs, read from package.json's start script ("NAME=value … node ARGS"), so
 * that the tests and the benchmark start the line exactly as npm start does, but as node itself
 * (npm's pid is not the line's). The script's prestart (scripts/build.mjs) must have run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface StartCommand {
  /** Environment the script sets before node (GLIBC_TUNABLES). */
  env: Record<string, string>;
  /** node's arguments. */
  args: string[];
}

export function startCommand(root: string): StartCommand {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes("=")) {
    const [name, ...value] = (words.shift() as string).split("=");
    env[name as string] = value.join("=");
  }
  const [command, ...args] = words;
  if (command !== "node") throw new Error(`npm start does not run node: ${pkg.scripts.start}`);
  return { env, args };
}
