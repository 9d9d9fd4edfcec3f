// Replicates the desk's collections with the sync server using RxDB's protocol: pull by
// checkpoint, push with conflict detection, and the live stream. Feeds the sync status.
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import type { RxReplicationWriteToMasterRow } from 'rxdb';
import type { RxCollection } from 'rxdb';
import type { Observable } from 'rxjs';
import { MAX_PULL_LIMIT, SYNC_CLIENT_HEADER, batchesWithin, describeDocument, orderedUploads, prefetchingPull, syncPath, type PullResponse, type ReplicatedCollection, type StreamMessage, type SyncCheckpoint, type WithDeleted } from '@feemaster/core';
import { ApiError, requestJson } from '../api/client.ts';
import type { AccessTokens } from '../api/access-token.ts';
import type { ReplicationStart } from './ledger-download.ts';
import type { PendingChanges } from './pending-changes.ts';
import { isFatalRefusal, refusedRows, type Quarantine } from './quarantine.ts';
import type { SyncStatusStore } from './status.ts';
import { afterCommits } from './commit-gate.ts';
import type { UploadHold } from './upload-hold.ts';

export interface ReplicationHandle {
  reSync(): void;
  stop(): Promise<unknown>;
}

/** Master data carries updatedAt; ledger entries are written once, so createdAt is their version. */
type Replicable = { id: string } & ({ updatedAt: string } | { createdAt: string });

export function versionOf(doc: Replicable): string {
  return 'updatedAt' in doc ? doc.updatedAt : doc.createdAt;
}

export interface ReplicationContext {
  tokens: AccessTokens;
  status: SyncStatusStore;
  onSignedOut: (message: string) => void;
  /** This open app's id, on its uploads and its live stream: its own ledger uploads are not echoed back. */
  clientId?: string;
}

export interface CollectionReplicationParts<T> {
  collection: RxCollection<T>;
  definition: ReplicatedCollection;
  pending: PendingChanges;
  quarantine: Quarantine;
  /** This collection's events from the desk's one live stream (see live-stream.ts). */
  stream$: Observable<StreamMessage<T>>;
  /** What the server sends of this collection ("ledger from 2025-01-06"); a change starts the pull again from the beginning. */
  variant?: string;
  /** Where a replication with no checkpoints yet starts (after the ledger's first download, see ledger-download.ts). */
  start?: ReplicationStart;
  /** When the replica keeps documents in another shape than the server (the ledger's lookup keys). */
  shape?: LocalShape<T>;
  /** Uploads wait while an import is written, and drop what it undid (see upload-hold.ts). */
  hold?: UploadHold;
}

export interface LocalShape<T> {
  toLocal(doc: WithDeleted<Record<string, unknown>>): WithDeleted<T>;
  toServer(doc: WithDeleted<T>): WithDeleted<Record<string, unknown>>;
}

/** One page of a collection's feed after `checkpoint`. */
export function pullPage<T>(serverUrl: string, definition: ReplicatedCollection, checkpoint: SyncCheckpoint | null, limit: number, token: string): Promise<PullResponse<T>> {
  const query = new URLSearchParams({ checkpoint: checkpoint ? String(checkpoint.seq) : '', limit: String(limit) });
  return requestJson<PullResponse<T>>(serverUrl, `${syncPath(definition.name, definition.schemaVersion, 'pull')}?${query.toString()}`, { token });
}

/** RxDB keeps a replication's checkpoints under this name: one per collection, server, school and variant. */
export function replicationIdentifier(definition: ReplicatedCollection, serverUrl: string, schoolId: string, variant?: string): string {
  return `feemaster:${definition.name}:${definition.schemaVersion}:${serverUrl}:${schoolId}${variant ? `:${variant}` : ''}`;
}

