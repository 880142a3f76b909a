CREATE TABLE "charges" (
	"id" serial PRIMARY KEY NOT NULL,
	"patron_id" integer NOT NULL,
	"item_id" integer,
	"amount_cents" integer NOT NULL,
	"kind" text NOT NULL,
	"renewal_transaction_id" integer,
	"paid" boolean DEFAULT false NOT NULL,
	CONSTRAINT "charges_amount_positive" CHECK ("charges"."amount_cents" > 0)
);
--> statement-breakpoint
CREATE TABLE "closed_days" (
	"day" date PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" serial PRIMARY KEY NOT NULL,
	"barcode" text NOT NULL,
	"title_id" text NOT NULL,
	"status" text NOT NULL,
	"renewable" boolean DEFAULT true NOT NULL,
	"set_id" text,
	"is_set_main" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loans" (
	"id" serial PRIMARY KEY NOT NULL,
	"item_id" integer NOT NULL,
	"patron_id" integer NOT NULL,
	"borrowed_on" date NOT NULL,
	"due_on" date NOT NULL,
	"returned_on" date,
	"renewals" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "loans_renewals_not_negative" CHECK ("loans"."renewals" >= 0)
);
--> statement-breakpoint
CREATE TABLE "patrons" (
	"id" serial PRIMARY KEY NOT NULL,
	"card_number" text NOT NULL,
	"hkid_digits_hash" text,
	"name" text NOT NULL,
	"phone" text,
	"pin_hash" text,
	"category" text NOT NULL,
	"status" text NOT NULL,
	"expires_on" date NOT NULL,
	"failed_pin_attempts" integer DEFAULT 0 NOT NULL,
	"phone_locked_at" timestamp with time zone,
	"phone_locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" serial PRIMARY KEY NOT NULL,
	"patron_id" integer NOT NULL,
	"title_id" text,
	"item_id" integer,
	"placed_on" date NOT NULL,
	CONSTRAINT "reservations_title_or_copy" CHECK (("reservations"."title_id" is null) <> ("reservations"."item_id" is null))
);
--> statement-breakpoint
CREATE TABLE "titles" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"author" text
);
--> statement-breakpoint
CREATE TABLE "renewal_results" (
	"id" serial PRIMARY KEY NOT NULL,
	"transaction_id" integer NOT NULL,
	"loan_id" integer NOT NULL,
	"barcode" text NOT NULL,
	"title" text NOT NULL,
	"outcome" text NOT NULL,
	"old_due_on" date NOT NULL,
	"new_due_on" date,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"primary_reason" text,
	"charge_recorded_cents" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "renewal_transactions" (
	"id" serial PRIMARY KEY NOT NULL,
	"trn" text NOT NULL,
	"patron_id" integer NOT NULL,
	"card_last_four" text NOT NULL,
	"channel" text NOT NULL,
	"request_key" text NOT NULL,
	"selection" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"library_day" date NOT NULL,
	"account_blocks" text[] DEFAULT '{}'::text[] NOT NULL,
	CONSTRAINT "renewal_transactions_trn_format" CHECK ("renewal_transactions"."trn" ~ '^[0-9]{10}$')
);
--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_patron_id_patrons_id_fk" FOREIGN KEY ("patron_id") REFERENCES "public"."patrons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_renewal_transaction_id_renewal_transactions_id_fk" FOREIGN KEY ("renewal_transaction_id") REFERENCES "public"."renewal_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_title_id_titles_id_fk" FOREIGN KEY ("title_id") REFERENCES "public"."titles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_patron_id_patrons_id_fk" FOREIGN KEY ("patron_id") REFERENCES "public"."patrons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_patron_id_patrons_id_fk" FOREIGN KEY ("patron_id") REFERENCES "public"."patrons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_title_id_titles_id_fk" FOREIGN KEY ("title_id") REFERENCES "public"."titles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "renewal_results" ADD CONSTRAINT "renewal_results_transaction_id_renewal_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."renewal_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "charges_unpaid_by_patron_idx" ON "charges" USING btree ("patron_id") WHERE not "charges"."paid";--> statement-breakpoint
CREATE UNIQUE INDEX "items_barcode_key" ON "items" USING btree ("barcode");--> statement-breakpoint
CREATE INDEX "items_title_id_idx" ON "items" USING btree ("title_id");--> statement-breakpoint
CREATE INDEX "items_set_id_idx" ON "items" USING btree ("set_id") WHERE "items"."set_id" is not null;--> statement-breakpoint
CREATE INDEX "loans_open_by_patron_idx" ON "loans" USING btree ("patron_id","due_on") WHERE "loans"."returned_on" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "loans_open_item_key" ON "loans" USING btree ("item_id") WHERE "loans"."returned_on" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "loans_item_patron_borrowed_key" ON "loans" USING btree ("item_id","patron_id","borrowed_on");--> statement-breakpoint
CREATE UNIQUE INDEX "patrons_card_number_key" ON "patrons" USING btree ("card_number");--> statement-breakpoint
CREATE INDEX "patrons_hkid_digits_hash_idx" ON "patrons" USING btree ("hkid_digits_hash");--> statement-breakpoint
CREATE INDEX "patrons_phone_locked_until_idx" ON "patrons" USING btree ("phone_locked_until") WHERE "patrons"."phone_locked_until" is not null;--> statement-breakpoint
CREATE INDEX "reservations_title_id_idx" ON "reservations" USING btree ("title_id");--> statement-breakpoint
CREATE INDEX "reservations_item_id_idx" ON "reservations" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "renewal_results_transaction_idx" ON "renewal_results" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "renewal_results_loan_idx" ON "renewal_results" USING btree ("loan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "renewal_transactions_trn_key" ON "renewal_transactions" USING btree ("trn");--> statement-breakpoint
CREATE UNIQUE INDEX "renewal_transactions_request_key_key" ON "renewal_transactions" USING btree ("request_key");--> statement-breakpoint
CREATE INDEX "renewal_transactions_patron_idx" ON "renewal_transactions" USING btree ("patron_id","created_at");