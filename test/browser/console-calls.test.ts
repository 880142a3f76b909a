/**
 * The operator console in headless Chromium, over calls placed through the real line on the demo
 * library: signing in, a call showing on the live page while it is in progress and then in the
 * log, its detail with the TRN, the TRN enquiry, and the CSV export of a filtered log.
 * PGlite only: these are about the browser; the integration suites run both databases.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it, type TestContext } from "vitest";
import { formatTrn } from "../../src/renewals/trn.js";
import { callRow, login, NEW_DUE, transactions } from "../calls/call-helpers.js";
import {
  type ConsolePage,
  callSidFor,
  expectCleanPage,
  holdCall,
  markPage,
  openConsolePage,
  pageState,
  useConsoleLine,
} from "../support/browser.js";
import { CALL_LOG_CSV_HEADER, parseCsv } from "../support/csv.js";
import { addOperator } from "../support/ops-app.js";
import { call } from "../support/voice-app.js";

/** The live page hears from the server about once a second. */
const POLL = { timeout: 10_000, interval: 100 };

const READER_1 = { card: "2100000001", pin: "135790" };
const READER_1_TITLES = [
  "A Brief History of Time",
  "紅樓夢",
  // Robinson Crusoe's 304-character original title starts so.
  "The Life and Strange Surprizing Adventures of Robinson Crusoe",
];
/** Reader 3: one item renewed, one refused (RESERVED). */
const READER_3 = { card: "2100000003", pin: "0303" };

