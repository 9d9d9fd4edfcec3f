// Many of the replica's documents read at once, for exports: the query RxDB would run (its own
// plan: index, key range, matcher, sort) answered straight from RxDB's Dexie tables with IndexedDB
// getAll in batches, instead of RxDB's cursor, which takes one step per document (about 60 µs
// each; 150,000 ledger entries took 9 s). Usable from a worker, which opens its own connection.
// This leans on how RxDB's Dexie storage lays documents out; replica-read.test.ts holds it to
// RxDB's own answers, so an RxDB upgrade that changes the layout fails there.
import { getProperty, getQueryMatcher, getSortComparator, type DexieSettings, type PreparedQuery, type RxDocumentData, type RxJsonSchema } from 'rxdb';
import { DEXIE_DOCS_TABLE_NAME, closeDexieDb, dexieReplaceIfStartsWithPipe, fromDexieToStorage, getDexieDbWithTables, getKeyRangeByQueryPlan } from 'rxdb/plugins/storage-dexie';

/** How the desk's RxDB storage opens IndexedDB (database.ts), and so how a reader must open it too. */
export const deskDexieSettings: DexieSettings = {};

/** Documents per getAll: large enough that IndexedDB's per-request cost vanishes, small enough to keep each answer modest. */
const BATCH = 10_000;

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

type StoredDocument = Record<string, unknown>;

/**
 * The documents the query finds, in the order RxDB would return them, as toJSON() gives them.
 * `settings` are the storage's Dexie settings (another IndexedDB in tests).
 */
export async function readReplica(query: ReplicaQuery, settings: DexieSettings = deskDexieSettings, batchSize = BATCH): Promise<PlainDocument[]> {
  if (query.schema.keyCompression) throw new Error(`the ${query.collectionName} collection is key-compressed, which the export cannot read`);
  const internals = getDexieDbWithTables(query.databaseName, query.collectionName, settings, query.schema);
  try {
    const state = await internals;
    // Dexie types these options loosely (a few Functions); they are the real API or a stand-in for it.
    const keys = { factory: (settings.indexedDB as IDBFactory | undefined) ?? indexedDB, ranges: (settings.IDBKeyRange as typeof IDBKeyRange | undefined) ?? IDBKeyRange };
    const stored = await readStored(state.dexieDb.backendDB(), state.booleanIndexes, query, keys, batchSize);
    return stored.map(withoutStorageFields);
  } finally {
    await closeDexieDb(internals);
  }
}

async function readStored(idb: IDBDatabase, booleanIndexes: string[], query: ReplicaQuery, keys: { factory: IDBFactory; ranges: typeof IDBKeyRange }, batchSize: number): Promise<StoredDocument[]> {
  const { queryPlan } = query.prepared;
  const mango = query.prepared.query;
  let range: IDBKeyRange;
  try {
    range = getKeyRangeByQueryPlan(booleanIndexes, queryPlan, keys.ranges) as IDBKeyRange;
  } catch (error) {
    // As RxDB's own Dexie query: a range IndexedDB refuses (lower above upper) holds nothing.
    if (error instanceof Error && error.name === 'DataError') return [];
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

  const rows = await new Promise<StoredDocument[]>((resolve, reject) => {
    const found: StoredDocument[] = [];
    const transaction = idb.transaction(DEXIE_DOCS_TABLE_NAME, 'readonly');
    transaction.onabort = () => reject(transaction.error ?? new Error('the read was aborted'));
    const index = transaction.objectStore(DEXIE_DOCS_TABLE_NAME).index(indexName);
    const readFrom = (from: IDBKeyRange): void => {
      const request = index.getAll(from, batchSize);
      request.onerror = () => reject(request.error ?? new Error('the read failed'));
      request.onsuccess = () => {
        try {
          const batch = request.result as StoredDocument[];
          for (const raw of batch) {
            const doc = converted ? (fromDexieToStorage(booleanIndexes, raw) as StoredDocument) : raw;
            if (matcher === null || matcher(doc as never)) found.push(doc);
          }
          const last = batch.at(-1);
          if (last === undefined || batch.length < batchSize || (queryPlan.sortSatisfiedByIndex && found.length >= wanted)) {
            resolve(found);
            return;
          }
          // Every index ends with the primary key, so the last key read is unique: go on just after it.
          const lastKey = queryPlan.index.map((field) => getProperty(last, field) as IDBValidKey);
          if (keys.factory.cmp(lastKey, from.upper) >= 0) resolve(found);
          else readFrom(keys.ranges.bound(lastKey, from.upper, true, from.upperOpen));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
    };
    readFrom(range);
  });
  const sorted = queryPlan.sortSatisfiedByIndex ? rows : rows.sort(getSortComparator(query.schema, mango));
  return skip > 0 || wanted < sorted.length ? sorted.slice(skip, wanted) : sorted;
}

function withoutStorageFields(stored: StoredDocument): PlainDocument {
  const { _deleted: _d, _meta: _m, _rev: _r, _attachments: _a, ...doc } = stored;
  return doc;
}
