/**
 * Values turned into the words a Twilio `<Say>` speaks (voice-line.md, "Speaking").
 *
 * Pure: no I/O, no clock; "today" comes in as an argument. Cantonese is written in Traditional
 * Chinese, Putonghua in Simplified. Chinese output keeps Arabic numerals for amounts and dates,
 * which the Chinese voices read as numbers ("13元" → 十三元), and uses Chinese digits where each
 * digit must be heard on its own.
 */

import { isCalendarDate, weekdayOf } from "../time/calendar-date.js";

import type { Language } from "./flow-definition.js";

export type { Language };

const CHINESE_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"] as const;

// Polly voices read single digits separated by spaces one by one; the comma is a short pause.
function speakDigitGroups(groups: readonly string[], language: Language): string {
  const spoken = groups.map((group) =>
    Array.from(group, (digit) => (language === "en" ? digit : CHINESE_DIGITS[Number(digit)])).join(" "),
  );
  return spoken.join(language === "en" ? ", " : "，");
}

/** A 10-digit TRN, digit by digit in two groups of five: never read as one big number. */
export function speakTrn(trn: string, language: Language): string {
  if (!/^\d{10}$/.test(trn)) throw new RangeError("a reference number has exactly 10 digits");
  return speakDigitGroups([trn.slice(0, 5), trn.slice(5)], language);
}

/**
 * Any digit string (the enquiry line's phone number), digit by digit. Spaces or hyphens in the
 * input separate the groups; without them the digits are grouped in fours.
 */
export function digitsForSpeech(digits: string, language: Language): string {
  if (!/^[\d\s-]*\d[\d\s-]*$/.test(digits)) {
    throw new RangeError("only digits, spaces and hyphens can be spoken digit by digit");
  }
  const written = digits.split(/[\s-]+/).filter((group) => group.length > 0);
  const groups = written.length > 1 ? written : (written[0]?.match(/\d{1,4}/g) ?? []);
  return speakDigitGroups(groups, language);
}

const EN_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
// Same characters in Traditional and Simplified; 星期日 rather than colloquial 星期天.
const ZH_WEEKDAYS = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"] as const;
const EN_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/**
 * Weekday, day and month; the year only when it differs from today's (a due date last year or
 * next year). "Tuesday 15 December", "Friday 1 January 2027"; "12月15日 星期二", "2027年1月1日 星期五".
 */
export function speakDate(date: string, today: string, language: Language): string {
  if (!isCalendarDate(date) || !isCalendarDate(today)) throw new RangeError("dates are YYYY-MM-DD");
  const year = date.slice(0, 4);
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const showYear = year !== today.slice(0, 4);
  // weekdayOf works on UTC midnights, so the server's own zone cannot shift the day.
  const weekday = weekdayOf(date);

  if (language === "en") {
    return `${EN_WEEKDAYS[weekday]} ${day} ${EN_MONTHS[month - 1]}${showYear ? ` ${year}` : ""}`;
  }
  return `${showYear ? `${year}年` : ""}${month}月${day}日 ${ZH_WEEKDAYS[weekday]}`;
}

/**
 * Hong Kong dollars and cents from integer cents. English: "13 dollars 50 cents". Chinese uses
 * 元/角/分 as written in Hong Kong, with 零 standing for a missing 角: 1305 → 港幣13元零5分.
 */
export function speakMoney(cents: number, language: Language): string {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new RangeError("an amount to speak is a non-negative whole number of cents");
  }
  const dollars = Math.floor(cents / 100);
  const rest = cents % 100;

  if (language === "en") {
    const dollarWords = `${dollars} ${dollars === 1 ? "dollar" : "dollars"}`;
    const centWords = `${rest} ${rest === 1 ? "cent" : "cents"}`;
    if (rest === 0) return dollarWords;
    if (dollars === 0) return centWords;
    return `${dollarWords} ${centWords}`;
  }

  const prefix = language === "yue" ? "港幣" : "港币";
  if (cents === 0) return `${prefix}0元`;
  const jiao = Math.floor(rest / 10);
  const fen = rest % 10;
  let words = dollars > 0 ? `${dollars}元` : "";
  if (jiao > 0) words += `${jiao}角`;
  else if (fen > 0 && dollars > 0) words += "零";
  if (fen > 0) words += `${fen}分`;
  return prefix + words;
}

