/**
 * What a webhook costs the database (issue #9), counted on PostgreSQL through a TCP proxy that
 * sees every byte: round trips (each time the line sends after hearing back) and statements.
 * BEGIN is pipelined with the first statement and the save with the COMMIT, so a menu key that
 * runs an action costs two round trips and one that reads the account three. A key that runs no
 * action is answered from CallMemory with the save alone, no transaction opened: one round trip.
 * Counts, not timings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/database.js";
import { placeCall } from "../../src/simulator/call-simulator.js";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { startVoiceApp, type VoiceApp } from "../support/voice-app.js";

const NOW = "2026-12-01T10:00:00+08:00";

const LIBRARY = {
  patrons: [
    {
      cardNumber: "2100000001",
      name: "Reader One",
      phone: "91234567",
      pin: "1111",
      category: "adult",
      status: "active",
      expiresOn: "2030-06-30",
    },
  ],
  titles: [
    { id: "T1", title: "Title One" },
    { id: "T2", title: "Title Two" },
  ],
  items: [
    { barcode: "34000000000001", titleId: "T1", status: "on_loan" },
    { barcode: "34000000000002", titleId: "T2", status: "on_loan" },
  ],
  loans: [
    {
      barcode: "34000000000001",
      cardNumber: "2100000001",
      borrowedOn: "2026-11-20",
      dueOn: "2026-11-28",
      renewals: 0,
    },
    {
      barcode: "34000000000002",
      cardNumber: "2100000001",
      borrowedOn: "2026-11-20",
      dueOn: "2026-12-04",
      renewals: 0,
    },
  ],
};

interface WebhookCost {
  roundTrips: number;
  statements: number;
  /** Transactions the line opened (BEGIN ... COMMIT); a lone statement commits by itself. */
  transactions: number;
}

describe.runIf(TEST_DATABASE_URL)("the database work of each webhook, on PostgreSQL", () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let line: DatabaseHandle;
  let app: VoiceApp;
  let statements = 0;
  let transactions = 0;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    await loadFixture(database.db, LIBRARY);
    const url = new URL(database.url as string);
    // Answers reach the line 5 ms late: what it sends before then, it sent without waiting.
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) }, { downDelayMs: 5 });
    line = await openDatabase(
      { kind: "postgres", url: proxy.urlFor(url.toString()) },
      { onQuery: () => statements++ },
    );
    const openTransaction = line.db.transaction.bind(line.db);
    line.db.transaction = (work, config) => {
      transactions++;
      return openTransaction(work, config);
    };
    app = await startVoiceApp({ db: line.db, lineGate: line.lineGate, now: NOW });
  });
  afterAll(async () => {
    await app?.close();
    await line?.close();
    await proxy?.close();
    await database?.dispose();
  });

  /** Round trips and statements of each webhook of a scripted call, in order. */
  async function costs(script: string[]): Promise<WebhookCost[]> {
    const result: WebhookCost[] = [];
    await placeCall({
      baseUrl: app.baseUrl,
      authToken: app.authToken,
      script,
      fetch: async (input, init) => {
        const before = { roundTrips: proxy.counts().roundTrips, statements, transactions };
        const response = await fetch(input, init);
        await response.clone().text();
        result.push({
          roundTrips: proxy.counts().roundTrips - before.roundTrips,
          statements: statements - before.statements,
          transactions: transactions - before.transactions,
        });
        return response;
      },
    });
    return result;
  }

  it("costs each webhook of a call the round trips, statements and transactions pinned here", async () => {
    // Calls that warm the pool first: a connection prepares a statement the first time it runs
    // it (one round trip more), and webhooks take the pool's ten connections in turn.
    const script = ["3", "2100000001#", "1111#", "9", "2", "3", "0", "2", "*"];
    for (let i = 0; i < 12; i++) await costs(script);
    const [incoming, language, card, pin, menuAgain, loans, charges, renewAll, reference, end, status] =
      await costs(script);

    // A key that runs no action is answered from the state this line left the call in: the save
    // alone (storing only if the call is still at that webhook), committed by itself.
    expect(menuAgain).toEqual({ roundTrips: 1, statements: 1, transactions: 0 });
    expect(end).toEqual({ roundTrips: 1, statements: 1, transactions: 0 });
    // Keys that run an action (the reference number spoken again): BEGIN goes with the call's
    // lock, the save with the COMMIT.
    expect(reference).toEqual({ roundTrips: 2, statements: 2, transactions: 1 });
    // The language key also asks whether the caller's number is one reader's phone (the caller-ID
    // shortcut): one indexed lookup more, still within the three round trips of a non-login key.
    expect(language).toEqual({ roundTrips: 3, statements: 3, transactions: 1 });
    // The account read out: its seven queries go together, in one round trip more.
    expect(loans).toEqual({ roundTrips: 3, statements: 9, transactions: 1 });
    expect(charges).toEqual({ roundTrips: 3, statements: 9, transactions: 1 });
    // Renewing locks the reader first, then the loans, and writes the transaction's records.
    expect(renewAll).toEqual({ roundTrips: 7, statements: 12, transactions: 1 });
    // The call's first webhook creates the call with its lock. The card and the PIN look the
    // call up before their transaction (the PIN is hashed then, with no connection held).
    expect(incoming).toEqual({ roundTrips: 2, statements: 2, transactions: 1 });
    expect(card).toEqual({ roundTrips: 4, statements: 4, transactions: 1 });
    expect(pin).toEqual({ roundTrips: 6, statements: 12, transactions: 1 });
    expect(status).toEqual({ roundTrips: 5, statements: 4, transactions: 1 });
  });
});
