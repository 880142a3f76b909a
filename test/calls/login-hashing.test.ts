/**
 * A login's PIN hashing holds nothing (issue #9): it runs before the webhook's transaction, with
 * no connection taken from the line's pool and no transaction open anywhere on the database, and
 * it costs one hash per attempt whether or not the card exists.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { transactionGate } from "../../src/db/transaction-gate.js";
import { verifyPin } from "../../src/security/pin-hash.js";
import { pinCheckSlots } from "../../src/voice/pin-check-slots.js";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import { lockOf, login, prompt, TWINS, twinsFixture, useDemoLine } from "./call-helpers.js";
import { callParams, newCallSid, post } from "./signed-posts.js";

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
      pinChecks: pinCheckSlots(
        async (pin, stored) => {
          checks.push({ permitsHeld: gate.held, transactionsOpen: await transactionsOpen() });
          return verifyPin(pin, stored);
        },
        { slots: 10, maxWaitMs: 5_000, refuseNewCallsPast: 100, refuseNewCallsAfterWaitMs: 60_000 },
      ),
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

  // Reader 1's summary: heard only once logged in.
  const loggedIn = prompt("en", "summary.loans", { count: "3" });
  const nothingHeld: HashCheck = { permitsHeld: 0, transactionsOpen: driver === "postgres" ? 0 : null };

  it("hashes the right PIN once, with no connection or transaction held", async () => {
    checks.length = 0;
    const result = await call(line.app, login("2100000001", "135790"));
    expect(result.heard.join(" ")).toContain(loggedIn);
    expect(checks).toEqual([nothingHeld]);
  });

  it("hashes a wrong PIN once, and an unknown card's keys once, against the decoy", async () => {
    expect(await hashesOfLogin("2100000001", "999999")).toEqual([nothingHeld]);
    expect(await hashesOfLogin("2999999999", "135790")).toEqual([nothingHeld]);
  });

  it("keeps the lockout exact when wrong PINs for one account arrive all at once", async () => {
    // Eight calls at the PIN prompt of one account, whose wrong PINs are all hashed at once
    // before any of them locks the account's row to count its failure.
    const base = line.app.baseUrl;
    const callSids = Array.from({ length: 8 }, () => newCallSid());
    for (const callSid of callSids) {
      await post(`${base}/voice/incoming`, callParams(callSid));
      await post(`${base}/voice/step?seq=1`, callParams(callSid, { Digits: "3" }));
      await post(`${base}/voice/step?seq=2&lang=en`, callParams(callSid, { Digits: "2100000001" }));
    }
    const answers = await Promise.all(
      callSids.map((callSid) =>
        post(`${base}/voice/step?seq=3&lang=en`, callParams(callSid, { Digits: "999999" })),
      ),
    );
    for (const answer of answers) expect(answer.body).toContain(prompt("en", "login.failed"));
    // The fifth failure locked it (its count starting again); the three after met the lock.
    const lock = await lockOf(line.demo.db, "2100000001");
    expect(lock.phoneLockedUntil).not.toBeNull();
    expect(lock.failedPinAttempts).toBe(0);
    // Locked: the right PIN does not log in now.
    const afterwards = await call(line.app, login("2100000001", "135790"));
    expect(afterwards.heard.join(" ")).toContain(prompt("en", "login.failed"));
    expect(afterwards.heard.join(" ")).not.toContain(loggedIn);
  });

  it("hashes once for each account that shares the HKID digits keyed", async () => {
    expect(await hashesOfLogin(TWINS.hkidDigits, TWINS.pin)).toEqual([nothingHeld, nothingHeld]);
  });
});
