/** `3` after a renewal: the reference number and new due dates by SMS, in the reader's language. */
import { eq } from "drizzle-orm";
import { patrons } from "../../db/schema/index.js";
import { findTransactionByTrn } from "../../renewals/renewal-records.js";
import { formatTrn } from "../../renewals/trn.js";
import { speakableTitle, speakDate } from "../speech-format.js";
import { toE164 } from "./login.js";
import type { Action } from "./types.js";

export const sendRenewalSms: Action = async (ctx, state) => {
  if (!ctx.sendSms || state.patronId === null || !state.lastRenewal) {
    return { outcome: "done", state, say: [{ key: "sms.failed" }] };
  }
  const [patron] = await ctx.db
    .select({ phone: patrons.phone })
    .from(patrons)
    .where(eq(patrons.id, state.patronId));
  const record = await findTransactionByTrn(ctx.db, state.lastRenewal.trn);
  const fill = (key: string, params: Record<string, string>) =>
    ctx.text(key, state.language).replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? "");
  const lines = (record?.results ?? [])
    .filter((r) => r.outcome === "renewed" && r.newDueOn)
    .map((r) =>
      fill("sms.line", {
        title: speakableTitle(r.title, state.language),
        date: speakDate(r.newDueOn as string, ctx.calendar.today(), state.language),
      }),
    );
  const body = fill("sms.body", { trn: formatTrn(state.lastRenewal.trn), lines: lines.join(" ") });
  try {
    if (!patron?.phone) throw new Error("no phone number on the account");
    await ctx.sendSms(toE164(patron.phone), body);
    ctx.record({ kind: "sms", detail: { result: "sent", trn: state.lastRenewal.trn } });
    return { outcome: "done", state, say: [{ key: "sms.sent" }] };
  } catch (error) {
    // A failed SMS is told to the caller and logged; the renewal stands.
    ctx.record({
      kind: "sms",
      detail: { result: "failed", reason: error instanceof Error ? error.message : "unknown" },
    });
    return { outcome: "done", state, say: [{ key: "sms.failed" }] };
  }
};
