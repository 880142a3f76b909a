/**
 * The `embedded` library system (library-system.md): this project's database is the system of
 * record, loaded with `db:load`, and the rule module decides every renewal through the renewal
 * service. What the voice line did before the boundary existed, behind it unchanged: the same
 * queries, in the webhook's transaction.
 */
import { eq } from "drizzle-orm";
import { patrons } from "../../db/schema/index.js";
import { WEBHOOK_BUDGET_MS } from "../../db/time-limits.js";
import { loadAccount } from "../../renewals/account-snapshot.js";
import { RenewalRequestError } from "../../renewals/errors.js";
import { renewInTransaction } from "../../renewals/renew.js";
import { byDueDate, openLoansOf, outstandingCharges } from "../../rules/charges.js";
import { accountBlocks } from "../../rules/decide-renewals.js";
import type { RenewalPolicy } from "../../rules/policy.js";
import type { RenewalSelection } from "../../rules/types.js";
import type { LibraryCalendar } from "../../time/library-clock.js";
import { checkCredentials, chooseByCardNumber, findCandidates } from "../../voice/authentication.js";
import { findRecognisedReader } from "../../voice/caller-recognition.js";
import type { AccountView, ChargeView, LibrarySystem, RenewalChoice } from "../library-system.js";

export interface EmbeddedLibraryDeps {
  calendar: LibraryCalendar;
  policy: RenewalPolicy;
  /** Keys the HKID digits' hash (library-data.md). */
  identityHashKey: string;
}

export function createEmbeddedLibrary(deps: EmbeddedLibraryDeps): LibrarySystem {
  const library: LibrarySystem = {
    kind: "embedded",
    features: { hkidDigits: true, callerIdShortcut: true, pinPrecheck: true },
    webhookBudgetMs: WEBHOOK_BUDGET_MS,

    findCandidates: (request, keyed) => findCandidates(request.tx, keyed, deps.identityHashKey),

    checkCredentials: (request, candidates, secret, checking) =>
      checkCredentials(request.tx, candidates, secret, request.now, checking.lockout, checking),

    async chooseByCardNumber(request, among, cardNumber) {
      const patronId = await chooseByCardNumber(request.tx, among, cardNumber, request.now);
      if (patronId === null) return null;
      const [patron] = await request.tx
        .select({ cardNumber: patrons.cardNumber, phone: patrons.phone })
        .from(patrons)
        .where(eq(patrons.id, patronId));
      return patron ? { patronId, ...patron } : null;
    },

    recogniseCaller: (request, callerNumber) => findRecognisedReader(request.tx, callerNumber),

    async readAccount(request, patronId) {
      const account = await loadAccount(request.tx, patronId, { kind: "all" }, request.today, {
        lock: false,
      });
      if (!account) throw new Error("the logged-in reader's account is gone");
      const { snapshot, labels } = account;
      const titleOfLoan = (loanId: number) => labels.get(loanId)?.title ?? "";
      const charges = outstandingCharges(snapshot, request.today, deps.policy);
      const titleOfItem = new Map(snapshot.loans.map((loan) => [loan.itemId, titleOfLoan(loan.loanId)]));
      const items: ChargeView[] = [];
      for (const [itemId, cents] of charges.perItemCents) {
        const title = titleOfItem.get(itemId) ?? account.chargeTitles.get(itemId);
        if (title) items.push({ title, cents });
      }
      const view: AccountView = {
        // Due date, then loan id: the order the rule module decides and the line offers them in.
        loans: openLoansOf(snapshot)
          .sort(byDueDate)
          .map((loan) => ({
            ref: String(loan.loanId),
            title: titleOfLoan(loan.loanId),
            dueOn: loan.dueOn,
            set: loan.set,
          })),
        blocks: accountBlocks(snapshot, request.today, deps.policy),
        charges: { totalCents: charges.totalCents, items },
      };
      return view;
    },

    // The same one read of the account: the figures come from the loans themselves.
    async readSummary(request, patronId) {
      const account = await library.readAccount(request, patronId);
      return {
        loans: account.loans.length,
        overdue: account.loans.filter((loan) => loan.dueOn < request.today).length,
        blocks: account.blocks,
        owes: account.charges.totalCents > 0,
      };
    },

    renew: (request, renewal) =>
      renewInTransaction(
        request.tx,
        { calendar: deps.calendar, policy: deps.policy },
        {
          patronId: renewal.patronId,
          selection: selectionOf(renewal.choice),
          channel: renewal.channel,
          requestKey: renewal.requestKey,
        },
      ),

    async registeredPhone(request, patronId) {
      const [patron] = await request.tx
        .select({ phone: patrons.phone })
        .from(patrons)
        .where(eq(patrons.id, patronId));
      return patron?.phone ?? null;
    },

    // This project's database is the library system: /healthz checks it already.
    health: async () => ({ ok: true }),
    close: async () => {},
  };
  return library;
}

/** The rule module's selection: a loan is named by its id, which the line kept as text. */
function selectionOf(choice: RenewalChoice): RenewalSelection {
  if (choice.kind === "all") return { kind: "all" };
  if (!/^\d{1,9}$/.test(choice.ref)) throw new RenewalRequestError("UNKNOWN_LOAN", "not a loan id");
  return { kind: "loan", loanId: Number(choice.ref) };
}
