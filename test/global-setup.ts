/**
 * Once before every suite: compiles the line as `npm start` does (scripts/build.mjs), so that
 * the suites that start it as a process of its own run the very code npm start runs.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
