/** The benchmark's answer: a table of figure | measured | target | result, and the same as JSON. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Row {
  scenario: string;
  figure: string;
  measured: string;
  target: string;
  /** null: not measured, or a figure with no target. */
  pass: boolean | null;
}

export function row(
  scenario: string,
  figure: string,
  measured: string,
  target = "",
  pass: boolean | null = null,
): Row {
  return { scenario, figure, measured, target, pass };
}

/** null: no samples (NaN does not survive JSON between the processes). */
export function formatMs(ms: number | null | undefined): string {
  return ms === undefined || ms === null || Number.isNaN(ms)
    ? "n/a"
    : `${ms.toLocaleString("en", { maximumFractionDigits: 1 })} ms`;
}

export function formatRate(perSecond: number): string {
  return `${perSecond.toLocaleString("en", { maximumFractionDigits: 1 })}/s`;
}

export function printTable(rows: Row[], header: string[]): string {
  const verdict = (pass: boolean | null) => (pass === null ? "" : pass ? "pass" : "FAIL");
  const cells = [
    ["scenario", "figure", "measured", "target", "result"],
    ...rows.map((r) => [r.scenario, r.figure, r.measured, r.target, verdict(r.pass)]),
  ];
  const widths =
    cells[0]?.map((_, column) => Math.max(...cells.map((line) => (line[column] ?? "").length))) ?? [];
  const format = (line: string[]) =>
    `| ${line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  const [head, ...body] = cells;
  return [...header, "", format(head ?? []), rule, ...body.map(format)].join("\n");
}

export function writeResults(dir: string, startedAt: Date, result: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
