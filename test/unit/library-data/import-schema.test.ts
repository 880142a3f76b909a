/**
 * The import file's check (library-data.md): every problem comes back as "path: message", the
 * path in the file's own terms (`loans[3].dueOn`).
 */
import { describe, expect, it } from "vitest";
import { formatIssuePath, validateLibraryData } from "../../../src/library-data/import-schema.js";

type Row = Record<string, unknown>;

/** One reader with one open loan: valid as it stands. */
function smallFile() {
  return {
    patrons: [
      {
        cardNumber: "2100000001",
        name: "Chan Tai Man",
        category: "adult",
        status: "active",
        expiresOn: "2030-06-30",
      } as Row,
    ],
    titles: [{ id: "T1", title: "A Brief History of Time" } as Row],
    items: [{ barcode: "34000000000001", titleId: "T1", status: "on_loan" } as Row],
    loans: [
      {
        barcode: "34000000000001",
        cardNumber: "2100000001",
        borrowedOn: "2026-11-24",
        dueOn: "2026-12-08",
        renewals: 0,
      } as Row,
    ],
    reservations: [] as Row[],
    charges: [] as Row[],
  };
}

function problemsOf(raw: unknown): string[] {
  const result = validateLibraryData(raw);
  return result.ok ? [] : result.problems;
}

function withPatron(fields: Row) {
  const file = smallFile();
  file.patrons[0] = { ...file.patrons[0], ...fields };
  return file;
}

function withCharge(amount: unknown) {
  const file = smallFile();
  file.charges.push({ cardNumber: "2100000001", amount, kind: "overdue" });
  return file;
}

describe("formatIssuePath", () => {
  it.each([
    [["loans", 3, "dueOn"], "loans[3].dueOn"],
    [["items", 0, "set", "main"], "items[0].set.main"],
    [["reservations", 12], "reservations[12]"],
    [["closedDays", 1], "closedDays[1]"],
    [["patrons"], "patrons"],
    [["a", 1, 2, "b"], "a[1][2].b"],
    [[0, "x"], "[0].x"],
    [[], ""],
  ] as [PropertyKey[], string][])("%j → %s", (path, text) => {
    expect(formatIssuePath(path)).toBe(text);
  });
});

