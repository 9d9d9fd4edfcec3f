// The desk's sync state, shown by the always-visible indicator: network, server, pending
// local changes, last successful exchange (overall and per collection), a fresh desk's download
// progress and the last error in the user's words.
import { BehaviorSubject, type Observable } from 'rxjs';

export type ServerState = 'connecting' | 'connected' | 'unreachable' | 'signed-out' | 'outdated';

export interface SyncStatus {
  network: 'online' | 'offline';
  server: ServerState;
  /** Local changes not yet accepted by the server. */
  pending: number;
  /** Last time a pull, push or live event succeeded (ISO instant). */
  lastSyncAt: string | null;
  /** Local edits replaced by a newer version from another desk since this session started. */
  overwrittenByServer: number;
  /** Local documents the server refused for good, waiting for a correction (see quarantine.ts). */
  refused: number;
  error: string | null;
  /** Per collection: the last successful exchange with the server (ISO instant), or null. */
  collections: Readonly<Record<string, CollectionSync>>;
  /** A fresh desk's first download, until every collection has caught up; null once done. */
  initialSync: InitialSync | null;
}

export interface CollectionSync {
  label: string;
  lastSyncAt: string | null;
}

export interface InitialSync {
  /** `total` is the server's count when it could be asked, else null. */
  collections: readonly { name: string; label: string; local: number; total: number | null; done: boolean }[];
}

export interface SyncStatusStore {
  readonly status$: Observable<SyncStatus>;
  current(): SyncStatus;
  update(change: Partial<SyncStatus>): void;
  /** A successful exchange for one collection (also updates the overall last sync). */
  collectionSynced(name: string, at: string): void;
}

export function createSyncStatusStore(initialNetwork: boolean, collections: Readonly<Record<string, CollectionSync>> = {}): SyncStatusStore {
  const subject = new BehaviorSubject<SyncStatus>({
    network: initialNetwork ? 'online' : 'offline',
    server: 'connecting',
    pending: 0,
    lastSyncAt: null,
    overwrittenByServer: 0,
    refused: 0,
    error: null,
    collections,
    initialSync: null,
  });
  return {
    status$: subject.asObservable(),
    current: () => subject.getValue(),
    update: (change) => subject.next({ ...subject.getValue(), ...change }),
    collectionSynced: (name, at) => {
      const current = subject.getValue();
      const entry = current.collections[name];
      if (!entry) return;
      subject.next({ ...current, collections: { ...current.collections, [name]: { ...entry, lastSyncAt: at } } });
    },
  };
}
