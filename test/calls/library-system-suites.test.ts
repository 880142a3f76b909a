/** The list of which call suites run on which library system names every suite, and says why. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CALL_SUITES } from "./library-system-suites.js";

const CALLS_DIR = fileURLToPath(new URL(".", import.meta.url));

describe("the call suites' library systems", () => {
  it("names exactly the suites in test/calls", () => {
    const suites = readdirSync(CALLS_DIR)
      .filter((name) => name.endsWith(".test.ts"))
      .sort();
    expect(Object.keys(CALL_SUITES).sort()).toEqual(suites);
  });

  it("gives a reason for each", () => {
    for (const [suite, entry] of Object.entries(CALL_SUITES)) {
      expect(entry.why.length, suite).toBeGreaterThan(20);
      expect(entry.runsOn, suite).toContain("embedded");
    }
  });

  it("says sip2 of a suite exactly when it calls the line behind every library system", () => {
    for (const [suite, entry] of Object.entries(CALL_SUITES)) {
      if (suite === "library-system-suites.test.ts") continue;
      const source = readFileSync(join(CALLS_DIR, suite), "utf8");
      const onEvery = source.includes("describe.each(LIBRARY_SYSTEMS)") && source.includes("useLibraryLine(");
      expect(entry.runsOn.includes("sip2"), suite).toBe(onEvery);
    }
  });
});
