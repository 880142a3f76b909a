import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  chunkForSay,
  digitsForSpeech,
  type Language,
  speakableTitle,
  speakDate,
  speakMoney,
  speakTrn,
} from "../../../src/voice/speech-format.js";

describe("reference numbers, digit by digit in two groups of five", () => {
  it.each<[Language, string]>([
    ["en", "1 2 3 4 5, 6 7 8 9 0"],
    ["yue", "一 二 三 四 五，六 七 八 九 零"],
    ["cmn", "一 二 三 四 五，六 七 八 九 零"],
  ])("speaks 1234567890 in %s", (language, spoken) => {
    expect(speakTrn("1234567890", language)).toBe(spoken);
  });

  it.each<[Language, string]>([
    ["en", "0 0 0 0 0, 1 2 3 0 0"],
    ["yue", "零 零 零 零 零，一 二 三 零 零"],
    ["cmn", "零 零 零 零 零，一 二 三 零 零"],
  ])("keeps every zero, leading ones too, in %s", (language, spoken) => {
    expect(speakTrn("0000012300", language)).toBe(spoken);
  });

  it.each(["123456789", "12345678901", "12345 67890", "123456789O", ""])("refuses %j", (trn) => {
    expect(() => speakTrn(trn, "en")).toThrow(RangeError);
  });
});

describe("digit strings such as the enquiry line's number", () => {
  it.each<[string, Language, string]>([
    ["2921 0222", "en", "2 9 2 1, 0 2 2 2"],
    ["2921 0222", "yue", "二 九 二 一，零 二 二 二"],
    ["2921 0222", "cmn", "二 九 二 一，零 二 二 二"],
    ["29210222", "en", "2 9 2 1, 0 2 2 2"],
    ["2921-0222", "yue", "二 九 二 一，零 二 二 二"],
    [" 852  2921 0222 ", "en", "8 5 2, 2 9 2 1, 0 2 2 2"],
    ["1234567890", "en", "1 2 3 4, 5 6 7 8, 9 0"],
    ["999", "cmn", "九 九 九"],
  ])("speaks %j in %s", (digits, language, spoken) => {
    expect(digitsForSpeech(digits, language)).toBe(spoken);
  });

  it.each(["", "   ", "+852 2921 0222", "2921 O222", "12.5"])("refuses %j", (digits) => {
    expect(() => digitsForSpeech(digits, "en")).toThrow(RangeError);
  });
});

describe("dates: weekday, day and month, the year only when it is not today's", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each<[Language, string]>([
    ["en", "Tuesday 15 December"],
    ["yue", "12月15日 星期二"],
    ["cmn", "12月15日 星期二"],
  ])("2026-12-15 in the same year, in %s", (language, spoken) => {
    expect(speakDate("2026-12-15", "2026-12-08", language)).toBe(spoken);
  });

  it.each<[Language, string]>([
    ["en", "Friday 1 January 2027"],
    ["yue", "2027年1月1日 星期五"],
    ["cmn", "2027年1月1日 星期五"],
  ])("2027-01-01 seen from December 2026 says the year, in %s", (language, spoken) => {
    expect(speakDate("2027-01-01", "2026-12-15", language)).toBe(spoken);
  });

  it("says the year of a date last year, such as a long overdue due date", () => {
    expect(speakDate("2025-12-31", "2026-01-02", "en")).toBe("Wednesday 31 December 2025");
    expect(speakDate("2025-12-31", "2026-01-02", "yue")).toBe("2025年12月31日 星期三");
  });

  it("names every day of the week", () => {
    const week = ["13", "14", "15", "16", "17", "18", "19"].map((day) => `2026-12-${day}`);
    expect(week.map((date) => speakDate(date, "2026-12-01", "en"))).toEqual([
      "Sunday 13 December",
      "Monday 14 December",
      "Tuesday 15 December",
      "Wednesday 16 December",
      "Thursday 17 December",
      "Friday 18 December",
      "Saturday 19 December",
    ]);
    expect(week.map((date) => speakDate(date, "2026-12-01", "cmn").split(" ")[1])).toEqual([
      "星期日",
      "星期一",
      "星期二",
      "星期三",
      "星期四",
      "星期五",
      "星期六",
    ]);
  });

  it.each(["Pacific/Pago_Pago", "Pacific/Kiritimati", "Asia/Hong_Kong"])(
    "gives the same weekday whatever the server's zone (%s)",
    (zone) => {
      vi.stubEnv("TZ", zone);
      // Node rereads TZ when it changes; without this the test below could not fail.
      if (zone === "Pacific/Pago_Pago") expect(new Date("2026-12-15T00:00:00Z").getDay()).toBe(1);
      if (zone === "Pacific/Kiritimati") expect(new Date(2026, 11, 15).getUTCDay()).toBe(1);
      expect(speakDate("2026-12-15", "2026-12-08", "en")).toBe("Tuesday 15 December");
      expect(speakDate("2027-01-01", "2026-12-15", "en")).toBe("Friday 1 January 2027");
      expect(speakDate("2027-01-01", "2026-12-15", "yue")).toBe("2027年1月1日 星期五");
    },
  );

  it.each([
    ["2026-02-30", "2026-01-01"],
    ["15/12/2026", "2026-01-01"],
    ["2026-12-15", "today"],
  ])("refuses %s (today %s)", (date, today) => {
    expect(() => speakDate(date, today, "en")).toThrow(RangeError);
  });
});

