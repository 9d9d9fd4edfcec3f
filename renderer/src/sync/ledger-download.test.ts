import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getChangedDocumentsSince } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { newId, type LedgerEntry, type PaymentDoc, type PullResponse, type SyncCheckpoint, type WithDeleted } from '@feemaster/core';
import { openDatabase, wrappedValidateCoreStorage, type FeeMasterDatabase } from '../db/database.ts';
import { downloadLedger, type LedgerDownloadProgress, type ProgressStore } from './ledger-download.ts';
import { withLedgerKeys, type StoredLedgerEntry } from '../db/ledger-keys.ts';

const schoolId = newId();

function payment(n: number): PaymentDoc {
  return {
    id: newId(),
    schoolId,
    currency: 'KES',
    createdAt: `2026-01-10T08:${String(n % 60).padStart(2, '0')}:00.000Z`,
    createdBy: newId(),
    type: 'payment',
    payerId: newId(),
    receiptNumber: `MAIN-D01-${String(n).padStart(6, '0')}`,
    deviceId: newId(),
    officeId: newId(),
    method: 'cash',
    amount: 1_000 * n,
    offline: false,
    allocations: [],
  };
}

/** The server's ledger feed: document n has sequence n. */
function feed(count: number): { docs: PaymentDoc[]; fetchPage: (checkpoint: SyncCheckpoint | null, limit: number) => Promise<PullResponse<LedgerEntry>> } {
  const docs = Array.from({ length: count }, (_, i) => payment(i + 1));
  return {
    docs,
    fetchPage: (checkpoint, limit) => {
      const after = checkpoint?.seq ?? 0;
      const page: WithDeleted<LedgerEntry>[] = docs.slice(after, after + limit).map((doc) => ({ ...doc, _deleted: false }));
      return Promise.resolve({ documents: page, checkpoint: page.length > 0 ? { seq: after + page.length } : checkpoint });
    },
  };
}

function memoryProgress(): ProgressStore & { kept: LedgerDownloadProgress | null } {
  const store = {
    kept: null as LedgerDownloadProgress | null,
    read: () => Promise.resolve(store.kept),
    write: (progress: LedgerDownloadProgress) => {
      store.kept = progress;
      return Promise.resolve();
    },
  };
  return store;
}

describe("a fresh desk's ledger download", () => {
  let db: FeeMasterDatabase;
  beforeEach(async () => {
    db = await openDatabase(newId(), wrappedValidateCoreStorage({ storage: getRxStorageMemory() }));
  });
  afterEach(async () => {
    await db.remove();
  });

  it('stores every entry, reports progress, and starts the upload after the downloaded entries', async () => {
    const server = feed(25);
    const progress = memoryProgress();
    const seen: number[] = [];
    const start = await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1, onProgress: (n) => seen.push(n) });
    expect(start?.pull).toEqual({ seq: 25 });
    expect(start?.push).toBeDefined();
    expect(seen).toEqual([10, 20, 25]);
    expect(await db.ledger.count().exec()).toBe(25);
    expect(progress.kept).toMatchObject({ seq: 25, downloaded: 25, othersWritten: false, done: true });

    // The upload sees nothing to send, until the cashier records something.
    expect((await getChangedDocumentsSince(db.ledger.storageInstance, 100, start?.push)).documents).toHaveLength(0);
    const taken = payment(99);
    await db.ledger.insert(withLedgerKeys(taken));
    expect((await getChangedDocumentsSince(db.ledger.storageInstance, 100, start?.push)).documents.map((doc) => doc.id)).toEqual([taken.id]);

    // Done once: the next start leaves it to the replication's own checkpoints.
    expect(await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1 })).toBeNull();
  });

  it('uploads from the beginning when the cashier recorded a payment during the download', async () => {
    const server = feed(25);
    const taken = payment(77);
    let pages = 0;
    const start = await downloadLedger<LedgerEntry, StoredLedgerEntry>({
      collection: db.ledger,
      toLocal: withLedgerKeys,
      fetchPage: async (checkpoint, limit) => {
        pages += 1;
        if (pages === 2) await db.ledger.insert(withLedgerKeys(taken));
        return server.fetchPage(checkpoint, limit);
      },
      progress: memoryProgress(),
      pageSize: 10, pagesPerWrite: 1,
    });
    expect(start).toEqual({ pull: { seq: 25 }, push: undefined });
    expect(await db.ledger.count().exec()).toBe(26);
  });

  it('resumes where it stopped, also when a page was stored but not yet recorded', async () => {
    const server = feed(25);
    const progress = memoryProgress();
    let pagesStored = 0;
    const first = await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1, onProgress: () => (pagesStored += 1), stopped: () => pagesStored >= 1 });
    expect(first).toBeNull();
    expect(progress.kept).toMatchObject({ seq: 10, downloaded: 10, done: false });
    // The desk closed after storing the second page and before recording it.
    await db.ledger.bulkInsert(server.docs.slice(10, 20).map(withLedgerKeys));

    const start = await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1 });
    expect(start?.pull).toEqual({ seq: 25 });
    expect(start?.push).toBeDefined();
    expect(await db.ledger.count().exec()).toBe(25);
    expect(progress.kept).toMatchObject({ othersWritten: false, done: true });
    expect((await getChangedDocumentsSince(db.ledger.storageInstance, 100, start?.push)).documents).toHaveLength(0);
  });

  it('treats entries written between two sessions of a download as the cashier’s', async () => {
    const server = feed(25);
    const progress = memoryProgress();
    let pagesStored = 0;
    await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1, onProgress: () => (pagesStored += 1), stopped: () => pagesStored >= 1 });
    await db.ledger.insert(withLedgerKeys(payment(88)));
    const start = await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: server.fetchPage, progress, pageSize: 10, pagesPerWrite: 1 });
    expect(start).toEqual({ pull: { seq: 25 }, push: undefined });
  });

  it('leaves a ledger that already holds entries to the replication', async () => {
    await db.ledger.insert(withLedgerKeys(payment(1)));
    expect(await downloadLedger({ collection: db.ledger, toLocal: withLedgerKeys, fetchPage: feed(5).fetchPage, progress: memoryProgress(), pageSize: 10, pagesPerWrite: 1 })).toBeNull();
  });
});
