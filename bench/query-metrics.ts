/**
 * Statements per webhook, from the line's own Prometheus histogram `renewline_webhook_queries`
 * (labels route and step), read from GET /metrics before and after a scenario. Absent: null.
 */
export type QueryCounts = Record<string, { sum: number; count: number }>;

const METRIC = "renewline_webhook_queries";

export async function readQueryCounts(baseUrl: string, token: string): Promise<QueryCounts | null> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    if (response.status !== 200) return null;
    return parseQueryCounts(await response.text());
  } catch {
    return null;
  }
}

/** `route/step` → sum and count of the histogram; null when the line does not export it. */
export function parseQueryCounts(text: string): QueryCounts | null {
  const counts: QueryCounts = {};
  let found = false;
  const line = new RegExp(`^${METRIC}_(sum|count)\\{([^}]*)\\}\\s+(\\S+)`);
  for (const row of text.split("\n")) {
    const match = line.exec(row);
    if (!match) continue;
    found = true;
    const labels = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    const kind = `${labels.route ?? "?"}/${labels.step ?? "?"}`;
    const entry = counts[kind] ?? { sum: 0, count: 0 };
    entry[match[1] as "sum" | "count"] += Number(match[3]);
    counts[kind] = entry;
  }
  return found ? counts : null;
}

/** Queries per webhook of each kind during a scenario: (after − before) sum / count. */
export function queriesPerWebhook(
  before: QueryCounts | null,
  after: QueryCounts | null,
): Record<string, { webhooks: number; queriesPerWebhook: number }> | null {
  if (!after) return null;
  const result: Record<string, { webhooks: number; queriesPerWebhook: number }> = {};
  for (const [kind, { sum, count }] of Object.entries(after)) {
    const webhooks = count - (before?.[kind]?.count ?? 0);
    if (webhooks <= 0) continue;
    const queries = sum - (before?.[kind]?.sum ?? 0);
    result[kind] = { webhooks, queriesPerWebhook: Math.round((queries / webhooks) * 10) / 10 };
  }
  return result;
}
