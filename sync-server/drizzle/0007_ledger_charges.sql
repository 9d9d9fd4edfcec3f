CREATE TABLE "ledger_charges" (
	"school_id" uuid NOT NULL,
	"charge_id" uuid NOT NULL,
	"invoice_id" uuid NOT NULL,
	CONSTRAINT "ledger_charges_school_id_charge_id_pk" PRIMARY KEY("school_id","charge_id")
);
--> statement-breakpoint
ALTER TABLE "ledger_charges" ADD CONSTRAINT "ledger_charges_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The charges of every invoice already stored.
INSERT INTO "ledger_charges" ("school_id", "charge_id", "invoice_id")
SELECT d."school_id", (charge ->> 'id')::uuid, d."id"
FROM "sync_documents" d, jsonb_array_elements(d."data" -> 'charges') AS charge
WHERE d."collection" = 'ledger' AND d."data" ->> 'type' = 'invoice'
ON CONFLICT DO NOTHING;
