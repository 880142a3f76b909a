/**
 * Development needs no settings: secrets that production must be given (TWILIO_AUTH_TOKEN,
 * IDENTITY_HASH_KEY) are generated once and kept in `.data/`, where `npm run call` and
 * `npm run db:load` find the same ones.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Settings } from "./settings.js";

export const DEVELOPMENT_SECRETS_DIR = ".data";

export interface ResolvedSecrets {
  twilioAuthToken: string;
  identityHashKey: string;
}

export function resolveSecrets(settings: Settings, dir = DEVELOPMENT_SECRETS_DIR): ResolvedSecrets {
  // loadSettings already refused a production start without them.
  return {
    twilioAuthToken: settings.twilioAuthToken ?? readOrCreate(join(dir, "twilio-auth-token")),
    identityHashKey: settings.identityHashKey ?? readOrCreate(join(dir, "identity-hash-key")),
  };
}

function readOrCreate(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(join(path, ".."), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
