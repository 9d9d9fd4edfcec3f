// Many of the replica's documents read at once, for exports: the query RxDB would run (its own
// plan: index, key range, matcher, sort) answered straight from RxDB's Dexie tables with one plain
// IndexedDB cursor, instead of RxDB's own Dexie cursor (about 60 µs a document; 150,000 ledger
// entries took 9 s). A plain cursor beat getAll in batches in Chromium: 100,000 payment-like
// documents in a worker took 3.7 s against 5.5–6.7 s (batches of 2,000 or 10,000), and
// getAllRecords 8–10 s. Usable from a worker, which opens its own connection.
// This leans on how RxDB's Dexie storage lays documents out; replica-read.test.ts holds it to
// RxDB's own answers, so an RxDB upgrade that changes the layout fails there.
import { getQueryMatcher, getSortComparator, type DexieSettings, type PreparedQuery, type RxDocumentData, type RxJsonSchema } from 'rxdb';
import { DEXIE_DOCS_TABLE_NAME, closeDexieDb, dexieReplaceIfStartsWithPipe, fromDexieToStorage, getDexieDbWithTables, getKeyRangeByQueryPlan } from 'rxdb/plugins/storage-dexie';

/** How the desk's RxDB storage opens IndexedDB (database.ts), and so how a reader must open it too. */
export const deskDexieSettings: DexieSettings = {};

/** One RxDB query of one collection, as plain data that can be posted to a worker. */
export interface ReplicaQuery {
  databaseName: string;
  collectionName: string;
  /** The collection's schema as RxDB filled it in (with its indexes on `_deleted`). */
  schema: RxJsonSchema<RxDocumentData<PlainDocument>>;
  prepared: PreparedQuery<PlainDocument>;
}

/** What replicaQueryOf needs of an RxDB query (RxQuery without its many generics). */
interface QueryLike {
  collection: { name: string; database: { name: string }; schema: { jsonSchema: unknown } };
  getPreparedQuery(): unknown;
}

/** The query as RxDB itself would run it (plan included), without running it. */
export function replicaQueryOf(query: QueryLike): ReplicaQuery {
  const { collection } = query;
  return {
    databaseName: collection.database.name,
    collectionName: collection.name,
    schema: collection.schema.jsonSchema as RxJsonSchema<RxDocumentData<PlainDocument>>,
    prepared: query.getPreparedQuery() as PreparedQuery<PlainDocument>,
  };
}

/** A stored document as RxDocument.toJSON() gives it: without RxDB's own fields. */
export type PlainDocument = Record<string, unknown>;

/** A document as RxDB's Dexie storage keeps it: the document's fields, and RxDB's own (`_deleted`, `_meta`, `_rev`, `_attachments`). */
export type StoredDocument = Record<string, unknown>;

/**
 * The documents the query finds, in the order RxDB would return them, as toJSON() gives them.
 * `settings` are the storage's Dexie settings (another IndexedDB in tests).
 */
export async function readReplica(query: ReplicaQuery, settings: DexieSettings = deskDexieSettings): Promise<PlainDocument[]> {
  const found: PlainDocument[] = [];
  await eachStoredInReplica(query, (stored) => found.push(withoutStorageFields(stored)), settings);
  return found;
}

/**
 * Each document the query finds, in the order RxDB would return them, handed to `visit` as it is
 * stored: with RxDB's own fields (`_meta`, `_rev`…) still on, for a reader that takes only the
 * fields it needs. When the query's index gives RxDB's order, a document is handed over as soon
 * as IndexedDB has read it, so the reader can work on it while the next ones are read; otherwise
 * once all are read and sorted. A `visit` that throws stops the read with its error. `onEnds`
 * is told, before the first document, the first and the last documents of the index's range (the
 * query's selector may keep fewer), for a progress bar: a count of the range would have IndexedDB
 * walk it all once more (on 123,000 ledger entries 1.8 s of its 8 s for the whole export).
 */
export async function eachStoredInReplica(query: ReplicaQuery, visit: (stored: StoredDocument) => void, settings: DexieSettings = deskDexieSettings, onEnds?: (first: StoredDocument, last: StoredDocument) => void): Promise<void> {
  if (query.schema.keyCompression) throw new Error(`the ${query.collectionName} collection is key-compressed, which the export cannot read`);
  const internals = getDexieDbWithTables(query.databaseName, query.collectionName, settings, query.schema);
  try {
    const state = await internals;
    // Dexie types these options loosely (a few Functions); they are the real API or a stand-in for it.
    const ranges = (settings.IDBKeyRange as typeof IDBKeyRange | undefined) ?? IDBKeyRange;
    await visitStored(state.dexieDb.backendDB(), state.booleanIndexes, query, ranges, visit, onEnds);
  } finally {
    await closeDexieDb(internals);
  }
}

