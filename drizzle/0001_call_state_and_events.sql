CREATE TABLE "call_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"call_sid" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"step" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "call_responses" (
	"call_sid" text NOT NULL,
	"seq" integer NOT NULL,
	"twiml" text NOT NULL,
	CONSTRAINT "call_responses_call_sid_seq_pk" PRIMARY KEY("call_sid","seq")
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"call_sid" text PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"status" text NOT NULL,
	"language" text,
	"step" text NOT NULL,
	"state" jsonb NOT NULL,
	"next_seq" integer DEFAULT 1 NOT NULL,
	"patron_id" integer,
	"card_last_four" text,
	"outcome" text,
	"duration_seconds" integer,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "call_events" ADD CONSTRAINT "call_events_call_sid_calls_call_sid_fk" FOREIGN KEY ("call_sid") REFERENCES "public"."calls"("call_sid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_responses" ADD CONSTRAINT "call_responses_call_sid_calls_call_sid_fk" FOREIGN KEY ("call_sid") REFERENCES "public"."calls"("call_sid") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_events_call_idx" ON "call_events" USING btree ("call_sid","id");--> statement-breakpoint
CREATE INDEX "calls_in_progress_idx" ON "calls" USING btree ("started_at") WHERE "calls"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "calls_started_at_idx" ON "calls" USING btree ("started_at");