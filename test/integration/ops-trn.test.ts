/**
 * The console's reference-number enquiry (issue "Reference-number enquiry"): TRNs issued by real
 * calls on the demo library, looked up on the page and through the API; a mistyped TRN is caught
 * by its check digit before any lookup. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { findTransactionByTrn } from "../../src/renewals/renewal-records.js";
import { formatTrn, generateTrn } from "../../src/renewals/trn.js";
import { DEMO_NOW, login, NEW_DUE, transactions, useDemoLine } from "../calls/call-helpers.js";
import { DRIVERS } from "../support/database.js";
import { extraReadersFixture } from "../support/library-fixture.js";
import { capturingLogger } from "../support/log-capture.js";
import { OpsClient, signedInClient } from "../support/ops-app.js";
import { call } from "../support/voice-app.js";

// The lookup, wrapped so a test can tell whether the enquiry reached it.
vi.mock("../../src/renewals/renewal-records.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/renewals/renewal-records.js")>();
  return { ...actual, findTransactionByTrn: vi.fn(actual.findTransactionByTrn) };
});
const lookups = vi.mocked(findTransactionByTrn);

const MARKUP_TITLE = '<script>alert("renewline")</script> & Sons';
/** A reader whose one loan has markup in its title, as a library system might send it. */
const markupFixture = extraReadersFixture([
  {
    cardNumber: "2100000098",
    name: "Markup Reader",
    phone: "98989898",
    pin: "9898",
    loans: [{ barcode: "34000000000098", titleId: "MK1", title: MARKUP_TITLE }],
  },
]);

/** One table row of the transaction's items: its data attributes and its cells as text. */
interface ItemRow {
  barcode: string;
  outcome: string;
  cells: string[];
  html: string;
}

const text = (html: string) => html.replace(/<[^>]*>/g, "").trim();

function itemRowsOf(page: string): ItemRow[] {
  return [...page.matchAll(/<tr data-barcode="(\d+)" data-outcome="(\w+)">(.*?)<\/tr>/gs)].map((m) => ({
    barcode: m[1] ?? "",
    outcome: m[2] ?? "",
    html: m[3] ?? "",
    cells: [...(m[3] ?? "").matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => text(cell[1] ?? "")),
  }));
}

function sectionOf(page: string): string | null {
  return /<section id="transaction"[^>]*>.*?<\/section>/s.exec(page)?.[0] ?? null;
}

function alertOf(page: string): string | null {
  const match = /<p role="alert" class="error"[^>]*>(.*?)<\/p>/s.exec(page);
  return match ? text(match[1] ?? "") : null;
}

/** A valid TRN with its last digit changed: one mistyped digit. */
function mistype(trn: string, position = 9): string {
  const digit = (Number(trn[position]) + 1) % 10;
  return `${trn.slice(0, position)}${digit}${trn.slice(position + 1)}`;
}

