CREATE TABLE "renewal_export_cursor" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"last_transaction_id" integer NOT NULL,
	"exported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "renewal_export_cursor_one_row" CHECK ("renewal_export_cursor"."id" = 1)
);
