import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSettings, SETTING_NAMES, SettingsError } from "../../../src/config/settings.js";
import { DEFAULT_POLICY } from "../../../src/rules/policy.js";

describe("settings", () => {
  it("needs nothing in development, with the documented defaults", () => {
    const settings = loadSettings({});
    expect(settings).toMatchObject({
      nodeEnv: "development",
      port: 3000,
      databaseUrl: null,
      pgliteDir: ".data/pglite",
      publicBaseUrl: "http://localhost:3000",
      libraryTimeZone: "Asia/Hong_Kong",
      fixedNow: null,
      logLevel: "info",
      lockout: { attempts: 5, minutes: 30 },
      callerIdShortcut: true,
    });
    expect(settings.policy).toEqual(DEFAULT_POLICY);
  });

  it("turns the caller ID shortcut off with CALLER_ID_SHORTCUT=off, and takes only on or off", () => {
    expect(loadSettings({ CALLER_ID_SHORTCUT: "off" }).callerIdShortcut).toBe(false);
    expect(loadSettings({ CALLER_ID_SHORTCUT: "on" }).callerIdShortcut).toBe(true);
    expect(() => loadSettings({ CALLER_ID_SHORTCUT: "no" })).toThrow(/CALLER_ID_SHORTCUT/);
  });

  it("runs the embedded library system unless LIBRARY_SYSTEM=sip2, which needs its SIP2_* settings", () => {
    expect(loadSettings({}).librarySystem).toEqual({ kind: "embedded" });
    // Embedded ignores SIP2_* entirely, even incomplete.
    expect(loadSettings({ SIP2_HOST: "ils.example.org" }).librarySystem).toEqual({ kind: "embedded" });

    const sip2 = loadSettings({
      LIBRARY_SYSTEM: "sip2",
      SIP2_HOST: "ils.example.org",
      SIP2_USER: "phone-line",
      SIP2_PASSWORD: "never-quoted-back",
      SIP2_INSTITUTION: "MAIN",
      SIP2_REFUSALS: "evergreen",
    }).librarySystem;
    expect(sip2).toMatchObject({
      kind: "sip2",
      sip2: { host: "ils.example.org", port: 6001, institution: "MAIN", refusals: "evergreen", poolSize: 2 },
    });

    let error: unknown;
    try {
      loadSettings({
        LIBRARY_SYSTEM: "sip2",
        SIP2_HOST: "ils.example.org",
        SIP2_PASSWORD: "never-quoted-back",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toContain("SIP2_USER");
    expect((error as Error).message).toContain("SIP2_INSTITUTION");
    expect((error as Error).message).not.toContain("never-quoted-back");
    expect(() => loadSettings({ LIBRARY_SYSTEM: "koha" })).toThrow(/LIBRARY_SYSTEM/);
  });

  it("derives the public base URL from the port, and drops a trailing slash", () => {
    expect(loadSettings({ PORT: "8080" }).publicBaseUrl).toBe("http://localhost:8080");
    expect(loadSettings({ PUBLIC_BASE_URL: "https://line.example.org/" }).publicBaseUrl).toBe(
      "https://line.example.org",
    );
  });

  it("reads policy figures, amounts in HK$ as integer cents", () => {
    const { policy } = loadSettings({
      LOAN_PERIOD_DAYS: "21",
      RENEWAL_LIMIT: "3",
      ITEM_CHARGE_CEILING: "100",
      ACCOUNT_CHARGE_CEILING: "250.5",
      DAILY_RATE_ADULT: "2.00",
      DAILY_RATE_JUNIOR: "0.25",
      OVERDUE_TIME_LIMIT_DAYS: "60",
    });
    expect(policy).toEqual({
      loanPeriodDays: 21,
      renewalLimit: 3,
      itemChargeCeilingCents: 100_00,
      accountChargeCeilingCents: 250_50,
      dailyOverdueRateCents: { adult: 200, junior: 25 },
      overdueTimeLimitDays: 60,
    });
  });

  it("pins the clock with FIXED_NOW", () => {
    expect(loadSettings({ FIXED_NOW: "2026-12-01T10:00:00+08:00" }).fixedNow?.toISOString()).toBe(
      "2026-12-01T02:00:00.000Z",
    );
  });

  it("treats an empty value as unset", () => {
    expect(loadSettings({ PORT: "", DATABASE_URL: "" })).toMatchObject({ port: 3000, databaseUrl: null });
  });

  it("stops on bad values with a message naming every variable at fault", () => {
    let error: unknown;
    try {
      loadSettings({
        PORT: "http",
        LIBRARY_TZ: "Mars/Olympus_Mons",
        FIXED_NOW: "yesterday",
        DAILY_RATE_ADULT: "1.505",
        DATABASE_URL: "mysql://x/y",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as Error).message;
    for (const name of ["PORT", "LIBRARY_TZ", "FIXED_NOW", "DAILY_RATE_ADULT", "DATABASE_URL"]) {
      expect(message).toMatch(new RegExp(`^  ${name}: `, "m"));
    }
  });

  it("does not echo a connection string, which may hold a password", () => {
    expect(() => loadSettings({ DATABASE_URL: "mysql://user:hunter2@db/x" })).toThrow(SettingsError);
    try {
      loadSettings({ DATABASE_URL: "mysql://user:hunter2@db/x" });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  it("refuses to start in production without the Twilio token and the identity hash key", () => {
    expect(() => loadSettings({ NODE_ENV: "production" })).toThrow(
      /TWILIO_AUTH_TOKEN: required in production[\s\S]*IDENTITY_HASH_KEY: required/,
    );
    expect(
      loadSettings({
        NODE_ENV: "production",
        TWILIO_AUTH_TOKEN: "a-real-token",
        IDENTITY_HASH_KEY: "k".repeat(32),
      }).nodeEnv,
    ).toBe("production");
  });

  it("reads TRUST_PROXY as a number of hops or a list of addresses, and refuses anything else", () => {
    expect(loadSettings({}).trustProxy).toBeNull();
    expect(loadSettings({ TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadSettings({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toBe("loopback, 10.0.0.0/8");
    expect(() => loadSettings({ TRUST_PROXY: "everyone; drop table" })).toThrow(/^ {2}TRUST_PROXY: /m);
  });

  it(".env.example names every setting", () => {
    const example = readFileSync(new URL("../../../.env.example", import.meta.url), "utf8");
    const named = new Set([...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((m) => m[1]));
    expect(SETTING_NAMES.filter((name) => !named.has(name))).toEqual([]);
  });
});
