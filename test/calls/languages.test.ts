/**
 * The three languages (voice-line.md step 1 and "Speaking"): the language menu speaks each option
 * in its own voice; once chosen, every prompt comes from that language's catalogue, in its voice
 * and language code, with dates and reference numbers spoken the way that language speaks them.
 */
import { describe, expect, it } from "vitest";
import type { CallResult } from "../../src/simulator/call-simulator.js";
import { DRIVERS } from "../support/database.js";
import { call } from "../support/voice-app.js";
import {
  CATALOGUES,
  callRow,
  heard,
  type Language,
  loansOf,
  login,
  NEW_DUE,
  prompt,
  spokenTrn,
  transactions,
  useDemoLine,
} from "./call-helpers.js";

const NEW_DUE_SPOKEN: Record<Language, string> = {
  yue: "12月15日 星期二",
  cmn: "12月15日 星期二",
  en: "Tuesday 15 December",
};

function says(result: CallResult) {
  return result.transcript.flatMap((e) => (e.kind === "say" ? [e] : []));
}

describe.each(DRIVERS)("languages on %s", (driver) => {
  const line = useDemoLine(driver);

  it("speaks each language option in its own language, voice and language code", async () => {
    const result = await call(line.app, []);
    expect(says(result).map((s) => [s.text, s.voice, s.language])).toEqual(
      (["yue", "cmn", "en"] as const).map((language) => [
        prompt(language, "language.option"),
        CATALOGUES[language].voice,
        CATALOGUES[language].languageCode,
      ]),
    );
  });

  it.each(["yue", "cmn", "en"] as const)("logs in and renews all in %s", async (language) => {
    const t = (key: string, params?: Record<string, string>) => prompt(language, key, params);
    const result = await call(line.app, [...login("2100000001", "135790", language), "0", "2", "*"]);

    const [transaction] = await transactions(line.demo.db);
    if (!transaction) throw new Error("no renewal transaction");
    const reference = t("renewal.reference", { trn: spokenTrn(transaction.trn, language) });
    const expected = [
      t("welcome"),
      t("card.prompt"),
      t("pin.prompt"),
      t("summary.loans", { count: "3", overdue: "0" }),
      t("menu.options"),
      t("renewAll.counts", { renewed: "3", refused: "0" }),
      reference,
      t("renewal.newDueDate", { date: NEW_DUE_SPOKEN[language] }),
      t("afterRenewAll.options"),
      t("afterRenewal.moreOptions"),
      reference,
      t("afterRenewAll.options"),
      t("afterRenewal.moreOptions"),
      t("goodbye"),
    ];
    const options = (["yue", "cmn", "en"] as const).map((l) => prompt(l, "language.option"));
    expect(heard(result)).toBe([...options, ...expected].join(" "));

    // After the language menu, every <Say> is in the chosen language's voice and code.
    const afterChoice = says(result).slice(3);
    expect(afterChoice.length).toBeGreaterThan(0);
    for (const say of afterChoice) {
      expect([say.voice, say.language]).toEqual([
        CATALOGUES[language].voice,
        CATALOGUES[language].languageCode,
      ]);
    }
    expect(await loansOf(line.demo.db, "2100000001")).toEqual({
      "34000000000001": { dueOn: NEW_DUE, renewals: 1 },
      "34000000000003": { dueOn: NEW_DUE, renewals: 1 },
      "34000000000004": { dueOn: NEW_DUE, renewals: 1 },
    });
    expect((await callRow(line.demo.db, result.callSid))?.language).toBe(language);
  });

  it.each(["yue", "cmn"] as const)("tells the reasons in %s (reader 3)", async (language) => {
    const t = (key: string, params?: Record<string, string>) => prompt(language, key, params);
    const result = await call(line.app, [...login("2100000003", "0303", language), "0", "1", "*"]);
    expect(heard(result)).toContain(t("renewAll.counts", { renewed: "1", refused: "1" }));
    expect(heard(result)).toContain(t("refusals.item", { title: "三體", reason: t("reason.RESERVED") }));
    // No English after the language menu (the title here is Chinese too).
    expect(
      says(result)
        .slice(3)
        .map((s) => s.text)
        .join(" "),
    ).not.toMatch(/[A-Za-z]{3}/);
  });

  it.each([
    ["yue", "港幣9元"],
    ["cmn", "港币9元"],
  ] as const)("tells charges and overdue loans in %s (reader 2)", async (language, amount) => {
    const t = (key: string, params?: Record<string, string>) => prompt(language, key, params);
    const result = await call(line.app, [...login("2100000002", "0202", language), "2", "3", "*"]);
    expect(heard(result)).toContain(
      t("loans.overdueItem", { title: "Sapiens: A Brief History of Humankind", date: "11月25日 星期三" }),
    );
    expect(heard(result)).toContain(t("charges.total", { amount }));
  });
});
