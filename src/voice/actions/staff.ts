/** `7`: library staff in office hours, or the enquiry line and its hours outside them. */
import { eq } from "drizzle-orm";
import { closedDays } from "../../db/schema/index.js";
import { isWithinOfficeHours, speakOfficeHours } from "../office-hours.js";
import { digitsForSpeech } from "../speech-format.js";
import type { Action } from "./types.js";

export const transferToStaff: Action = async (ctx, state) => {
  const now = ctx.calendar.clock.now();
  const { phoneNumber, officeHours, enquiryLine } = ctx.staff;
  const open =
    phoneNumber !== null &&
    isWithinOfficeHours(officeHours, now, ctx.calendar.timeZone) &&
    (await ctx.db.select().from(closedDays).where(eq(closedDays.day, ctx.calendar.today()))).length === 0;
  if (!open) {
    ctx.record({ kind: "transfer", detail: { result: "closed" } });
    // The hours come from OFFICE_HOURS, never from a catalogue, so they cannot disagree.
    const params = {
      number: digitsForSpeech(enquiryLine, state.language),
      hours: speakOfficeHours(officeHours, state.language),
    };
    return {
      outcome: "closed",
      state,
      // With no staff number the line never connects: the enquiry line is the way to staff.
      say: [{ key: phoneNumber === null ? "staff.enquiryLine" : "staff.closed", params }],
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
