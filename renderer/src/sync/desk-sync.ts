// Replicates every collection of the desk's database with the sync server: one live stream for
// all of them (a browser allows six connections per server), each collection's pending changes
// and refused documents, the combined sync status, and a fresh desk's download progress, which
// resumes where it stopped because RxDB keeps each collection's checkpoint. The ledger is what
// the school lets desks download: every year, or the active and previous academic years.
import { EMPTY, Subject, combineLatest, filter, from, map, mergeMap, of, share, switchMap, type Observable, type Subscription } from 'rxjs';
import type { RxCollection } from 'rxdb';
import {
  MAX_PULL_LIMIT,
  MULTIPLEXED_STREAM_PATH,
  SYNC_SETTINGS_PATH,
  SYNC_SUMMARY_PATH,
  replicatedCollections,
  type CollectionName,
  type FeeStructure,
  type LedgerEntry,
  type LedgerScope,
  type MultiplexedStreamMessage,
  type Payer,
  type PullResponse,
  type ReferenceDoc,
  type StreamMessage,
  type Student,
  newId,
  type SyncCheckpoint,
  type SyncSettings,
  type SyncSummary,
} from '@feemaster/core';
import { withToken } from '../api/authorized.ts';
import { ApiError, requestJson } from '../api/client.ts';
import type { AccessTokens } from '../api/access-token.ts';
import type { FeeMasterDatabase } from '../db/database.ts';
import { liveStream } from './live-stream.ts';
import { withLedgerKeys, withoutLedgerKeys, type StoredLedgerEntry } from '../db/ledger-keys.ts';
import type { LocalShape } from './replication.ts';
import { createPendingChanges, type PendingChanges } from './pending-changes.ts';
import { createUploadHold, type UploadHold } from './upload-hold.ts';
import { createQuarantine, type QuarantinedDocument } from './quarantine.ts';
import { downloadLedger, type LedgerDownloadProgress, type ReplicationStart } from './ledger-download.ts';
import { pullPage, replicateCollection, replicationIdentifier, type ReplicationHandle } from './replication.ts';
import { createSyncStatusStore, type InitialSync, type SyncStatusStore } from './status.ts';

export interface DeskSync {
  status: SyncStatusStore;
  pending: Readonly<Record<CollectionName, PendingChanges>>;
  /** Holds uploads while an import is written (see upload-hold.ts). */
  uploadHold: UploadHold;
  /** Every collection's refused documents, newest last. */
  refused$: Observable<readonly QuarantinedDocument[]>;
  reSync(): void;
  stop(): Promise<void>;
}

const names = Object.keys(replicatedCollections) as CollectionName[];

/** Ledger entries travel without the desk's lookup keys and are stored with them. */
const ledgerShape: LocalShape<StoredLedgerEntry> = {
  // What the server sends of the ledger are ledger entries (it checked each against the schemas).
  toLocal: (doc) => withLedgerKeys(doc) as unknown as StoredLedgerEntry & { _deleted: boolean },
  toServer: (doc) => withoutLedgerKeys(doc),
};
const INITIAL_SYNC_DONE = 'initial-sync-done';

async function byName<V>(make: (name: CollectionName) => Promise<V>): Promise<Record<CollectionName, V>> {
  const entries = await Promise.all(names.map(async (name) => [name, await make(name)] as const));
  return Object.fromEntries(entries) as Record<CollectionName, V>;
}

function collectionOf(db: FeeMasterDatabase, name: CollectionName): RxCollection {
  return db.collections[name] as RxCollection;
}

