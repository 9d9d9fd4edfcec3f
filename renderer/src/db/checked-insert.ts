// Inserting many new documents at IndexedDB's own pace, for imports. RxDB's Dexie storage reads
// every document it is about to write, to find conflicts, with one IndexedDB get each (about 1 s of
// the screen's thread for an import of 10,000 students and 5,000 families here), and the validating
// storage checks each one again. An import's new documents were made and checked by core's
// validators in the import worker, and their ids are new UUIDv7s of the same second or two, which
// sort together: so the conflict check asks IndexedDB once for the ids stored between the lowest and
// the highest, and reads only those. Everything else is RxDB's own: the same rows categorised by
// RxDB's categorizeBulkWriteRows (a clash is a 409 like any other), the same stored layout, the
// same change events, so queries, other tabs and replication see an ordinary insert.
// checked-insert.test.ts holds the fast path to RxDB's own insert, so an RxDB upgrade that changes
// the Dexie storage's layout or events fails there.
import {
  categorizeBulkWriteRows,
  fillObjectDataBeforeInsert,
  registerMutableWriteContext,
  type BulkWriteRow,
  type RxCollection,
  type RxDocumentData,
  type RxStorage,
  type RxStorageBulkWriteResponse,
  type RxStorageInstance,
} from 'rxdb';
import type { Subject } from 'rxjs';
import { RxStorageInstanceDexie, fromDexieToStorage, fromStorageToDexie } from 'rxdb/plugins/storage-dexie';

/** The bulkWrite context of documents checked by core's validators, all of them new. */
export const CHECKED_INSERT_CONTEXT = 'feemaster-checked-insert';

// The rows are made here (fillObjectDataBeforeInsert copies each document), so RxDB may set their
// revision and write time in place instead of copying them again.
registerMutableWriteContext(CHECKED_INSERT_CONTEXT);

/**
 * Inserts new documents that core's validators have already checked (an import plan). The ids
 * must be new to the collection; one that is not comes back as a 409 error, as with bulkInsert.
 */
export function insertChecked<T>(collection: RxCollection<T>, docs: readonly T[]): Promise<RxStorageBulkWriteResponse<T>> {
  const rows: BulkWriteRow<T>[] = docs.map((doc) => ({ document: fillObjectDataBeforeInsert(collection.schema, doc) }));
  return collection.storageInstance.bulkWrite(rows, CHECKED_INSERT_CONTEXT);
}

type AnyInstance = RxStorageInstance<Record<string, unknown>, unknown, unknown>;
type AnyRow = BulkWriteRow<Record<string, unknown>>;

/**
 * Wraps the Dexie storage so that its instances write CHECKED_INSERT_CONTEXT rows through
 * insertNew; every other write, and every other storage (memory, in tests), is left as it was.
 */
export function wrappedCheckedInsertStorage(args: { storage: RxStorage<unknown, unknown> }): RxStorage<unknown, unknown> {
  return {
    ...args.storage,
    name: `checked-insert-${args.storage.name}`,
    async createStorageInstance(params) {
      const instance = await args.storage.createStorageInstance(params);
      if (!(instance instanceof RxStorageInstanceDexie) || params.schema.attachments) return instance;
      const dexie = instance as RxStorageInstanceDexie<Record<string, unknown>>;
      const original = dexie.bulkWrite.bind(dexie);
      dexie.bulkWrite = (rows, context) => (context === CHECKED_INSERT_CONTEXT && !dexie.closed && rows.length > 0 && rows.every((row) => !row.previous) ? insertNew(dexie, rows, context) : original(rows, context));
      return instance;
    },
  };
}

/** RxDB's Dexie bulkWrite for inserts, with the conflict read narrowed to the ids' range. */
async function insertNew(instance: RxStorageInstanceDexie<Record<string, unknown>>, rows: AnyRow[], context: string): Promise<RxStorageBulkWriteResponse<Record<string, unknown>>> {
  const { primaryPath } = instance;
  const state = await instance.internals;
  const ids = rows.map((row) => row.document[primaryPath] as string);
  let lowest = ids[0] as string;
  let highest = lowest;
  for (const id of ids) {
    if (id < lowest) lowest = id;
    if (id > highest) highest = id;
  }
  let categorized: ReturnType<typeof categorizeBulkWriteRows<Record<string, unknown>>> | undefined;
  await state.dexieDb.transaction('rw', state.dexieTable, async () => {
    const wanted = new Set(ids);
    const stored = (await state.dexieTable.where(':id').between(lowest, highest, true, true).primaryKeys()) as string[];
    const present = stored.filter((id) => wanted.has(id));
    const docsInDb = new Map<string, RxDocumentData<Record<string, unknown>>>();
    if (present.length > 0) {
      for (const found of await state.dexieTable.bulkGet(present)) {
        if (!found) continue;
        const doc = fromDexieToStorage<Record<string, unknown>>(state.booleanIndexes, found);
        docsInDb.set(doc[primaryPath] as string, doc);
      }
    }
    categorized = categorizeBulkWriteRows(instance as unknown as AnyInstance, primaryPath, docsInDb, rows, context);
    const puts = categorized.bulkInsertDocs.map((row): unknown => fromStorageToDexie(state.booleanIndexes, row.document));
    if (puts.length > 0) await state.dexieTable.bulkPut(puts);
  });
  if (!categorized) throw new Error('the insert transaction ended without writing');
  const { eventBulk, newestRow, errors } = categorized;
  if (eventBulk.events.length > 0 && newestRow) {
    eventBulk.checkpoint = { id: newestRow.document[primaryPath], lwt: newestRow.document._meta.lwt };
    // The Dexie instance's change stream (private in RxDB's types): what its own bulkWrite emits on.
    (instance as unknown as { changes$: Subject<typeof eventBulk> }).changes$.next(eventBulk);
  }
  return { error: errors };
}
