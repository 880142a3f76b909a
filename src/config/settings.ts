/**
 * Every setting, read once at start through one zod schema (product.md, "Fixed interfaces").
 * A bad value stops the start with a message naming the variable.
 */
import { z } from "zod";
import { LIBRARY_SYSTEM_KINDS } from "../library-system/library-system.js";
import { loadSip2Settings, type Sip2Settings, Sip2SettingsError } from "../library-system/sip2/settings.js";
import { parseHkdToCents } from "../money/hkd.js";
import type { RenewalPolicy } from "../rules/policy.js";
import { DEFAULT_POLICY } from "../rules/policy.js";
import { DEFAULT_OFFICE_HOURS, type OfficeHours, parseOfficeHours } from "../voice/office-hours.js";

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const hkdAmount = z.string().transform((text, ctx) => {
  const cents = parseHkdToCents(text);
  if (cents === null) {
    ctx.addIssue({ code: "custom", message: `expected an amount in HK$ such as "130.00", got "${text}"` });
    return z.NEVER;
  }
  return cents;
});

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected an IANA time zone such as Asia/Hong_Kong" },
);

const officeHours = z.string().transform((text, ctx) => {
  const hours = parseOfficeHours(text);
  if (!hours) {
    ctx.addIssue({
      code: "custom",
      message: 'expected periods such as "mon-fri 09:00-18:00, sat 09:00-13:00"',
    });
    return z.NEVER;
  }
  return hours;
});

const isoInstant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

// Empty strings in .env files mean "not set".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const environmentSchema = z.object({
  NODE_ENV: optional(z.enum(["development", "test", "production"])).default("development"),
  PORT: optional(integer(0, 65_535)).default(3000),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ })),
  PGLITE_DIR: optional(z.string().min(1)).default(".data/pglite"),
  PUBLIC_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  TWILIO_AUTH_TOKEN: optional(z.string().min(8)),
  IDENTITY_HASH_KEY: optional(z.string().min(32, "must be at least 32 characters")),
  METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),
  TRUST_PROXY: optional(
    z
      .string()
      .regex(
        /^(\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+))*)$/,
        {
          message: "expected a number of proxies (1), or addresses and names such as loopback, 10.0.0.0/8",
        },
      )
      .transform((text) => (/^\d+$/.test(text) ? Number(text) : text)),
  ),
  LIBRARY_TZ: optional(timeZone).default("Asia/Hong_Kong"),
  FIXED_NOW: optional(isoInstant),
  LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])).default("info"),
  LOAN_PERIOD_DAYS: optional(integer(1, 366)),
  RENEWAL_LIMIT: optional(integer(0, 100)),
  ITEM_CHARGE_CEILING: optional(hkdAmount),
  ACCOUNT_CHARGE_CEILING: optional(hkdAmount),
  DAILY_RATE_ADULT: optional(hkdAmount),
  DAILY_RATE_JUNIOR: optional(hkdAmount),
  OVERDUE_TIME_LIMIT_DAYS: optional(integer(0, 3650)),
  STAFF_PHONE_NUMBER: optional(
    z.string().regex(/^\+?[0-9]{3,15}$/, "expected a phone number such as +85221234567"),
  ),
  OFFICE_HOURS: optional(officeHours),
  ENQUIRY_LINE_NUMBER: optional(
    z.string().regex(/^[0-9 ]{3,20}$/, "expected digits such as 2928 4547"),
  ).default("2928 4547"),
  TWILIO_ACCOUNT_SID: optional(
    z.string().regex(/^AC[0-9a-fA-F]{32}$/, "expected AC followed by 32 hex digits"),
  ),
  TWILIO_SMS_FROM: optional(
    z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$/,
        "expected an E.164 number, a messaging service SID or a sender id",
      ),
  ),
  PIN_LOCK_ATTEMPTS: optional(integer(1, 100)).default(5),
  PIN_LOCK_MINUTES: optional(integer(1, 24 * 60)).default(30),
  OPS_SESSION_HOURS: optional(integer(1, 24 * 30)).default(8),
  CALLER_ID_SHORTCUT: optional(z.enum(["on", "off"])).default("on"),
  LIBRARY_SYSTEM: optional(z.enum(LIBRARY_SYSTEM_KINDS)).default("embedded"),
});

