/**
 * The three languages (voice-line.md step 1 and "Speaking"): the language menu speaks a greeting,
 * then each option in its own voice; once chosen, every prompt comes from that language's
 * catalogue, in its voice and language code, with dates and reference numbers spoken the way that
 * language speaks them, and the PIN called 個人密碼 / 个人密码 ("The caller's time and the situation").
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

/** The PIN as the Chinese prompts name it, and the bare word they must never use. */
const PIN_WORD = {
  yue: { word: "個人密碼", bare: /(?<!個人)密碼/ },
  cmn: { word: "个人密码", bare: /(?<!个人)密码/ },
} as const;

/** What the language step speaks: the greeting (in Cantonese), then the three options. */
const LANGUAGE_MENU = [
  prompt("yue", "greeting"),
  ...(["yue", "cmn", "en"] as const).map((l) => prompt(l, "language.option")),
].join(" ");

function says(result: CallResult) {
  return result.transcript.flatMap((e) => (e.kind === "say" ? [e] : []));
}

describe.each(DRIVERS)("languages on %s", (driver) => {
  const line = useDemoLine(driver);

  it("greets the caller, then speaks each language option in its own language, voice and language code", async () => {
    const result = await call(line.app, []);
    expect(says(result).map((s) => [s.text, s.voice, s.language])).toEqual(
      (["yue", "cmn", "en"] as const).map((language) => [
        // The greeting opens the Cantonese option's <Say>, in the same voice.
        language === "yue"
          ? `${prompt("yue", "greeting")} ${prompt("yue", "language.option")}`
          : prompt(language, "language.option"),
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
    // Reader 1: 3 loans, no charges, no block, no SMS set up on this line. Choosing the language
    // says nothing: the card prompt follows at once.
    const expected = [
      t("card.prompt"),
      t("pin.prompt"),
      t("summary.loans", { count: "3" }),
      // The menu speaks what helps this reader: no charges, so no 3.
      t("menu.renewAll"),
      t("menu.renewOne"),
      t("menu.loans"),
      t("menu.staff"),
      t("menu.anotherCard"),
      t("menu.end"),
      t("renewAll.all", { count: "3" }),
      reference,
      t("renewal.newDueDate", { date: NEW_DUE_SPOKEN[language] }),
      // Nothing refused, so no "to hear why"; no SMS, so no 3.
      t("afterRenewal.repeat"),
      t("afterRenewal.moreOptions"),
      reference,
      t("afterRenewal.repeat"),
      t("afterRenewal.moreOptions"),
      // A reference number was given in this call: the goodbye says to keep it.
      t("goodbye.withReference"),
    ];
    expect(heard(result)).toBe([LANGUAGE_MENU, ...expected].join(" "));

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
    expect(heard(result)).toContain(t("renewAll.some", { renewed: "1", count: "2" }));
    // Something was refused, so 1 ("to hear why") is offered first.
    expect(heard(result)).toContain(`${t("afterRenewAll.why")} ${t("afterRenewal.repeat")}`);
    // The refused item with its reason and the date it is still due (8 December, unchanged).
    expect(heard(result)).toContain(
      t("refusals.item", { title: "三體", reason: t("reason.RESERVED"), date: "12月8日 星期二" }),
    );
    // No English after the language menu (the title here is Chinese too).
    expect(
      says(result)
        .slice(3)
        .map((s) => s.text)
        .join(" "),
    ).not.toMatch(/[A-Za-z]{3}/);
  });

  it.each(["yue", "cmn"] as const)(
    "names the PIN 個人密碼 / 个人密码 in %s, never bare 密碼",
    async (language) => {
      const { word, bare } = PIN_WORD[language];
      // A wrong PIN: the PIN prompt, then the failure, both name the PIN.
      const result = await call(line.app, [...login("2100000001", "999999", language), "(timeout)"]);
      const text = heard(result);
      expect(text).toContain(`${prompt(language, "pin.prompt")} ${prompt(language, "login.failed")}`);
      expect(prompt(language, "pin.prompt")).toContain(word);
      expect(prompt(language, "login.failed")).toContain(word);
      expect(text).not.toMatch(bare);
    },
  );

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
