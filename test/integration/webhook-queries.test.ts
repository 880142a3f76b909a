/**
 * A webhook does its work in a small fixed number of queries whatever the number of loans:
 * the line will be load-tested, and a query per loan would not survive it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeCall } from "../../src/simulator/call-simulator.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";
import { startVoiceApp, type VoiceApp } from "../support/voice-app.js";

const NOW = "2026-12-01T10:00:00+08:00";

function libraryWith(loansOfSecondReader: number) {
  const reader = (cardNumber: string, pin: string) => ({
    cardNumber,
    name: `Reader ${cardNumber.slice(-2)}`,
    phone: "91234567",
    pin,
    category: "adult",
    status: "active",
    expiresOn: "2030-06-30",
  });
  const barcodes = Array.from(
    { length: 1 + loansOfSecondReader },
    (_, i) => `3400000000${String(i).padStart(4, "0")}`,
  );
  return {
    patrons: [reader("2100000001", "1111"), reader("2100000002", "2222")],
    titles: barcodes.map((_, i) => ({ id: `T${i}`, title: `Title ${i}` })),
    items: barcodes.map((barcode, i) => ({ barcode, titleId: `T${i}`, status: "on_loan" })),
    loans: barcodes.map((barcode, i) => ({
      barcode,
      cardNumber: i === 0 ? "2100000001" : "2100000002",
      borrowedOn: "2026-11-20",
      // Some overdue, so charges are read and recorded too.
      dueOn: i % 3 === 0 ? "2026-11-28" : "2026-12-04",
      renewals: 0,
    })),
  };
}

describe("queries per webhook", () => {
  let database: TestDatabase;
  let app: VoiceApp;
  let queries = 0;

  beforeAll(async () => {
    database = await createTestDatabase("pglite", { onQuery: () => queries++ });
    await loadFixture(database.db, libraryWith(30));
    app = await startVoiceApp({ db: database.db, now: NOW });
  });
  afterAll(async () => {
    await app?.close();
    await database?.dispose();
  });

  /** Queries run while answering each webhook of a scripted call, in order. */
  async function queriesPerWebhook(script: string[]): Promise<number[]> {
    const counts: number[] = [];
    await placeCall({
      baseUrl: app.baseUrl,
      authToken: app.authToken,
      script,
      fetch: async (input, init) => {
        const before = queries;
        const response = await fetch(input, init);
        counts.push(queries - before);
        return response;
      },
    });
    return counts;
  }

  it("is the same for a reader with 1 loan and one with 30, at every step of a renewing call", async () => {
    // language, card, PIN (login + summary), renew all, hear loans, charges, end, status callback
    const one = await queriesPerWebhook(["3", "2100000001#", "1111#", "0", "9", "2", "3", "*"]);
    const thirty = await queriesPerWebhook(["3", "2100000002#", "2222#", "0", "9", "2", "3", "*"]);

    expect(thirty).toEqual(one);
    expect(one.length).toBeGreaterThanOrEqual(8);
    // And small: no webhook needs more than a couple of dozen statements.
    expect(Math.max(...one)).toBeLessThanOrEqual(25);
  });
});