describe("validateLibraryData", () => {
  it("accepts a good file and gives amounts in cents and HKIDs without punctuation", () => {
    const file = smallFile();
    file.patrons[0] = { ...file.patrons[0], hkid: "a123456(3)" };
    file.charges.push(
      { cardNumber: "2100000001", barcode: "34000000000001", amount: "12.50", kind: "overdue" },
      { cardNumber: "2100000001", amount: "3", kind: "other" },
      { cardNumber: "2100000001", amount: "0.01", kind: "other" },
    );
    const result = validateLibraryData(file);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.patrons[0]?.hkid).toBe("A1234563");
    expect(result.data.charges.map((c) => c.amount)).toEqual([1250, 300, 1]);
    expect(result.data.closedDays).toEqual([]);
  });

  it("takes a missing section as empty", () => {
    expect(validateLibraryData({})).toEqual({
      ok: true,
      data: { closedDays: [], patrons: [], titles: [], items: [], loans: [], reservations: [], charges: [] },
    });
  });

  it("refuses what is not an object, at the file itself", () => {
    expect(problemsOf(null)).toEqual(["(file): Invalid input: expected object, received null"]);
    expect(problemsOf([])).toEqual(["(file): Invalid input: expected object, received array"]);
    expect(problemsOf({ patrons: {} })).toEqual(["patrons: Invalid input: expected array, received object"]);
  });

  it.each(["2026-02-29", "2026-13-01", "2026-12-32", "2026-2-01", "01/12/2026", "2026-12-01T00:00:00Z", ""])(
    "names a date that is not a calendar date: %j",
    (day) => {
      expect(problemsOf(withPatron({ expiresOn: day }))).toEqual([
        "patrons[0].expiresOn: expected a date YYYY-MM-DD",
      ]);
    },
  );

  // BUG: the whole-file checks run even though dueOn failed its own check, and compare the
  // invalid text with borrowedOn as if it were a date ("01/12/2026" < "2026-11-24").
  it("names an invalid due date once, without also comparing it with the day borrowed", () => {
    const file = smallFile();
    file.loans[0] = { ...file.loans[0], dueOn: "01/12/2026" };
    expect(problemsOf(file)).toEqual(["loans[0].dueOn: expected a date YYYY-MM-DD"]);
  });

  it("accepts 29 February in a leap year", () => {
    const file = smallFile();
    file.loans[0] = { ...file.loans[0], borrowedOn: "2028-02-15", dueOn: "2028-02-29" };
    expect(problemsOf(file)).toEqual([]);
  });

  it.each(["12.345", "0", "0.00", "-1.00", "12,50", "1e3", " 12.50", "12.", ".50", "HK$12.50", "10000000"])(
    "names an amount that is not HK$ above zero with at most two decimals: %j",
    (amount) => {
      expect(problemsOf(withCharge(amount))).toEqual([
        'charges[0].amount: expected an amount in HK$ above zero, such as "12.50"',
      ]);
    },
  );

  it("names an amount given as a number rather than a string", () => {
    expect(problemsOf(withCharge(12.5))).toEqual([
      "charges[0].amount: Invalid input: expected string, received number",
    ]);
  });

  it.each(["A1234567", "A123456", "1234563", "ABC1234563", "A1234563B"])(
    "names an HKID whose check digit or shape is wrong: %s",
    (hkid) => {
      expect(problemsOf(withPatron({ hkid }))).toEqual([
        "patrons[0].hkid: expected an HKID number with a valid check digit, such as A1234563",
      ]);
    },
  );

  it.each(["A1234563", "A123456(3)", "XA7788999", "B424242A", "B424242(A)"])(
    "accepts the HKID %s",
    (hkid) => {
      expect(problemsOf(withPatron({ hkid }))).toEqual([]);
    },
  );

  it.each([
    [{ cardNumber: "12345" }, "patrons[0].cardNumber: expected a card number: 6 to 14 digits"],
    [{ cardNumber: "123456789012345" }, "patrons[0].cardNumber: expected a card number: 6 to 14 digits"],
    [{ pin: "123" }, "patrons[0].pin: expected a PIN: 4 to 8 digits"],
    [{ pin: "123456789" }, "patrons[0].pin: expected a PIN: 4 to 8 digits"],
    [{ phone: "9123456" }, "patrons[0].phone: expected 8 digits, or an E.164 number such as +85291234567"],
    [
      { phone: "+0852912345" },
      "patrons[0].phone: expected 8 digits, or an E.164 number such as +85291234567",
    ],
    [{ name: "   " }, "patrons[0].name: expected a name"],
    [{ category: "child" }, 'patrons[0].category: Invalid option: expected one of "adult"|"junior"'],
    [
      { status: "expired" },
      'patrons[0].status: Invalid option: expected one of "active"|"suspended"|"card_lost"',
    ],
    [{ email: "chan@example.com" }, 'patrons[0]: Unrecognized key: "email"'],
  ])("names a reader's field: %j", (fields, problem) => {
    const file = withPatron(fields);
    // The loan follows the reader's card number, so only the field itself is wrong.
    for (const loan of file.loans) loan.cardNumber = file.patrons[0]?.cardNumber;
    expect(problemsOf(file)).toEqual([problem]);
  });

  it.each([
    { cardNumber: "123456" },
    { cardNumber: "12345678901234" },
    { pin: "0000" },
    { pin: "12345678" },
    { phone: "+85291234567" },
  ])("accepts the edge value %j", (fields) => {
    const file = withPatron(fields);
    for (const loan of file.loans) loan.cardNumber = file.patrons[0]?.cardNumber;
    expect(problemsOf(file)).toEqual([]);
  });

  it("accepts a pinHash instead of a pin, and refuses both at once", () => {
    const bcrypt = "$2b$08$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    expect(problemsOf(withPatron({ pinHash: bcrypt }))).toEqual([]);
    expect(problemsOf(withPatron({ pin: "1234", pinHash: bcrypt }))).toEqual([
      "patrons[0].pinHash: expected pin or pinHash, not both",
    ]);
  });

  it("names a pinHash of an unknown form or an absurd cost, without repeating it", () => {
    const secretPart = "Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg";
    const problems = problemsOf(withPatron({ pinHash: `$scrypt$ln=30,r=8,p=1$c2FsdHNhbHQ$${secretPart}` }));
    expect(problems).toEqual([
      "patrons[0].pinHash: scrypt cost too high (at most 64 MiB and N·r·p ≤ 2^19, such as ln=16,r=8,p=1)",
    ]);
    expect(problemsOf(withPatron({ pinHash: `{SSHA}${secretPart}` }))).toEqual([
      expect.stringMatching(/^patrons\[0\]\.pinHash: unknown hash format: /),
    ]);
    expect(problems.join("\n")).not.toContain(secretPart);
  });

  it("accepts exportedAt, an ISO time with offset, at the top level", () => {
    const file = { ...smallFile(), exportedAt: "2026-12-01T08:00:00+08:00" };
    expect(problemsOf(file)).toEqual([]);
    expect(problemsOf({ ...file, exportedAt: "2026-12-01 08:00" })).toEqual([
      "exportedAt: expected an ISO time with offset, such as 2026-12-01T08:00:00+08:00",
    ]);
  });

  it("never repeats a PIN or an HKID in a problem", () => {
    const problems = problemsOf(withPatron({ pin: "24a680", hkid: "Z9876543" }));
    expect(problems).toEqual([
      "patrons[0].hkid: expected an HKID number with a valid check digit, such as A1234563",
      "patrons[0].pin: expected a PIN: 4 to 8 digits",
    ]);
    expect(problems.join("\n")).not.toMatch(/24a680|9876543/);
  });

  it("names a loan's renewals out of range", () => {
    const file = smallFile();
    file.loans[0] = { ...file.loans[0], renewals: 100 };
    expect(problemsOf(file)).toEqual(["loans[0].renewals: Too big: expected number to be <=99"]);
  });

  it("names an unknown key inside an item's set, and at the top of the file", () => {
    const file = { ...smallFile(), patron: [] };
    file.items[0] = { ...file.items[0], set: { id: "S1", main: true, size: 2 } };
    expect(problemsOf(file).sort()).toEqual([
      '(file): Unrecognized key: "patron"',
      'items[0].set: Unrecognized key: "size"',
    ]);
  });

  it("names rows that do not fit together, each at its own path", () => {
    const file = smallFile();
    file.titles.push({ id: "T1", title: "Again" });
    file.items.push({ barcode: "34000000000001", titleId: "T2", status: "on_shelf" });
    file.loans.push({
      barcode: "34000000000001",
      cardNumber: "2100000001",
      borrowedOn: "2026-11-01",
      dueOn: "2026-11-15",
      renewals: 0,
    });
    file.loans.push({
      barcode: "34000000000001",
      cardNumber: "2100000001",
      borrowedOn: "2026-10-01",
      dueOn: "2026-10-15",
      returnedOn: "2026-09-30",
      renewals: 0,
    });
    file.reservations.push({ cardNumber: "2100000001", placedOn: "2026-12-01" });
    file.reservations.push({ titleId: "T9", cardNumber: "2100000001", placedOn: "2026-12-01" });
    file.charges.push({ cardNumber: "2100000001", barcode: "34000000000009", amount: "1.00", kind: "other" });

    expect(problemsOf(file).sort()).toEqual(
      [
        "titles[1].id: duplicate title id (first at titles[0])",
        "items[1].barcode: duplicate barcode (first at items[0])",
        'items[1].titleId: no title with id "T2"',
        "loans[1].barcode: item already on an open loan (loans[0])",
        "loans[2].returnedOn: returned before it was borrowed",
        "reservations[0]: expected either titleId (the title) or barcode (one copy), not both or neither",
        'reservations[1].titleId: no title with id "T9"',
        'charges[0].barcode: no item with barcode "34000000000009"',
      ].sort(),
    );
  });

  // Cross-reference checks read the raw file, so no kind of field mistake anywhere hides them:
  // one round names every problem (library-data.md).
  describe("cross-reference problems beside field problems", () => {
    function withUnknownBarcode(mutate: (file: ReturnType<typeof smallFile>) => void) {
      const file = smallFile();
      file.loans.push({
        barcode: "34000000000099",
        cardNumber: "2100000001",
        borrowedOn: "2026-11-24",
        dueOn: "2026-12-08",
        renewals: 0,
      });
      mutate(file);
      return problemsOf(file);
    }
    const UNKNOWN_BARCODE = 'loans[1].barcode: no item with barcode "34000000000099"';

    it.each([
      ["a bad date", { expiresOn: "2030-06-31" }, "patrons[0].expiresOn: expected a date YYYY-MM-DD"],
      ["a bad PIN", { pin: "12" }, "patrons[0].pin: expected a PIN: 4 to 8 digits"],
      ["an unknown key", { email: "chan@example.com" }, 'patrons[0]: Unrecognized key: "email"'],
    ])("are named together with %s", (_, fields, problem) => {
      const problems = withUnknownBarcode((file) => {
        file.patrons[0] = { ...file.patrons[0], ...fields };
      });
      expect(problems).toEqual([problem, UNKNOWN_BARCODE]);
    });

    it.each([
      [
        "a value outside its list",
        (file: ReturnType<typeof smallFile>) => {
          file.patrons[0] = { ...file.patrons[0], category: "child" };
        },
        'patrons[0].category: Invalid option: expected one of "adult"|"junior"',
      ],
      [
        "a missing field",
        (file: ReturnType<typeof smallFile>) => {
          file.patrons[0] = { ...file.patrons[0], expiresOn: undefined };
        },
        "patrons[0].expiresOn: Invalid input: expected string, received undefined",
      ],
      [
        "a number that is not whole",
        (file: ReturnType<typeof smallFile>) => {
          file.loans[0] = { ...file.loans[0], renewals: 1.5 };
        },
        "loans[0].renewals: Invalid input: expected int, received number",
      ],
      [
        "an amount that does not parse",
        (file: ReturnType<typeof smallFile>) => {
          file.charges.push({ cardNumber: "2100000001", amount: "12.345", kind: "overdue" });
        },
        'charges[0].amount: expected an amount in HK$ above zero, such as "12.50"',
      ],
    ])("are named together with %s too", (_, mutate, problem) => {
      expect(withUnknownBarcode(mutate)).toEqual([problem, UNKNOWN_BARCODE]);
      expect(withUnknownBarcode(() => {})).toEqual([UNKNOWN_BARCODE]);
    });
  });
});
