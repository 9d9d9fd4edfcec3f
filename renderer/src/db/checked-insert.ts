// Inserting many new documents at IndexedDB's own pace, for imports. RxDB's Dexie storage reads
// every document it is about to write, to find conflicts, with one IndexedDB get each (about 1 s of
// the screen's thread for an import of 10,000 students and 5,000 families here), and the validating
// storage checks each one again. An import's new documents were made and checked by core's
// validators in the import worker, and their ids are new UUIDv7s of the same second or two, which
// sort together: so one list of the stored ids in their range, asked for in the write's own
// transaction, tells whether any is stored (then RxDB's own write does it). Everything else is RxDB's
// own: the same rows categorised by RxDB's categorizeBulkWriteRows (a clash is a 409 like any
// other), the same stored layout, the same change events, so queries, other tabs and replication
// see an ordinary insert.
// Many ids looked up at once (findMany) are first listed in their range: replication asks for the
// state it last saw of every document written, 15,000 of them after an import, none stored yet,
// and new documents' ids are UUIDv7s of the same second or two, which sort together.
// checked-insert.test.ts holds the fast paths to RxDB's own insert and lookup, so an RxDB upgrade
// that changes the Dexie storage's layout or events fails there.
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
import { DEXIE_DOCS_TABLE_NAME, RxStorageInstanceDexie, fromDexieToStorage, fromStorageToDexie } from 'rxdb/plugins/storage-dexie';

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

/** Ids asked for at once from which findDocumentsById first lists the stored ids in their range. */
export const MANY_IDS = 64;

/**
 * Wraps the Dexie storage so that its instances write CHECKED_INSERT_CONTEXT rows through
 * insertNew and look up many ids through findMany; every other write and lookup, and every other
 * storage (memory, in tests), is left as it was.
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
      dexie.bulkWrite = (rows, context) => (context === CHECKED_INSERT_CONTEXT && !dexie.closed && rows.length > 0 && rows.every((row) => !row.previous) && distinctIds(rows, dexie.primaryPath) ? insertNew(dexie, rows, context, original) : original(rows, context));
      const find = dexie.findDocumentsById.bind(dexie);
      dexie.findDocumentsById = (ids, withDeleted) => (ids.length >= MANY_IDS && !dexie.closed ? findMany(dexie, ids, withDeleted) : find(ids, withDeleted));
      return instance;
    },
  };
}

/** Whether no id is written twice in one write (which RxDB's own write takes as it comes). */
function distinctIds(rows: readonly AnyRow[], primaryPath: string): boolean {
  return new Set(rows.map((row) => row.document[primaryPath])).size === rows.length;
}

/**
 * Stored ids listed at most, in the range of some ids asked for, before telling which of those are
 * stored: past this the range holds ids from all over the collection, and listing it costs more
 * than reading the ids asked for.
 */
function listedAtMost(ids: readonly string[]): number {
  return ids.length * 4;
}

/** The lowest and the highest of some ids (at least one). */
function rangeOf(ids: readonly string[]): [string, string] {
  let lowest = ids[0] as string;
  let highest = lowest;
  for (const id of ids) {
    if (id < lowest) lowest = id;
    if (id > highest) highest = id;
  }
  return [lowest, highest];
}

/**
 * RxDB's Dexie findDocumentsById (the stored documents among the ids, in the ids' order, deleted
 * ones only when asked), reading only ids that are stored: one list of the stored ids between the
 * lowest and the highest asked for, then a get for each of those. New documents' ids are UUIDv7s of
 * the same moment, so their range holds few others; where it holds many (ids from all over the
 * collection) the list stops early and every id is read, as RxDB reads them.
 */
async function findMany(instance: RxStorageInstanceDexie<Record<string, unknown>>, ids: string[], withDeleted: boolean): Promise<RxDocumentData<Record<string, unknown>>[]> {
  const state = await instance.internals;
  const [lowest, highest] = rangeOf(ids);
  const listed = listedAtMost(ids);
  const found: RxDocumentData<Record<string, unknown>>[] = [];
  await state.dexieDb.transaction('r', state.dexieTable, async () => {
    const stored = (await state.dexieTable.where(':id').between(lowest, highest, true, true).limit(listed).primaryKeys()) as string[];
    let wanted = ids;
    if (stored.length < listed) {
      const present = new Set(stored);
      wanted = ids.filter((id) => present.has(id));
    }
    if (wanted.length === 0) return;
    for (const row of await state.dexieTable.bulkGet(wanted)) {
      if (!row) continue;
      const doc = fromDexieToStorage<Record<string, unknown>>(state.booleanIndexes, row);
      if (!doc._deleted || withDeleted) found.push(doc);
    }
  });
  return found;
}