describe("amounts in Hong Kong dollars and cents", () => {
  it.each<[number, string, string, string]>([
    [0, "0 dollars", "港幣0元", "港币0元"],
    [1, "1 cent", "港幣1分", "港币1分"],
    [5, "5 cents", "港幣5分", "港币5分"],
    [50, "50 cents", "港幣5角", "港币5角"],
    [100, "1 dollar", "港幣1元", "港币1元"],
    [1350, "13 dollars 50 cents", "港幣13元5角", "港币13元5角"],
    [1355, "13 dollars 55 cents", "港幣13元5角5分", "港币13元5角5分"],
    [1305, "13 dollars 5 cents", "港幣13元零5分", "港币13元零5分"],
    [1300, "13 dollars", "港幣13元", "港币13元"],
    [101, "1 dollar 1 cent", "港幣1元零1分", "港币1元零1分"],
    [13000, "130 dollars", "港幣130元", "港币130元"],
    [20000, "200 dollars", "港幣200元", "港币200元"],
  ])("%i cents", (cents, en, yue, cmn) => {
    expect(speakMoney(cents, "en")).toBe(en);
    expect(speakMoney(cents, "yue")).toBe(yue);
    expect(speakMoney(cents, "cmn")).toBe(cmn);
  });

  it.each([-1, 12.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s", (cents) => {
    expect(() => speakMoney(cents, "en")).toThrow(RangeError);
  });
});

