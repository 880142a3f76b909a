/**
 * What the fake ILS answers to each request, Koha-style: a refused renewal says why in a screen
 * message (AF), as Koha's SIP server does. Changes the library in place (a renewal moves the due
 * date) and counts the renewals it applied.
 */
import { sipDateTime } from "../../../src/library-system/sip2/date-time.js";
import { PATRON_STATUS_FLAGS, type PatronStatus } from "../../../src/library-system/sip2/fixed-fields.js";
import type { MessageCode, Sip2Message } from "../../../src/library-system/sip2/messages.js";
import { addDays, type CalendarDate } from "../../../src/time/calendar-date.js";
import type { FakeLibrary, FakeLoan, FakePatron } from "./library.js";

export type AnyMessage = Sip2Message<MessageCode>;

/** The refusals, worded as Koha words them in its SIP2 screen messages. */
export const REFUSAL = {
  recalled: "Item has been recalled",
  limit: "Renewal limit reached",
  onHold: "Item is on hold",
  notRenewable: "Item cannot be renewed",
  patronBlocked: "Patron blocked",
  notOnLoan: "Item not checked out",
  invalidPatron: "Invalid patron",
  invalidPin: "Invalid patron password",
} as const;

const noFlags = Object.fromEntries(PATRON_STATUS_FLAGS.map((flag) => [flag, false])) as PatronStatus;

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function dueDate(date: CalendarDate) {
  // Koha writes the due date as local time at 23:59.
  return sipDateTime(date, "23:59:00");
}

export class FakeIls {
  /** Renewals applied (29 and 65 together), whether or not their answer got out. */
  renewalsApplied = 0;

  constructor(readonly library: FakeLibrary) {}

  now() {
    return sipDateTime(this.library.today, "10:00:00");
  }

  acceptsLogin(user: string, password: string): boolean {
    return this.library.accounts.some((a) => a.user === user && a.password === password);
  }

  private patron(card: string): FakePatron | undefined {
    return this.library.patrons.find((p) => p.card === card);
  }

  private pinOk(patron: FakePatron, pin: string | undefined): boolean {
    // Koha accepts a request without AD; with one, it must match.
    return pin === undefined || (patron.pin !== null && patron.pin === pin);
  }

  private loansOf(card: string): FakeLoan[] {
    return this.library.loans.filter((l) => l.card === card);
  }

  private feeCents(card: string): number {
    return this.library.fines.filter((f) => f.card === card).reduce((sum, f) => sum + f.cents, 0);
  }

  answer(request: AnyMessage): AnyMessage | null {
    switch (request.code) {
      case "99":
        return this.status();
      case "63":
        return this.patronInformation(request);
      case "17":
        return this.itemInformation(request);
      case "29":
        return this.renew(request);
      case "65":
        return this.renewAll(request);
      default:
        return null;
    }
  }

  status(): Sip2Message<"98"> {
    return {
      code: "98",
      onlineStatus: true,
      checkinOk: true,
      checkoutOk: true,
      acsRenewalPolicy: true,
      statusUpdateOk: false,
      offlineOk: false,
      timeoutPeriod: 10,
      retriesAllowed: 3,
      dateTimeSync: this.now(),
      protocolVersion: "2.00",
      institutionId: this.library.institution,
      libraryName: this.library.libraryName,
      // Login, 63, 17, 29, 65 and the rest Koha supports; no Block Patron, no Item Status Update.
      supportedMessages: "YYYYYYYYYYYNYYYY",
      screenMessages: [`Welcome to ${this.library.libraryName}`],
      printLines: [],
    };
  }

  private patronInformation(request: Sip2Message<"63">): Sip2Message<"64"> {
    const patron = this.patron(request.patronIdentifier);
    const base = {
      code: "64" as const,
      language: "001",
      transactionDate: this.now(),
      institutionId: this.library.institution,
      patronIdentifier: request.patronIdentifier,
      holdItems: [] as string[],
      overdueItems: [] as string[],
      chargedItems: [] as string[],
      fineItems: [] as string[],
      recallItems: [] as string[],
      unavailableHoldItems: [] as string[],
      screenMessages: [] as string[],
      printLines: [] as string[],
    };
    const zero = {
      holdItemsCount: 0,
      overdueItemsCount: 0,
      chargedItemsCount: 0,
      fineItemsCount: 0,
      recallItemsCount: 0,
      unavailableHoldsCount: 0,
    };
    if (!patron) {
      return {
        ...base,
        ...zero,
        patronStatus: { ...noFlags, chargePrivilegesDenied: true, renewalPrivilegesDenied: true },
        personalName: "",
        validPatron: "N",
        screenMessages: [REFUSAL.invalidPatron],
      };
    }
    const phone = patron.phone !== undefined ? { homePhoneNumber: patron.phone } : {};
    const pinOk = this.pinOk(patron, request.patronPassword);
    const patronStatus = { ...noFlags, ...patron.blocks };
    if (!pinOk) {
      return {
        ...base,
        ...zero,
        patronStatus,
        personalName: patron.name,
        ...phone,
        validPatron: "Y",
        validPatronPassword: "N",
        screenMessages: [REFUSAL.invalidPin],
      };
    }
    const loans = this.loansOf(patron.card);
    const overdue = loans.filter((l) => l.due < this.library.today);
    const holds = this.library.holds.filter((h) => h.card === patron.card);
    const fines = this.library.fines.filter((f) => f.card === patron.card);
    const fee = this.feeCents(patron.card);
    return {
      ...base,
      patronStatus,
      holdItemsCount: holds.length,
      overdueItemsCount: overdue.length,
      chargedItemsCount: loans.length,
      fineItemsCount: fines.length,
      recallItemsCount: 0,
      unavailableHoldsCount: 0,
      personalName: patron.name,
      ...phone,
      validPatron: "Y",
      ...(request.patronPassword !== undefined ? { validPatronPassword: "Y" } : {}),
      currencyType: this.library.currency,
      ...(fee > 0 ? { feeAmount: money(fee) } : {}),
      // Koha lists the items whatever the summary asks for; so do we, for charged and overdue.
      chargedItems:
        request.summary === null || request.summary === "charged" ? loans.map((l) => l.barcode) : [],
      overdueItems: request.summary === "overdue" ? overdue.map((l) => l.barcode) : [],
      fineItems:
        request.summary === "fine" ? fines.map((f) => `${money(f.cents)} ${f.barcode ?? ""}`.trim()) : [],
    };
  }

