// An audit entry of a new ledger entry keeps its `after` in the entry's own sync_documents row
// (audit_log.after_in_document) rather than a second copy; readers fetch those documents a page
// of entries at a time.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { syncDocuments } from '../db/schema.ts';

/** What an entry needs to name the document holding its `after`. */
export interface EntryOfDocument {
  afterInDocument: boolean;
  entityType: string | null;
  entityId: string | null;
}

export interface StoredDocument {
  data: unknown;
  deleted: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function documentKey(collection: string | null, id: string | null): string {
  return `${collection ?? ''}/${(id ?? '').toLowerCase()}`;
}

/** The documents the entries' `after` is kept in, by documentKey; one query per collection. */
export async function documentsOfEntries(tx: Db, entries: readonly EntryOfDocument[]): Promise<Map<string, StoredDocument>> {
  const idsByCollection = new Map<string, Set<string>>();
  for (const entry of entries) {
    // An id that is no uuid names no document (it can only have been edited): found missing.
    if (!entry.afterInDocument || entry.entityType === null || entry.entityId === null || !UUID.test(entry.entityId)) continue;
    const ids = idsByCollection.get(entry.entityType) ?? new Set<string>();
    ids.add(entry.entityId.toLowerCase());
    idsByCollection.set(entry.entityType, ids);
  }
  const found = new Map<string, StoredDocument>();
  for (const [collection, ids] of idsByCollection) {
    const rows = await tx
      .select({ id: syncDocuments.id, data: syncDocuments.data, deleted: syncDocuments.deleted })
      .from(syncDocuments)
      .where(and(eq(syncDocuments.collection, collection), sql`${syncDocuments.id} = any(${sql.param([...ids])}::uuid[])`));
    for (const row of rows) found.set(documentKey(collection, row.id), { data: row.data, deleted: row.deleted });
  }
  return found;
}

/** The entries as readers see them: `after` in place (null where its document is gone), without the flag. */
export async function withDocumentAfters<T extends EntryOfDocument & { after: unknown }>(tx: Db, entries: readonly T[]): Promise<Omit<T, 'afterInDocument'>[]> {
  const documents = entries.some((entry) => entry.afterInDocument) ? await documentsOfEntries(tx, entries) : new Map<string, StoredDocument>();
  return entries.map(({ afterInDocument, ...entry }) => (afterInDocument ? { ...entry, after: documents.get(documentKey(entry.entityType, entry.entityId))?.data ?? null } : entry));
}
