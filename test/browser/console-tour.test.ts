/**
 * A tour of every console page in headless Chromium, over a morning of calls placed through the
 * real line and two calls still in progress: each page renders its main element, with no console
 * error, no uncaught error, no failed load and no CSP violation. The tour also takes the README's
 * screenshots (docs/screenshots, 1280x800). PGlite only.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTrn } from "../../src/renewals/trn.js";
import { login, transactions } from "../calls/call-helpers.js";
import {
  type ConsolePage,
  callSidFor,
  DOCS_SCREENSHOTS_DIR,
  expectCleanPage,
  holdCall,
  saveScreenshot,
  useConsoleLine,
} from "../support/browser.js";
import { call } from "../support/voice-app.js";

const at = (time: string) => `2026-12-01T${time}:00+08:00`;

describe("a tour of the console in Chromium", () => {
  const line = useConsoleLine();

  /** Renews everything for a reader at `time`; answers the call's SID and the TRN it was given. */
  async function renewAll(time: string, card: string, pin: string) {
    line.app.setNow(at(time));
    const { callSid } = await call(line.app, [...login(card, pin), "0", "*"], { callSid: callSidFor(card) });
    const trn = (await transactions(line.demo.db)).at(-1)?.trn ?? "";
    return { callSid, trn };
  }

  /** A morning's calls: each outcome the statistics count, and a reader locked out by wrong PINs. */
  async function placeMorningCalls() {
    const set = await renewAll("09:12", "2100000007", "0707");
    const refused = await renewAll("09:31", "2100000009", "0909");
    await renewAll("09:47", "2100000004", "0404");
    await renewAll("10:02", "2100000027", "2727");
    line.app.setNow(at("10:15"));
    await call(line.app, ["3"], { callSid: callSidFor("abandoned") });
    // Reader 2 keys five wrong PINs over two calls: locked for 30 minutes.
    line.app.setNow(at("10:31"));
    const card = "2100000002";
    await call(line.app, [...login(card, "1111"), `${card}#`, "2222#", `${card}#`, "3333#"], {
      callSid: callSidFor("wrong PINs 1"),
    });
    line.app.setNow(at("10:34"));
    await call(line.app, [...login(card, "4444"), `${card}#`, "5555#"], {
      callSid: callSidFor("wrong PINs 2"),
    });
    return { set, refused };
  }

  /** Waits for the page's main element, checks its heading and tab, and takes its pictures. */
  async function visit(
    tab: ConsolePage,
    page: { name: string; heading: string; main: string; fullPage?: boolean },
  ) {
    await tab.page.locator(page.main).first().waitFor();
    expect(await tab.page.locator("h1").textContent()).toBe(page.heading);
    await tab.screenshot(page.name);
    await saveScreenshot(tab.page, join(DOCS_SCREENSHOTS_DIR, `${page.name}.png`), {
      fullPage: page.fullPage ?? false,
    });
  }

  it("renders every page cleanly, and saves the README's screenshots", async (test) => {
    const { set, refused } = await placeMorningCalls();
    // Two calls in progress: a reader at the menu, and a caller who has just rung.
    line.app.setNow(at("10:46"));
    const atMenu = holdCall(line.app, callSidFor("in progress at the menu"));
    atMenu.press(...login("2100000005", "0505"));
    await atMenu.held();
    line.app.setNow(at("10:48"));
    const ringing = holdCall(line.app, callSidFor("in progress, just rung"));
    await ringing.held();
    line.app.setNow(at("10:50"));

    const tab = await line.signedInPage(test, "alice", "admin");
    const { page } = tab;
    const tabs = (name: string) =>
      page.getByRole("navigation", { name: "Console" }).getByRole("link", { name });

    // Live calls: the rows come from the server, then from the event stream.
    await page.locator(`#live-calls tr[data-call-sid="${ringing.callSid}"]`).waitFor();
    await page.locator(`#live-calls tr[data-call-sid="${atMenu.callSid}"]`).waitFor();
    await page.waitForSelector("#live-calls[data-updated]", { state: "attached" });
    expect(await page.locator("#live-status").textContent()).toBe("2 calls in progress.");
    await visit(tab, { name: "live", heading: "Live calls", main: "#live-calls tbody tr" });

    await tabs("Call log").click();
    await visit(tab, { name: "calls", heading: "Call log", main: "#call-log" });
    // Seven closed calls and the two in progress.
    expect(await page.locator("#call-log tbody tr").count()).toBe(9);
    expect(
      await page.locator(`#call-log tr[data-call-sid="${atMenu.callSid}"] td`).nth(3).textContent(),
    ).toBe("In progress");

    await page.getByRole("link", { name: set.callSid }).click();
    // The whole page: the README shows the path through the flow at its foot.
    await visit(tab, {
      name: "call-detail",
      heading: `Call ${set.callSid}`,
      main: "section.renewal",
      fullPage: true,
    });
    expect(await page.locator("section.renewal a.trn").textContent()).toBe(formatTrn(set.trn));
    expect(await page.locator("#timeline tbody tr").count()).toBeGreaterThan(5);
    expect(await page.locator("svg.flow-diagram").count()).toBe(1);

    await tabs("Reference numbers").click();
    await page.getByLabel("Reference number (TRN)").fill(formatTrn(refused.trn));
    await page.getByRole("button", { name: "Look up" }).click();
    await visit(tab, { name: "trn", heading: "Reference numbers", main: "section#transaction" });
    expect(await page.locator("section#transaction tbody tr").count()).toBe(2);

    await tabs("Locked accounts").click();
    await visit(tab, { name: "locks", heading: "Locked accounts", main: "#locks" });
    expect(await page.locator("#locks tbody tr td").nth(1).textContent()).toBe("Wong Siu Ming");
    expect(await page.getByRole("button", { name: "Lift lock on card …0002" }).count()).toBe(1);

    await tabs("Statistics").click();
    await page.locator("#headline").waitFor();
    // statistics.js shows each canvas once Chart.js has drawn on it.
    const charts = page.locator("canvas[data-chart]");
    expect(await charts.count()).toBe(6);
    await page.locator("canvas[data-chart][hidden]").first().waitFor({ state: "detached" });
    const drawn = await charts.evaluateAll(
      (canvases) =>
        canvases.filter((canvas) =>
          (globalThis as unknown as { Chart: { getChart(c: unknown): unknown } }).Chart.getChart(canvas),
        ).length,
    );
    expect(drawn).toBe(6);
    expect(await page.locator("#headline dd").first().textContent()).toBe("9");
    await visit(tab, { name: "statistics", heading: "Statistics", main: "canvas[data-chart]" });

    await tabs("The flow").click();
    await visit(tab, { name: "flow", heading: "The flow", main: ".diagram svg.flow-diagram" });
    expect(await page.locator(".diagram svg .flow-steps > *").count()).toBeGreaterThan(5);
    expect(await page.locator("table.flow-steps tbody").count()).toBeGreaterThan(5);

    await tab.screenshot();
    expectCleanPage(tab);

    await page.close();
    for (const held of [atMenu, ringing]) expect((await held.hangUp()).error).toBeUndefined();
  }, 90_000);
});
