/** `7`: library staff in office hours, or the enquiry line and its hours outside them. */
import { eq } from "drizzle-orm";
import { closedDays } from "../../db/schema/index.js";
import type { CallState } from "../call-state.js";
import { isWithinOfficeHours, speakOfficeHours } from "../office-hours.js";
import { digitsForSpeech } from "../speech-format.js";
import type { Action, ActionContext } from "./types.js";

/** Whether a caller pressing 7 now would be put through: a staff number, office hours, not a closed day. */
export async function staffAvailableNow(ctx: ActionContext): Promise<boolean> {
  const { phoneNumber, officeHours } = ctx.staff;
  return (
    phoneNumber !== null &&
    isWithinOfficeHours(officeHours, ctx.calendar.clock.now(), ctx.calendar.timeZone) &&
    (await ctx.db.select().from(closedDays).where(eq(closedDays.day, ctx.calendar.today()))).length === 0
  );
}

/** The enquiry line and the hours, from the settings (never from a catalogue), in the call's language. */
export function enquiryLine(ctx: ActionContext, state: CallState): Record<string, string> {
  return {
    number: digitsForSpeech(ctx.staff.enquiryLine, state.language),
    hours: speakOfficeHours(ctx.staff.officeHours, state.language),
  };
}

export const transferToStaff: Action = async (ctx, state) => {
  if (!(await staffAvailableNow(ctx))) {
    ctx.record({ kind: "transfer", detail: { result: "closed" } });
    return {
      outcome: "closed",
      state,
      // With no staff number the line never connects: the enquiry line is the way to staff.
      say: [
        {
          key: ctx.staff.phoneNumber === null ? "staff.enquiryLine" : "staff.closed",
          params: enquiryLine(ctx, state),
        },
      ],
    };
  }
  ctx.record({ kind: "transfer", detail: { result: "dialling" } });
  return { outcome: "dial", state, say: [{ key: "staff.connecting" }] };
};

/** Twilio's <Dial action> comes back with DialCallStatus: answered, or back to the menu. */
export const afterStaffCall: Action = async (ctx, state, dialStatus) => {
  const answered = dialStatus === "completed" || dialStatus === "answered";
  ctx.record({ kind: "transfer", detail: { result: answered ? "answered" : "unanswered", dialStatus } });
  return answered
    ? { outcome: "answered", state, say: [] }
    : { outcome: "unanswered", state, say: [{ key: "staff.noAnswer" }] };
};
