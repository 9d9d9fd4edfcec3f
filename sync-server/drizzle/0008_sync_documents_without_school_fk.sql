ALTER TABLE "sync_documents" DROP CONSTRAINT "sync_documents_school_id_schools_id_fk";
