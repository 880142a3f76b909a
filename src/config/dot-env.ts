import { existsSync } from "node:fs";

/** Reads `.env` in the working folder into process.env when there is one (variables already set win). */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
