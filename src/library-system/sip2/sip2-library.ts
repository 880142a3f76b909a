/**
 * The `sip2` library system (library-system.md): the library's ILS is the system of record and
 * decides every renewal; this project's database keeps the line's own records (reader records for
 * the telephone lockout, TRNs and their results), written in the webhook's transaction as with
 * embedded, so the console reads the same records whichever system runs.
 */
import { BudgetExceededError, withinBudget } from "../../db/budgeted-transaction.js";
import { renewalResults } from "../../db/schema/index.js";
import { RenewalRequestError } from "../../renewals/errors.js";
import { insertTransaction, type RenewalOutcome } from "../../renewals/renew.js";
import { findTransactionByRequestKey, type RenewalLoanResult } from "../../renewals/renewal-records.js";
import type { AccountBlockCode } from "../../rules/reasons.js";
import type { CalendarDate } from "../../time/calendar-date.js";
import { type AccountToCheck, checkWithLockout } from "../../voice/authentication.js";
import type {
  AccountView,
  LibraryRequest,
  LibrarySystem,
  LibrarySystemHealth,
  LoanView,
} from "../library-system.js";
import type { Sip2TrafficLogger } from "./connection.js";
import { dueDateOf, feeCentsOf, IlsRequests } from "./ils-requests.js";
import type { Sip2Message } from "./messages.js";
import { blocksOf } from "./patron-blocks.js";
import type { Sip2Pool } from "./pool.js";
import { notePhone, readerRecord, readerRecordFor } from "./reader-records.js";
import type { RefusalMapping } from "./refusal-mapping.js";
import { Sip2AnswerLostError } from "./transport-errors.js";

/**
 * A webhook that asks the ILS gets this long before the caller hears the apology: Twilio gives up
 * at 15 s, and the apology (and the note of it for the console) must get out before then. A few
 * exchanges with a slow ILS (3 s an answer) fit in it.
 */
export const SIP2_WEBHOOK_BUDGET_MS = 12_000;

// /healthz answers within a second: the ILS gets this long to answer SC Status, and the answer is
// kept a little while, so that a balancer polling every second does not keep the ILS busy.
const HEALTH_PROBE_MS = 700;
const HEALTH_KEPT_MS = 2_000;

export interface Sip2LibraryOptions {
  pool: Sip2Pool;
  /** SIP2_INSTITUTION (AO). */
  institution: string;
  refusals: RefusalMapping;
  logger?: Sip2TrafficLogger;
}

