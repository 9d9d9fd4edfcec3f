// A fresh desk's first download of the ledger, the largest collection by far. RxDB's replication
// stores every pulled document twice (the replica and its "assumed master" copy), which made a
// fresh desk's first sync take about 1.7 times as long as inserting the same documents. Ledger
// entries never change once recorded, so the desk needs no assumed-master copies of them: the
// pages are inserted in bulk, and the replication then starts at the end of what was downloaded.
//
// Nothing a cashier writes meanwhile is lost: after each page the desk counts its entries, and if
// anything but downloaded entries was stored, the replication's upload starts from the beginning
// as usual (it then also re-sends the downloaded entries, which the server recognises as already
// stored). The download resumes where it stopped.
import type { RxCollection } from 'rxdb';
import { prefetchingPull, type FetchPage, type SyncCheckpoint, type WithDeleted } from '@feemaster/core';

/** How far a download got, kept on the desk so an interrupted one resumes. */
export interface LedgerDownloadProgress {
  /** The server's feed position reached. */
  seq: number;
  /** The storage's change position of the last entry downloaded (where RxDB's upload starts). */
  upstream: StoragePosition | null;
  downloaded: number;
  /** Something other than downloaded entries was written while downloading. */
  othersWritten: boolean;
  done: boolean;
}

export interface ProgressStore {
  read(): Promise<LedgerDownloadProgress | null>;
  write(progress: LedgerDownloadProgress): Promise<void>;
}

/** Where the replication starts once the download is done. */
export interface ReplicationStart {
  pull: SyncCheckpoint | undefined;
  /** Undefined when the upload must look at every stored document. */
  push: StoragePosition | undefined;
}

export interface LedgerDownloadOptions<T extends { id: string }, S extends { id: string } = T> {
  collection: RxCollection<S>;
  fetchPage: FetchPage<T>;
  /** The document as the replica keeps it (with the ledger's lookup keys). */
  toLocal: (doc: WithDeleted<T>) => WithDeleted<S>;
  progress: ProgressStore;
  /** The server's largest pull page (a shorter page is the end of the feed). */
  pageSize: number;
  /** Pages stored per write; default 5. */
  pagesPerWrite?: number;
  onProgress?: (downloaded: number) => void;
  /** True once the desk stopped syncing: the download ends where it is and resumes next time. */
  stopped?: () => boolean;
}

/** A position in the storage's change order (RxDB's upload checkpoint): last write time, then id. */
export interface StoragePosition {
  id: string;
  lwt: number;
}

function later(position: StoragePosition | null, doc: { id: string; _meta: { lwt: number } }): StoragePosition {
  const lwt = doc._meta.lwt;
  return !position || lwt > position.lwt || (lwt === position.lwt && doc.id > position.id) ? { id: doc.id, lwt } : position;
}

/**
 * Downloads the ledger into an empty collection, or resumes a download. Returns null when there
 * is nothing to download this way (the collection already held entries before any download, or
 * a download finished earlier) or the desk stopped: the replication then starts from its own
 * checkpoints.
 */
export async function downloadLedger<T extends { id: string }, S extends { id: string } = T>(options: LedgerDownloadOptions<T, S>): Promise<ReplicationStart | null> {
  const { collection } = options;
  const kept = await options.progress.read();
  if (kept?.done) return null;
  if (!kept && (await collection.count().exec()) > 0) return null;
  let progress: LedgerDownloadProgress = kept ?? { seq: 0, upstream: null, downloaded: 0, othersWritten: false, done: false };

  const pull = prefetchingPull(options.fetchPage);
  /** A few pages per write: fewer, larger transactions (and progress records) cost less. */
  const fetchGroup = async (from: SyncCheckpoint | null): Promise<{ documents: WithDeleted<T>[]; at: SyncCheckpoint | null; done: boolean }> => {
    const documents: WithDeleted<T>[] = [];
    let at = from;
    let done = false;
    while (!done && documents.length < options.pageSize * (options.pagesPerWrite ?? 5)) {
      const page = await pull(at, options.pageSize);
      documents.push(...page.documents);
      at = page.checkpoint ?? at;
      done = page.documents.length < options.pageSize;
    }
    return { documents, at, done };
  };
  let next = fetchGroup(progress.seq > 0 ? { seq: progress.seq } : null);
  while (!options.stopped?.()) {
    const { documents, at, done } = await next;
    if (!done) {
      // The next pages download while these are stored; a failure shows when they are awaited.
      next = fetchGroup(at);
      next.catch(() => undefined);
    }
    const ids = new Set(documents.map((doc) => doc.id));
    // Entries are never deleted; were one ever, a fresh desk has nothing to store for it.
    const result = await collection.bulkInsert(documents.filter((doc) => !doc._deleted).map(options.toLocal));
    // Already stored: a page the desk stored just before it stopped, not yet counted.
    const stored = result.error.filter((error) => error.status === 409 && ids.has(String(error.documentId)));
    const failed = result.error.find((error) => !stored.includes(error));
    if (failed) throw new Error(`The downloaded ledger entry ${String(failed.documentId)} could not be stored (${String(failed.status)}).`);
    const downloaded = progress.downloaded + result.success.length + stored.length;
    // Entries are only ever added, so anything written besides the download shows in the count.
    const othersWritten = progress.othersWritten || (await collection.count().exec()) !== downloaded;
    const upstream = result.success.reduce<StoragePosition | null>((position, doc) => later(position, doc._data), progress.upstream);
    progress = { seq: at?.seq ?? 0, upstream, downloaded, othersWritten, done };
    await options.progress.write(progress);
    options.onProgress?.(progress.downloaded);
    if (done) return { pull: at ?? undefined, push: progress.othersWritten ? undefined : (progress.upstream ?? undefined) };
  }
  return null;
}
