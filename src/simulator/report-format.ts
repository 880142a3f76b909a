/** The caller-time report as text: a table to read in the terminal or paste into a README. */
import type { ReportCell, ReportRow } from "./caller-time-report.js";
import { LANGUAGES } from "./standard-calls.js";

const CHANGED = "*";
const PROBLEM = "!";

/** "18.2 / 20 ✓": the figure, then its budget beside it, or the figure alone where none is set. */
export function formatCell(cell: ReportCell, budgetSeconds: number | null): string {
  const figure = budgetSeconds === null ? `${cell.seconds}` : `${cell.seconds} / ${budgetSeconds} ${cell.seconds <= budgetSeconds ? "✓" : "✗"}`;
  const marks = `${cell.readerChanged ? CHANGED : ""}${cell.problems.length > 0 ? PROBLEM : ""}`;
  return marks ? `${figure} ${marks}` : figure;
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

  const notes = rows.flatMap((row) =>
    LANGUAGES.flatMap((language) => {
      const cell = row.cells[language];
      const where = `${row.kind.label}, ${language}`;
      return [
        ...(cell.readerChanged
          ? [
              `${CHANGED} ${where}: this reader's loans did not sound like reader 30's before the call, so it was renewed (or changed) earlier; the figure is not for the standard situation. Restart the line on a fresh database for reproducible figures.`,
            ]
          : []),
        ...cell.problems.map((problem) => `${PROBLEM} ${where}: ${problem}.`),
      ];
    }),
  );

  return [
    `Caller time on ${baseUrl}, in seconds: the simulator's speaking-rate estimate, not the wall clock.`,
    "Budgets (voice-line.md) beside each figure: ✓ within, ✗ over.",
    "",
    line(header),
    rule,
    ...body.map(line),
    ...(notes.length > 0 ? ["", ...notes] : []),
  ].join("\n");
}
