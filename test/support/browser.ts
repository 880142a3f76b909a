/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core, one page
 * per test in a fresh context that records anything the page complains about, the console's
 * real login form, screenshots kept as artifacts, and a simulated caller the test holds at a
 * Gather while it looks at the console.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Response } from "playwright-core";
import { afterAll, beforeAll, expect, onTestFinished, type TestContext } from "vitest";
import type { OperatorRole } from "../../src/db/schema/index.js";
import { type CallResult, placeCall } from "../../src/simulator/call-simulator.js";
import { type DemoLine, useDemoLine } from "../calls/call-helpers.js";
import { addOperator } from "./ops-app.js";
import type { VoiceApp } from "./voice-app.js";

/** Debian's package; `.ci/run` installs it when a browser test exists. */
export const CHROMIUM = "/usr/bin/chromium";
/** Gitignored: every run writes each test's screenshots here. */
export const ARTIFACTS_DIR = "test-artifacts/browser";
/**
 * The README's pictures, taken by the tour test when UPDATE_SCREENSHOTS=1 (otherwise into the
 * artifacts folder, so an ordinary test run never changes tracked files).
 */
export const DOCS_SCREENSHOTS_DIR =
  process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : `${ARTIFACTS_DIR}/readme`;
/** The size of the README's pictures. */
export const DOCS_VIEWPORT = { width: 1280, height: 800 };