export interface Settings {
  nodeEnv: "development" | "test" | "production";
  port: number;
  databaseUrl: string | null;
  pgliteDir: string;
  publicBaseUrl: string;
  /** Null until resolved: development generates one (see development-secrets.ts). */
  twilioAuthToken: string | null;
  identityHashKey: string | null;
  /** Null: GET /metrics is off (404). Set: it answers with this bearer token only. */
  metricsToken: string | null;
  /**
   * Express's "trust proxy": which proxies' X-Forwarded-For to believe, so that the client's own
   * address (the console's login throttle) is used behind a load balancer. Null: trust none.
   */
  trustProxy: number | string | null;
  libraryTimeZone: string;
  fixedNow: Date | null;
  logLevel: string;
  policy: RenewalPolicy;
  lockout: { attempts: number; minutes: number };
  staff: { phoneNumber: string | null; officeHours: OfficeHours; enquiryLine: string };
  /** Null unless both the account SID and a sender are set: then the line offers SMS. */
  sms: { accountSid: string; from: string } | null;
  /** The operator console: how long a login lasts. */
  ops: { sessionHours: number };
  /** A caller whose number is one reader's registered phone may key just the PIN (voice-line.md). */
  callerIdShortcut: boolean;
  /** Where readers, loans and renewals live (library-system.md); sip2 brings its SIP2_* settings. */
  librarySystem: { kind: "embedded" } | { kind: "sip2"; sip2: Sip2Settings };
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

export function loadSettings(env: Record<string, string | undefined>): Settings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new SettingsError(`Invalid settings:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production") {
    const missing = (["TWILIO_AUTH_TOKEN", "IDENTITY_HASH_KEY"] as const).filter((name) => !e[name]);
    if (missing.length > 0) {
      throw new SettingsError(
        `Invalid settings:\n${missing.map((name) => `  ${name}: required in production`).join("\n")}`,
      );
    }
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    pgliteDir: e.PGLITE_DIR,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    twilioAuthToken: e.TWILIO_AUTH_TOKEN ?? null,
    identityHashKey: e.IDENTITY_HASH_KEY ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    trustProxy: e.TRUST_PROXY ?? null,
    libraryTimeZone: e.LIBRARY_TZ,
    fixedNow: e.FIXED_NOW ?? null,
    logLevel: e.LOG_LEVEL,
    policy: {
      loanPeriodDays: e.LOAN_PERIOD_DAYS ?? DEFAULT_POLICY.loanPeriodDays,
      renewalLimit: e.RENEWAL_LIMIT ?? DEFAULT_POLICY.renewalLimit,
      itemChargeCeilingCents: e.ITEM_CHARGE_CEILING ?? DEFAULT_POLICY.itemChargeCeilingCents,
      accountChargeCeilingCents: e.ACCOUNT_CHARGE_CEILING ?? DEFAULT_POLICY.accountChargeCeilingCents,
      dailyOverdueRateCents: {
        adult: e.DAILY_RATE_ADULT ?? DEFAULT_POLICY.dailyOverdueRateCents.adult,
        junior: e.DAILY_RATE_JUNIOR ?? DEFAULT_POLICY.dailyOverdueRateCents.junior,
      },
      overdueTimeLimitDays: e.OVERDUE_TIME_LIMIT_DAYS ?? DEFAULT_POLICY.overdueTimeLimitDays,
    },
    lockout: { attempts: e.PIN_LOCK_ATTEMPTS, minutes: e.PIN_LOCK_MINUTES },
    staff: {
      phoneNumber: e.STAFF_PHONE_NUMBER ?? null,
      officeHours: e.OFFICE_HOURS ?? DEFAULT_OFFICE_HOURS,
      enquiryLine: e.ENQUIRY_LINE_NUMBER,
    },
    sms:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_SMS_FROM
        ? { accountSid: e.TWILIO_ACCOUNT_SID, from: e.TWILIO_SMS_FROM }
        : null,
    ops: { sessionHours: e.OPS_SESSION_HOURS },
    callerIdShortcut: e.CALLER_ID_SHORTCUT === "on",
    librarySystem:
      e.LIBRARY_SYSTEM === "sip2" ? { kind: "sip2", sip2: sip2SettingsOf(env) } : { kind: "embedded" },
  };
}

/** The SIP2_* settings, read only when LIBRARY_SYSTEM=sip2; their problems stop the start too. */
function sip2SettingsOf(env: Record<string, string | undefined>): Sip2Settings {
  try {
    return loadSip2Settings(env);
  } catch (error) {
    if (error instanceof Sip2SettingsError) throw new SettingsError(error.message);
    throw error;
  }
}

/** Every environment variable the app reads, for .env.example and its test. */
export const SETTING_NAMES = Object.keys(environmentSchema.shape);
