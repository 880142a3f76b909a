import { describe, expect, it } from "vitest";
import { claimProblems, spokenReferenceNumbers } from "../../../src/simulator/call-claims.js";
import { figureSeconds, promptsBeforeGather } from "../../../src/simulator/call-figures.js";
import type { CallResult, TranscriptEntry } from "../../../src/simulator/call-simulator.js";
import type { ReportRow } from "../../../src/simulator/caller-time-report.js";
import { formatCallerTimeReport, formatCell } from "../../../src/simulator/report-format.js";
import {
  LANGUAGES,
  STANDARD_CALL_KINDS,
  STANDARD_CALL_READERS,
  standardCall,
  standardCalls,
  UNKNOWN_CALLER,
} from "../../../src/simulator/standard-calls.js";

const say = (text: string, seconds: number, interrupted = false): TranscriptEntry => ({
  kind: "say",
  text,
  seconds,
  interrupted,
});
const gather = (keys: string): TranscriptEntry => ({
  kind: "gather",
  keys,
  digits: keys.replace("#", ""),
  endedBy: "num-digits",
  sentToAction: true,
  ignored: "",
  seconds: 0.4,
});
const hangup: TranscriptEntry = { kind: "hangup", by: "app", seconds: 0 };

function resultOf(transcript: TranscriptEntry[], endedBy: CallResult["endedBy"] = "hangup"): CallResult {
  return {
    callSid: "CA0",
    transcript,
    heard: [],
    requests: [],
    durationSeconds: transcript.reduce((total, entry) => total + entry.seconds, 0),
    endedBy,
    callStatus: "completed",
  };
}

// 1234567894 is a valid TRN (Damm check digit 4); 1234567890 is not.
const EN_TRN = "1 2 3 4 5, 6 7 8 9 4";
const ZH_TRN = "一 二 三 四 五，六 七 八 九 四";

describe("the standard calls", () => {
  it("has a row for each call the issue names, the menu and caller ID, with voice-line.md's budgets", () => {
    expect(STANDARD_CALL_KINDS.map((kind) => [kind.id, kind.budgetSeconds])).toEqual([
      ["renewAllListening", 60],
      ["renewAllPressingAhead", 20],
      ["renewOne", null],
      ["hearLoans", null],
      ["failedLogin", null],
      ["mainMenu", 12],
      ["callerIdRenewAll", 45],
    ]);
  });

  it("gives each renewing call a reader of its own in each language, and none to reader 30", () => {
    const renewing = LANGUAGES.flatMap((language) =>
      standardCalls(language).filter((call) => call.renews),
    ).map((call) => call.reader?.card);
    expect(new Set(renewing).size).toBe(12);
    expect(renewing).not.toContain("2100000030");
    expect(STANDARD_CALL_READERS.map((reader) => reader.number)).toEqual([
      30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
    ]);
  });

  it("keys a card from a number no reader has; caller ID calls from the reader's own phone", () => {
    const english = standardCall("renewAllListening", "en");
    expect(english.from).toBe(UNKNOWN_CALLER);
    expect(english.script).toEqual([
      { keys: "3", listen: "all" },
      { keys: "2100000033#", listen: "all" },
      { keys: "3333#", listen: "all" },
      { keys: "0", listen: "all" },
      { keys: "*", listen: "all" },
    ]);
    const recognised = standardCall("callerIdRenewAll", "yue");
    expect(recognised.from).toBe("+85251357940");
    expect(recognised.script.map((entry) => entry.keys)).toEqual(["1", "4040#", "0", "*"]);
  });

  it("presses ahead at every prompt but the result of renew all", () => {
    expect(standardCall("renewAllPressingAhead", "cmn").script.map((e) => `${e.keys}@${e.listen}`)).toEqual([
      "2@none",
      "2100000035#@none",
      "3535#@none",
      "0@none",
      "*@news",
    ]);
  });
});