// Well under vitest's 30 s, so a missing element fails with Playwright's message, not a timeout.
const WAIT_MS = 10_000;

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`The browser tests drive Debian's Chromium at ${CHROMIUM}: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * A browser suite's world: Chromium, and the demo line with its console on PGlite. Like
 * DemoLine's, `browser` exists once the block's beforeAll has run: read it only in tests and hooks.
 */
export interface ConsoleLine extends DemoLine {
  readonly browser: Browser;
  /** A new operator's page for the running test, signed in through the form, on the live calls page. */
  signedInPage(test: TestContext, name: string, role: OperatorRole): Promise<ConsolePage>;
}

/**
 * Registers the hooks of a describe block of browser tests: Chromium launched once and the demo
 * line with the console (see useDemoLine), both closed after the block.
 */
export function useConsoleLine(): ConsoleLine {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const line = useDemoLine("pglite", { app: { ops: true } });
  const consoleLine: ConsoleLine = {
    get browser() {
      if (!browser) throw new Error("Chromium starts in beforeAll: use it inside a test or hook");
      return browser;
    },
    get demo() {
      return line.demo;
    },
    get app() {
      return line.app;
    },
    async signedInPage(test, name, role) {
      const password = await addOperator(consoleLine.demo.db, name, role);
      const tab = await openConsolePage(consoleLine.browser, consoleLine.app.baseUrl, test);
      await logIn(tab, name, password);
      return tab;
    },
  };
  return consoleLine;
}

/** One test's page, and what went wrong in it that a reader of the page would not see. */
export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  baseUrl: string;
  /** console.error lines (Chromium's own included, such as "Refused to …"), but failed loads. */
  consoleErrors: string[];
  /** Responses of 400 and over that Chromium logged, as "403 /ops/locks/1/lift". */
  failedLoads: string[];
  /** Uncaught exceptions in the page's scripts. */
  pageErrors: string[];
  /** Content-Security-Policy violations, as "directive blocked-uri". */
  cspViolations: string[];
  /** Saves a full-page PNG as `<test name>[--<step>].png` under test-artifacts/browser. */
  screenshot(step?: string): Promise<string>;
}

/**
 * A new context and page for the running test, closed when the test finishes; a failed test
 * leaves a screenshot of where it stopped.
 */
export async function openConsolePage(
  browser: Browser,
  baseUrl: string,
  test: TestContext,
): Promise<ConsolePage> {
  // Every page at the README's size, so an artifact looks as the README's picture would.
  const context = await browser.newContext({ viewport: DOCS_VIEWPORT, acceptDownloads: true });
  context.setDefaultTimeout(WAIT_MS);
  const consoleErrors: string[] = [];
  const failedLoads: string[] = [];
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];

  // The page reports its own CSP violations to the test: an init script runs in every document
  // before the page's scripts, and the binding lives outside the page, so the policy cannot stop it.
  await context.exposeBinding("__renewlineCspViolation", (_source, report: string) => {
    cspViolations.push(report);
  });
  await context.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals;
    page.document.addEventListener("securitypolicyviolation", (event) => {
      void page.__renewlineCspViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    const failed = FAILED_LOAD.exec(message.text());
    if (!failed || !URL.canParse(url)) consoleErrors.push(`${message.text()} (${url})`);
    // The console declares no icon, so Chromium asks for /favicon.ico on its own now and then.
    else if (new URL(url).pathname !== "/favicon.ico") failedLoads.push(`${failed[1]} ${pathOf(url)}`);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));

  const base = artifactName(test.task.name);
  const screenshot = async (step?: string) => {
    const path = join(ARTIFACTS_DIR, `${step ? `${base}--${artifactName(step)}` : base}.png`);
    await saveScreenshot(page, path, { fullPage: true });
    return path;
  };

  onTestFinished(async ({ task }) => {
    try {
      if (task.result?.state === "fail" && !page.isClosed()) await screenshot("failed");
    } finally {
      await context.close();
    }
  });

  return { page, context, baseUrl, consoleErrors, failedLoads, pageErrors, cspViolations, screenshot };
}

const FAILED_LOAD = /^Failed to load resource: the server responded with a status of (\d+)/;

function pathOf(url: string): string {
  const { pathname, search } = new URL(url);
  return `${pathname}${search}`;
}

/**
 * Nothing went wrong in the page that its reader would not see: no uncaught error, no CSP
 * violation, no console error, and no failed load but those the test caused on purpose.
 */
export function expectCleanPage(tab: ConsolePage, expectedFailedLoads: string[] = []): void {
  expect(tab.pageErrors, "uncaught errors").toEqual([]);
  expect(tab.cspViolations, "CSP violations").toEqual([]);
  expect(tab.consoleErrors, "console errors").toEqual([]);
  expect(tab.failedLoads, "failed loads").toEqual(expectedFailedLoads);
}

/** Only what the init script above touches: the project compiles without the DOM library. */
interface PageGlobals {
  document: {
    addEventListener(
      type: "securitypolicyviolation",
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
  };
  __renewlineCspViolation(report: string): Promise<void>;
}

/** "Lists a call: 2 rows" → "lists-a-call-2-rows". */
export function artifactName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 100);
}

export async function saveScreenshot(
  page: Page,
  path: string,
  options: { fullPage: boolean },
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // No caret blinking in an input or animation halfway: the same page gives the same picture.
  await page.screenshot({ path, fullPage: options.fullPage, animations: "disabled", caret: "hide" });
}

/** Signs in through the login form, as an operator would, and lands on the live calls page. */
export async function logIn(tab: ConsolePage, name: string, password: string): Promise<void> {
  const { page, baseUrl } = tab;
  await page.goto(`${baseUrl}/ops/login`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL(`${baseUrl}/ops/live`),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/**
 * Posts a form the page did not offer, from the page itself (so with its cookies, as a user
 * crafting a request in the developer tools would), and answers the response to it.
 */
export async function postFromPage(
  tab: ConsolePage,
  action: string,
  fields: Record<string, string>,
): Promise<Response> {
  const { page, baseUrl } = tab;
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.url() === `${baseUrl}${action}` &&
        r.request().method() === "POST" &&
        r.frame() === page.mainFrame(),
    ),
    page.evaluate(
      ({ action, fields }) => {
        const { document } = globalThis as unknown as FormGlobals;
        const form = document.createElement("form");
        form.setAttribute("method", "post");
        form.setAttribute("action", action);
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement("input");
          input.setAttribute("type", "hidden");
          input.setAttribute("name", name);
          input.setAttribute("value", value);
          form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
      },
      { action, fields },
    ),
  ]);
  return response;
}

interface FormElement {
  setAttribute(name: string, value: string): void;
  appendChild(child: FormElement): void;
  submit(): void;
}

interface FormGlobals {
  document: { createElement(tag: "form" | "input"): FormElement; body: FormElement };
}

/** A mark left on the page's window; still there later means the page was not reloaded. */
export async function markPage(page: Page): Promise<string> {
  const mark = `mark-${Date.now()}-${Math.random()}`;
  await page.evaluate((value) => {
    (globalThis as unknown as { __renewlineMark?: string }).__renewlineMark = value;
  }, mark);
  return mark;
}

/** The mark left by markPage, and how many documents this tab has loaded (1 without a reload). */
export function pageState(page: Page): Promise<{ mark: string | null; navigations: number }> {
  return page.evaluate(() => ({
    mark: (globalThis as unknown as { __renewlineMark?: string }).__renewlineMark ?? null,
    navigations: performance.getEntriesByType("navigation").length,
  }));
}

/** A fixed, valid-looking CallSid for a label, so repeated runs draw the same pages. */
export function callSidFor(label: string): string {
  return `CA${createHash("sha256").update(label).digest("hex").slice(0, 32)}`;
}

/**
 * A simulated caller whose keys the test gives as it goes: queued keys are pressed at the next
 * Gathers; with none queued, the call waits at its Gather (in progress, as on a real line) until
 * the test presses more, or hangs up.
 */
export class HeldCall {
  readonly callSid: string;
  readonly done: Promise<CallResult>;
  private readonly queued: (string | null)[] = [];
  private waiting: ((keys: string | null) => void) | null = null;
  private onHeld: (() => void)[] = [];

  constructor(
    private readonly place: (options: {
      callSid: string;
      nextKeys: () => Promise<string | null>;
    }) => Promise<CallResult>,
    callSid: string,
  ) {
    this.callSid = callSid;
    this.done = this.place({ callSid, nextKeys: () => this.next() });
    // Seen by whoever awaits `done`; without this, a failure before then would go unhandled.
    this.done.catch(() => {});
    // A test that fails while holding the call still hangs up, so the call does not outlive it.
    onTestFinished(async () => {
      this.press(null);
      await this.done.catch(() => {});
    });
  }

  /** Keys for the next Gathers, one entry each; null hangs up. */
  press(...entries: (string | null)[]): void {
    for (const keys of entries) {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(keys);
      } else this.queued.push(keys);
    }
  }

  /** Resolves once the call has used every key given and waits at a Gather for more. */
  held(): Promise<void> {
    if (this.waiting && this.queued.length === 0) return Promise.resolve();
    const ended = this.done.then((result) => {
      const why = result.error ? `: ${result.error.message}` : "";
      throw new Error(`call ${this.callSid} ended (${result.endedBy}${why}) instead of waiting at a Gather`);
    });
    return Promise.race([new Promise<void>((resolve) => this.onHeld.push(resolve)), ended]);
  }

  /** Hangs up at the Gather the call waits at (the status callback then closes it). */
  async hangUp(): Promise<CallResult> {
    this.press(null);
    return this.done;
  }

  private next(): Promise<string | null> {
    const keys = this.queued.shift();
    if (keys !== undefined) return Promise.resolve(keys);
    return new Promise((resolve) => {
      this.waiting = resolve;
      for (const notify of this.onHeld.splice(0)) notify();
    });
  }
}

/** Places a call to `app` that the running test drives with `press`, `held` and `hangUp`. */
export function holdCall(app: VoiceApp, callSid: string): HeldCall {
  return new HeldCall(
    (options) => placeCall({ baseUrl: app.publicBaseUrl, authToken: app.authToken, ...options }),
    callSid,
  );
}
