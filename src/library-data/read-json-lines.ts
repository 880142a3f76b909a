/**
 * The JSON Lines form of the import file (library-data.md), for libraries too large for one
 * document: each non-empty line is an object with one key naming what it holds, its value as one
 * element of the document's arrays (`{"loan":{…}}`), or `{"closedDay":"2026-12-25"}`, or
 * `{"exportedAt":"…"}` at most once. Lines come in any order. Each line is checked on its own as
 * it is read and staged; the checks between lines run afterwards in SQL (staged-checks.ts).
 */
import type { z } from "zod";
import {
  calendarDate,
  charge,
  exportedAt,
  formatIssuePath,
  item,
  loan,
  patron,
  reservation,
  title,
} from "./import-schema.js";
import { isRow, loanDateProblems, type Row, reservationTargetProblem } from "./references.js";
import type { LineProblem } from "./staged-checks.js";
import {
  type Staging,
  stagedCharge,
  stagedClosedDay,
  stagedItem,
  stagedLoan,
  stagedPatron,
  stagedReservation,
  stagedTitle,
} from "./staging.js";

const KINDS = [
  "patron",
  "title",
  "item",
  "loan",
  "reservation",
  "charge",
  "closedDay",
  "exportedAt",
] as const;
type Kind = (typeof KINDS)[number];

const SCHEMAS: Record<Kind, z.ZodType> = {
  patron,
  title,
  item,
  loan,
  reservation,
  charge,
  closedDay: calendarDate,
  exportedAt,
};

const ONE_KEY = `expected an object with one key: ${KINDS.slice(0, -1).join(", ")} or ${KINDS.at(-1)}`;

export interface LinesRead {
  exportedAt: string | null;
}

/**
 * Reads every line, reports each line's own problems through `problem`, and stages every row
 * (a malformed row with the keys it has). Never holds more than a batch of rows.
 */
export async function stageJsonLines(
  lines: AsyncIterable<string>,
  staging: Staging,
  problem: (p: LineProblem) => void,
): Promise<LinesRead> {
  let lineNumber = 0;
  let exportedAtLine: number | null = null;
  let exportedAtValue: string | null = null;
  const say = (line: number, message: string) => problem({ line, message });
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === "") continue;
    const line = lineNumber;

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      say(line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const keys = isRow(value) ? Object.keys(value) : [];
    const kind = keys[0] as Kind;
    if (keys.length !== 1 || !KINDS.includes(kind)) {
      say(line, ONE_KEY);
      continue;
    }
    const raw = (value as Row)[kind];
    const checked = SCHEMAS[kind].safeParse(raw);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        say(line, `${formatIssuePath([kind, ...issue.path])}: ${issue.message}`);
      }
    }
    const parsed = checked.success ? checked.data : undefined;
    const row = isRow(raw) ? raw : {};

    switch (kind) {
      case "patron": {
        const p = parsed as z.output<typeof patron> | undefined;
        await staging.add("patrons", stagedPatron(line, row, p, staging.identityHashKey), p?.pin);
        break;
      }
      case "title":
        await staging.add("titles", stagedTitle(line, row, parsed as z.output<typeof title> | undefined));
        break;
      case "item":
        await staging.add("items", stagedItem(line, row, parsed as z.output<typeof item> | undefined));
        break;
      case "loan":
        for (const p of loanDateProblems(row))
          say(line, `${formatIssuePath([kind, ...p.path])}: ${p.message}`);
        await staging.add("loans", stagedLoan(line, row, parsed as z.output<typeof loan> | undefined));
        break;
      case "reservation": {
        const target = reservationTargetProblem(row);
        if (target) say(line, `reservation: ${target}`);
        await staging.add("reservations", stagedReservation(line, row));
        break;
      }
      case "charge":
        await staging.add("charges", stagedCharge(line, row, parsed as z.output<typeof charge> | undefined));
        break;
      case "closedDay":
        await staging.add("closed_days", stagedClosedDay(line, raw));
        break;
      case "exportedAt":
        if (exportedAtLine !== null)
          say(line, `exportedAt: given more than once (first at line ${exportedAtLine})`);
        exportedAtLine ??= line;
        if (exportedAtLine === line && parsed !== undefined) exportedAtValue = parsed as string;
        break;
    }
  }
  return { exportedAt: exportedAtValue };
}
