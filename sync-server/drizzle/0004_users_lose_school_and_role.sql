-- Every existing account keeps its school and role, now as its first membership.
INSERT INTO "memberships" ("user_id", "school_id", "role", "created_at") SELECT "id", "school_id", "role", "created_at" FROM "users" ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_school_id_schools_id_fk";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "school_id";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "role";