export async function startDeskSync(db: FeeMasterDatabase, tokens: AccessTokens, onSignedOut: (message: string) => void): Promise<DeskSync> {
  const status = createSyncStatusStore(
    navigator.onLine,
    Object.fromEntries(names.map((name) => [name, { label: replicatedCollections[name].label, lastSyncAt: null }])),
  );
  const pending = await byName((name) => createPendingChanges(collectionOf(db, name)));
  const quarantine = await byName((name) => createQuarantine(collectionOf(db, name)));
  // One lock per desk database: the desk's tabs share it, another school's desk in this browser does not.
  const uploadHold = createUploadHold({ lockName: `feemaster-upload-hold:${db.name}` });

  let handles: CollectionSync[] = [];
  let stopping = false;
  const signedOut = (message: string): void => {
    stopping = true;
    status.update({ server: 'signed-out', error: message });
    void Promise.all(handles.map((handle) => handle.stop()));
    onSignedOut(message);
  };
  const list = names.map((name) => `${name}:${replicatedCollections[name].schemaVersion}`).join(',');
  // This open app's id: the server does not send its own ledger uploads back on its stream.
  const clientId = newId();
  const events$ = liveStream<MultiplexedStreamMessage<Record<string, unknown>>>({
    url: new URL(`${MULTIPLEXED_STREAM_PATH}?collections=${list}&client=${clientId}`, tokens.session().serverUrl).toString(),
    tokens,
    onUnauthorized: signedOut,
    onConnectionChange: (connected) => status.update(connected ? { server: 'connected', lastSyncAt: new Date().toISOString() } : { server: 'unreachable' }),
  }).pipe(share());
  // RxDB 17.6 drops a RESYNC queued right behind change batches (its downstream takes the
  // batches, stops at the RESYNC and discards it), so the pull that brings what the stream missed
  // would never run. A second RESYNC right behind the first always survives (tests/sync/README.md).
  const streamOf = <T>(name: string): Observable<StreamMessage<T>> =>
    events$.pipe(
      filter((event) => event.collection === name),
      mergeMap((event) => (event.message === 'RESYNC' ? of(event.message, event.message) : of(event.message as StreamMessage<T>))),
    );

  const context = { tokens, status, onSignedOut: signedOut, clientId };
  const scope = await ledgerScope(db, tokens);
  const partsOf = (name: CollectionName) => ({ definition: replicatedCollections[name], pending: pending[name], quarantine: quarantine[name], hold: uploadHold });
  const started: CollectionSync[] = names.map((name) => {
    switch (name) {
      case 'students':
        return running(replicateCollection<Student>({ ...partsOf(name), collection: db.students, stream$: streamOf<Student>(name) }, context));
      case 'payers':
        return running(replicateCollection<Payer>({ ...partsOf(name), collection: db.payers, stream$: streamOf<Payer>(name) }, context));
      case 'reference':
        return running(replicateCollection<ReferenceDoc>({ ...partsOf(name), collection: db.reference, stream$: streamOf<ReferenceDoc>(name) }, context));
      case 'feeStructures':
        return running(replicateCollection<FeeStructure>({ ...partsOf(name), collection: db.feeStructures, stream$: streamOf<FeeStructure>(name) }, context));
      case 'ledger': {
        // All years keep the original identifier, so desks from before the setting keep their checkpoint.
        const variant = scope === 'all' ? undefined : scope;
        const downloaded$ = new Subject<number>();
        const replication = firstLedgerDownload(db, tokens, status, variant, () => stopping, (count) => downloaded$.next(count)).then((start) =>
          stopping
            ? null
            : replicateCollection<StoredLedgerEntry>({ ...partsOf(name), collection: db.ledger, stream$: streamOf<StoredLedgerEntry>(name), variant, start: start ?? undefined, shape: ledgerShape }, context),
        );
        return later(replication, downloaded$);
      }
    }
  });
  handles = started;

  const refused$ = combineLatest(names.map((name) => quarantine[name].entries$)).pipe(map((lists) => lists.flat().sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))));
  const subscriptions: Subscription[] = [
    combineLatest(names.map((name) => pending[name].count$)).subscribe((counts) => status.update({ pending: counts.reduce((a, b) => a + b, 0) })),
    refused$.subscribe((entries) => status.update({ refused: entries.length })),
  ];
  subscriptions.push(...(await followInitialSync(db, tokens, status, started)));

  return {
    status,
    pending,
    uploadHold,
    refused$,
    reSync: () => started.forEach((handle) => handle.reSync()),
    async stop() {
      stopping = true;
      subscriptions.forEach((s) => s.unsubscribe());
      await Promise.all(started.map((handle) => handle.stop()));
    },
  };
}

