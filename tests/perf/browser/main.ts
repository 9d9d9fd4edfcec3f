// The browser half of the sync benchmark: a fresh desk replica's initial sync (RxDB replication
// on Dexie/IndexedDB from the server's pull endpoint) against RxDB bulkInsert of the same
// documents and a raw Dexie bulkPut, the ceiling. Served by the sync server, driven by Playwright.
import Dexie from 'dexie';
import { addRxPlugin, createRxDatabase, wrappedValidateStorageFactory, type RxCollection, type RxJsonSchema, type RxStorage } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import { RxDBLocalDocumentsPlugin } from 'rxdb/plugins/local-documents';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { downloadLedger, type LedgerDownloadProgress } from '../../../renderer/src/sync/ledger-download.ts';
import { deskLedgerSchema, withLedgerKeys, withoutLedgerKeys } from '../../../renderer/src/db/ledger-keys.ts';
import { MAX_PULL_LIMIT, findCollection, prefetchingPull, replicatedCollections, syncPath, type PullResponse, type SyncCheckpoint } from '@feemaster/core';

type LedgerRow = { id: string } & Record<string, unknown>;

export interface Measured {
  /** The median run's seconds (the only run, when there was one). */
  seconds: number;
  docsPerSecond: number;
  /** Every run's seconds, in the order they ran. */
  runs: number[];
}

export interface BrowserSyncResult {
  docs: number;
  /** Fetching the documents into the page for the bulk writes (not a measurement). */
  fetchSeconds: number;
  dexieBulkPut: Measured;
  rxdbBulkInsert: { validated: Measured; plain: Measured };
  /** The desk's initial sync (bulk download, then replication); `replicationOnly`: RxDB replication doing all of it. */
  replication: { validated: Measured; plain: Measured; replicationOnly: Measured };
  userAgent: string;
}

export interface BrowserSyncRequest {
  token: string;
  expectedDocs: number;
  label: string;
  /** Runs of the compared pair (initial sync and bulkInsert on the desk's storage), alternating which goes first. */
  repeats: number;
}

declare global {
  interface Window {
    runSyncBench?: (request: BrowserSyncRequest) => Promise<BrowserSyncResult>;
  }
}

// The download keeps its progress in a local document, as on the desk.
addRxPlugin(RxDBLocalDocumentsPlugin);
// The ledger's schema is at version 1, as on the desk: RxDB wants its migration plugin for that.
addRxPlugin(RxDBMigrationSchemaPlugin);

// The desk's storage: Dexie wrapped with core's CSP-safe validator, entries checked without the
// desk's lookup keys (as renderer/src/db/database.ts builds it).
const validatedDexie = wrappedValidateStorageFactory((schema: RxJsonSchema<unknown>) => {
  const collection = schema.title ? findCollection(schema.title) : undefined;
  if (!collection) return () => [];
  return (doc: unknown) => collection.validate(doc && typeof doc === 'object' ? withoutLedgerKeys(doc) : doc).map((p) => ({ field: p.path, message: p.message }));
}, 'feemaster-core');

function storage(validated: boolean): RxStorage<unknown, unknown> {
  return validated ? validatedDexie({ storage: getRxStorageDexie() }) : getRxStorageDexie();
}

// The desk's ledger schema: core's with the lookup keys, required and indexed (renderer/src/db/ledger-keys.ts).
const ledgerSchema = deskLedgerSchema as unknown as RxJsonSchema<LedgerRow>;
const PULL = syncPath('ledger', replicatedCollections.ledger.schemaVersion, 'pull');

