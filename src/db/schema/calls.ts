/**
 * Calls on the line: the state of each call between webhooks, keyed by CallSid (voice-line.md:
 * any instance answers any webhook), the TwiML answered at each numbered webhook (so a
 * repeated delivery gets the same answer), and the events the console shows.
 */
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp } from "drizzle-orm/pg-core";

export const calls = pgTable(
  "calls",
  {
    callSid: text("call_sid").primaryKey(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true, mode: "date" }),
    /** "in-progress" until the status callback closes the call with Twilio's final status. */
    status: text("status").notNull(),
    language: text("language"),
    step: text("step").notNull(),
    /** The engine's CallState (src/voice/call-state.ts); never holds keyed digits. */
    state: jsonb("state").notNull(),
    /** The number of the next webhook this call expects; action URLs carry it. */
    nextSeq: integer("next_seq").notNull().default(1),
    patronId: integer("patron_id"),
    cardLastFour: text("card_last_four"),
    /** renewed, partly_renewed, nothing_renewed, login_failed, abandoned, transferred, error. */
    outcome: text("outcome"),
    durationSeconds: integer("duration_seconds"),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("calls_in_progress_idx").on(t.startedAt).where(sql`${t.endedAt} is null`),
    index("calls_started_at_idx").on(t.startedAt),
  ],
);

export const callResponses = pgTable(
  "call_responses",
  {
    callSid: text("call_sid")
      .notNull()
      .references(() => calls.callSid, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    twiml: text("twiml").notNull(),
  },
  (t) => [primaryKey({ columns: [t.callSid, t.seq] })],
);

export const callEvents = pgTable(
  "call_events",
  {
    id: serial("id").primaryKey(),
    callSid: text("call_sid")
      .notNull()
      .references(() => calls.callSid, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    /** step, key, login, renewal, transfer, sms, error, status. */
    kind: text("kind").notNull(),
    step: text("step"),
    /** Safe details only: never a PIN, keyed digits, full card, HKID or phone number. */
    detail: jsonb("detail").notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index("call_events_call_idx").on(t.callSid, t.id)],
);
