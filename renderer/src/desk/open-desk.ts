// Everything a signed-in desk runs: its local database, the replication of every collection
// with its sync status, and the network listeners that drive the sync indicator.
import type { Observable } from 'rxjs';
import type { CollectionName, DeviceSummary } from '@feemaster/core';
import { createAccessTokens, type AccessTokens } from '../api/access-token.ts';
import { saveSession, type Session } from '../api/session.ts';
import { openDatabase, type FeeMasterDatabase } from '../db/database.ts';
import { startDeskSync } from '../sync/desk-sync.ts';
import { markStep } from '../components/timings.ts';
import type { PendingChanges } from '../sync/pending-changes.ts';
import type { QuarantinedDocument } from '../sync/quarantine.ts';
import type { UploadHold } from '../sync/upload-hold.ts';
import type { SyncStatusStore } from '../sync/status.ts';

export interface Desk {
  /** The session as signed in; `tokens.session()` is its latest rotation (use that to sign out). */
  session: Session;
  /** The access tokens every server call of this desk uses, refreshed and rotated in one place. */
  tokens: AccessTokens;
  db: FeeMasterDatabase;
  status: SyncStatusStore;
  pendingStudents: PendingChanges;
  /** Every collection's local writes the server has not accepted yet. */
  pending: Readonly<Record<CollectionName, PendingChanges>>;
  /** Holds this desk's uploads while an import is written, so a cancelled one never reaches the server. */
  uploadHold: UploadHold;
  /** The registered desk this computer is (its office and receipt series), or null if it is not enrolled. */
  device: DeviceSummary | null;
  /** Documents of any collection the server refused for good, with its reasons. */
  refused$: Observable<readonly QuarantinedDocument[]>;
  close(): Promise<void>;
}

export async function openDesk(session: Session, onSignedOut: (message: string) => void, device: DeviceSummary | null = null): Promise<Desk> {
  const db = await openDatabase(session.school.id);
  markStep('database-open');
  const tokens = createAccessTokens(session, saveSession);
  const sync = await startDeskSync(db, tokens, onSignedOut);
  markStep('sync-started');
  const { status } = sync;

  const onOnline = (): void => {
    status.update({ network: 'online', server: 'connecting' });
    sync.reSync();
  };
  const onOffline = (): void => status.update({ network: 'offline', server: 'unreachable' });
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  return {
    session,
    tokens,
    db,
    status,
    pendingStudents: sync.pending.students,
    pending: sync.pending,
    uploadHold: sync.uploadHold,
    device,
    refused$: sync.refused$,
    async close() {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      await sync.stop();
      await db.close();
    },
  };
}