export function createSip2Library(options: Sip2LibraryOptions): LibrarySystem {
  const ils = new IlsRequests(options.pool, options.institution);
  const log = options.logger;
  // Persistent connections (SIP2_POOL): logged in now, so that the first callers do not wait for
  // logins. An ILS down at start is not an error here: connections open when it is back.
  options.pool.fill().catch((error: Error) => {
    log?.warn(
      { sip2: "fill", reason: error.message },
      "SIP2: could not open the pool's connections at start",
    );
  });
  let health: { at: number; answer: LibrarySystemHealth } | null = null;

  /** The account, read from the ILS: 63 with the charged items, then 17 for each of them. */
  async function readIlsAccount(
    card: string,
    now: Date,
  ): Promise<{ patron: Sip2Message<"64">; view: AccountView }> {
    const patron = await ils.patronInformation(card, now, { summary: "charged" });
    if (patron.validPatron === "N") throw new Error("the ILS no longer knows the logged-in reader");
    const loans = await Promise.all(patron.chargedItems.map((barcode) => loanOf(barcode, now)));
    return {
      patron,
      view: {
        loans,
        blocks: blocksOf(patron.patronStatus),
        // The ILS's own total (BV). Its fine items (AV) are free text, worded differently by each
        // ILS: the line says the total and does not guess at the items.
        charges: { totalCents: feeCentsOf(patron.feeAmount), items: [] },
      },
    };
  }

  async function loanOf(barcode: string, now: Date): Promise<LoanView> {
    const item = await ils.itemInformation(barcode, now);
    const dueOn = dueDateOf(item.dueDate);
    // Without a due date the line could say nothing true about the loan.
    if (dueOn === null) throw new Error("the ILS sent an item on loan without a readable due date (AH)");
    return { ref: barcode, title: item.titleIdentifier, dueOn, set: null };
  }

  /** One item's renewal, as the ILS decided it. */
  async function renewItem(card: string, loan: LoanView, now: Date): Promise<RenewalLoanResult> {
    const refused = (primaryReason: RenewalLoanResult["primaryReason"] & string) =>
      result(loan, { outcome: "refused", newDueOn: null, reasons: [primaryReason], primaryReason });
    let answer: Sip2Message<"30">;
    try {
      answer = await ils.renew(card, loan.ref, now);
    } catch (error) {
      if (!(error instanceof Sip2AnswerLostError)) throw error;
      // The ILS may have renewed it: ask, never renew again (library-system.md).
      const after = await loanOf(loan.ref, now);
      const renewed = after.dueOn > loan.dueOn;
      log?.warn(
        { sip2: "renew-checked", renewed },
        "a Renew got no answer: the item's due date (17/18) says whether the ILS renewed it",
      );
      return renewed
        ? result(loan, { outcome: "renewed", newDueOn: after.dueOn, reasons: [], primaryReason: null })
        : refused("ILS_REFUSED");
    }
    if (!answer.renewalOk) return refused(options.refusals.reasonOf(answer.screenMessages));
    const newDueOn = dueDateOf(answer.dueDate) ?? (await loanOf(loan.ref, now)).dueOn;
    return result(loan, { outcome: "renewed", newDueOn, reasons: [], primaryReason: null });
  }

  return {
    kind: "sip2",
    // An ILS knows no HKID, cannot find a reader by phone, and checks its own PINs.
    features: { hkidDigits: false, callerIdShortcut: false, pinPrecheck: false },
    webhookBudgetMs: SIP2_WEBHOOK_BUDGET_MS,

    async findCandidates(request, keyed) {
      if (!/^\d{4,20}$/.test(keyed)) return [];
      const patron = await ils.patronInformation(keyed, request.now, { summary: null });
      if (patron.validPatron !== "Y") return [];
      return [await readerRecordFor(request.tx, keyed, patron.homePhoneNumber ?? null)];
    },

    checkCredentials(request, candidates, secret, checking) {
      return checkWithLockout(request.tx, candidates, request.now, checking.lockout, async (accounts) => {
        // A card the ILS does not know left no account to check: one exchange all the same, so
        // that the time taken never tells whether a card exists.
        if (accounts.length === 0) await ils.status();
        const fitting: AccountToCheck[] = [];
        for (const account of accounts) {
          // The phone the ILS sent at the card step: its last four need no PIN sent to the ILS
          // (an ILS counting failed PINs would count them).
          const phoneFits =
            !checking.pinOnly &&
            secret.length === 4 &&
            account.phone?.replace(/\D/g, "").endsWith(secret) === true;
          if (phoneFits) {
            fitting.push(account);
            continue;
          }
          const patron = await ils.patronInformation(account.cardNumber, request.now, {
            pin: secret,
            summary: null,
          });
          await notePhone(request.tx, account.id, patron.homePhoneNumber ?? null);
          if (patron.validPatronPassword === "Y") fitting.push(account);
        }
        return fitting;
      });
    },

    // An ILS card names one reader: HKID digits, which could name several, are embedded only.
    chooseByCardNumber: async () => null,
    recogniseCaller: async () => null,

    async readAccount(request, patronId) {
      const { cardNumber } = await readerRecord(request.tx, patronId);
      return (await readIlsAccount(cardNumber, request.now)).view;
    },

    async readSummary(request, patronId) {
      const { cardNumber } = await readerRecord(request.tx, patronId);
      const patron = await ils.patronInformation(cardNumber, request.now, { summary: null });
      if (patron.validPatron === "N") throw new Error("the ILS no longer knows the logged-in reader");
      const blocks = blocksOf(patron.patronStatus);
      const owes = feeCentsOf(patron.feeAmount) > 0;
      // The counts of 64; an ILS that leaves them blank is asked item by item instead.
      if (patron.chargedItemsCount !== null && patron.overdueItemsCount !== null) {
        return { loans: patron.chargedItemsCount, overdue: patron.overdueItemsCount, blocks, owes };
      }
      const { view } = await readIlsAccount(cardNumber, request.now);
      const overdue = view.loans.filter((loan) => loan.dueOn < request.today).length;
      return { loans: view.loans.length, overdue, blocks, owes };
    },

    async renew(request, renewal) {
      const earlier = await findTransactionByRequestKey(request.tx, renewal.requestKey);
      if (earlier) {
        if (earlier.patronId !== renewal.patronId) {
          throw new RenewalRequestError("REQUEST_KEY_REUSED", "request key already used for another account");
        }
        return { ...earlier, replayed: true };
      }
      const { cardNumber } = await readerRecord(request.tx, renewal.patronId);
      const { view } = await readIlsAccount(cardNumber, request.now);
      const { choice } = renewal;
      const wanted =
        choice.kind === "all" ? view.loans : view.loans.filter((loan) => loan.ref === choice.ref);
      let results: RenewalLoanResult[];
      if (choice.kind === "one" && wanted.length === 0) {
        // Returned since it was offered, or never this reader's: nothing is asked of the ILS.
        results = [notOnLoan(choice.ref, request.today)];
      } else if (view.blocks.length > 0) {
        // The ILS denies this reader renewals: no Renew is sent, the block says why.
        results = wanted.map((loan) => blocked(loan, view.blocks));
      } else {
        results = await Promise.all(wanted.map((loan) => renewItem(cardNumber, loan, request.now)));
      }
      return record(request, renewal, cardNumber, view.blocks, results);
    },

    async registeredPhone(request, patronId) {
      return (await readerRecord(request.tx, patronId)).phone;
    },

    async health() {
      if (health && Date.now() - health.at < HEALTH_KEPT_MS) return health.answer;
      const answer = await withinBudget(Date.now() + HEALTH_PROBE_MS, ils.status()).then(
        (status): LibrarySystemHealth =>
          status.onlineStatus ? { ok: true } : { ok: false, reason: "SIP2: the ILS says it is offline" },
        (error: unknown): LibrarySystemHealth => ({
          ok: false,
          reason:
            error instanceof BudgetExceededError
              ? "SIP2: the ILS is not answering"
              : "SIP2: the ILS cannot be reached",
        }),
      );
      health = { at: Date.now(), answer };
      return answer;
    },

    close: () => options.pool.close(),
  };
}