type ReplicationProgress = { received$: Observable<unknown>; awaitInitialReplication(): Promise<void> };

/** One collection's replication as the desk drives it (the ledger's starts after its first download). */
interface CollectionSync {
  /** Each document received, or (during the ledger's download) the collection's new count. */
  received$: Observable<unknown>;
  local$?: Observable<number>;
  caughtUp(): Promise<void>;
  reSync(): void;
  stop(): Promise<unknown>;
}

function running(handle: ReplicationHandle & { state: ReplicationProgress }): CollectionSync {
  return { received$: handle.state.received$, caughtUp: () => handle.state.awaitInitialReplication(), reSync: () => handle.reSync(), stop: () => handle.stop() };
}

/** A replication that starts once `replication` resolves (null: the desk stopped first). */
function later(replication: Promise<(ReplicationHandle & { state: ReplicationProgress }) | null>, local$: Observable<number>): CollectionSync {
  return {
    received$: from(replication).pipe(switchMap((handle) => handle?.state.received$ ?? EMPTY)),
    local$,
    caughtUp: async () => {
      await (await replication)?.state.awaitInitialReplication();
    },
    reSync: () => void replication.then((handle) => handle?.reSync()),
    stop: async () => (await replication)?.stop(),
  };
}

/** The ledger's first download on this desk, tried again after failures until done or the desk stops. */
async function firstLedgerDownload(
  db: FeeMasterDatabase,
  tokens: AccessTokens,
  status: SyncStatusStore,
  variant: string | undefined,
  stopped: () => boolean,
  onDownloaded: (count: number) => void,
): Promise<ReplicationStart | null> {
  const { serverUrl, school } = tokens.session();
  const key = `download:${replicationIdentifier(replicatedCollections.ledger, serverUrl, school.id, variant)}`;
  const progress = {
    read: async () => (await db.ledger.getLocal<LedgerDownloadProgress>(key))?.toJSON().data ?? null,
    write: async (kept: LedgerDownloadProgress) => void (await db.ledger.upsertLocal<LedgerDownloadProgress>(key, kept)),
  };
  const fetchPage = (checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<LedgerEntry>> =>
    withToken(tokens, (token) => pullPage<LedgerEntry>(serverUrl, replicatedCollections.ledger, checkpoint, limit, token));
  for (let attempt = 0; !stopped(); attempt += 1) {
    try {
      return await downloadLedger({
        collection: db.ledger,
        fetchPage,
        toLocal: withLedgerKeys,
        progress,
        pageSize: MAX_PULL_LIMIT,
        stopped,
        onProgress: () => {
          const at = new Date().toISOString();
          status.update({ server: 'connected', lastSyncAt: at, error: null });
          status.collectionSynced('ledger', at);
          void db.ledger.count().exec().then(onDownloaded);
        },
      });
    } catch (error) {
      // A sign-in that ended or an outdated desk is for the replication to report: it starts and says so.
      if (error instanceof ApiError && ['unauthorized', 'device-revoked', 'schema-outdated'].includes(error.code)) return null;
      status.update(error instanceof ApiError && error.code === 'offline' ? { server: 'unreachable', error: null } : { error: error instanceof Error ? error.message : String(error) });
      // Waits in short steps, so a desk that stops (a sign-out) is not held up by the backoff.
      const until = Date.now() + Math.min(15_000, 1_000 * 2 ** Math.min(attempt, 4));
      while (!stopped() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return null;
}

/**
 * Until this desk has once caught up with every collection: how many documents each holds
 * locally against the server's count. Resumed downloads start from what is already stored.
 */
async function followInitialSync(
  db: FeeMasterDatabase,
  tokens: AccessTokens,
  status: SyncStatusStore,
  started: readonly CollectionSync[],
): Promise<Subscription[]> {
  if (await db.getLocal(INITIAL_SYNC_DONE)) return [];
  const totals = await fetchTotals(tokens);
  const local = await Promise.all(names.map((name) => collectionOf(db, name).count().exec()));
  let progress: InitialSync = {
    collections: names.map((name, i) => ({ name, label: replicatedCollections[name].label, local: local[i] ?? 0, total: totals.get(name) ?? null, done: false })),
  };
  status.update({ initialSync: progress });
  const change = (index: number, edit: (entry: InitialSync['collections'][number]) => InitialSync['collections'][number]): void => {
    progress = { collections: progress.collections.map((entry, i) => (i === index ? edit(entry) : entry)) };
    status.update({ initialSync: progress });
  };
  const subscriptions = started.flatMap((handle, index) => [
    handle.received$.subscribe(() => change(index, (entry) => (entry.done ? entry : { ...entry, local: entry.local + 1 }))),
    ...(handle.local$ ? [handle.local$.subscribe((count) => change(index, (entry) => (entry.done ? entry : { ...entry, local: count })))] : []),
  ]);
  names.forEach((name, index) => {
    void started[index]?.caughtUp().then(async () => {
      const count = await collectionOf(db, name).count().exec();
      change(index, (entry) => ({ ...entry, local: count, done: true }));
      if (progress.collections.every((entry) => entry.done)) {
        await db.upsertLocal(INITIAL_SYNC_DONE, { at: new Date().toISOString() });
        status.update({ initialSync: null });
      }
    });
  });
  return subscriptions;
}

const LEDGER_SCOPE = 'ledger-scope';

/** What the school lets desks download of the ledger: asked of the server, else the last answer kept here. */
/**
 * What of the ledger this desk replicates. A desk that knows it starts at once with what it knows
 * (the network is never waited for: an outage can hold a request for minutes) and learns a
 * change for its next start; a fresh desk asks the server, briefly.
 */
async function ledgerScope(db: FeeMasterDatabase, tokens: AccessTokens): Promise<LedgerScope> {
  const kept = (await db.getLocal<{ scope: LedgerScope }>(LEDGER_SCOPE))?.toJSON().data.scope;
  const asked = askLedgerScope(db, tokens);
  if (kept) {
    void asked;
    return kept;
  }
  return (await asked) ?? 'all';
}

async function askLedgerScope(db: FeeMasterDatabase, tokens: AccessTokens): Promise<LedgerScope | null> {
  try {
    const settings = await requestJson<SyncSettings>(tokens.session().serverUrl, SYNC_SETTINGS_PATH, { token: await tokens.current(), signal: AbortSignal.timeout(STARTUP_REQUEST_MS) });
    await db.upsertLocal<{ scope: LedgerScope }>(LEDGER_SCOPE, { scope: settings.ledgerScope });
    return settings.ledgerScope;
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
}

/** How long a desk that is starting waits for the server before going on without it. */
const STARTUP_REQUEST_MS = 4_000;

/** The server's document count per collection; empty while it cannot be reached (the download shows counts only). */
async function fetchTotals(tokens: AccessTokens): Promise<Map<string, number>> {
  try {
    const summary = await requestJson<SyncSummary>(tokens.session().serverUrl, SYNC_SUMMARY_PATH, { token: await tokens.current(), signal: AbortSignal.timeout(STARTUP_REQUEST_MS) });
    return new Map(summary.collections.map((c) => [c.name, c.documents]));
  } catch (error) {
    if (error instanceof ApiError) return new Map();
    throw error;
  }
}
