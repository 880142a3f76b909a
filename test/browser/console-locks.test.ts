/**
 * Locked accounts in headless Chromium: a staff operator sees the lock but no way to lift it, and
 * a lift forged from their page is refused; an admin lifts a lock with its button. PGlite only.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it, type TestContext } from "vitest";
import { patrons } from "../../src/db/schema/index.js";
import { DEMO_NOW, keyFiveWrongPins, lockOf, patronIdOf } from "../calls/call-helpers.js";
import { type ConsolePage, expectCleanPage, postFromPage, useConsoleLine } from "../support/browser.js";
import { TEST_LOCKOUT } from "../support/voice-app.js";

const READER_1 = { card: "2100000001", name: "Chan Tai Man" };
const READER_2 = { card: "2100000002", name: "Wong Siu Ming" };
const LOCKED_UNTIL = new Date(Date.parse(DEMO_NOW) + TEST_LOCKOUT.minutes * 60_000);

describe("locked accounts in Chromium", () => {
  const line = useConsoleLine();

  /** Locks the reader's account by phone; answers their patron id. */
  async function lockByPhone(card: string): Promise<number> {
    await keyFiveWrongPins(line.app, card);
    expect((await lockOf(line.demo.db, card)).phoneLockedUntil).toEqual(LOCKED_UNTIL);
    return patronIdOf(line.demo.db, card);
  }

  /** The same lock, written straight to the reader's row. */
  async function lockDirectly(card: string): Promise<number> {
    await line.demo.db
      .update(patrons)
      .set({ phoneLockedAt: new Date(DEMO_NOW), phoneLockedUntil: LOCKED_UNTIL })
      .where(eq(patrons.cardNumber, card));
    return patronIdOf(line.demo.db, card);
  }

  async function signedIn(test: TestContext, name: string, role: "staff" | "admin"): Promise<ConsolePage> {
    const tab = await line.signedInPage(test, name, role);
    await tab.page.getByRole("link", { name: "Locked accounts" }).click();
    await tab.page.waitForURL(`${line.app.baseUrl}/ops/locks`);
    return tab;
  }

  function lockRows(tab: ConsolePage) {
    return tab.page.locator("#locks tbody tr");
  }

  it("shows a staff operator the lock with no lift button, and refuses a lift forged from their page", async (test) => {
    const patronId = await lockByPhone(READER_1.card);
    const before = await lockOf(line.demo.db, READER_1.card);
    const tab = await signedIn(test, "sam", "staff");
    const { page } = tab;

    const row = page.locator(`#locks tr[data-patron-id="${patronId}"]`);
    expect(await lockRows(tab).count()).toBe(1);
    expect(await row.locator("td").allTextContents()).toEqual([
      "…0001",
      READER_1.name,
      "2026-12-01 10:00:00",
      "2026-12-01 10:30:00",
    ]);
    expect(await page.getByRole("button", { name: /lift/i }).count()).toBe(0);
    expect(await page.locator('form[action$="/lift"]').count()).toBe(0);
    expect(await page.locator("main").textContent()).toContain("Only an admin can lift a lock.");
    await tab.screenshot();

    // The session's own CSRF token (from the sign-out form): refused for the role alone.
    const csrf = await page.locator('form.signout input[name="csrf"]').inputValue();
    expect(csrf).not.toBe("");
    const response = await postFromPage(tab, `/ops/locks/${patronId}/lift`, { csrf });
    expect(response.status()).toBe(403);
    expect(await page.locator("body").textContent()).toContain("Only an admin may do this.");
    await tab.screenshot("forged lift refused");
    expect(await lockOf(line.demo.db, READER_1.card)).toEqual(before);

    // Back on the page, the lock is still there.
    await page.goto(`${line.app.baseUrl}/ops/locks`);
    expect(await lockRows(tab).count()).toBe(1);
    expectCleanPage(tab, [`403 /ops/locks/${patronId}/lift`]);
  });

  it("lets an admin lift one lock with its button: the row goes, the other stays, the database agrees", async (test) => {
    const lifted = await lockDirectly(READER_2.card);
    const kept = await lockDirectly(READER_1.card);
    const tab = await signedIn(test, "alice", "admin");
    const { page } = tab;
    expect(await lockRows(tab).count()).toBe(2);
    await tab.screenshot("before");

    await Promise.all([
      page.waitForURL(`${line.app.baseUrl}/ops/locks?lifted=1`),
      page.getByRole("button", { name: "Lift lock on card …0002" }).click(),
    ]);
    expect(await page.locator('p[role="status"]').textContent()).toBe(
      "The lock was lifted: the reader can log in by telephone again.",
    );
    expect(await page.locator(`#locks tr[data-patron-id="${lifted}"]`).count()).toBe(0);
    expect(await page.locator(`#locks tr[data-patron-id="${kept}"]`).count()).toBe(1);
    expect(await lockOf(line.demo.db, READER_2.card)).toEqual({
      failedPinAttempts: 0,
      phoneLockedAt: null,
      phoneLockedUntil: null,
    });
    expect((await lockOf(line.demo.db, READER_1.card)).phoneLockedUntil).toEqual(LOCKED_UNTIL);
    await tab.screenshot();

    // The last one: the page then says nothing is locked.
    await Promise.all([
      page.waitForURL(`${line.app.baseUrl}/ops/locks?lifted=1`),
      page.getByRole("button", { name: "Lift lock on card …0001" }).click(),
    ]);
    await page.locator("#no-locks").waitFor();
    expect(await page.locator("#no-locks").textContent()).toBe("No account is locked.");
    expect((await lockOf(line.demo.db, READER_1.card)).phoneLockedUntil).toBeNull();
    expectCleanPage(tab);
  });
});
