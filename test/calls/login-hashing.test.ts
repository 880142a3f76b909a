/**
 * A login's PIN hashing holds nothing (issue #9): it runs before the webhook's transaction, with
 * no connection taken from the line's pool and no transaction open anywhere on the database, and
 * it costs one hash per attempt whether or not the card exists.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import { login, TWINS, twinsFixture, useDemoLine } from "./call-helpers.js";

interface HashCheck {
  /** Line pool permits held while hashing: a transaction open or opening. */
  permitsHeld: number;
  /** PostgreSQL sessions of this database inside a transaction while hashing (null on PGlite). */
  transactionsOpen: number | null;
}

describe.each(DRIVERS)("a login's hashing, on %s", (driver) => {
  const gate = transactionGate(10);
  const checks: HashCheck[] = [];
  const line = useDemoLine(driver, {
    extra: twinsFixture(),
    app: {
      lineGate: gate,
      pinVerifier: async (pin, stored) => {
        checks.push({ permitsHeld: gate.held, transactionsOpen: await transactionsOpen() });
        return verifyPin(pin, stored);
      },
    },
  });

  async function transactionsOpen(): Promise<number | null> {
    if (driver !== "postgres") return null;
    const result = await line.demo.db.execute(
      sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and state like 'idle in transaction%'`,
    );
    return (result as unknown as { n: number }[])[0]?.n ?? null;
  }

  async function hashesOfLogin(identifier: string, secret: string): Promise<HashCheck[]> {
    checks.length = 0;
    await call(line.app, login(identifier, secret));
    return [...checks];
  }

  const nothingHeld: HashCheck = { permitsHeld: 0, transactionsOpen: driver === "postgres" ? 0 : null };

  it("hashes the right PIN once, with no connection or transaction held", async () => {
    checks.length = 0;
    const result = await call(line.app, login("2100000001", "135790"));
    expect(result.heard.join(" ")).toContain("Items on loan");
    expect(checks).toEqual([nothingHeld]);
  });

  it("hashes a wrong PIN once, and an unknown card's keys once, against the decoy", async () => {
    expect(await hashesOfLogin("2100000001", "999999")).toEqual([nothingHeld]);
    expect(await hashesOfLogin("2999999999", "135790")).toEqual([nothingHeld]);
  });

  it("hashes once for each account that shares the HKID digits keyed", async () => {
    expect(await hashesOfLogin(TWINS.hkidDigits, TWINS.pin)).toEqual([nothingHeld, nothingHeld]);
  });
});
