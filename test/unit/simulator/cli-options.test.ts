import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CliUsageError,
  parseCliArgs,
  resolveAuthToken,
  splitScript,
} from "../../../src/simulator/cli-options.js";
import { formatDuration, formatEntry } from "../../../src/simulator/transcript-format.js";

describe("npm run call: options", () => {
  it("calls localhost on PORT, 3000 without it", () => {
    expect(parseCliArgs([], {})).toEqual({ help: false, baseUrl: "http://localhost:3000" });
    expect(parseCliArgs([], { PORT: "4100" }).baseUrl).toBe("http://localhost:4100");
    expect(parseCliArgs(["--base-url", "https://line.example.org"], { PORT: "4100" }).baseUrl).toBe(
      "https://line.example.org",
    );
  });

  it.each([
    ["1", "1"],
    ["yue", "1"],
    ["2", "2"],
    ["cmn", "2"],
    ["3", "3"],
    ["EN", "3"],
  ])("--lang %s keys %s at the language menu", (lang, key) => {
    expect(parseCliArgs(["--lang", lang], {}).languageKey).toBe(key);
  });

  it("splits --script into one entry per prompt, empty entries keying nothing", () => {
    expect(parseCliArgs(["--script", "3,2100000001#,135790#,0,*"], {}).script).toEqual([
      "3",
      "2100000001#",
      "135790#",
      "0",
      "*",
    ]);
    expect(splitScript("3, ,(timeout),9")).toEqual(["3", "", "(timeout)", "9"]);
  });

  it("keeps each entry's way of listening, KEYS@none, KEYS@news or KEYS@all", () => {
    expect(splitScript("3@none,2100000030#@none,3030#@none,0@none,*@news")).toEqual([
      "3@none",
      "2100000030#@none",
      "3030#@none",
      "0@none",
      "*@news",
    ]);
  });

  it("--report places the standard calls, on its own", () => {
    expect(parseCliArgs(["--report", "--base-url", "http://localhost:3460"], {})).toEqual({
      help: false,
      baseUrl: "http://localhost:3460",
      report: true,
    });
    expect(() => parseCliArgs(["--report", "--script", "3"], {})).toThrow(/--report places its own calls/);
  });

  it.each([
    [["--lang", "fr"], /--lang fr/],
    [["--script", "3,12a"], /--script: "12a"/],
    [["--script", "3,0@soon"], /--script: "soon" is not a way of listening/],
    [["--bogus"], /bogus/],
    [["extra"], /extra/],
  ])("refuses %j", (args, message) => {
    expect(() => parseCliArgs(args, {})).toThrow(CliUsageError);
    expect(() => parseCliArgs(args, {})).toThrow(message);
  });

  it("finds the token in TWILIO_AUTH_TOKEN, else in the file npm start writes in development", () => {
    const dir = mkdtempSync(join(tmpdir(), "renewline-call-"));
    expect(resolveAuthToken({}, dir)).toBeNull();
    writeFileSync(join(dir, "twilio-auth-token"), "from-the-file\n");
    expect(resolveAuthToken({}, dir)).toBe("from-the-file");
    expect(resolveAuthToken({ TWILIO_AUTH_TOKEN: "from-the-env" }, dir)).toBe("from-the-env");
  });
});

describe("npm run call: transcript lines", () => {
  it("shows what was heard and keyed, with the estimates", () => {
    expect(formatEntry({ kind: "say", text: "Press 1", seconds: 0.8, interrupted: false })).toBe(
      "🔊 Press 1  [0.8 s]",
    );
    expect(
      formatEntry({
        kind: "gather",
        keys: "",
        digits: "",
        endedBy: "timeout",
        sentToAction: false,
        ignored: "",
        seconds: 5,
      }),
    ).toBe("⌨  (no input), then waited for the timeout, no digits: on to the next verb  [5 s]");
    expect(formatDuration(83.4)).toBe("1 min 23 s (83.4 s)");
    expect(formatDuration(17.8)).toBe("18 s (17.8 s)");
  });
});
