/**
 * `npm run call -- --report`: places the standard calls against a running line and measures the
 * caller's time in each language (standard-calls.ts).
 *
 * Renewing changes the library: the same reader renewing twice in a day hears everything refused
 * the second time, a shorter and different call. Each renewing call therefore has a demo reader of
 * its own per language, so the figures hold on a freshly started line. So that they stay honest on
 * a line that has been called before, each renewing reader's loans are heard first and compared
 * with reader 30's, whom no standard call renews: a reader who sounds different has been renewed
 * (or changed) since the demo was loaded, and its figure is marked as not the standard situation.
 */

import { claimProblems } from "./call-claims.js";
import { figureSeconds } from "./call-figures.js";
import { type CallResult, type PlaceCallOptions, placeCall } from "./call-simulator.js";
import {
  type DemoReader,
  hearLoansScript,
  LANGUAGES,
  type Language,
  REFERENCE_READER,
  STANDARD_CALL_KINDS,
  type StandardCall,
  type StandardCallKind,
  standardCalls,
  UNKNOWN_CALLER,
} from "./standard-calls.js";

export type LineAccess = Pick<PlaceCallOptions, "baseUrl" | "authToken" | "fetch" | "to">;

export interface ReportCell {
  seconds: number;
  /** What the call failed to do (call-claims.ts); empty when it did what it claims. */
  problems: string[];
  /** The reader's loans sounded different from reader 30's before the call: renewed earlier. */
  readerChanged: boolean;
}

export interface ReportRow {
  kind: StandardCallKind;
  cells: Record<Language, ReportCell>;
}

/** The line could not be called at all: no figure would mean anything. */
export class LineUnavailableError extends Error {
  override name = "LineUnavailableError";
  constructor(readonly result: CallResult) {
    super(result.error?.message ?? "the line did not answer");
  }
}

export async function measureStandardCalls(
  line: LineAccess,
  onCall: (call: StandardCall) => void = () => {},
): Promise<ReportRow[]> {
  const place = async (script: StandardCall["script"], from: string) => {
    const result = await placeCall({ ...line, script, from });
    if (result.error?.reason === "unreachable" || result.requests[0]?.status === 403) {
      throw new LineUnavailableError(result);
    }
    return result;
  };
  const heardLoans = (reader: DemoReader, language: Language) =>
    place(hearLoansScript(reader, language), UNKNOWN_CALLER).then((result) => result.heard.join("\n"));

  const cells = new Map<string, ReportCell>();
  for (const language of LANGUAGES) {
    const reference = await heardLoans(REFERENCE_READER, language);
    // The calls that change nothing first, then each renewing call after hearing its reader.
    const calls = standardCalls(language).sort((a, b) => Number(a.renews) - Number(b.renews));
    for (const call of calls) {
      const readerChanged =
        call.renews && call.reader !== null && (await heardLoans(call.reader, language)) !== reference;
      onCall(call);
      const result = await place(call.script, call.from);
      cells.set(`${call.id}:${language}`, {
        seconds: figureSeconds(call.measure, result),
        problems: claimProblems(call, result),
        readerChanged,
      });
    }
  }
  return STANDARD_CALL_KINDS.map((kind) => ({
    kind,
    cells: Object.fromEntries(
      LANGUAGES.map((language) => [language, cells.get(`${kind.id}:${language}`) as ReportCell]),
    ) as Record<Language, ReportCell>,
  }));
}