describe("the console's calls pages in Chromium", () => {
  const line = useConsoleLine();

  /** A staff operator's page, signed in through the form. */
  function staffPage(test: TestContext): Promise<ConsolePage> {
    return line.signedInPage(test, "sam", "staff");
  }

  /** Renews everything for a reader by phone; answers the call and the TRN the database holds. */
  async function renewAll(reader: { card: string; pin: string }, label: string) {
    const result = await call(line.app, [...login(reader.card, reader.pin), "0", "*"], {
      callSid: callSidFor(label),
    });
    const trn = (await transactions(line.demo.db)).at(-1)?.trn;
    if (!trn) throw new Error("the call issued no TRN");
    return { callSid: result.callSid, trn };
  }

  it("sends a visitor to the login form, refuses a wrong password, and signs the operator in", async (test) => {
    const password = await addOperator(line.demo.db, "sam", "staff");
    const tab = await openConsolePage(line.browser, line.app.baseUrl, test);
    const { page } = tab;

    await page.goto(`${line.app.baseUrl}/ops/live`);
    expect(new URL(page.url()).pathname).toBe("/ops/login");
    await page.getByLabel("Name").fill("sam");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('p[role="alert"]').waitFor();
    expect(await page.locator('p[role="alert"]').textContent()).toBe("The name or password is not correct.");
    // The name stays typed; the password does not.
    expect(await page.getByLabel("Name").inputValue()).toBe("sam");
    expect(await page.getByLabel("Password").inputValue()).toBe("");

    await page.getByLabel("Password").fill(password);
    await Promise.all([
      page.waitForURL(`${line.app.baseUrl}/ops/live`),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    expect(await page.locator("header .who").textContent()).toBe("sam (staff)");
    expect(await page.locator("h1").textContent()).toBe("Live calls");
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe("Live calls");
    await tab.screenshot();
    // The refused login is answered 401.
    expectCleanPage(tab, ["401 /ops/login"]);
  });

  it("shows a call on the live page while it is in progress, without a reload; then in the log as Renewed", async (test) => {
    const tab = await staffPage(test);
    const { page } = tab;
    const status = page.locator("#live-status");
    expect(await status.textContent()).toBe("0 calls in progress.");
    expect(await page.locator("#live-calls tbody tr").count()).toBe(0);
    const mark = await markPage(page);

    // The reader logs in and waits at the menu: the call is in progress.
    const caller = holdCall(line.app, callSidFor("live call"));
    caller.press(...login(READER_1.card, READER_1.pin));
    await caller.held();
    const inProgress = await callRow(line.demo.db, caller.callSid);
    expect(inProgress?.endedAt).toBeNull();

    const row = page.locator(`#live-calls tr[data-call-sid="${caller.callSid}"]`);
    // Started, step, language, card, call: the duration ticks on its own.
    const liveCells = async () => {
      const cells = await row.locator("td").allTextContents();
      return [cells[0], cells[2], cells[3], cells[4], cells[5]];
    };
    const expected = (step: string | undefined) => [
      "2026-12-01 10:00:00",
      step,
      "English",
      "…0001",
      caller.callSid,
    ];
    await expect.poll(liveCells, POLL).toEqual(expected(inProgress?.step));
    await expect.poll(() => status.textContent(), POLL).toBe("1 call in progress.");
    expect(await row.locator("td.duration").textContent()).toMatch(/^\d+:\d\d$/);
    await tab.screenshot("in progress");

    // Renew all: the row follows the call to its next step.
    caller.press("0");
    await caller.held();
    const renewed = await callRow(line.demo.db, caller.callSid);
    expect(renewed?.step).not.toBe(inProgress?.step);
    await expect.poll(liveCells, POLL).toEqual(expected(renewed?.step));

    // Hang up: Twilio's status callback closes the call, and the row goes.
    const result = await caller.hangUp();
    expect(result.error).toBeUndefined();
    await row.waitFor({ state: "detached" });
    await expect.poll(() => status.textContent(), POLL).toBe("0 calls in progress.");
    expect(await pageState(page)).toEqual({ mark, navigations: 1 });
    await tab.screenshot("ended");

    await page.getByRole("link", { name: "Call log" }).click();
    await page.locator("#call-log").waitFor();
    const logged = page.locator(`#call-log tr[data-call-sid="${caller.callSid}"]`);
    const logCells = await logged.locator("td").allTextContents();
    expect([logCells[0], logCells[2], logCells[3], logCells[4], logCells[5]]).toEqual([
      "2026-12-01 10:00:00",
      "English",
      "Renewed",
      "…0001",
      caller.callSid,
    ]);
    expect(await page.locator("#call-count").textContent()).toBe("Calls 1–1 of 1, newest first.");
    await tab.screenshot();
    expectCleanPage(tab);
  }, 60_000);

  it("shows a call's renewals with the TRN the database holds, formatted 12345 67890", async (test) => {
    const { callSid, trn } = await renewAll(READER_1, "detail call");
    const tab = await staffPage(test);
    const { page } = tab;

    await page.getByRole("link", { name: "Call log" }).click();
    await page.getByRole("link", { name: callSid }).click();
    await page.waitForURL(`${line.app.baseUrl}/ops/calls/${callSid}`);
    expect(await page.locator("#call-outcome").textContent()).toBe("Renewed");

    const renewals = page.locator("section.renewal");
    expect(await renewals.count()).toBe(1);
    expect(await renewals.getAttribute("data-trn")).toBe(trn);
    const link = renewals.locator("a.trn");
    expect(await link.textContent()).toBe(formatTrn(trn));
    expect(await link.textContent()).toMatch(/^\d{5} \d{5}$/);
    const items = await renewals
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")),
      );
    expect(items).toHaveLength(3);
    for (const title of READER_1_TITLES)
      expect(
        items.some((cells) => cells[1]?.startsWith(title)),
        title,
      ).toBe(true);
    for (const cells of items) expect(cells[3]).toBe(`Renewed to ${NEW_DUE}`);
    // The timeline has the renewal in it.
    expect(await page.locator("#timeline tbody tr").count()).toBeGreaterThan(3);
    await tab.screenshot();

    // The TRN links to the enquiry, which finds the same transaction.
    await link.click();
    await page.locator("#transaction").waitFor();
    expect(await page.locator("#transaction-heading").textContent()).toBe(`Transaction ${formatTrn(trn)}`);
    await tab.screenshot("enquiry");
    expectCleanPage(tab);
  });

  it("finds a renewal by its TRN with every title, and rejects the TRN with one digit changed", async (test) => {
    const { trn } = await renewAll(READER_3, "trn call");
    const tab = await staffPage(test);
    const { page } = tab;
    await page.getByRole("link", { name: "Reference numbers" }).click();
    const field = page.getByLabel("Reference number (TRN)");

    // Typed as printed, with the space.
    await field.fill(formatTrn(trn));
    await page.getByRole("button", { name: "Look up" }).click();
    const section = page.locator("section#transaction");
    await section.waitFor();
    expect(await section.locator("h2").textContent()).toBe(`Transaction ${formatTrn(trn)}`);
    const rows = section.locator("tbody tr");
    expect(await rows.count()).toBe(2);
    const row = (barcode: string) => section.locator(`tr[data-barcode="${barcode}"] td`).allTextContents();
    expect((await row("34000000000007")).slice(0, 3)).toEqual(["34000000000007", "三體", "Not renewed"]);
    expect((await row("34000000000010")).slice(0, 5)).toEqual([
      "34000000000010",
      "The Little Prince",
      "Renewed",
      "2026-12-10",
      NEW_DUE,
    ]);
    expect(await section.textContent()).toContain("1 renewed, 1 not renewed");
    expect(await page.locator('p[role="alert"]').count()).toBe(0);
    await tab.screenshot("found");

    // One digit changed: the check digit catches it before any lookup.
    const last = Number(trn.at(-1));
    const mistyped = `${trn.slice(0, 9)}${(last + 1) % 10}`;
    await field.fill(mistyped);
    await page.getByRole("button", { name: "Look up" }).click();
    const alert = page.locator('p[role="alert"].error');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "This is not a valid reference number: a digit is wrong or two digits are swapped. Check it with the reader.",
    );
    expect(await section.count()).toBe(0);
    expect(await field.inputValue()).toBe(mistyped);
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await tab.screenshot();
    expectCleanPage(tab, [`400 /ops/trn?trn=${mistyped}`]);
  });

  it("exports exactly the calls the log's filter shows as CSV", async (test) => {
    // Reader 1 calls twice (renews, then logs in and says goodbye); reader 3's call and a call
    // that never logs in must be left out by the filter on card last four.
    const first = await renewAll(READER_1, "csv reader 1 renews");
    line.app.setNow("2026-12-01T10:20:00+08:00");
    const other = await renewAll(READER_3, "csv reader 3 renews");
    line.app.setNow("2026-12-01T10:40:00+08:00");
    const second = await call(line.app, [...login(READER_1.card, READER_1.pin), "*"], {
      callSid: callSidFor("csv reader 1 again"),
    });
    line.app.setNow("2026-12-01T11:00:00+08:00");
    const abandoned = await call(line.app, ["3"], { callSid: callSidFor("csv abandoned") });

    const tab = await staffPage(test);
    const { page } = tab;
    await page.getByRole("link", { name: "Call log" }).click();
    expect(await page.locator("#call-count").textContent()).toBe("Calls 1–4 of 4, newest first.");

    await page.getByLabel("Card last four").fill("0001");
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/ops/calls" && url.searchParams.get("card") === "0001"),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    const shown = await Promise.all(
      (await page.locator("#call-log tbody tr").all()).map((row) => row.getAttribute("data-call-sid")),
    );
    expect(shown).toEqual([second.callSid, first.callSid]);
    expect(shown).not.toContain(other.callSid);
    expect(shown).not.toContain(abandoned.callSid);

    const link = page.getByRole("link", { name: "Export these 2 calls as CSV" });
    expect(await link.getAttribute("href")).toBe("/ops/calls.csv?card=0001");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe("renewline-calls-202612011100.csv");
    const csv = await readFile(await download.path(), "utf8");
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(CALL_LOG_CSV_HEADER);
    // The same calls as the page, oldest first (the export's order, for a spreadsheet).
    expect(rows.map((row) => row[0])).toEqual([...shown].reverse());
    const secondOutcome = (await callRow(line.demo.db, second.callSid))?.outcome;
    expect(rows.map((row) => [row[0], row[1], row[5], row[6], row[7]])).toEqual([
      [first.callSid, "2026-12-01 10:00:00", "en", "renewed", "0001"],
      [second.callSid, "2026-12-01 10:40:00", "en", secondOutcome, "0001"],
    ]);
    await tab.screenshot();
    expectCleanPage(tab);
  });
});
