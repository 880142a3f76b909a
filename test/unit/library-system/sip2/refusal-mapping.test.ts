/**
 * Refusal screen messages to reason codes (library-system.md): the bundled Koha and Evergreen
 * files, the fake ILS's Koha-style wording, the first match winning, ILS_REFUSED for the rest,
 * and a library's own file checked with every problem named.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadRefusalMapping,
  parseRefusalMapping,
  RefusalMappingError,
} from "../../../../src/library-system/sip2/refusal-mapping.js";
import { REFUSAL } from "../../../support/sip2/ils.js";

describe("the Koha mapping", () => {
  const koha = loadRefusalMapping("koha");

  it.each([
    // C4/SIP/ILS/Transaction/Renew.pm rewords CanBookBeRenewed's on_reserve and too_many.
    ["Item unavailable due to outstanding holds", "RESERVED"],
    ["Item has reached maximum renewals", "RENEWAL_LIMIT"],
    // Newer Koha rewords too_unseen and item_denied_renewal too.
    ["Item has reached maximum consecutive renewals without being seen", "RENEWAL_LIMIT"],
    ["Item renewal is not allowed", "ITEM_NOT_RENEWABLE"],
    // The other CanBookBeRenewed codes reach the screen message as they are.
    ["restriction", "ACCOUNT_SUSPENDED"],
    ["overdue", "OVERDUE_TIME_LIMIT"],
    ["auto_too_much_oweing", "ACCOUNT_CHARGE_CEILING"],
    ["auto_account_expired", "ACCOUNT_EXPIRED"],
    ["onsite_checkout", "ITEM_NOT_RENEWABLE"],
    ["no_checkout", "NOT_ON_LOAN"],
  ])("%s → %s", (message, code) => {
    expect(koha.reasonOf([message])).toBe(code);
  });

  it.each([
    [REFUSAL.recalled, "RESERVED"],
    [REFUSAL.limit, "RENEWAL_LIMIT"],
    [REFUSAL.onHold, "RESERVED"],
    [REFUSAL.notRenewable, "ITEM_NOT_RENEWABLE"],
    [REFUSAL.patronBlocked, "ACCOUNT_SUSPENDED"],
    [REFUSAL.notOnLoan, "NOT_ON_LOAN"],
  ])("the fake ILS's %s → %s", (message, code) => {
    expect(koha.reasonOf([message])).toBe(code);
  });

  it("anything it does not name is ILS_REFUSED; so is a refusal with no screen message", () => {
    expect(koha.reasonOf(["too_soon"])).toBe("ILS_REFUSED");
    expect(koha.reasonOf(["Something else entirely"])).toBe("ILS_REFUSED");
    expect(koha.reasonOf([])).toBe("ILS_REFUSED");
  });

  it("reads every screen message: a greeting first does not hide the reason", () => {
    expect(koha.reasonOf(["Welcome", "Item has reached maximum renewals"])).toBe("RENEWAL_LIMIT");
  });
});

describe("the Evergreen mapping", () => {
  const evergreen = loadRefusalMapping("evergreen");

  it.each([
    ["MAX_RENEWALS_REACHED", "RENEWAL_LIMIT"],
    ["COPY_NEEDED_FOR_HOLD", "RESERVED"],
    ["COPY_IS_REFERENCE", "ITEM_NOT_RENEWABLE"],
    ["PATRON_EXCEEDS_FINES", "ACCOUNT_CHARGE_CEILING"],
    ["PATRON_EXCEEDS_OVERDUE_COUNT", "OVERDUE_TIME_LIMIT"],
    ["PATRON_BARRED", "ACCOUNT_SUSPENDED"],
    ["PATRON_ACCOUNT_EXPIRED", "ACCOUNT_EXPIRED"],
    ["PATRON_CARD_INACTIVE", "CARD_REPORTED_LOST"],
  ])("%s → %s", (message, code) => {
    expect(evergreen.reasonOf([message])).toBe(code);
  });
});

describe("a mapping file", () => {
  const file = (patterns: unknown) => ({ family: "mine", source: "our ILS's manual", patterns });

  it("the first pattern that matches wins, whatever the case", () => {
    const mapping = parseRefusalMapping(
      file([
        { pattern: "hold", reason: "RESERVED" },
        { pattern: "limit", reason: "RENEWAL_LIMIT" },
      ]),
      "mine.json",
    );
    expect(mapping.reasonOf(["HOLD at the renewal LIMIT"])).toBe("RESERVED");
    expect(mapping.family).toBe("mine");
  });

  it("names every problem at once: an unknown code, a pattern that does not compile, a missing field", () => {
    let error: unknown;
    try {
      parseRefusalMapping(
        {
          family: "mine",
          patterns: [
            { pattern: "hold", reason: "ON_HOLD" },
            { pattern: "([unclosed", reason: "RESERVED" },
          ],
        },
        "mine.json",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RefusalMappingError);
    const message = (error as Error).message;
    expect(message).toContain("mine.json");
    expect(message).toContain("source");
    expect(message).toContain('unknown reason code "ON_HOLD"');
    expect(message).toContain("patterns.1.pattern: not a regular expression");
  });

  it("an empty list of patterns is refused", () => {
    expect(() => parseRefusalMapping(file([]), "empty.json")).toThrow(/at least one pattern/);
  });

  it("a library's own file loads from its path; not JSON, or no file, says so", () => {
    const dir = mkdtempSync(join(tmpdir(), "refusals-"));
    const own = join(dir, "own.json");
    writeFileSync(
      own,
      JSON.stringify(file([{ pattern: "^BLOCKED BY BRANCH$", reason: "ACCOUNT_SUSPENDED" }])),
    );
    expect(loadRefusalMapping(own).reasonOf(["blocked by branch"])).toBe("ACCOUNT_SUSPENDED");

    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    expect(() => loadRefusalMapping(broken)).toThrow(/broken\.json is invalid:\n {2}\(file\): not JSON/);
    expect(() => loadRefusalMapping(join(dir, "missing.json"))).toThrow(/cannot be read \(ENOENT\)/);
  });
});