type Decision = Pick<RenewalLoanResult, "outcome" | "newDueOn" | "reasons" | "primaryReason">;

function result(loan: LoanView, decision: Decision): RenewalLoanResult {
  return {
    loanId: null,
    barcode: loan.ref,
    title: loan.title,
    oldDueOn: loan.dueOn,
    chargeRecordedCents: 0,
    ...decision,
  };
}

function blocked(loan: LoanView, blocks: AccountBlockCode[]): RenewalLoanResult {
  return result(loan, {
    outcome: "refused",
    newDueOn: null,
    reasons: blocks,
    primaryReason: blocks[0] ?? null,
  });
}

function notOnLoan(barcode: string, today: CalendarDate): RenewalLoanResult {
  return result(
    { ref: barcode, title: "", dueOn: today, set: null },
    { outcome: "refused", newDueOn: null, reasons: ["NOT_ON_LOAN"], primaryReason: "NOT_ON_LOAN" },
  );
}

/** The TRN and each item's result, recorded in the webhook's transaction as embedded records them. */
async function record(
  request: LibraryRequest,
  renewal: Parameters<LibrarySystem["renew"]>[1],
  cardNumber: string,
  accountBlocks: AccountBlockCode[],
  results: RenewalLoanResult[],
): Promise<RenewalOutcome> {
  const transaction = await insertTransaction(request.tx, {
    patronId: renewal.patronId,
    cardLastFour: cardNumber.slice(-4),
    channel: renewal.channel,
    requestKey: renewal.requestKey,
    selection: renewal.choice.kind === "all" ? "all" : "loan",
    createdAt: request.now,
    libraryDay: request.today,
    accountBlocks,
  });
  if (results.length > 0) {
    await request.tx
      .insert(renewalResults)
      .values(results.map((r) => ({ ...r, transactionId: transaction.id })));
  }
  return { ...transaction, results, replayed: false };
}