const DEFAULT_TITLE_CHARS_LATIN = 60;
// One Chinese character is one syllable: 20 of them take about as long to say as 60 Latin letters.
const DEFAULT_TITLE_CHARS_CJK = 20;
// A main title shorter than this says too little to stand without its subtitle.
const MIN_MAIN_TITLE_LATIN = 10;
const MIN_MAIN_TITLE_CJK = 2;

// Words that leave a cut title hanging ("The History of the").
const EN_DANGLING_WORDS = new Set([
  "a",
  "an",
  "the",
  "and",
  "or",
  "of",
  "in",
  "on",
  "for",
  "to",
  "with",
  "by",
  "at",
  "from",
]);
// Characters that leave a cut Chinese title hanging (香港植物的分類與 → 香港植物的分類).
const ZH_DANGLING_CHARS = new Set(["與", "与", "及", "和", "的", "之", "或", "暨", "並", "并"]);
const TRAILING_PUNCTUATION = /[\s,;:.\-–—/、，；：。·]+$/u;
const DROPPED_BRACKETS = /[《》〈〉「」『』【】〔〕]/gu;

// What a cut title ends with, so that the caller hears it was cut rather than taking the words
// for the whole title. Said in the language of the voice that will read the title's end.
const CUT_MARKER_ZH = "等";
const CUT_MARKER_EN = ", and so on";

function isMostlyCjk(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const other = text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
  return han > 0 && han * 2 >= other;
}

function charCount(text: string): number {
  return Array.from(text).length;
}

function sanitizeTitle(title: string, cjk: boolean, language: Language): string {
  const and = !cjk || language === "en" ? " and " : language === "yue" ? "與" : "与";
  return (
    title
      .replace(/\s*&\s*/g, and)
      // Markup characters: harmless once escaped, but some engines read them out or choke on them.
      .replace(/[<>]/g, " ")
      .replace(DROPPED_BRACKETS, "")
      .replace(/[\p{Cc}\p{Cf}]/gu, " ")
      .replace(/\s+/g, " ")
      .trim()
  );
}

function dropTrailingPunctuation(text: string): string {
  return text.replace(TRAILING_PUNCTUATION, "") || text;
}

function cutCjk(text: string, maxChars: number): string {
  const chars = Array.from(text);
  let end = maxChars;
  // Do not stop in the middle of a Latin word or number inside a Chinese title.
  const wordChar = /[\p{Script=Latin}\p{N}]/u;
  if (wordChar.test(chars[end - 1] ?? "") && wordChar.test(chars[end] ?? "")) {
    let start = end - 1;
    while (start > 0 && wordChar.test(chars[start - 1] ?? "")) start--;
    if (start > 0) end = start;
  }
  let kept = dropTrailingPunctuation(chars.slice(0, end).join(""));
  while (charCount(kept) > 1 && ZH_DANGLING_CHARS.has(Array.from(kept).at(-1) ?? "")) {
    kept = dropTrailingPunctuation(Array.from(kept).slice(0, -1).join(""));
  }
  return kept;
}

/** Whole words within the limit; a first word longer than the limit has no boundary to cut at. */
function cutLatin(text: string, maxChars: number): string {
  const words = text.split(" ");
  const kept: string[] = [];
  let length = 0;
  for (const word of words) {
    const next = length + (kept.length > 0 ? 1 : 0) + charCount(word);
    if (next > maxChars) break;
    kept.push(word);
    length = next;
  }
  if (kept.length === 0) return Array.from(text).slice(0, maxChars).join("");
  while (kept.length > 1 && EN_DANGLING_WORDS.has((kept.at(-1) ?? "").toLowerCase())) kept.pop();
  return dropTrailingPunctuation(kept.join(" "));
}

