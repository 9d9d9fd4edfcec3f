ALTER TABLE "audit_log" ALTER COLUMN "before" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "after" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "sync_documents" ALTER COLUMN "data" SET DATA TYPE json;