async function pull(token: string, checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<LedgerRow>> {
  const query = new URLSearchParams({ checkpoint: checkpoint ? String(checkpoint.seq) : '', limit: String(limit) });
  const res = await fetch(`${PULL}?${query.toString()}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`the pull answered HTTP ${String(res.status)}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as PullResponse<LedgerRow>;
}

async function openLedger(name: string, validated: boolean): Promise<{ collection: RxCollection<LedgerRow>; remove: () => Promise<unknown> }> {
  const db = await createRxDatabase<{ ledger: RxCollection<LedgerRow> }>({ name, storage: storage(validated), multiInstance: false, eventReduce: true, localDocuments: true });
  const collections = await db.addCollections({ ledger: { schema: ledgerSchema, localDocuments: true, migrationStrategies: { 1: (doc: LedgerRow) => withLedgerKeys(doc), 2: (doc: LedgerRow) => doc } } });
  return { collection: collections.ledger, remove: () => db.remove() };
}

function measured(docs: number, started: number): Measured {
  const seconds = (performance.now() - started) / 1000;
  return { seconds, docsPerSecond: docs / seconds, runs: [seconds] };
}

/** The median of the runs (the mean of the middle two for an even count). */
function median(docs: number, runs: readonly Measured[]): Measured {
  const seconds = runs.map((run) => run.seconds);
  const sorted = [...seconds].sort((a, b) => a - b);
  const upper = Math.floor(sorted.length / 2);
  const middle = sorted.length % 2 === 1 ? (sorted[upper] ?? Number.NaN) : ((sorted[upper - 1] ?? Number.NaN) + (sorted[upper] ?? Number.NaN)) / 2;
  return { seconds: middle, docsPerSecond: docs / middle, runs: seconds };
}

/** IndexedDB removes a deleted database's files in the background; let that finish before the next run. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000));

async function expectCount(collection: RxCollection<LedgerRow>, expected: number, what: string): Promise<void> {
  const count = await collection.count().exec();
  if (count !== expected) throw new Error(`${what} holds ${String(count)} documents, expected ${String(expected)}`);
}

async function bulkInsert(rows: readonly LedgerRow[], name: string, validated: boolean): Promise<Measured> {
  const { collection, remove } = await openLedger(name, validated);
  try {
    const started = performance.now();
    const result = await collection.bulkInsert([...rows]);
    const time = measured(rows.length, started);
    if (result.error.length > 0) throw new Error(`bulkInsert refused ${String(result.error.length)} documents: ${JSON.stringify(result.error[0]).slice(0, 300)}`);
    await expectCount(collection, rows.length, 'the bulkInsert collection');
    return time;
  } finally {
    await remove();
  }
}

/**
 * A fresh desk's initial sync of the ledger as the desk does it (renderer/src/sync/desk-sync.ts):
 * the bulk download, then the replication started where the download ended, until it has caught
 * up. With `download` false, RxDB's replication alone does all of it (what the desk did before).
 */
async function initialSync(token: string, expected: number, name: string, validated: boolean, download = true): Promise<Measured> {
  const { collection, remove } = await openLedger(name, validated);
  try {
    const started = performance.now();
    const fetchPage = (checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<LedgerRow>> => pull(token, checkpoint, limit);
    const progressKey = `download:${name}`;
    const start = download
      ? await downloadLedger({
          collection,
          fetchPage,
          toLocal: withLedgerKeys,
          pageSize: MAX_PULL_LIMIT,
          progress: {
            read: async () => (await collection.getLocal<LedgerDownloadProgress>(progressKey))?.toJSON().data ?? null,
            write: async (kept) => void (await collection.upsertLocal<LedgerDownloadProgress>(progressKey, kept)),
          },
        })
      : null;
    const replication = replicateRxCollection<LedgerRow, SyncCheckpoint>({
      collection,
      replicationIdentifier: `feemaster-bench:${name}`,
      live: false,
      waitForLeadership: false,
      pull: {
        batchSize: MAX_PULL_LIMIT,
        initialCheckpoint: start?.pull,
        modifier: withLedgerKeys,
        // The desk's own pull logic (joined short pages, read-ahead), from core.
        handler: (() => {
          const pullDesk = prefetchingPull<LedgerRow>(fetchPage);
          return async (checkpoint: SyncCheckpoint | undefined, batchSize: number) => {
            const batch = await pullDesk(checkpoint, batchSize);
            return { documents: batch.documents, checkpoint: batch.checkpoint ?? checkpoint };
          };
        })(),
      },
      push: {
        initialCheckpoint: start?.push,
        handler: (rows) => {
          throw new Error(`the initial sync tried to upload ${String(rows.length)} documents`);
        },
      },
    });
    const failures: unknown[] = [];
    const errors = replication.error$.subscribe((error) => failures.push(error));
    await replication.awaitInitialReplication();
    const time = measured(expected, started);
    errors.unsubscribe();
    await replication.cancel();
    if (failures.length > 0) throw new Error(`the replication reported ${String(failures.length)} errors, the first: ${String(failures[0])}`);
    await expectCount(collection, expected, 'the replica');
    return time;
  } finally {
    await remove();
  }
}

async function dexieBulkPut(rows: readonly LedgerRow[], name: string): Promise<Measured> {
  const db = new Dexie(name);
  // The same indexes as the desk's ledger collection: primary key, type, createdAt and the lookup keys.
  db.version(1).stores({ ledger: 'id, type, createdAt, payerKey, studentKey, receiptKey' });
  await db.open();
  try {
    const started = performance.now();
    await db.table<LedgerRow, string>('ledger').bulkPut([...rows]);
    const time = measured(rows.length, started);
    const count = await db.table('ledger').count();
    if (count !== rows.length) throw new Error(`the Dexie table holds ${String(count)} documents, expected ${String(rows.length)}`);
    return time;
  } finally {
    // Closes this connection first, so the delete is not blocked by it.
    await db.delete({ disableAutoOpen: true });
  }
}

window.runSyncBench = async ({ token, expectedDocs, label, repeats }) => {
  const fetchStarted = performance.now();
  const rows: LedgerRow[] = [];
  let checkpoint: SyncCheckpoint | null = null;
  const fetchAll = prefetchingPull<LedgerRow>((from, limit) => pull(token, from, limit));
  for (;;) {
    const page: { documents: PullResponse<LedgerRow>['documents']; checkpoint: SyncCheckpoint | null } = await fetchAll(checkpoint, MAX_PULL_LIMIT);
    for (const doc of page.documents) {
      const { _deleted: _ignored, ...row } = doc;
      // What the desk stores: the entry with its lookup keys.
      rows.push(withLedgerKeys(row));
    }
    checkpoint = page.checkpoint;
    if (page.documents.length < MAX_PULL_LIMIT) break;
  }
  const fetchSeconds = (performance.now() - fetchStarted) / 1000;
  if (rows.length !== expectedDocs) throw new Error(`the page fetched ${String(rows.length)} documents, expected ${String(expectedDocs)}`);
  // Warm-up, not measured: the first write of a fresh page pays for compiling the code paths.
  await bulkInsert(rows.slice(0, 2_000), `bench-warm-up-${label}`, true);
  await dexieBulkPut(rows.slice(0, 2_000), `bench-warm-up-dexie-${label}`);
  await settle();
  // Each run writes into a database of its own, removed afterwards.
  const dexie = await dexieBulkPut(rows, `bench-dexie-${label}`);
  await settle();
  const inserts: Measured[] = [];
  const syncs: Measured[] = [];
  for (let run = 0; run < Math.max(1, repeats); run += 1) {
    const insert = (): Promise<Measured> => bulkInsert(rows, `bench-insert-v-${label}-${String(run)}`, true);
    const sync = (): Promise<Measured> => initialSync(token, expectedDocs, `bench-replica-v-${label}-${String(run)}`, true);
    if (run % 2 === 0) {
      inserts.push(await insert());
      await settle();
      syncs.push(await sync());
    } else {
      syncs.push(await sync());
      await settle();
      inserts.push(await insert());
    }
    await settle();
  }
  const insertPlain = await bulkInsert(rows, `bench-insert-p-${label}`, false);
  await settle();
  const syncPlain = await initialSync(token, expectedDocs, `bench-replica-p-${label}`, false);
  await settle();
  const replicationOnly = await initialSync(token, expectedDocs, `bench-replication-only-${label}`, true, false);
  const insertValidated = median(rows.length, inserts);
  const syncValidated = median(expectedDocs, syncs);
  return {
    docs: rows.length,
    fetchSeconds,
    dexieBulkPut: dexie,
    rxdbBulkInsert: { validated: insertValidated, plain: insertPlain },
    replication: { validated: syncValidated, plain: syncPlain, replicationOnly },
    userAgent: navigator.userAgent,
  };
};
document.title = 'Fee Master sync benchmark: ready';