async function visitStored(idb: IDBDatabase, booleanIndexes: string[], query: ReplicaQuery, ranges: typeof IDBKeyRange, visit: (stored: StoredDocument) => void, onEnds?: (first: StoredDocument, last: StoredDocument) => void): Promise<void> {
  const { queryPlan } = query.prepared;
  const mango = query.prepared.query;
  let range: IDBKeyRange;
  try {
    range = getKeyRangeByQueryPlan(booleanIndexes, queryPlan, ranges) as IDBKeyRange;
  } catch (error) {
    // As RxDB's own Dexie query: a range IndexedDB refuses (lower above upper) holds nothing.
    if (error instanceof Error && error.name === 'DataError') return;
    throw error;
  }
  const matcher = queryPlan.selectorSatisfiedByIndex ? null : getQueryMatcher(query.schema, mango);
  // Stored documents differ from RxDB's only in booleans kept as '0'/'1' for indexing (and
  // renamed keys of key compression, refused above). `_deleted` is dropped anyway; any other
  // indexed boolean, or a matcher that must see true values, takes RxDB's own conversion.
  const converted = matcher !== null || booleanIndexes.some((field) => field !== '_deleted');
  const skip = mango.skip ?? 0;
  const wanted = skip + (typeof mango.limit === 'number' ? mango.limit : Number.POSITIVE_INFINITY);
  const indexName = `[${queryPlan.index.map((field) => dexieReplaceIfStartsWithPipe(field)).join('+')}]`;
  // In the index's order: each document straight to `visit` (past the skipped ones); otherwise
  // gathered here and sorted as RxDB sorts them.
  const inOrder = queryPlan.sortSatisfiedByIndex;
  const gathered: StoredDocument[] = [];
  let matched = 0;
  /** Set when a step failed: the read already asked for the next document, which is then left unread. */
  let stopped = false;

  await new Promise<void>((resolve, reject) => {
    const transaction = idb.transaction(DEXIE_DOCS_TABLE_NAME, 'readonly');
    transaction.onabort = () => reject(transaction.error ?? new Error('the read was aborted'));
    const index = transaction.objectStore(DEXIE_DOCS_TABLE_NAME).index(indexName);
    // Answered before the cursor's first step (a transaction's requests are answered in order):
    // the range's first document, then its last (a cursor backwards, one step).
    if (onEnds) {
      const first = index.get(range);
      const last = index.openCursor(range, 'prev');
      last.onsuccess = () => {
        const end = last.result;
        if (first.result !== undefined && end !== null) onEnds(first.result as StoredDocument, end.value as StoredDocument);
      };
    }
    const request = index.openCursor(range);
    request.onerror = () => reject(request.error ?? new Error('the read failed'));
    request.onsuccess = () => {
      if (stopped) return;
      try {
        const cursor = request.result;
        if (cursor === null) {
          resolve();
          return;
        }
        const raw = cursor.value as StoredDocument;
        const doc = converted ? (fromDexieToStorage(booleanIndexes, raw) as StoredDocument) : raw;
        const found = matcher === null || matcher(doc as never);
        if (found) matched += 1;
        const enough = inOrder && matched >= wanted;
        // The next document is asked for before this one is handed over, so IndexedDB reads it
        // while the reader works.
        if (!enough) cursor.continue();
        if (found && !inOrder) gathered.push(doc);
        else if (found && matched > skip) visit(doc);
        if (enough) resolve();
      } catch (error) {
        stopped = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  });
  if (inOrder) return;
  const sorted = gathered.sort(getSortComparator(query.schema, mango));
  for (const doc of skip > 0 || wanted < sorted.length ? sorted.slice(skip, wanted) : sorted) visit(doc);
}

/** The document as toJSON() gives it. */
export function withoutStorageFields(stored: StoredDocument): PlainDocument {
  const { _deleted: _d, _meta: _m, _rev: _r, _attachments: _a, ...doc } = stored;
  return doc;
}
