// The live documents of one school's collection, as the server holds them: what an import is
// planned against and a bulk update changes.
import { and, eq, sql } from 'drizzle-orm';
import type { PushRow } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { syncDocuments } from '../db/schema.ts';

/** Live (not deleted) documents of `collection`; for `reference`, only the given kinds. */
export async function schoolDocuments<T>(db: Db, schoolId: string, collection: string, kinds?: readonly string[]): Promise<T[]> {
  const rows = await db
    .select({ data: syncDocuments.data })
    .from(syncDocuments)
    .where(
      and(
        eq(syncDocuments.schoolId, schoolId),
        eq(syncDocuments.collection, collection),
        eq(syncDocuments.deleted, false),
        kinds ? sql`${syncDocuments.data}->>'kind' = any(${sql.param([...kinds])}::text[])` : undefined,
      ),
    );
  return rows.map((row) => row.data as T);
}

/** The documents of `collection` with these ids that this school holds (live ones). */
export async function documentsById<T>(db: Db, schoolId: string, collection: string, ids: readonly string[]): Promise<T[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ data: syncDocuments.data })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.schoolId, schoolId), eq(syncDocuments.collection, collection), eq(syncDocuments.deleted, false), sql`${syncDocuments.id} = any(${sql.param([...ids])}::uuid[])`));
  return rows.map((row) => row.data as T);
}

/** Push rows for documents a bulk operation creates and changes (a change names the version it started from). */
export function pushRowsOf<T extends { id: string }>(created: readonly T[], changed: readonly { before: T; after: T }[]): PushRow<Record<string, unknown>>[] {
  return [
    ...created.map((doc) => ({ newDocumentState: { ...doc, _deleted: false } })),
    ...changed.map(({ before, after }) => ({ assumedMasterState: { ...before, _deleted: false }, newDocumentState: { ...after, _deleted: false } })),
  ];
}