/**
 * The words that end a cut title. A Chinese title is read by a Chinese voice whatever the call's
 * language (twiml.ts), and in a Chinese call so is every title: both end in 等.
 */
function cutMarker(cjk: boolean, language: Language): string {
  return cjk || language !== "en" ? CUT_MARKER_ZH : CUT_MARKER_EN;
}

/**
 * A title cut to a speakable length. Over the limit, a subtitle after ":" (or "：") goes first,
 * if what remains still names the book; that main title is whole, so nothing is added. Otherwise
 * the title is cut at a word boundary (a character for Chinese) before the limit, without ending
 * on "the", "of", "and" (與, 的, …), and the cut is heard: ", and so on" for a Latin-script title
 * in an English call, 等 for a Chinese title or in a Chinese call. The marker comes on top of the
 * limit, which counts the title's own characters: 60, or 20 for a title written mostly in Chinese
 * characters. No "…": the voice would read it, or pause oddly.
 */
export function speakableTitle(
  title: string,
  language: Language,
  maxChars?: number,
  /** How the cut shows: heard (", and so on" / 等), or written ("…") for a text message. */
  cutShown: "spoken" | "written" = "spoken",
): string {
  if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1)) {
    throw new RangeError("maxChars is a positive whole number");
  }
  const cjk = isMostlyCjk(title);
  const limit = maxChars ?? (cjk ? DEFAULT_TITLE_CHARS_CJK : DEFAULT_TITLE_CHARS_LATIN);
  let text = sanitizeTitle(title, cjk, language);
  if (charCount(text) <= limit) return text;

  const colon = text.search(/[:：]/);
  if (colon > 0) {
    const main = text.slice(0, colon).trim();
    if (charCount(main) >= (cjk ? MIN_MAIN_TITLE_CJK : MIN_MAIN_TITLE_LATIN)) text = main;
    if (charCount(text) <= limit) return text;
  }
  const cut = cjk ? cutCjk(text, limit) : cutLatin(text, limit);
  return cut + (cutShown === "written" ? "…" : cutMarker(cjk, language));
}

// A sentence end: the cut goes after the mark, the space after it is dropped.
const SENTENCE_END = /[.!?;](?=\s)|[。！？；]/g;
// Failing that, a space (cut before it) or a Chinese comma (cut after it).
const WEAK_BREAK = /\s|[，、]/g;

/** The last cut position in (0, limit] that the pattern offers, or -1. */
function lastBreak(text: string, pattern: RegExp, limit: number): number {
  let best = -1;
  for (const match of text.matchAll(pattern)) {
    const cut = /\s/.test(match[0]) ? match.index : match.index + 1;
    if (cut > 0 && cut <= limit) best = cut;
  }
  return best;
}

/**
 * Text split into pieces for separate `<Say>` verbs: Twilio refuses a Polly `<Say>` over 3,000
 * characters or over 4,500 URL-encoded (error 13521); the caller picks `maxChars` for the script
 * (see twiml.ts). Cuts fall at sentence ends, else at
 * spaces, else anywhere (never inside a surrogate pair). No piece is empty or over `maxChars`
 * UTF-16 code units, which is never fewer than the characters Twilio counts.
 */
export function chunkForSay(text: string, maxChars = 3000): string[] {
  // At least 2, so that a hard cut which backs off a surrogate pair still moves forward.
  if (!Number.isInteger(maxChars) || maxChars < 2) {
    throw new RangeError("maxChars is a whole number of at least 2");
  }
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > maxChars) {
    // One character more than fits, so that a space right after the limit counts as a break.
    const window = rest.slice(0, maxChars + 1);
    let cut = lastBreak(window, SENTENCE_END, maxChars);
    if (cut < 0) cut = lastBreak(window, WEAK_BREAK, maxChars);
    if (cut < 0) {
      cut = maxChars;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}