describe("titles cut to a speakable length", () => {
  const longEnglish =
    "The Complete Illustrated Guide to the Birds, Butterflies and Wild Flowers of Hong Kong, Macau " +
    "and the Pearl River Delta, with Notes on Their Habitats, Seasonal Migrations, Local Names in " +
    "Cantonese and Putonghua, and a Field Checklist for Hill Walkers on Lantau, Lamma, Cheung Chau " +
    "and the New Territories";
  const AND_SO_ON = ", and so on";
  const ETC = "等";

  /** The title's own words, without the marker that says it was cut. */
  const wordsOf = (spoken: string) => spoken.replace(/(, and so on|等)$/u, "");

  it("cuts a 304-character English title at a word boundary within 60 characters, and says so", () => {
    expect(longEnglish).toHaveLength(304);
    const spoken = speakableTitle(longEnglish, "en");
    expect(spoken).toBe(`The Complete Illustrated Guide to the Birds, Butterflies${AND_SO_ON}`);
    expect(wordsOf(spoken).length).toBeLessThanOrEqual(60);
    expect(longEnglish.startsWith(wordsOf(spoken))).toBe(true);
  });

  it("cuts at the same words whatever the call's language; a Chinese voice says 等", () => {
    expect(wordsOf(speakableTitle(longEnglish, "yue"))).toBe(wordsOf(speakableTitle(longEnglish, "en")));
    expect(speakableTitle(longEnglish, "yue")).toBe(
      `The Complete Illustrated Guide to the Birds, Butterflies${ETC}`,
    );
    expect(speakableTitle(longEnglish, "cmn").endsWith(ETC)).toBe(true);
  });

  it("ends a cut Chinese title with 等 in every call, since a Chinese voice reads it", () => {
    const title = "香港原生及歸化維管束植物的分類分佈生境與保育現況研究彙編";
    for (const language of ["yue", "cmn", "en"] as const) {
      expect(speakableTitle(title, language)).toBe("香港原生及歸化維管束植物的分類分佈生境等");
    }
  });

  it("adds no marker to a title that was not cut", () => {
    expect(speakableTitle("A Brief History of Time", "en")).toBe("A Brief History of Time");
    expect(speakableTitle("三體", "en")).toBe("三體");
    expect(speakableTitle("紅樓夢", "yue")).toBe("紅樓夢");
  });

  it("does not leave a cut English title hanging on 'and the'", () => {
    expect(speakableTitle("The History of the Peloponnesian War and the Decline of Athens", "en", 46)).toBe(
      `The History of the Peloponnesian War${AND_SO_ON}`,
    );
  });

  it("drops the subtitle of an over-long title when the main title can stand alone, with no marker", () => {
    expect(
      speakableTitle(
        "Hong Kong Cooking: Two Hundred Family Recipes from the Markets, Dai Pai Dongs and Tea Houses",
        "en",
      ),
    ).toBe("Hong Kong Cooking");
  });

  it("keeps a main title under 10 characters with what follows, cut at a word", () => {
    expect(
      speakableTitle("Re: The Collected Letters of a Hong Kong Schoolteacher, Volumes One to Three", "en"),
    ).toBe(`Re: The Collected Letters of a Hong Kong Schoolteacher${AND_SO_ON}`);
  });

  it("leaves a title within the limit alone, subtitle and all", () => {
    expect(speakableTitle("Hong Kong: A Cultural History", "en")).toBe("Hong Kong: A Cultural History");
    expect(speakableTitle("紅樓夢：脂評本", "yue")).toBe("紅樓夢：脂評本");
  });

  it("cuts a 40-character Chinese title at 20 characters, not after a hanging 與", () => {
    const yue = "香港原生及歸化維管束植物的分類分佈生境與保育現況研究彙編第一卷蕨類與裸子植物圖鑑";
    const cmn = "香港原生及归化维管束植物的分类分布生境与保育现况研究汇编第一卷蕨类与裸子植物图鉴";
    expect(Array.from(yue)).toHaveLength(40);
    expect(Array.from(cmn)).toHaveLength(40);
    expect(speakableTitle(yue, "yue")).toBe("香港原生及歸化維管束植物的分類分佈生境等");
    expect(speakableTitle(cmn, "cmn")).toBe("香港原生及归化维管束植物的分类分布生境等");
  });

  it("drops what follows a full-width or ASCII colon in a long Chinese title", () => {
    const title = "香港植物誌：香港原生及歸化維管束植物的分類、分佈、生境與保育現況研究彙編第一卷上";
    expect(Array.from(title)).toHaveLength(40);
    expect(speakableTitle(title, "yue")).toBe("香港植物誌");
    expect(speakableTitle("香港植物志:香港原生及归化维管束植物的分类与保育现况研究汇编", "cmn")).toBe(
      "香港植物志",
    );
  });

  it("does not stop inside a Latin word of a Chinese title", () => {
    expect(speakableTitle("香港特別行政區政府地方志中心出版Python程式設計入門", "yue")).toBe(
      `香港特別行政區政府地方志中心出版${ETC}`,
    );
  });

  it("counts characters outside the Basic Multilingual Plane as one each", () => {
    // 𠮶 (U+20BB6) is two UTF-16 code units.
    const title = "𠮶".repeat(25);
    expect(speakableTitle(title, "yue")).toBe(`${"𠮶".repeat(20)}${ETC}`);
  });

  it("removes markup characters and reads & as a word", () => {
    const spoken = speakableTitle("<script>alert('x')</script> Tom & Jerry", "en");
    expect(spoken).toBe("script alert('x') /script Tom and Jerry");
    expect(spoken).not.toMatch(/[<>&]/);
    expect(speakableTitle("Pride&Prejudice", "en")).toBe("Pride and Prejudice");
  });

  it("drops Chinese title brackets and joins with 與 or 与", () => {
    expect(speakableTitle("《紅樓夢》&《西遊記》", "yue")).toBe("紅樓夢與西遊記");
    expect(speakableTitle("《红楼梦》 & 《西游记》", "cmn")).toBe("红楼梦与西游记");
    expect(speakableTitle("【新版】「香港」地圖", "yue")).toBe("新版香港地圖");
  });

  it("collapses whitespace and control characters", () => {
    expect(speakableTitle("  A\tBrief\n\nHistory \u0000 of   Time ", "en")).toBe("A Brief History of Time");
  });

  it("honours a given limit; cuts inside a word only when the first word alone is over it", () => {
    expect(speakableTitle("A Brief History of Time", "en", 10)).toBe(`A Brief${AND_SO_ON}`);
    expect(speakableTitle("Supercalifragilisticexpialidocious", "en", 10)).toBe(`Supercalif${AND_SO_ON}`);
  });

  it.each([0, -1, 2.5])("refuses a limit of %s", (maxChars) => {
    expect(() => speakableTitle("A Brief History of Time", "en", maxChars)).toThrow(RangeError);
  });

  it("never cuts inside a word of a Latin title, and marks every cut", () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 12, max: 80 }),
        (words, max) => {
          const title = words.join(" ");
          const spoken = speakableTitle(title, "en", max);
          if (title.length <= max) {
            expect(spoken).toBe(title);
            return;
          }
          expect(spoken.endsWith(AND_SO_ON)).toBe(true);
          const kept = wordsOf(spoken).split(" ");
          // Whole words, the title's first ones, unless even the first word is over the limit.
          if ((words[0] ?? "").length <= max) expect(kept).toEqual(words.slice(0, kept.length));
        },
      ),
    );
  });

  it("keeps the title's words within the limit, and never keeps <, > or &", () => {
    const language = fc.constantFrom<Language>("en", "yue", "cmn");
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        language,
        fc.integer({ min: 1, max: 80 }),
        (title, lang, max) => {
          const spoken = speakableTitle(title, lang, max);
          expect(Array.from(wordsOf(spoken)).length).toBeLessThanOrEqual(max);
          expect(spoken).not.toMatch(/[<>&]/);
          expect(spoken).toBe(spoken.trim());
        },
      ),
    );
  });
});