describe("figures and claims, read from a transcript", () => {
  const menuCall = resultOf([
    say("menu", 5, true),
    gather("9"),
    say("You have 5 items.", 1),
    say("Press 0, press 1.", 2.5),
    gather("*"),
    say("Goodbye", 0.4),
    hangup,
  ]);

  it("measures the prompts before the last key, or the whole call", () => {
    expect(promptsBeforeGather(menuCall.transcript, -1).map((p) => p.seconds)).toEqual([1, 2.5]);
    expect(promptsBeforeGather(menuCall.transcript, 0).map((p) => p.seconds)).toEqual([5]);
    expect(figureSeconds("lastGatherPrompts", menuCall)).toBe(3.5);
    expect(figureSeconds("call", menuCall)).toBe(menuCall.durationSeconds);
  });

  it("knows a reference number by its form in either script, and only a valid one", () => {
    expect(spokenReferenceNumbers(`Your reference number is ${EN_TRN}.`)).toEqual(["1234567894"]);
    expect(spokenReferenceNumbers(`你的參考編號是${ZH_TRN}。`)).toEqual(["1234567894"]);
    expect(spokenReferenceNumbers("1 2 3 4 5, 6 7 8 9 0")).toEqual([]); // check digit wrong
    expect(spokenReferenceNumbers("Call 2 9 2 8, 4 5 4 7.")).toEqual([]);
  });

  it("finds nothing wrong with a renew-all that gave its reference number and ended on *", () => {
    const call = standardCall("renewAllPressingAhead", "en");
    const transcript = [
      ...call.script.slice(0, 4).map((entry) => gather(entry.keys)),
      say(`Reference ${EN_TRN}.`, 4),
      say("Press 9.", 1, true),
      gather("*"),
      say("Goodbye", 0.4),
      hangup,
    ];
    expect(claimProblems(call, resultOf(transcript))).toEqual([]);
  });

  it("says what went wrong: a reference number cut short, a script the line did not finish", () => {
    const call = standardCall("renewAllPressingAhead", "en");
    const transcript = [gather("3"), say(`Reference ${EN_TRN}. Press 9.`, 4, true), gather("*")];
    expect(claimProblems(call, resultOf(transcript, "caller"))).toEqual([
      "the line still waited for keys after the script's 2 entries",
      "no reference number heard in full: nothing was renewed, or the caller did not hear it",
    ]);
    const loans = standardCall("hearLoans", "en");
    expect(
      claimProblems(loans, resultOf([...loans.script.map((e) => gather(e.keys)), say(EN_TRN, 1), hangup])),
    ).toEqual(["a reference number was given, but this call renews nothing"]);
  });
});

describe("the report's text", () => {
  it("puts each budget beside its figure and marks what is not the standard situation", () => {
    expect(formatCell({ seconds: 18.2, problems: [], readerChanged: false }, 20)).toBe("18.2 / 20 ✓");
    expect(formatCell({ seconds: 71.3, problems: [], readerChanged: false }, 60)).toBe("71.3 / 60 ✗");
    expect(formatCell({ seconds: 10, problems: [], readerChanged: false }, 12)).toBe("10.0 / 12 ✓");
    expect(formatCell({ seconds: 40.5, problems: ["x"], readerChanged: true }, null)).toBe("40.5 *!");
  });

  it("prints one row per standard call and one column per language, then the notes", () => {
    const rows: ReportRow[] = STANDARD_CALL_KINDS.map((kind) => ({
      kind,
      cells: {
        yue: { seconds: 10, problems: [], readerChanged: false },
        cmn: { seconds: 11, problems: [], readerChanged: kind.id === "renewOne" },
        en: {
          seconds: 12,
          problems: kind.id === "failedLogin" ? ["it logged in"] : [],
          readerChanged: kind.id === "renewOne",
        },
      },
    }));
    const text = formatCallerTimeReport(rows, "http://localhost:3460");
    const table = text.split("\n").filter((line) => line.startsWith("|"));
    expect(table).toHaveLength(2 + STANDARD_CALL_KINDS.length);
    expect(table[0]).toMatch(/^\| standard call +\| yue +\| cmn +\| en +\|$/);
    expect(table[2]).toMatch(
      /^\| Renew all, listening to everything +\| 10.0 \/ 60 ✓ \| 11.0 \/ 60 ✓ \| 12.0 \/ 60 ✓ \|$/,
    );
    expect(text).toMatch(
      /^\* Not the standard situation: .* reader 30's.*: Renew one item, listening \(cmn, en\)\./m,
    );
    expect(text).toContain(
      "! A failed login: three wrong tries, until the line ends the call (en): it logged in.",
    );
  });
});