export function replicateCollection<T extends Replicable>(
  { collection, definition, pending, quarantine, stream$, variant, start, shape, hold }: CollectionReplicationParts<T>,
  { tokens, status, onSignedOut, clientId }: ReplicationContext,
): ReplicationHandle & { state: RxReplicationState<T, SyncCheckpoint> } {
  /** What the person calls the document, for the list of those the server refused. */
  const describe = (doc: WithDeleted<T>): string => describeDocument(definition, doc);
  const { serverUrl, school } = tokens.session();
  const path = (op: 'pull' | 'push' | 'stream'): string => syncPath(definition.name, definition.schemaVersion, op);
  const pushHeaders = clientId ? { [SYNC_CLIENT_HEADER]: clientId } : undefined;
  // A handler that succeeds clears the last error.
  const exchanged = (): void => {
    const at = new Date().toISOString();
    status.update({ server: 'connected', lastSyncAt: at, error: null });
    status.collectionSynced(definition.name, at);
  };

  let state: RxReplicationState<T, SyncCheckpoint> | null = null;
  const report = (error: unknown): void => {
    if (!(error instanceof ApiError)) {
      status.update({ error: error instanceof Error ? error.message : String(error) });
      return;
    }
    switch (error.code) {
      case 'offline':
        status.update({ server: 'unreachable', error: null });
        return;
      case 'unauthorized':
      case 'device-revoked':
        status.update({ server: 'signed-out', error: error.message });
        void state?.cancel();
        onSignedOut(error.message);
        return;
      case 'schema-outdated':
        status.update({ server: 'outdated', error: error.message });
        void state?.cancel();
        return;
      default:
        status.update({ error: error.message });
    }
  };
  /** Runs a call with a fresh token; after a 401 refreshes once and retries; reports failures. */
  const authorized = async <R>(call: (token: string) => Promise<R>): Promise<R> => {
    try {
      const token = await tokens.current();
      try {
        return await call(token);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthorized') return await call(await tokens.afterUnauthorized(token));
        throw error;
      }
    } catch (error) {
      report(error);
      throw error;
    }
  };

  type Row = RxReplicationWriteToMasterRow<T>;
  // RxDB sends a backlog's batches side by side and retries each alone (see core's ordered-uploads.ts).
  const uploads = orderedUploads<Row>((rows) => rows.map((row) => `${row.newDocumentState.id}@${versionOf(row.newDocumentState)}`).join(' '));
  /** The count of waiting changes is stored a moment later; the upload does not wait for it. */
  const settled = (stored: Promise<void>): void => {
    stored.catch((error: unknown) => console.warn('An upload went through, but the count of changes waiting to sync could not be updated:', error));
  };
  /** When a refusal names no document: push each alone, so only the refused ones are held. */
  const pushOneByOne = async (rows: readonly Row[], token: string): Promise<WithDeleted<T>[]> => {
    const conflicts: WithDeleted<T>[] = [];
    for (const row of rows) {
      try {
        conflicts.push(...(await requestJson<WithDeleted<T>[]>(serverUrl, path('push'), { method: 'POST', body: JSON.stringify([row]), token, headers: pushHeaders })));
        await quarantine.release([row.newDocumentState.id]);
      } catch (error) {
        if (!isFatalRefusal(error)) throw error;
        await quarantine.hold([{ id: row.newDocumentState.id, updatedAt: versionOf(row.newDocumentState), label: describe(row.newDocumentState), reason: error.message, at: new Date().toISOString() }]);
      }
      settled(pending.settle([{ id: row.newDocumentState.id, updatedAt: versionOf(row.newDocumentState) }]));
    }
    exchanged();
    return conflicts;
  };

  /** One upload; a document the server refuses for good is held aside, so the ones behind it still go. */
  const pushBatch = async (rows: readonly Row[], token: string): Promise<WithDeleted<T>[]> => {
    const settle = (done: readonly { newDocumentState: WithDeleted<T> }[]): void => settled(pending.settle(done.map((row) => ({ id: row.newDocumentState.id, updatedAt: versionOf(row.newDocumentState) }))));
    let remaining = rows;
    for (;;) {
      try {
        const conflicts = await requestJson<WithDeleted<T>[]>(serverUrl, path('push'), { method: 'POST', body: JSON.stringify(remaining), token, headers: pushHeaders });
        // What follows an upload (the count, RxDB's replication state) waits for a payment being written.
        await afterCommits();
        // Conflicting rows are settled too: RxDB resolves them to the server's version.
        settle(remaining);
        await quarantine.release(remaining.map((row) => row.newDocumentState.id));
        if (conflicts.length > 0) status.update({ overwrittenByServer: status.current().overwrittenByServer + conflicts.length });
        exchanged();
        return conflicts;
      } catch (error) {
        if (!isFatalRefusal(error)) throw error;
        const named = refusedRows(error, remaining);
        // A refusal naming no document: held whole if it is one, else each is tried alone.
        const refused = named.length > 0 ? named : remaining.length === 1 ? remaining.map((row) => ({ row, reason: error.message })) : null;
        if (!refused) return pushOneByOne(remaining, token);
        const at = new Date().toISOString();
        await quarantine.hold(refused.map(({ row, reason }) => ({ id: row.newDocumentState.id, updatedAt: versionOf(row.newDocumentState), label: describe(row.newDocumentState), reason, at })));
        settle(refused.map(({ row }) => row));
        remaining = remaining.filter((row) => !refused.some((r) => r.row === row));
        if (remaining.length === 0) {
          exchanged();
          return [];
        }
      }
    }
  };

  const pull = prefetchingPull<T>((checkpoint, limit) => authorized((token) => pullPage<T>(serverUrl, definition, checkpoint, limit, token)));

  const replication = replicateRxCollection<T, SyncCheckpoint>({
    collection,
    replicationIdentifier: replicationIdentifier(definition, serverUrl, school.id, variant),
    live: true,
    retryTime: 2_000,
    waitForLeadership: true,
    pull: {
      batchSize: MAX_PULL_LIMIT,
      initialCheckpoint: start?.pull,
      handler: async (checkpoint, batchSize) => {
        const batch = await pull(checkpoint, batchSize);
        exchanged();
        return { documents: batch.documents, checkpoint: batch.checkpoint ?? undefined };
      },
      stream$,
      ...(shape ? { modifier: (doc: WithDeleted<Record<string, unknown>>) => shape.toLocal(doc) } : {}),
    },
    push: {
      ...(shape ? { modifier: (doc: WithDeleted<T>) => shape.toServer(doc) } : {}),
      batchSize: 500,
      initialCheckpoint: start?.push,
      // Uploads go in the order RxDB hands them over (a void after its payment), and each
      // stays within the server's limits (rows and bytes); RxDB sees one answer.
      handler: async (handed) => {
        // Held while an import is written; what a cancel undid is dropped (RxDB counts it as sent).
        const rows = hold ? await hold.admit(handed, (row) => ({ id: row.newDocumentState.id, version: versionOf(row.newDocumentState), deleted: row.newDocumentState._deleted })) : handed;
        if (rows.length === 0) return [];
        return uploads.upload(rows, () =>
          authorized(async (token) => {
            const conflicts: WithDeleted<T>[] = [];
            for (const batch of batchesWithin(rows)) conflicts.push(...(await pushBatch(batch, token)));
            // RxDB stores the server's answers as they come: in the replica's shape.
            return shape ? conflicts.map((doc) => shape.toLocal(doc as WithDeleted<Record<string, unknown>>)) : conflicts;
          }),
        );
      },
    },
  });
  state = replication;
  return {
    state: replication,
    reSync: () => replication.reSync(),
    stop: () => replication.cancel(),
  };
}
