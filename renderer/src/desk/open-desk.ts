// Everything a signed-in desk runs: its local database, pending-change tracking, replication
// of each collection and the network listeners that drive the sync indicator.
import { replicatedCollections } from '@feemaster/core';
import { createAccessTokens, type AccessTokens } from '../api/access-token.ts';
import { saveSession, type Session } from '../api/session.ts';
import { openDatabase, type FeeMasterDatabase } from '../db/database.ts';
import { createPendingChanges, type PendingChanges } from '../sync/pending-changes.ts';
import { createQuarantine, type Quarantine } from '../sync/quarantine.ts';
import { replicateCollection } from '../sync/replication.ts';
import { createSyncStatusStore, type SyncStatusStore } from '../sync/status.ts';

export interface Desk {
  /** The session as signed in; `tokens.session()` is its latest rotation (use that to sign out). */
  session: Session;
  /** The access tokens every server call of this desk uses, refreshed and rotated in one place. */
  tokens: AccessTokens;
  db: FeeMasterDatabase;
  status: SyncStatusStore;
  pendingStudents: PendingChanges;
  /** Documents the server refused for good, with its reasons. */
  quarantine: Quarantine;
  close(): Promise<void>;
}

export async function openDesk(session: Session, onSignedOut: (message: string) => void): Promise<Desk> {
  const db = await openDatabase(session.school.id);
  const status = createSyncStatusStore(navigator.onLine);
  const pendingStudents = await createPendingChanges(db.students);
  const tokens = createAccessTokens(session, saveSession);
  const quarantine = await createQuarantine(db.students);
  const students = replicateCollection(db.students, replicatedCollections.students, pendingStudents, quarantine, { tokens, status, onSignedOut });

  const onOnline = (): void => {
    status.update({ network: 'online', server: 'connecting' });
    students.reSync();
  };
  const onOffline = (): void => status.update({ network: 'offline', server: 'unreachable' });
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  return {
    session,
    tokens,
    db,
    status,
    pendingStudents,
    quarantine,
    async close() {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      await students.stop();
      await db.close();
    },
  };
}
