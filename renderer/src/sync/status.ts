// The desk's sync state, shown by the always-visible indicator: network, server, pending
// local changes, last successful exchange and the last error in the user's words.
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
}

export interface SyncStatusStore {
  readonly status$: Observable<SyncStatus>;
  current(): SyncStatus;
  update(change: Partial<SyncStatus>): void;
}

export function createSyncStatusStore(initialNetwork: boolean): SyncStatusStore {
  const subject = new BehaviorSubject<SyncStatus>({
    network: initialNetwork ? 'online' : 'offline',
    server: 'connecting',
    pending: 0,
    lastSyncAt: null,
    overwrittenByServer: 0,
    refused: 0,
    error: null,
  });
  return {
    status$: subject.asObservable(),
    current: () => subject.getValue(),
    update: (change) => subject.next({ ...subject.getValue(), ...change }),
  };
}
