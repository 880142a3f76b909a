/**
 * demo/library.json as the fake ILS's library, moved to today as `npm start` moves it
 * (src/demo/demo-data.ts), so `npm run sip2:serve` tells the demo's story over SIP2. The demo's
 * PINs are plain (demo/README.md); a reader without one can only be looked up without AD.
 */
import { demoShiftDays, readDemoFile, shiftDemoDates } from "../../../src/demo/demo-data.js";
import type { CalendarDate } from "../../../src/time/calendar-date.js";
import type { FakeItem, FakeLibrary, Sip2Account } from "./library.js";

interface DemoFile {
  patrons: {
    cardNumber: string;
    name: string;
    pin?: string;
    phone?: string;
    status: string;
    expiresOn?: string;
  }[];
  titles: { id: string; title: string }[];
  items: { barcode: string; titleId: string; status: string; renewable?: boolean }[];
  loans: { barcode: string; cardNumber: string; dueOn: string; renewals: number; returnedOn?: string }[];
  reservations: { cardNumber: string; titleId?: string; barcode?: string }[];
  charges: { cardNumber: string; barcode?: string; amount: string }[];
}

const SHELF_STATUS: Record<string, string> = {
  on_shelf: "03",
  on_hold_shelf: "08",
  lost: "12",
  claimed_returned: "11",
  not_for_loan: "01",
};

export function demoLibrary(today: CalendarDate, account: Sip2Account, institution: string): FakeLibrary {
  const demo = shiftDemoDates(readDemoFile(), demoShiftDays(today)) as DemoFile;
  const titles = new Map(demo.titles.map((t) => [t.id, t.title]));
  const items: FakeItem[] = demo.items.map((item) => ({
    barcode: item.barcode,
    titleId: item.titleId,
    title: titles.get(item.titleId) ?? "",
    renewable: item.renewable !== false && item.status !== "lost" && item.status !== "claimed_returned",
    ...(SHELF_STATUS[item.status] ? { shelfStatus: SHELF_STATUS[item.status] } : {}),
  }));
  return {
    institution,
    libraryName: "Renewline Demo Library",
    currency: "HKD",
    accounts: [account],
    today,
    loanDays: 14,
    maxRenewals: 5,
    patrons: demo.patrons.map((p) => {
      const expired = p.expiresOn !== undefined && p.expiresOn < today;
      const blocked = p.status !== "active" || expired;
      return {
        card: p.cardNumber,
        pin: p.pin ?? null,
        name: p.name,
        ...(p.phone ? { phone: p.phone } : {}),
        blocks: {
          chargePrivilegesDenied: blocked,
          renewalPrivilegesDenied: blocked,
          cardReportedLost: p.status === "card_lost",
        },
      };
    }),
    items,
    loans: demo.loans
      .filter((l) => l.returnedOn === undefined)
      .map((l) => ({ barcode: l.barcode, card: l.cardNumber, due: l.dueOn, renewals: l.renewals })),
    holds: demo.reservations.map((r) => ({
      card: r.cardNumber,
      ...(r.titleId ? { titleId: r.titleId } : {}),
      ...(r.barcode ? { barcode: r.barcode } : {}),
    })),
    fines: demo.charges.map((c) => ({
      card: c.cardNumber,
      ...(c.barcode ? { barcode: c.barcode } : {}),
      cents: Math.round(Number(c.amount) * 100),
    })),
  };
}
