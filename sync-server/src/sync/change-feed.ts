// Live fan-out across server instances on one database: each push announces the sequence range
// it committed with NOTIFY inside its transaction (so only committed changes are announced, in
// commit order); every other instance reads that range and hands it to its own open streams.
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.ts';
import { syncDocuments } from '../db/schema.ts';
import type { LiveHub } from './live-hub.ts';

export const CHANGE_CHANNEL = 'feemaster_changes';

export interface ChangeNotice {
  /** The instance that pushed (and already told its own streams), or null for work outside a request. */
  origin: string | null;
  /** The desk (its open app) that uploaded an immutable batch, stored exactly as sent: its own stream skips it. */
  client?: string | null;
  schoolId: string;
  collection: string;
  fromSeq: number;
  toSeq: number;
}

/** Inside the push's transaction: delivered to listeners when, and only if, it commits. */
export async function announceChange(tx: Db, notice: ChangeNotice): Promise<void> {
  await tx.execute(sql`select pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(notice)})`);
}

function parseNotice(payload: string): ChangeNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  if (typeof value !== 'object' || value === null) return null;
  const n = value as Partial<ChangeNotice>;
  const valid =
    (n.origin === null || typeof n.origin === 'string') &&
    (n.client === undefined || n.client === null || typeof n.client === 'string') &&
    typeof n.schoolId === 'string' &&
    typeof n.collection === 'string' &&
    Number.isSafeInteger(n.fromSeq) &&
    Number.isSafeInteger(n.toSeq);
  return valid ? (n as ChangeNotice) : null;
}

export interface CrossInstanceFeed {
  stop(): Promise<void>;
}

export async function startCrossInstanceFeed(options: { database: Database; hub: LiveHub; instanceId: string; onError: (error: unknown) => void }): Promise<CrossInstanceFeed> {
  const { database, hub, onError } = options;
  // One notice at a time, so batches reach the streams in the order they were committed.
  let queue: Promise<void> = Promise.resolve();
  const relay = async (notice: ChangeNotice): Promise<void> => {
    // Nobody here follows it: nothing to read. A stream that opens later starts with RESYNC, and
    // its pull brings this change (committed before its notice was sent).
    if (!hub.listening(notice.schoolId, notice.collection)) return;
    const rows = await database.db
      .select({ seq: syncDocuments.seq, deleted: syncDocuments.deleted, data: syncDocuments.data })
      .from(syncDocuments)
      .where(
        and(
          eq(syncDocuments.schoolId, notice.schoolId),
          eq(syncDocuments.collection, notice.collection),
          gte(syncDocuments.seq, notice.fromSeq),
          lte(syncDocuments.seq, notice.toSeq),
        ),
      )
      .orderBy(asc(syncDocuments.seq));
    // A document changed again since is left out here: its newer version has its own notice.
    if (rows.length === 0) return;
    hub.publish(notice.schoolId, notice.collection, { documents: rows.map((row) => ({ ...row.data, _deleted: row.deleted })), checkpoint: { seq: notice.toSeq } }, notice.client ?? null);
  };
  const stop = await database.listen(
    CHANGE_CHANNEL,
    (payload) => {
      const notice = parseNotice(payload);
      // This instance's own pushes too: NOTIFY arrives in commit order, a request's reply may not.
      if (!notice) return;
      queue = queue.then(() => relay(notice)).catch(onError);
    },
    // Notices sent while the connection was down are lost: every stream pulls again.
    () => hub.resyncAll(),
  );
  return { stop };
}
