/** `3` after a renewal: the reference number and new due dates by SMS, in the reader's language. */
import { findTransactionByTrn } from "../../renewals/renewal-records.js";
import { formatTrn } from "../../renewals/trn.js";
import { speakableTitle, speakDate } from "../speech-format.js";
import { toE164 } from "./login.js";
import { type Action, libraryRequest } from "./types.js";

export const sendRenewalSms: Action = async (ctx, state) => {
  if (!ctx.sendSms || state.patronId === null || !state.lastRenewal) {
    return { outcome: "done", state, say: [{ key: "sms.failed" }] };
  }
  const { trn } = state.lastRenewal;
  try {
    const phone = await ctx.library.registeredPhone(libraryRequest(ctx), state.patronId);
    if (!phone) throw new Error("no phone number on the account");
    const record = await findTransactionByTrn(ctx.db, trn);
    const lines = (record?.results ?? [])
      .filter((r) => r.outcome === "renewed" && r.newDueOn)
      .map((r) =>
        ctx.text("sms.line", state.language, {
          // Read, not heard: a cut title ends in "…", not in the spoken ", and so on".
          title: speakableTitle(r.title, state.language, undefined, "written"),
          date: speakDate(r.newDueOn as string, ctx.calendar.today(), state.language),
        }),
      );
    const body = ctx.text("sms.body", state.language, { trn: formatTrn(trn), lines: lines.join(" ") });
    await ctx.sendSms(toE164(phone), body);
    ctx.record({ kind: "sms", detail: { result: "sent", trn } });
    return { outcome: "done", state, say: [{ key: "sms.sent" }] };
  } catch (error) {
    // A failed SMS is told to the caller and recorded; the renewal stands. Only Twilio's error
    // code is kept: its messages quote the phone number.
    const { code, status } = error as { code?: unknown; status?: unknown };
    ctx.record({
      kind: "sms",
      detail: {
        result: "failed",
        trn,
        code: typeof code === "number" ? code : null,
        status: typeof status === "number" ? status : null,
      },
    });
    return { outcome: "done", state, say: [{ key: "sms.failed" }] };
  }
};