/** Whether a key anywhere in the value has a part (between dots) starting with '|', which RxDB's Dexie storage renames (only its key compression makes such keys). */
function hasPipeKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasPipeKey);
  for (const [key, field] of Object.entries(value)) if (key.startsWith('|') || key.includes('.|') || hasPipeKey(field)) return true;
  return false;
}

/**
 * RxDB's fromStorageToDexie (the document as its Dexie storage stores it: indexed booleans as
 * '0'/'1', keys starting with '|' renamed), without rebuilding every nested object of a document
 * that has no such key: about 0.3 s of the screen's thread on an import. Only top-level boolean
 * indexes are set on the copy; anything else takes RxDB's own conversion.
 */
export function storedRow(booleanIndexes: string[]): (doc: RxDocumentData<Record<string, unknown>>) => unknown {
  const topLevel = booleanIndexes.every((field) => !field.includes('.') && !field.startsWith('|'));
  return (doc) => {
    if (!topLevel || hasPipeKey(doc)) return fromStorageToDexie(booleanIndexes, doc) as unknown;
    const row: Record<string, unknown> = { ...doc };
    for (const field of booleanIndexes) row[field] = doc[field] ? '1' : '0';
    return row;
  };
}

/**
 * RxDB's Dexie bulkWrite for inserts, in one IndexedDB transaction of its own on Dexie's
 * connection that hands every document to IndexedDB at once: a list of the stored ids in the new
 * ids' range is asked for first and the puts right behind it, in the same transaction, without
 * waiting for the list, so the next batch is handed over while IndexedDB still stores this one
 * (which it does at half the pace this thread hands them over). If the list holds one of the ids
 * (or is too long to tell), the transaction is aborted before it can commit, nothing of it is
 * kept, and RxDB's own write does the batch (its 409s included). Dexie's layers (hooks, its own
 * change tracking, which RxDB does not use) are left out: 0.3-0.4 s of the screen's thread on an
 * import. Puts, not adds: IndexedDB took 10 % longer to add the import's records here.
 */
async function insertNew(instance: RxStorageInstanceDexie<Record<string, unknown>>, rows: AnyRow[], context: string, rxdbWrite: AnyInstance['bulkWrite']): Promise<RxStorageBulkWriteResponse<Record<string, unknown>>> {
  const { primaryPath } = instance;
  const state = await instance.internals;
  const ids = rows.map((row) => row.document[primaryPath] as string);
  const [lowest, highest] = rangeOf(ids);
  // Dexie's settings may name another IndexedDB (tests); these are the real API or stand-ins for it.
  const ranges = (instance.settings.IDBKeyRange as typeof IDBKeyRange | undefined) ?? IDBKeyRange;
  // As none of them is stored, which the list then checks.
  const categorized = categorizeBulkWriteRows(instance as unknown as AnyInstance, primaryPath, new Map(), rows, context);
  const written = await new Promise<boolean>((resolve, reject) => {
    let clash = false;
    const transaction = state.dexieDb.backendDB().transaction(DEXIE_DOCS_TABLE_NAME, 'readwrite');
    transaction.oncomplete = () => resolve(true);
    transaction.onabort = () => (clash ? resolve(false) : reject(transaction.error ?? new Error('the insert was aborted')));
    const store = transaction.objectStore(DEXIE_DOCS_TABLE_NAME);
    try {
      const listed = listedAtMost(ids);
      const stored = store.getAllKeys(ranges.bound(lowest, highest), listed);
      stored.onsuccess = () => {
        const keys = stored.result as string[];
        const wanted = new Set(ids);
        if (keys.length < listed && !keys.some((id) => wanted.has(id))) return;
        clash = true;
        transaction.abort();
      };
      const toRow = storedRow(state.booleanIndexes);
      for (const row of categorized.bulkInsertDocs) store.put(toRow(row.document));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      transaction.abort();
    }
  });
  if (!written) return rxdbWrite(rows, context);
  const { eventBulk, newestRow, errors } = categorized;
  if (eventBulk.events.length > 0 && newestRow) {
    eventBulk.checkpoint = { id: newestRow.document[primaryPath], lwt: newestRow.document._meta.lwt };
    // The Dexie instance's change stream (private in RxDB's types): what its own bulkWrite emits on.
    (instance as unknown as { changes$: Subject<typeof eventBulk> }).changes$.next(eventBulk);
  }
  return { error: errors };
}