describe.each(DRIVERS)("reference-number enquiry on %s", (driver) => {
  const logs = capturingLogger();
  const line = useDemoLine(driver, { extra: markupFixture, app: { ops: true, logger: logs.logger } });
  beforeEach(() => {
    lookups.mockClear();
  });

  /** Renews everything by phone and returns the TRN the line issued. */
  async function renewAll(card: string, pin: string): Promise<string> {
    const before = (await transactions(line.demo.db)).length;
    await call(line.app, [...login(card, pin), "0", "*"]);
    const issued = await transactions(line.demo.db);
    expect(issued).toHaveLength(before + 1);
    return issued.at(-1)?.trn ?? "";
  }

  async function staff(): Promise<OpsClient> {
    return signedInClient(line.app.baseUrl, line.demo.db, "sam", "staff");
  }

  async function page(client: OpsClient, typed: string) {
    const response = await client.request(`/ops/trn?${new URLSearchParams({ trn: typed })}`);
    return { status: response.status, html: await response.text() };
  }

  it("shows the form alone at first, under the Reference numbers tab", async () => {
    const response = await (await staff()).request("/ops/trn");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Reference numbers · Renewline console</title>");
    expect(html).toContain('<a href="/ops/trn" aria-current="page">');
    expect(html).toMatch(/<form method="get" action="\/ops\/trn"/);
    expect(html).toMatch(/<input id="trn" name="trn" value[ />]/);
    expect(sectionOf(html)).toBeNull();
    expect(alertOf(html)).toBeNull();
    expect(lookups).not.toHaveBeenCalled();
  });

  it("shows a real renewal: when, channel, card last four, each item with title, old and new due date or reasons", async () => {
    const trn = await renewAll("2100000003", "0303");
    const { status, html } = await page(await staff(), trn);
    expect(status).toBe(200);
    const section = sectionOf(html) ?? "";
    expect(section).toContain(`Transaction ${formatTrn(trn)}`);
    expect(text(section)).toContain("When2026-12-01 10:00:00");
    expect(text(section)).toContain("ChannelTelephone");
    expect(text(section)).toContain("ReaderCard ending 0003");
    expect(text(section)).toContain("RequestRenew all");
    expect(text(section)).toContain("Result1 renewed, 1 not renewed");
    expect(section).not.toContain("Account blocked");

    const rows = itemRowsOf(section);
    expect(rows.map((r) => [r.barcode, r.outcome, ...r.cells])).toEqual([
      [
        "34000000000007",
        "refused",
        "34000000000007",
        "三體",
        "Not renewed",
        "2026-12-08",
        "",
        "Reserved by another reader, and no other copy is available (RESERVED)",
        "",
      ],
      [
        "34000000000010",
        "renewed",
        "34000000000010",
        "The Little Prince",
        "Renewed",
        "2026-12-10",
        NEW_DUE,
        "",
        "",
      ],
    ]);
    expect(rows[0]?.html).toContain('<li data-code="RESERVED">');
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it("shows the overdue charge a renewal recorded, and an account block with every refused item", async () => {
    const overdue = await renewAll("2100000002", "0202");
    const blocked = await renewAll("2100000017", "1717");
    const client = await staff();

    const charged = itemRowsOf((await page(client, overdue)).html);
    expect(charged.map((r) => [r.cells[1], r.cells[3], r.cells[4], r.cells[6]])).toEqual([
      ["Sapiens: A Brief History of Humankind", "2026-11-25", NEW_DUE, "9.00"],
      ["傾城之戀", "2026-12-10", NEW_DUE, ""],
    ]);

    const { html } = await page(client, blocked);
    const phrase = "The charges on one item have reached the per-item ceiling (ITEM_CHARGE_CEILING)";
    expect(text(sectionOf(html) ?? "")).toContain(`Account blocked${phrase}`);
    expect(itemRowsOf(html).map((r) => [r.cells[1], r.cells[2], r.cells[4], r.cells[5]])).toEqual([
      ["朝花夕拾", "Not renewed", "", phrase],
    ]);
  });

  it("accepts the TRN as printed, or with dashes and stray spaces", async () => {
    const trn = await renewAll("2100000001", "135790");
    const client = await staff();
    for (const typed of [
      formatTrn(trn),
      `${trn.slice(0, 5)}-${trn.slice(5)}`,
      ` ${trn.slice(0, 3)} ${trn.slice(3, 7)} - ${trn.slice(7)} `,
    ]) {
      const { status, html } = await page(client, typed);
      expect(status, typed).toBe(200);
      expect(sectionOf(html), typed).toContain(`Transaction ${formatTrn(trn)}`);
      expect(itemRowsOf(html), typed).toHaveLength(3);
    }
    // The API takes it with separators too.
    const api = await client.request(`/ops/api/trn/${encodeURIComponent(formatTrn(trn))}`);
    expect(api.status).toBe(200);
  });

  it("rejects a TRN with one digit changed, or two swapped, as mistyped, without any lookup", async () => {
    const trn = await renewAll("2100000001", "135790");
    const client = await staff();
    const swapped = `${trn.slice(0, 3)}${trn[4]}${trn[3]}${trn.slice(5)}`;
    const candidates = [mistype(trn), mistype(trn, 0), formatTrn(mistype(trn, 6))];
    if (trn[3] !== trn[4]) candidates.push(swapped);
    for (const typed of candidates) {
      const { status, html } = await page(client, typed);
      expect(status, typed).toBe(400);
      expect(alertOf(html), typed).toBe(
        "This is not a valid reference number: a digit is wrong or two digits are swapped. Check it with the reader.",
      );
      expect(sectionOf(html), typed).toBeNull();
      // What was typed stays in the field, to be corrected.
      expect(html).toContain(`value="${typed}"`);
      expect(html).toContain('aria-invalid="true"');

      const api = await client.request(`/ops/api/trn/${encodeURIComponent(typed)}`);
      expect(api.status, typed).toBe(400);
      expect(await api.json()).toEqual({
        error:
          "This is not a valid reference number: a digit is wrong or two digits are swapped. Check it with the reader.",
        reason: "check_digit",
      });
    }
    expect(lookups).not.toHaveBeenCalled();
    // The same TRN typed right is looked up: the spy does see lookups.
    expect((await page(client, trn)).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it("answers an empty field or anything but 10 digits with a clear message, and looks nothing up", async () => {
    const client = await staff();
    const cases: [string, string][] = [
      ["", "Enter a reference number: 10 digits, as in 12345 67890."],
      ["   ", "Enter a reference number: 10 digits, as in 12345 67890."],
      ["12345", "A reference number is 10 digits, as in 12345 67890 (spaces and dashes are fine)."],
      ["12345 678901", "A reference number is 10 digits, as in 12345 67890 (spaces and dashes are fine)."],
      ["abcde fghij", "A reference number is 10 digits, as in 12345 67890 (spaces and dashes are fine)."],
      ["1".repeat(500), "A reference number is 10 digits, as in 12345 67890 (spaces and dashes are fine)."],
    ];
    for (const [typed, message] of cases) {
      const { status, html } = await page(client, typed);
      expect(status, typed).toBe(400);
      expect(alertOf(html), typed).toBe(message);
    }
    const api = await client.request("/ops/api/trn/12345");
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ reason: "not_ten_digits" });
    // A repeated field is not a TRN either.
    const twice = await client.request("/ops/trn?trn=1234567890&trn=1234567890");
    expect(twice.status).toBe(400);
    expect(lookups).not.toHaveBeenCalled();
  });

  it("says when a well-formed TRN names no transaction (404 in the API)", async () => {
    const unknown = generateTrn(() => 1);
    const client = await staff();
    const { status, html } = await page(client, unknown);
    expect(status).toBe(404);
    expect(alertOf(html)).toBe("No transaction has this reference number.");
    expect(sectionOf(html)).toBeNull();
    const api = await client.request(`/ops/api/trn/${unknown}`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: "No transaction has this reference number." });
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it("gives the same transaction as JSON, without the patron id, request key or any secret", async () => {
    const trn = await renewAll("2100000002", "0202");
    const client = await staff();
    const response = await client.request(`/ops/api/trn/${trn}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { transaction: Record<string, unknown> };
    expect(body.transaction).toEqual({
      trn,
      trnFormatted: formatTrn(trn),
      createdAt: new Date(DEMO_NOW).toISOString(),
      created: "2026-12-01 10:00:00",
      channel: "phone",
      cardLastFour: "0002",
      selection: "all",
      libraryDay: "2026-12-01",
      accountBlocks: [],
      renewed: 2,
      refused: 0,
      items: [
        {
          barcode: "34000000000005",
          title: "Sapiens: A Brief History of Humankind",
          outcome: "renewed",
          oldDueOn: "2026-11-25",
          newDueOn: NEW_DUE,
          reasons: [],
          chargeRecordedCents: 900,
        },
        {
          barcode: "34000000000006",
          title: "傾城之戀",
          outcome: "renewed",
          oldDueOn: "2026-12-10",
          newDueOn: NEW_DUE,
          reasons: [],
          chargeRecordedCents: 0,
        },
      ],
    });

    const refused = await renewAll("2100000003", "0303");
    const refusedBody = (await (await client.request(`/ops/api/trn/${refused}`)).json()) as {
      transaction: { items: { reasons: unknown }[] };
    };
    expect(refusedBody.transaction.items[0]?.reasons).toEqual([
      { code: "RESERVED", text: "Reserved by another reader, and no other copy is available" },
    ]);

    // Reader 2: card 2100000002, PIN 0202, HKID C668668(9), phone 93456721.
    const html = (await page(client, trn)).html;
    for (const secret of ["2100000002", "C668668", "6686689", "93456721"]) {
      expect(JSON.stringify(body), secret).not.toContain(secret);
      expect(html, secret).not.toContain(secret);
      expect(logs.text(), secret).not.toContain(secret);
    }
  });

  it("shows a title with markup as text, in the page, and as it is in the JSON", async () => {
    const trn = await renewAll("2100000098", "9898");
    const client = await staff();
    const { html } = await page(client, trn);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script>alert(&quot;renewline&quot;)&lt;/script> &amp; Sons");
    expect(itemRowsOf(html)[0]?.cells[1]).toBe(
      "&lt;script>alert(&quot;renewline&quot;)&lt;/script> &amp; Sons",
    );
    const body = (await (await client.request(`/ops/api/trn/${trn}`)).json()) as {
      transaction: { items: { title: string }[] };
    };
    expect(body.transaction.items[0]?.title).toBe(MARKUP_TITLE);
  });

  it("shows what was typed as text, never as markup", async () => {
    const { status, html } = await page(await staff(), '"><script>alert(1)</script>');
    expect(status).toBe(400);
    expect(html).not.toContain("<script>");
    expect(html).toContain('value="&quot;>&lt;script>alert(1)&lt;/script>"');
  });

  it("refuses the page and the API without a session", async () => {
    const trn = await renewAll("2100000001", "135790");
    const stranger = new OpsClient(line.app.baseUrl);
    for (const path of ["/ops/trn", `/ops/trn?trn=${trn}`]) {
      const response = await stranger.request(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe("/ops/login");
    }
    const api = await stranger.request(`/ops/api/trn/${trn}`);
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: "not signed in" });
    expect(lookups).not.toHaveBeenCalled();
  });
});
