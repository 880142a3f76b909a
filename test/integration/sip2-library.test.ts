/**
 * The sip2 library system on its own, against the fake ILS on its fixture library and a real
 * database: what the call suites do not reach directly (the request key's replay, the caller ID
 * shortcut's PIN-only rule, the reader records).
 */
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { patrons } from "../../src/db/schema/index.js";
import type { LibraryRequest, LibrarySystem } from "../../src/library-system/library-system.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { sip2LibraryFor } from "../support/library-line.js";
import { fixtureLibrary } from "../support/sip2/library.js";
import { Sip2TestServer } from "../support/sip2-test-server.js";

const NOW = new Date("2026-12-01T02:00:00Z");
const TODAY = "2026-12-01";
const LOCKOUT = { attempts: 5, minutes: 30 };
const CHAN = "2100000001";

describe.each(DRIVERS)("the sip2 library system on %s", (driver) => {
  let database: TestDatabase;
  let server: Sip2TestServer;
  let library: LibrarySystem;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    const fixture = fixtureLibrary();
    fixture.accounts = [{ user: "phone-line", password: "line-secret" }];
    fixture.patrons[0] = {
      ...fixture.patrons[0],
      card: CHAN,
      pin: "1357",
      name: "Chan Tai Man",
      phone: "91234567",
    };
    server = await Sip2TestServer.start({ library: fixture });
    library = sip2LibraryFor(server);
  });
  afterAll(async () => {
    await library?.close();
    await server?.close();
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
  });

  const inTransaction = <T>(work: (request: LibraryRequest) => Promise<T>) =>
    database.db.transaction((tx) => work({ tx, today: TODAY, now: NOW }));
  const verify = async () => true;

  it("an unknown card names no account and leaves no reader record", async () => {
    expect(await inTransaction((r) => library.findCandidates(r, "2199999999"))).toEqual([]);
    expect(await inTransaction((r) => library.findCandidates(r, "12"))).toEqual([]);
    const [row] = await database.db.select({ n: count() }).from(patrons);
    expect(row?.n).toBe(0);
  });

  it("a known card gets one reader record, kept with the phone the ILS sent", async () => {
    const first = await inTransaction((r) => library.findCandidates(r, CHAN));
    const again = await inTransaction((r) => library.findCandidates(r, CHAN));
    expect(again).toEqual(first);
    const rows = await database.db.select().from(patrons);
    expect(rows.map((p) => [p.cardNumber, p.phone, p.pinHash])).toEqual([[CHAN, "91234567", null]]);
  });

  it("the PIN is the ILS's to check; the phone's last four count, except on the caller ID shortcut", async () => {
    const candidates = await inTransaction((r) => library.findCandidates(r, CHAN));
    const check = (secret: string, pinOnly = false) =>
      inTransaction((r) =>
        library.checkCredentials(r, candidates, secret, {
          precheck: null,
          verify,
          lockout: LOCKOUT,
          pinOnly,
        }),
      );
    expect(await check("1357")).toMatchObject({ result: "ok", cardNumber: CHAN });
    expect(await check("4567")).toMatchObject({ result: "ok" });
    expect(await check("4567", true)).toEqual({ result: "failed", lockedAccounts: 0 });
    expect(await check("0000")).toEqual({ result: "failed", lockedAccounts: 0 });
    const [row] = await database.db.select().from(patrons).where(eq(patrons.cardNumber, CHAN));
    expect(row?.failedPinAttempts).toBe(2);
  });

  it("a request key renews once: the same key again replays the first outcome", async () => {
    const [patronId] = await inTransaction((r) => library.findCandidates(r, CHAN));
    if (patronId === undefined) throw new Error("no reader");
    const renewal = {
      patronId,
      choice: { kind: "all" } as const,
      channel: "phone",
      requestKey: "call:CA1:4",
    };
    const first = await inTransaction((r) => library.renew(r, renewal));
    const applied = server.renewalsApplied;
    const second = await inTransaction((r) => library.renew(r, renewal));

    expect(first.replayed).toBe(false);
    expect(second).toMatchObject({ replayed: true, trn: first.trn });
    expect(server.renewalsApplied).toBe(applied);
    // Both of the reader's loans renewed, once.
    expect(first.results.map((r) => [r.barcode, r.outcome])).toEqual([
      ["34000000000001", "renewed"],
      ["34000000000002", "renewed"],
    ]);
  });

  it("renewing one item not on loan to the reader asks the ILS nothing and says NOT_ON_LOAN", async () => {
    const [patronId] = await inTransaction((r) => library.findCandidates(r, CHAN));
    if (patronId === undefined) throw new Error("no reader");
    const before = server.requestsOf("29");
    const outcome = await inTransaction((r) =>
      library.renew(r, {
        patronId,
        choice: { kind: "one", ref: "34000000000003" },
        channel: "phone",
        requestKey: "call:CA2:4",
      }),
    );
    expect(outcome.results.map((r) => [r.outcome, r.primaryReason, r.title])).toEqual([
      ["refused", "NOT_ON_LOAN", ""],
    ]);
    expect(server.requestsOf("29")).toBe(before);
  });
});
