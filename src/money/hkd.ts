/** Hong Kong dollar amounts as integer cents: no floats for money (renewal-rules.md). */

const HKD_DECIMAL = /^(\d{1,7})(?:\.(\d{1,2}))?$/;

/** "12.50" → 1250; null when the text is not a plain non-negative decimal amount. */
export function parseHkdToCents(text: string): number | null {
  const match = HKD_DECIMAL.exec(text);
  if (!match) return null;
  const dollars = Number(match[1]);
  const cents = Number((match[2] ?? "").padEnd(2, "0"));
  return dollars * 100 + cents;
}

/** 1250 → "12.50". */
export function formatCentsAsHkd(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