describe("text split for Twilio's <Say>", () => {
  const sentence = "Your items have been renewed and the new due date is Tuesday 15 December. ";

  it("splits 7000 characters into pieces of at most 3000 that rejoin to the original", () => {
    const text = sentence.repeat(100).slice(0, 7000);
    expect(text).toHaveLength(7000);
    const chunks = chunkForSay(text);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(chunk.length).toBeLessThanOrEqual(3000);
    }
    // Each piece but the last ends a sentence.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith("December.")).toBe(true);
    expect(chunks.join(" ")).toBe(text.trim());
  });

  it("splits Chinese text after 。！？ with no spaces to cut at", () => {
    const text = `${"你的書已續借。".repeat(10)}請記下參考編號！要再聽一次嗎？`;
    const chunks = chunkForSay(text, 30);
    expect(chunks.every((chunk) => chunk.length <= 30 && /[。！？]$/.test(chunk))).toBe(true);
    expect(chunks.join("")).toBe(text);
  });

  it("falls back to spaces, then to a hard cut that keeps surrogate pairs whole", () => {
    expect(chunkForSay("aaaa bbbb cccc dddd", 10)).toEqual(["aaaa bbbb", "cccc dddd"]);
    expect(chunkForSay("abcdefghijklmnopqrstuvwxy", 10)).toEqual(["abcdefghij", "klmnopqrst", "uvwxy"]);
    const chunks = chunkForSay("a𠮶𠮶𠮶𠮶𠮶", 4);
    expect(chunks).toEqual(["a𠮶", "𠮶𠮶", "𠮶𠮶"]);
  });

  it("returns short text whole, trimmed, and blank text as no chunks at all", () => {
    expect(chunkForSay("  Goodbye.  ")).toEqual(["Goodbye."]);
    expect(chunkForSay("")).toEqual([]);
    expect(chunkForSay(" \n\t ")).toEqual([]);
  });

  it.each([1, 0, 2.5])("refuses a limit of %s", (maxChars) => {
    expect(() => chunkForSay("text", maxChars)).toThrow(RangeError);
  });

  it("never returns an empty or over-long chunk, and loses no text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 400 }),
        fc.integer({ min: 2, max: 60 }),
        (text, max) => {
          const chunks = chunkForSay(text, max);
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            expect(chunk.length).toBeLessThanOrEqual(max);
            expect(chunk).toBe(chunk.trim());
          }
          expect(chunks.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
        },
      ),
    );
  });
});
