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
 * once all are read and sorted. A `visit` that throws stops the read with its error.
 */
export async function eachStoredInReplica(query: ReplicaQuery, visit: (stored: StoredDocument) => void, settings: DexieSettings = deskDexieSettings): Promise<void> {
  await withCollectionTable(query, settings, async (idb, booleanIndexes) => {
    // Dexie types these options loosely (a few Functions); they are the real API or a stand-in for it.
    const ranges = (settings.IDBKeyRange as typeof IDBKeyRange | undefined) ?? IDBKeyRange;
    await visitStored(idb, booleanIndexes, query, ranges, visit);
  });
}

/** The query's collection as RxDB's Dexie storage keeps it, opened for `read`, closed after. */
async function withCollectionTable(query: ReplicaQuery, settings: DexieSettings, read: (idb: IDBDatabase, booleanIndexes: string[]) => Promise<void>): Promise<void> {
  if (query.schema.keyCompression) throw new Error(`the ${query.collectionName} collection is key-compressed, which the export cannot read`);
  const internals = getDexieDbWithTables(query.databaseName, query.collectionName, settings, query.schema);
  try {
    const state = await internals;
    await read(state.dexieDb.backendDB(), state.booleanIndexes);
  } finally {
    await closeDexieDb(internals);
  }
}

async function visitStored(idb: IDBDatabase, booleanIndexes: string[], query: ReplicaQuery, ranges: typeof IDBKeyRange, visit: (stored: StoredDocument) => void): Promise<void> {
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
  await walkDocuments(
    idb,
    (store) => store.index(indexName).openCursor(range),
    (cursor) => {
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
      return !enough;
    },
  );
  if (inOrder) return;
  const sorted = gathered.sort(getSortComparator(query.schema, mango));
  for (const doc of skip > 0 || wanted < sorted.length ? sorted.slice(skip, wanted) : sorted) visit(doc);
}

/**
 * Every live document of the query's collection, in the order of their keys, handed to `visit` as
 * stored (as eachStoredInReplica does). The query must be a whole collection (RxDB's `find()`, a
 * sort at most, which this read does not keep). Read along the keys, IndexedDB reads each document
 * once, where along an index it reads the index entry, then the document by its key: about half
 * the work of its backend (on 120,000 ledger-like documents in Chromium 0.7 s of its CPU against
 * 1.35–2.1 s, the read 2.3 s against 3.2–3.5 s). `onEnds` is told, before the first document, the
 * first and the last stored documents (deleted ones too), for a progress bar: a count would have
 * IndexedDB walk them all once more.
 */
export async function eachLiveStoredByKey(query: ReplicaQuery, visit: (stored: StoredDocument) => void, settings: DexieSettings = deskDexieSettings, onEnds?: (first: StoredDocument, last: StoredDocument) => void): Promise<void> {
  const { selector, skip, limit } = query.prepared.query;
  if (Object.keys(selector).some((field) => field !== '_deleted') || (skip ?? 0) > 0 || limit !== undefined) {
    throw new Error(`reading the ${query.collectionName} collection by its keys reads all of it: the query must not select, skip or limit`);
  }
  await withCollectionTable(query, settings, async (idb, booleanIndexes) => {
    // As in visitStored: only booleans other than `_deleted` need RxDB's conversion.
    const converted = booleanIndexes.some((field) => field !== '_deleted');
    await walkDocuments(
      idb,
      (store) => {
        // Answered before the cursor's first step (a transaction's requests are answered in order).
        if (onEnds) {
          const first = store.openCursor();
          const last = store.openCursor(null, 'prev');
          last.onsuccess = () => {
            const [start, end] = [first.result, last.result];
            if (start !== null && end !== null) onEnds(start.value as StoredDocument, end.value as StoredDocument);
          };
        }
        return store.openCursor();
      },
      (cursor) => {
        // The next document is asked for before this one is handed over.
        cursor.continue();
        const raw = cursor.value as StoredDocument;
        // Stored as '1' while `_deleted` is an indexed boolean (RxDB's Dexie storage), true otherwise.
        if (raw._deleted !== '1' && raw._deleted !== true) visit(converted ? fromDexieToStorage(booleanIndexes, raw) : raw);
        return true;
      },
    );
  });
}

/**
 * Walks a cursor over RxDB's documents table in one read transaction, `step` given each stored
 * document's cursor: it asks for the next one itself (before working on this one, so IndexedDB
 * reads while it works) and says whether the walk goes on. A step that throws stops the walk with
 * its error; the next document, already asked for, is then left unread.
 */
function walkDocuments(idb: IDBDatabase, open: (store: IDBObjectStore) => IDBRequest<IDBCursorWithValue | null>, step: (cursor: IDBCursorWithValue) => boolean): Promise<void> {
  let stopped = false;
  return new Promise<void>((resolve, reject) => {
    const transaction = idb.transaction(DEXIE_DOCS_TABLE_NAME, 'readonly');
    transaction.onabort = () => reject(transaction.error ?? new Error('the read was aborted'));
    const request = open(transaction.objectStore(DEXIE_DOCS_TABLE_NAME));
    request.onerror = () => reject(request.error ?? new Error('the read failed'));
    request.onsuccess = () => {
      if (stopped) return;
      try {
        const cursor = request.result;
        if (cursor === null || !step(cursor)) resolve();
      } catch (error) {
        stopped = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  });
}

/** The document as toJSON() gives it. */
export function withoutStorageFields(stored: StoredDocument): PlainDocument {
  const { _deleted: _d, _meta: _m, _rev: _r, _attachments: _a, ...doc } = stored;
  return doc;
}
