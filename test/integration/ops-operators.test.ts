/**
 * The admins' Operators page (issue 4, "admin: also lift locks, manage operators"): an admin adds
 * an operator, sets a new password, disables one; every bad input is refused with its own message
 * and changes nothing; staff and forged posts get 403; no password shows in a page, a URL or the
 * log. PGlite always, PostgreSQL too with TEST_DATABASE_URL.
 */
import { asc } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { operatorSessions, operators } from "../../src/db/schema/index.js";
import { disableOperator } from "../../src/ops/operators.js";
import { createTestDatabase, DRIVERS, resetData, type TestDatabase } from "../support/database.js";
import { capturingLogger } from "../support/log-capture.js";
import {
  addOperator,
  csrfOf,
  OPS_NOW,
  type OpsApp,
  OpsClient,
  signedInClient,
  startOpsApp,
} from "../support/ops-app.js";

const NEW_PASSWORD = "a-brand-new-password-42";
const NAME_RULE = "A name is 1 to 64 letters, digits, dots, dashes or underscores.";
const PASSWORD_RULE = "A password has 12 to 1024 characters.";
const DIFFER = "The two passwords differ.";

/** The text of some rendered markup: tags dropped, the entities preact writes decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function alertOf(html: string): string | null {
  const match = /<p role="alert" class="error">(.*?)<\/p>/s.exec(html);
  return match ? textOf(match[1] ?? "") : null;
}

function statusOf(html: string): string | null {
  const match = /<p role="status" class="ok">(.*?)<\/p>/s.exec(html);
  return match ? textOf(match[1] ?? "") : null;
}

interface OperatorRow {
  name: string;
  cells: string[];
  html: string;
}

function rowsOf(html: string): OperatorRow[] {
  return [...html.matchAll(/<tr data-operator="([^"]*)">(.*?)<\/tr>/gs)].map((m) => ({
    name: m[1] ?? "",
    html: m[2] ?? "",
    cells: [...(m[2] ?? "").matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => textOf(cell[1] ?? "")),
  }));
}

describe.each(DRIVERS)("the operators page on %s", (driver) => {
  let database: TestDatabase;
  let app: OpsApp;
  let logs: ReturnType<typeof capturingLogger>;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.dispose();
  });
  beforeEach(async () => {
    await resetData(database);
    logs = capturingLogger();
    app = await startOpsApp({ db: database.db, logger: logs.logger });
  });
  afterEach(async () => {
    await app?.close();
  });

  async function page(client: OpsClient, query = "") {
    const response = await client.request(`/ops/operators${query}`);
    return { status: response.status, html: await response.text() };
  }

  /** Posts a form of the page with the session's CSRF token, unless the form brings its own. */
  async function post(client: OpsClient, path: string, form: Record<string, string>) {
    const csrf = csrfOf((await page(client)).html);
    const response = await client.post(path, { csrf, ...form });
    return {
      status: response.status,
      location: response.headers.get("location"),
      html: await response.text(),
    };
  }

  /** Everything the page could change: the operators (hashes included) and the open sessions. */
  async function snapshot() {
    return {
      operators: await database.db.select().from(operators).orderBy(asc(operators.id)),
      sessions: (await database.db.select({ id: operatorSessions.id }).from(operatorSessions))
        .map((s) => s.id)
        .sort(),
    };
  }

  const opsLines = () =>
    logs
      .lines()
      .filter((line) => typeof line.msg === "string" && line.msg.startsWith("ops operator"))
      .map(({ msg, operator, target }) => ({ msg, operator, target }));

  it("shows an admin every operator, with times in the library's zone, and forms carrying the CSRF token", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    await addOperator(database.db, "bob", "staff");
    await addOperator(database.db, "sam", "staff");
    await disableOperator(database.db, "bob", new Date(Date.parse(OPS_NOW) + 90 * 60_000));

    const { status, html } = await page(admin);
    expect(status).toBe(200);
    expect(html).toContain("<title>Operators · Renewline console</title>");
    expect(html).toContain('<a href="/ops/operators" aria-current="page">');
    expect(statusOf(html)).toBeNull();
    expect(alertOf(html)).toBeNull();
    const rows = rowsOf(html);
    expect(rows.map((r) => [r.name, ...r.cells.slice(0, 4)])).toEqual([
      // Hong Kong time; the server runs in UTC.
      ["alice", "alice (you)", "admin", "2026-12-01 10:00:00", "Active"],
      ["bob", "bob", "staff", "2026-12-01 10:00:00", "Disabled 2026-12-01 11:30:00"],
      ["sam", "sam", "staff", "2026-12-01 10:00:00", "Active"],
    ]);
    // Yourself: a new password, but no disable button. A disabled operator: no forms.
    expect(rows[0]?.html).toContain('action="/ops/operators/alice/password"');
    expect(rows[0]?.html).not.toContain("/disable");
    expect(rows[1]?.html).not.toContain("<form");
    expect(rows[2]?.html).toContain('action="/ops/operators/sam/password"');
    expect(rows[2]?.html).toContain('action="/ops/operators/sam/disable"');
    expect(html).toContain('<form method="post" action="/ops/operators" class="filters">');

    const csrf = csrfOf(html);
    const forms = [...html.matchAll(/<form [^>]*>(.*?)<\/form>/gs)];
    // Sign out, add, alice's password, sam's password and disable.
    expect(forms).toHaveLength(5);
    for (const [form, inner] of forms) {
      expect(form).toContain('method="post"');
      expect(inner).toContain(`<input type="hidden" name="csrf" value="${csrf}"/>`);
    }

    const api = await admin.request("/ops/api/operators");
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      operators: [
        { name: "alice", role: "admin", createdAt: new Date(OPS_NOW).toISOString(), disabledAt: null },
        {
          name: "bob",
          role: "staff",
          createdAt: new Date(OPS_NOW).toISOString(),
          disabledAt: new Date(Date.parse(OPS_NOW) + 90 * 60_000).toISOString(),
        },
        { name: "sam", role: "staff", createdAt: new Date(OPS_NOW).toISOString(), disabledAt: null },
      ],
    });
  });

  it("adds a staff operator, who can then sign in", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const added = await post(admin, "/ops/operators", {
      name: "sam",
      role: "staff",
      password: NEW_PASSWORD,
      passwordAgain: NEW_PASSWORD,
    });
    expect(added.status).toBe(303);
    expect(added.location).toBe("/ops/operators?done=added");

    const after = await page(admin, "?done=added");
    expect(statusOf(after.html)).toBe("The operator was added: they can sign in now.");
    expect(
      rowsOf(after.html)
        .find((r) => r.name === "sam")
        ?.cells.slice(1, 4),
    ).toEqual(["staff", "2026-12-01 10:00:00", "Active"]);
    expect(after.html).not.toContain(NEW_PASSWORD);

    const sam = new OpsClient(app.baseUrl);
    expect((await sam.logIn("sam", NEW_PASSWORD)).status).toBe(303);
    expect(await (await sam.request("/ops/api/me")).json()).toEqual({ name: "sam", role: "staff" });
    expect(opsLines()).toEqual([{ msg: "ops operator added", operator: "alice", target: "sam" }]);
  });

  it("adds an admin when asked, trimming the name", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const added = await post(admin, "/ops/operators", {
      name: "  kim ",
      role: "admin",
      password: NEW_PASSWORD,
      passwordAgain: NEW_PASSWORD,
    });
    expect(added.location).toBe("/ops/operators?done=added");
    const kim = new OpsClient(app.baseUrl);
    expect((await kim.logIn("kim", NEW_PASSWORD)).status).toBe(303);
    expect((await page(kim)).status).toBe(200);
  });

  it("sets a new password: the old one stops working and their open session is closed", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const sam = await signedInClient(app.baseUrl, database.db, "sam", "staff");
    expect((await sam.request("/ops/api/me")).status).toBe(200);

    const changed = await post(admin, "/ops/operators/sam/password", {
      password: NEW_PASSWORD,
      passwordAgain: NEW_PASSWORD,
    });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe("/ops/operators?done=password");
    expect(statusOf((await page(admin, "?done=password")).html)).toBe(
      "The password was changed: the operator's open sessions are closed.",
    );

    expect((await sam.request("/ops/api/me")).status).toBe(401);
    expect((await new OpsClient(app.baseUrl).logIn("sam", "sam-password-123")).status).toBe(401);
    expect((await new OpsClient(app.baseUrl).logIn("sam", NEW_PASSWORD)).status).toBe(303);
    // The admin's own session is untouched.
    expect((await admin.request("/ops/api/me")).status).toBe(200);
    expect(opsLines()).toEqual([{ msg: "ops operator password set", operator: "alice", target: "sam" }]);
  });

  it("sends an admin who sets their own password to the login, since it closed their session", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const changed = await post(admin, "/ops/operators/alice/password", {
      password: NEW_PASSWORD,
      passwordAgain: NEW_PASSWORD,
    });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe("/ops/login");
    expect((await admin.request("/ops/api/me")).status).toBe(401);
    expect((await new OpsClient(app.baseUrl).logIn("alice", NEW_PASSWORD)).status).toBe(303);
  });

  it("disables an operator: they can no longer sign in, and their session ends", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const sam = await signedInClient(app.baseUrl, database.db, "sam", "staff");
    app.setNow(new Date(Date.parse(OPS_NOW) + 45 * 60_000));

    const disabled = await post(admin, "/ops/operators/sam/disable", {});
    expect(disabled.status).toBe(303);
    expect(disabled.location).toBe("/ops/operators?done=disabled");
    const after = await page(admin, "?done=disabled");
    expect(statusOf(after.html)).toBe(
      "The operator was disabled: they cannot sign in, and their open sessions are closed.",
    );
    expect(rowsOf(after.html).find((r) => r.name === "sam")?.cells[3]).toBe("Disabled 2026-12-01 10:45:00");

    expect((await sam.request("/ops/api/me")).status).toBe(401);
    expect((await sam.request("/ops/live")).headers.get("location")).toBe("/ops/login");
    expect((await new OpsClient(app.baseUrl).logIn("sam", "sam-password-123")).status).toBe(401);
    expect(opsLines()).toEqual([{ msg: "ops operator disabled", operator: "alice", target: "sam" }]);

    // A second disable (a double click, an old tab) says so and changes nothing.
    const before = await snapshot();
    app.setNow(new Date(Date.parse(OPS_NOW) + 60 * 60_000));
    const again = await post(admin, "/ops/operators/sam/disable", {});
    expect(again.status).toBe(409);
    expect(alertOf(again.html)).toBe("sam is already disabled. Nothing was changed.");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an admin disabling themself, and they stay signed in", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const before = await snapshot();
    const refused = await post(admin, "/ops/operators/alice/disable", {});
    expect(refused.status).toBe(400);
    expect(alertOf(refused.html)).toBe("You cannot disable yourself: ask another admin.");
    expect(await snapshot()).toEqual(before);
    expect((await admin.request("/ops/api/me")).status).toBe(200);
    expect(opsLines()).toEqual([]);
  });

  it("refuses each bad input with its own message, and changes nothing", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    await addOperator(database.db, "sam", "staff");
    const ok = { password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD };
    const tooShort = "Short-pw-11";
    const tooLong = "L".repeat(1025);
    const first = "first-typed-password";
    const second = "second-typed-password";
    expect(tooShort).toHaveLength(11);

    const cases: { path: string; form: Record<string, string>; status: number; message: string }[] = [
      {
        path: "/ops/operators",
        form: { name: "two words", role: "staff", ...ok },
        status: 400,
        message: NAME_RULE,
      },
      { path: "/ops/operators", form: { name: "", role: "staff", ...ok }, status: 400, message: NAME_RULE },
      { path: "/ops/operators", form: { role: "staff", ...ok }, status: 400, message: NAME_RULE },
      {
        path: "/ops/operators",
        form: { name: "n".repeat(65), role: "staff", ...ok },
        status: 400,
        message: NAME_RULE,
      },
      {
        path: "/ops/operators",
        form: { name: "<b>x</b>", role: "staff", ...ok },
        status: 400,
        message: NAME_RULE,
      },
      {
        path: "/ops/operators",
        form: { name: "..", role: "staff", ...ok },
        status: 400,
        message: 'A name cannot be "." or "..".',
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "root", ...ok },
        status: 400,
        message: "A role is one of: staff, admin.",
      },
      {
        path: "/ops/operators",
        form: { name: "kim", ...ok },
        status: 400,
        message: "A role is one of: staff, admin.",
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "staff", password: tooShort, passwordAgain: tooShort },
        status: 400,
        message: PASSWORD_RULE,
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "staff", password: tooLong, passwordAgain: tooLong },
        status: 400,
        message: PASSWORD_RULE,
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "staff", password: first, passwordAgain: second },
        status: 400,
        message: DIFFER,
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "staff", password: first },
        status: 400,
        message: DIFFER,
      },
      {
        path: "/ops/operators",
        form: { name: "kim", role: "staff", password: tooShort, passwordAgain: first },
        status: 400,
        message: `${PASSWORD_RULE} ${DIFFER}`,
      },
      {
        path: "/ops/operators",
        form: { name: "sam", role: "admin", ...ok },
        status: 400,
        message: "There is already an operator named sam.",
      },
      {
        path: "/ops/operators/sam/password",
        form: { password: tooShort, passwordAgain: tooShort },
        status: 400,
        message: `sam: ${PASSWORD_RULE}`,
      },
      {
        path: "/ops/operators/sam/password",
        form: { password: tooLong, passwordAgain: tooLong },
        status: 400,
        message: `sam: ${PASSWORD_RULE}`,
      },
      {
        path: "/ops/operators/sam/password",
        form: { password: first, passwordAgain: second },
        status: 400,
        message: `sam: ${DIFFER}`,
      },
      {
        path: "/ops/operators/sam/password",
        form: {},
        status: 400,
        message: `sam: ${PASSWORD_RULE} ${DIFFER}`,
      },
      {
        path: "/ops/operators/nobody/password",
        form: ok,
        status: 404,
        message: "There is no such operator.",
      },
      {
        path: "/ops/operators/bad%20name/password",
        form: ok,
        status: 404,
        message: "There is no such operator.",
      },
      { path: "/ops/operators/nobody/disable", form: {}, status: 404, message: "There is no such operator." },
      {
        path: "/ops/operators/%3Cb%3E/disable",
        form: {},
        status: 404,
        message: "There is no such operator.",
      },
    ];

    const before = await snapshot();
    for (const { path, form, status, message } of cases) {
      const label = `${path} ${JSON.stringify(form).slice(0, 120)}`;
      const refused = await post(admin, path, form);
      expect(refused.status, label).toBe(status);
      expect(alertOf(refused.html), label).toBe(message);
      // The page again, with its table, and no password written back into any field.
      expect(
        rowsOf(refused.html).map((r) => r.name),
        label,
      ).toEqual(["alice", "sam"]);
      expect(refused.html, label).not.toMatch(/<input[^>]*type="password"[^>]*value=/);
      for (const password of [NEW_PASSWORD, tooShort, tooLong, first, second])
        expect(refused.html, label).not.toContain(password);
      expect(refused.html, label).not.toContain("<b>x</b>");
      expect(await snapshot(), label).toEqual(before);
    }
    expect(opsLines()).toEqual([]);
  });

  it("gives the add form back its name and role after a refusal, but never a password", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const refused = await post(admin, "/ops/operators", {
      name: "kim",
      role: "admin",
      password: "first-typed-password",
      passwordAgain: "second-typed-password",
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/<input name="name"[^>]*value="kim"/);
    expect(refused.html).toContain('<option value="admin" selected>admin</option>');
    expect(refused.html).not.toContain("typed-password");

    // A name that is not one is not shown back.
    const markup = await post(admin, "/ops/operators", { name: "<i>kim</i>", role: "x" });
    expect(markup.html).toMatch(/<input name="name"[^>]*autocomplete="off" value\/>/);
    expect(markup.html).toContain('<option value="staff" selected>staff</option>');
    expect(markup.html).not.toContain("<i>kim</i>");
  });

  it("answers staff 403 on the page, the API and every form, and nothing changes", async () => {
    await addOperator(database.db, "alice", "admin");
    const staff = await signedInClient(app.baseUrl, database.db, "sam", "staff");
    const live = await (await staff.request("/ops/live")).text();
    expect(live).not.toContain("/ops/operators");
    const csrf = csrfOf(live);

    const refusedPage = await staff.request("/ops/operators");
    expect(refusedPage.status).toBe(403);
    expect(await refusedPage.text()).toBe("Only an admin may do this.");
    const api = await staff.request("/ops/api/operators");
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({ error: "admin only" });

    const before = await snapshot();
    for (const [path, form] of [
      ["/ops/operators", { name: "kim", role: "admin", password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD }],
      ["/ops/operators/alice/password", { password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD }],
      ["/ops/operators/alice/disable", {}],
      ["/ops/operators/sam/password", { password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD }],
    ] as const) {
      // With the staff session's own, valid CSRF token: refused for the role alone.
      const response = await staff.post(path, { csrf, ...form });
      expect(response.status, path).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
    expect(opsLines()).toEqual([]);
  });

  it("refuses a form posted without its CSRF token, or with another session's, and nothing changes", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const other = await signedInClient(app.baseUrl, database.db, "bob", "admin");
    await addOperator(database.db, "sam", "staff");
    const othersCsrf = csrfOf((await page(other)).html);

    const before = await snapshot();
    for (const [path, form] of [
      ["/ops/operators", { name: "kim", role: "admin", password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD }],
      ["/ops/operators/sam/password", { password: NEW_PASSWORD, passwordAgain: NEW_PASSWORD }],
      ["/ops/operators/sam/disable", {}],
    ] as const) {
      for (const csrf of [undefined, "", othersCsrf]) {
        const response = await admin.post(path, csrf === undefined ? form : { ...form, csrf });
        expect(response.status, `${path} ${csrf}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(before);
    expect(opsLines()).toEqual([]);
  });

  it("keeps every password out of the pages, the redirects and the log", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    const kimPassword = "kims-first-password-77";
    const kimSecond = "kims-second-password-88";
    const typo = "kims-second-password-89";
    const seen: string[] = [];
    const record = async (result: Promise<{ location: string | null; html: string }>) => {
      const { location, html } = await result;
      seen.push(location ?? "", html);
    };

    await record(
      post(admin, "/ops/operators", {
        name: "kim",
        role: "staff",
        password: kimPassword,
        passwordAgain: kimPassword,
      }),
    );
    await record(
      post(admin, "/ops/operators", {
        name: "kim",
        role: "staff",
        password: kimPassword,
        passwordAgain: kimPassword,
      }),
    );
    await record(post(admin, "/ops/operators/kim/password", { password: kimSecond, passwordAgain: typo }));
    await record(
      post(admin, "/ops/operators/kim/password", { password: kimSecond, passwordAgain: kimSecond }),
    );
    await record(post(admin, "/ops/operators/kim/disable", {}));
    for (const query of ["", "?done=added", "?done=password", "?done=disabled"])
      seen.push((await page(admin, query)).html);
    seen.push(await (await admin.request("/ops/api/operators")).text());

    expect(opsLines()).toEqual([
      { msg: "ops operator added", operator: "alice", target: "kim" },
      { msg: "ops operator password set", operator: "alice", target: "kim" },
      { msg: "ops operator disabled", operator: "alice", target: "kim" },
    ]);
    const everything = [...seen, logs.text()].join("\n");
    expect(everything).toContain("kim");
    for (const secret of [kimPassword, kimSecond, typo, "alice-password-123"])
      expect(everything, secret).not.toContain(secret);
    expect(everything).not.toContain("scrypt$");
  });

  it("shows no notice for an unknown done=, and never echoes the query", async () => {
    const admin = await signedInClient(app.baseUrl, database.db, "alice", "admin");
    for (const query of ["?done=<b>pwned</b>", "?done=added&done=added", "?done="]) {
      const { status, html } = await page(admin, query);
      expect(status, query).toBe(200);
      expect(statusOf(html), query).toBeNull();
      expect(html, query).not.toContain("pwned");
    }
  });
});
