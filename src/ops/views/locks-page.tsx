/** The locked accounts page: telephone locks in force, and for an admin a button to lift each. */
import type { VNode } from "preact";
import type { LockInForce } from "../console-data/locks.js";
import { formatTime } from "./format.js";
import { Layout, type Viewer } from "./page.js";

/** One lock as the page and GET /ops/api/locks show it: the card's last four digits only. */
export interface LockView {
  patronId: number;
  name: string;
  cardLastFour: string;
  lockedAt: string | null;
  locked: string;
  lockedUntil: string;
  until: string;
}

export function lockViews(locks: LockInForce[], timeZone: string): LockView[] {
  return locks.map((lock) => ({
    patronId: lock.patronId,
    name: lock.name,
    cardLastFour: lock.cardLastFour,
    lockedAt: lock.lockedAt?.toISOString() ?? null,
    locked: lock.lockedAt ? formatTime(lock.lockedAt, timeZone) : "",
    lockedUntil: lock.lockedUntil.toISOString(),
    until: formatTime(lock.lockedUntil, timeZone),
  }));
}

/** What the last action did: said once, after the redirect back to the page. */
export type LocksNotice =
  | { kind: "lifted" }
  | { kind: "not_locked" }
  | { kind: "bad_request"; message: string }
  | { kind: "none" };

export function LocksPage(props: { viewer: Viewer; locks: LockView[]; notice: LocksNotice }): VNode {
  const { viewer, locks, notice } = props;
  const canLift = viewer.operator.role === "admin";
  return (
    <Layout title="Locked accounts" viewer={viewer} active="locks">
      {notice.kind === "lifted" && (
        <p role="status" class="ok">
          The lock was lifted: the reader can log in by telephone again.
        </p>
      )}
      {notice.kind === "not_locked" && (
        <p role="status">
          That account was no longer locked (the lock had already been lifted or had run out). Nothing was
          changed.
        </p>
      )}
      {notice.kind === "bad_request" && (
        <p role="alert" class="error">
          {notice.message}
        </p>
      )}
      <p class="muted">
        After too many wrong PINs in a row, an account cannot log in by telephone until the time shown.
        {canLift ? "" : " Only an admin can lift a lock."}
      </p>
      {locks.length === 0 ? (
        <p id="no-locks">No account is locked.</p>
      ) : (
        <table id="locks">
          <thead>
            <tr>
              <th scope="col">Card</th>
              <th scope="col">Reader</th>
              <th scope="col">Locked at</th>
              <th scope="col">Locked until</th>
              {canLift && <th scope="col">Lift</th>}
            </tr>
          </thead>
          <tbody>
            {locks.map((lock) => (
              <tr data-patron-id={lock.patronId}>
                <td>…{lock.cardLastFour}</td>
                <td>{lock.name}</td>
                <td>{lock.lockedAt && <time datetime={lock.lockedAt}>{lock.locked}</time>}</td>
                <td>
                  <time datetime={lock.lockedUntil}>{lock.until}</time>
                </td>
                {canLift && (
                  <td>
                    <form method="post" action={`/ops/locks/${lock.patronId}/lift`}>
                      <input type="hidden" name="csrf" value={viewer.csrf} />
                      <button type="submit" aria-label={`Lift lock on card …${lock.cardLastFour}`}>
                        Lift lock
                      </button>
                    </form>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
