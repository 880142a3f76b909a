import { describe, expect, it } from "vitest";
import {
  isChineseLanguage,
  keySeconds,
  promptSeconds,
  roundSeconds,
  speakingSeconds,
} from "../../../src/simulator/speech-timing.js";

describe("speech timing", () => {
  it("times English at 2.5 words a second, punctuation not counted as words", () => {
    expect(speakingSeconds("For English, press 3.", "en-US")).toBe(1.6);
    expect(speakingSeconds("Renew all items - press 0", "en-GB")).toBe(2);
    // No language: Twilio's default, en-US.
    expect(speakingSeconds("one two three four five")).toBe(2);
  });

  it("times Chinese at 4 characters a second, punctuation and spaces not counted", () => {
    expect(speakingSeconds("請輸入圖書證號碼，然後按井字鍵。", "zh-HK")).toBe(3.5);
    expect(speakingSeconds("普通话请按二", "cmn-CN")).toBe(1.5);
    expect(speakingSeconds("參考編號 1 2 3 4 5", "yue-HK")).toBe(2.25);
  });

  it.each(["zh-HK", "zh-CN", "zh-TW", "yue-HK", "cmn-CN", "cmn-Hans-CN"])("%s is Chinese", (language) => {
    expect(isChineseLanguage(language)).toBe(true);
  });

  it.each(["en-US", "en-GB", "fr-FR", "zu-ZA"])("%s is not Chinese", (language) => {
    expect(isChineseLanguage(language)).toBe(false);
  });

  it("adds SSML breaks and loops to a <Say>, and takes a <Pause> at its length", () => {
    expect(promptSeconds({ verb: "Say", text: "one two", loop: 2, breakSeconds: 0.5 })).toBe(2.6);
    expect(promptSeconds({ verb: "Pause", length: 3 })).toBe(3);
    expect(promptSeconds({ verb: "Play", url: "https://example.com/a.mp3", loop: 1 })).toBe(0);
  });

  it("counts 0.4 s a key, the finish key included", () => {
    expect(keySeconds("2100000001#")).toBeCloseTo(4.4);
    expect(keySeconds("")).toBe(0);
  });

  it("rounds to tenths", () => {
    expect(roundSeconds(0.1 + 0.2)).toBe(0.3);
    expect(roundSeconds(2.25)).toBe(2.3);
  });
});
