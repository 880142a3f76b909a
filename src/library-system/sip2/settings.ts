/**
 * The SIP2 connection's settings (library-system.md, "SIP2 connection"), read from the environment
 * through one zod schema. A bad value stops the command with a message naming the variable.
 */
import { z } from "zod";
import { SIP2_CHARSETS, type Sip2Charset } from "./charset.js";

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const onOff = z.enum(["on", "off"]);
const required = (what: string) => z.string({ error: `required: ${what}` }).min(1, `required: ${what}`);

// Empty strings in .env files mean "not set".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

// The login password is never quoted back in an error: a zod message names the field only.
const sip2EnvironmentSchema = z.object({
  SIP2_HOST: required("the ILS's SIP2 host name or address"),
  SIP2_PORT: optional(integer(1, 65_535)).default(6001),
  SIP2_TLS: optional(onOff).default("off"),
  SIP2_USER: required("the SIP2 login (CN) the ILS gave the line"),
  SIP2_PASSWORD: required("the SIP2 login's password (CO)"),
  SIP2_INSTITUTION: required("the institution id (AO)"),
  SIP2_LOCATION: optional(z.string().min(1)),
  SIP2_CHECKSUMS: optional(onOff).default("on"),
  SIP2_TIMEOUT_MS: optional(integer(100, 60_000)).default(5000),
  SIP2_POOL: optional(integer(1, 64)).default(2),
  SIP2_CHARSET: optional(z.enum(SIP2_CHARSETS)).default("utf-8"),
  // "koha", "evergreen" (the mapping files bundled), or the path of a library's own file.
  SIP2_REFUSALS: optional(z.string().min(1)).default("koha"),
});

export interface Sip2Settings {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  institution: string;
  location: string | null;
  checksums: boolean;
  timeoutMs: number;
  poolSize: number;
  charset: Sip2Charset;
  /** The refusal mapping: screen messages (AF) to reason codes (refusal-mapping.ts). */
  refusals: string;
}

export class Sip2SettingsError extends Error {
  override readonly name = "Sip2SettingsError";
}

export function loadSip2Settings(env: Record<string, string | undefined>): Sip2Settings {
  const parsed = sip2EnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Sip2SettingsError(`Invalid SIP2 settings:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    host: e.SIP2_HOST,
    port: e.SIP2_PORT,
    tls: e.SIP2_TLS === "on",
    user: e.SIP2_USER,
    password: e.SIP2_PASSWORD,
    institution: e.SIP2_INSTITUTION,
    location: e.SIP2_LOCATION ?? null,
    checksums: e.SIP2_CHECKSUMS === "on",
    timeoutMs: e.SIP2_TIMEOUT_MS,
    poolSize: e.SIP2_POOL,
    charset: e.SIP2_CHARSET,
    refusals: e.SIP2_REFUSALS,
  };
}
