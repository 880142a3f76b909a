/**
 * The operators page, for admins: who may sign in to the console, and forms to add an operator,
 * set a new password and disable one. A password is never written into the page, not even back
 * into a form after an error.
 */
import type { VNode } from "preact";
import { OPERATOR_ROLES, type Operator, type OperatorRole } from "../../db/schema/index.js";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../../security/password-hash.js";
import { formatTime } from "./format.js";
import { Layout, type Viewer } from "./page.js";

/** One operator as the page shows it: no hash. */
export interface OperatorView {
  name: string;
  role: OperatorRole;
  createdAt: string;
  created: string;
  disabledAt: string | null;
  disabled: string | null;
}

export function operatorViews(rows: Operator[], timeZone: string): OperatorView[] {
  return rows.map((o) => ({
    name: o.name,
    role: o.role,
    createdAt: o.createdAt.toISOString(),
    created: formatTime(o.createdAt, timeZone),
    disabledAt: o.disabledAt?.toISOString() ?? null,
    disabled: o.disabledAt ? formatTime(o.disabledAt, timeZone) : null,
  }));
}

export const OPERATOR_DONE = ["added", "password", "disabled"] as const;
export type OperatorDone = (typeof OPERATOR_DONE)[number];

const DONE_MESSAGES: Record<OperatorDone, string> = {
  added: "The operator was added: they can sign in now.",
  password: "The password was changed: the operator's open sessions are closed.",
  disabled: "The operator was disabled: they cannot sign in, and their open sessions are closed.",
};

/** What the last action did (said once, after the redirect back), or why it was refused. */
export type OperatorsNotice =
  | { kind: "done"; done: OperatorDone }
  | { kind: "refused"; message: string }
  | { kind: "none" };

/** What the add form had in it when it was refused: the name and role, never the password. */
export interface AddFormValues {
  name: string;
  role: OperatorRole;
}

// "." and ".." are dot segments: a browser would rewrite /ops/operators/../password before sending it.
const addressable = (name: string) => name !== "." && name !== "..";

const PASSWORD_INPUT = {
  type: "password",
  required: true,
  minlength: MIN_PASSWORD_LENGTH,
  maxlength: MAX_PASSWORD_LENGTH,
  autocomplete: "new-password",
} as const;

export function OperatorsPage(props: {
  viewer: Viewer;
  operators: OperatorView[];
  notice: OperatorsNotice;
  addForm?: AddFormValues | undefined;
}): VNode {
  const { viewer, operators, notice } = props;
  const self = viewer.operator.name;
  const addForm = props.addForm ?? { name: "", role: "staff" };
  return (
    <Layout title="Operators" viewer={viewer} active="operators">
      {notice.kind === "done" && (
        <p role="status" class="ok">
          {DONE_MESSAGES[notice.done]}
        </p>
      )}
      {notice.kind === "refused" && (
        <p role="alert" class="error">
          {notice.message}
        </p>
      )}
      <p class="muted">
        Staff read the console and make enquiries; admins may also lift locks and manage operators. A password
        has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters. Setting a new password or disabling an
        operator signs them out everywhere at once (a new password for yourself signs you out too).
      </p>
      <table id="operators">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
            <th scope="col">New password</th>
            <th scope="col">Disable</th>
          </tr>
        </thead>
        <tbody>
          {operators.map((o) => {
            const path = `/ops/operators/${encodeURIComponent(o.name)}`;
            return (
              <tr data-operator={o.name}>
                <td>
                  {o.name}
                  {o.name === self && <span class="muted"> (you)</span>}
                </td>
                <td>{o.role}</td>
                <td>
                  <time datetime={o.createdAt}>{o.created}</time>
                </td>
                <td>
                  {o.disabledAt ? (
                    <>
                      Disabled <time datetime={o.disabledAt}>{o.disabled}</time>
                    </>
                  ) : (
                    "Active"
                  )}
                </td>
                {o.disabledAt ? (
                  <td colSpan={2} class="muted">
                    Disabled operators cannot sign in.
                  </td>
                ) : !addressable(o.name) ? (
                  <td colSpan={2} class="muted">
                    Manage this one with npm run ops:user.
                  </td>
                ) : (
                  <>
                    <td>
                      <form method="post" action={`${path}/password`}>
                        <input type="hidden" name="csrf" value={viewer.csrf} />
                        <input
                          {...PASSWORD_INPUT}
                          name="password"
                          aria-label={`New password for ${o.name}`}
                          placeholder="New password"
                        />{" "}
                        <input
                          {...PASSWORD_INPUT}
                          name="passwordAgain"
                          aria-label={`New password for ${o.name}, again`}
                          placeholder="Again"
                        />{" "}
                        <button type="submit">Set password</button>
                      </form>
                    </td>
                    <td>
                      {o.name === self ? (
                        <span class="muted">Not yourself: ask another admin</span>
                      ) : (
                        <form method="post" action={`${path}/disable`}>
                          <input type="hidden" name="csrf" value={viewer.csrf} />
                          <button type="submit" aria-label={`Disable ${o.name}`}>
                            Disable
                          </button>
                        </form>
                      )}
                    </td>
                  </>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>

      <section class="card">
        <h2>Add an operator</h2>
        <form method="post" action="/ops/operators" class="filters">
          <input type="hidden" name="csrf" value={viewer.csrf} />
          <label>
            Name
            <input
              name="name"
              required
              maxlength={64}
              pattern="[A-Za-z0-9._\-]{1,64}"
              autocomplete="off"
              value={addForm.name}
            />
          </label>
          <label>
            Role
            <select name="role">
              {OPERATOR_ROLES.map((role) => (
                <option value={role} selected={role === addForm.role}>
                  {role}
                </option>
              ))}
            </select>
          </label>
          <label>
            Password
            <input {...PASSWORD_INPUT} name="password" />
          </label>
          <label>
            Password again
            <input {...PASSWORD_INPUT} name="passwordAgain" />
          </label>
          <button type="submit">Add operator</button>
        </form>
      </section>
    </Layout>
  );
}
