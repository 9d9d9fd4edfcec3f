CREATE TABLE "card_payments" (
	"payment_id" uuid PRIMARY KEY NOT NULL,
	"school_id" uuid NOT NULL,
	"device_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"payer_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"intent_id" text NOT NULL,
	"reader_id" text NOT NULL,
	"status" text NOT NULL,
	"message" text,
	"card_brand" text,
	"card_last4" text,
	"refund_entry_id" uuid,
	"refund_kind" text,
	"stripe_refund_id" text,
	"refunded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "card_payments" ADD CONSTRAINT "card_payments_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "card_payments_intent" ON "card_payments" USING btree ("intent_id");--> statement-breakpoint
CREATE INDEX "card_payments_school" ON "card_payments" USING btree ("school_id","created_at");