  private itemInformation(request: Sip2Message<"17">): Sip2Message<"18"> {
    const item = this.library.items.find((i) => i.barcode === request.itemIdentifier);
    const loan = this.library.loans.find((l) => l.barcode === request.itemIdentifier);
    const holdQueue = item
      ? this.library.holds.filter((h) => h.barcode === item.barcode || h.titleId === item.titleId).length
      : 0;
    return {
      code: "18",
      circulationStatus: !item ? "01" : loan ? "04" : (item.shelfStatus ?? "03"),
      securityMarker: "00",
      feeType: "01",
      transactionDate: this.now(),
      itemIdentifier: request.itemIdentifier,
      titleIdentifier: item?.title ?? "",
      ...(loan ? { dueDate: dueDate(loan.due).raw } : {}),
      ...(item ? { holdQueueLength: String(holdQueue) } : {}),
      screenMessages: item ? [] : ["Item not found"],
      printLines: [],
    };
  }

  /** Why `loan` cannot be renewed now, or null when it can. */
  private refusal(patron: FakePatron, loan: FakeLoan): string | null {
    const item = this.library.items.find((i) => i.barcode === loan.barcode);
    if (patron.blocks?.renewalPrivilegesDenied) return REFUSAL.patronBlocked;
    if (!item?.renewable) return REFUSAL.notRenewable;
    if (item.recalled) return REFUSAL.recalled;
    const held = this.library.holds.some(
      (h) => h.card !== patron.card && (h.barcode === item.barcode || h.titleId === item.titleId),
    );
    if (held) return REFUSAL.onHold;
    if (loan.renewals >= this.library.maxRenewals) return REFUSAL.limit;
    return null;
  }

  private apply(loan: FakeLoan): void {
    loan.due = addDays(this.library.today, this.library.loanDays);
    loan.renewals++;
    this.renewalsApplied++;
  }

  private renew(request: Sip2Message<"29">): Sip2Message<"30"> {
    const item = this.library.items.find((i) => i.barcode === request.itemIdentifier);
    const refused = (message: string): Sip2Message<"30"> => ({
      code: "30",
      ok: false,
      renewalOk: false,
      magneticMedia: "U",
      desensitize: "N",
      transactionDate: this.now(),
      institutionId: this.library.institution,
      patronIdentifier: request.patronIdentifier,
      itemIdentifier: request.itemIdentifier ?? "",
      titleIdentifier: item?.title ?? "",
      screenMessages: [message],
      printLines: [],
    });
    const patron = this.patron(request.patronIdentifier);
    if (!patron) return refused(REFUSAL.invalidPatron);
    if (!this.pinOk(patron, request.patronPassword)) return refused(REFUSAL.invalidPin);
    const loan = this.library.loans.find(
      (l) => l.barcode === request.itemIdentifier && l.card === request.patronIdentifier,
    );
    if (!loan) return refused(REFUSAL.notOnLoan);
    const why = this.refusal(patron, loan);
    if (why) return { ...refused(why), dueDate: dueDate(loan.due).raw };
    this.apply(loan);
    return {
      code: "30",
      ok: true,
      renewalOk: true,
      magneticMedia: "U",
      desensitize: "N",
      transactionDate: this.now(),
      institutionId: this.library.institution,
      patronIdentifier: patron.card,
      itemIdentifier: loan.barcode,
      titleIdentifier: item?.title ?? "",
      dueDate: dueDate(loan.due).raw,
      screenMessages: [],
      printLines: [],
    };
  }

  private renewAll(request: Sip2Message<"65">): Sip2Message<"66"> {
    const patron = this.patron(request.patronIdentifier);
    const answer = (
      ok: boolean,
      renewed: string[],
      unrenewed: string[],
      screen: string[],
    ): Sip2Message<"66"> => ({
      code: "66",
      ok,
      renewedCount: renewed.length,
      unrenewedCount: unrenewed.length,
      transactionDate: this.now(),
      institutionId: this.library.institution,
      renewedItems: renewed,
      unrenewedItems: unrenewed,
      screenMessages: screen,
      printLines: [],
    });
    if (!patron) return answer(false, [], [], [REFUSAL.invalidPatron]);
    if (!this.pinOk(patron, request.patronPassword)) return answer(false, [], [], [REFUSAL.invalidPin]);
    const renewed: string[] = [];
    const unrenewed: string[] = [];
    for (const loan of this.loansOf(patron.card)) {
      if (this.refusal(patron, loan)) unrenewed.push(loan.barcode);
      else {
        this.apply(loan);
        renewed.push(loan.barcode);
      }
    }
    return answer(true, renewed, unrenewed, []);
  }
}
