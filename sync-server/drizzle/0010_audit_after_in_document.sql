-- A ledger entry's audit entry keeps its 'after' in the entry's own sync_documents row (see schema.ts).
ALTER TABLE "audit_log" ADD COLUMN "after_in_document" boolean DEFAULT false NOT NULL;
