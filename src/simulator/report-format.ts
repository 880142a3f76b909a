/** The caller-time report as text: a table to read in the terminal or paste into a README. */
import type { ReportCell, ReportRow } from "./caller-time-report.js";
import { LANGUAGES, type Language } from "./standard-calls.js";

const CHANGED = "*";
const PROBLEM = "!";

/** "18.2 / 20 ✓": the figure, then its budget beside it, or the figure alone where none is set. */
export function formatCell(cell: ReportCell, budgetSeconds: number | null): string {
  const seconds = cell.seconds.toFixed(1);
  const figure =
    budgetSeconds === null
      ? seconds
      : `${seconds} / ${budgetSeconds} ${cell.seconds <= budgetSeconds ? "✓" : "✗"}`;
  const marks = `${cell.readerChanged ? CHANGED : ""}${cell.problems.length > 0 ? PROBLEM : ""}`;
  return marks ? `${figure} ${marks}` : figure;
}

/** "Renew one item, listening (yue, cmn)": a row and the languages a note is about. */
function where(row: ReportRow, languages: Language[]): string {
  return `${row.kind.label} (${languages.join(", ")})`;
}

/** One note per mark, naming the rows and languages it applies to, rather than one per cell. */
function notes(rows: readonly ReportRow[]): string[] {
  const changed = rows.flatMap((row) => {
    const languages = LANGUAGES.filter((language) => row.cells[language].readerChanged);
    return languages.length > 0 ? [where(row, languages)] : [];
  });
  const problems = rows.flatMap((row) => {
    const byProblem = new Map<string, Language[]>();
    for (const language of LANGUAGES) {
      for (const problem of row.cells[language].problems) {
        byProblem.set(problem, [...(byProblem.get(problem) ?? []), language]);
      }
    }
    return [...byProblem].map(([problem, languages]) => `${PROBLEM} ${where(row, languages)}: ${problem}.`);
  });
  return [
    ...(changed.length > 0
      ? [
          `${CHANGED} Not the standard situation: before the call, its reader's loans did not sound like reader 30's, so the reader was renewed (or changed) since the demo was loaded: ${changed.join("; ")}. Start the line on a fresh database for reproducible figures.`,
        ]
      : []),
    ...problems,
  ];
}

export function formatCallerTimeReport(rows: readonly ReportRow[], baseUrl: string): string {
  const header = ["standard call", ...LANGUAGES];
  const body = rows.map((row) => [
    row.kind.label,
    ...LANGUAGES.map((language) => formatCell(row.cells[language], row.kind.budgetSeconds)),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => Array.from(cells[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  const noted = notes(rows);

  return [
    `Caller time on ${baseUrl}, in seconds: the simulator's speaking-rate estimate, not the wall clock.`,
    "Budgets (voice-line.md) beside each figure: ✓ within, ✗ over.",
    "",
    line(header),
    rule,
    ...body.map(line),
    ...(noted.length > 0 ? ["", ...noted] : []),
  ].join("\n");
}
