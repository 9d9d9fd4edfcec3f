// The pull side of a replication client, shared by the desk and the benchmark page: joins pages
// the server ended early at its byte limit (RxDB stops at a short batch), and after a full batch
// fetches the next page while RxDB stores this one, so downloading and storing overlap.
import type { PullResponse, SyncCheckpoint, WithDeleted } from './protocol.ts';

export type FetchPage<T> = (checkpoint: SyncCheckpoint | null, limit: number) => Promise<PullResponse<T>>;

export function prefetchingPull<T>(fetchPage: FetchPage<T>): (checkpoint: SyncCheckpoint | null | undefined, batchSize: number) => Promise<{ documents: WithDeleted<T>[]; checkpoint: SyncCheckpoint | null }> {
  let ahead: { after: number; limit: number; page: Promise<PullResponse<T>> } | null = null;
  const page = (checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<T>> => {
    const ready = ahead;
    ahead = null;
    // A read-ahead that failed (the network dropped) is simply fetched again.
    if (ready && ready.after === (checkpoint?.seq ?? 0) && ready.limit === limit) return ready.page.catch(() => fetchPage(checkpoint, limit));
    return fetchPage(checkpoint, limit);
  };
  return async (checkpoint, batchSize) => {
    const documents: WithDeleted<T>[] = [];
    let at = checkpoint ?? null;
    for (;;) {
      const response = await page(at, batchSize - documents.length);
      documents.push(...response.documents);
      at = response.checkpoint ?? at;
      if (!response.hasMore || documents.length >= batchSize) break;
    }
    if (documents.length >= batchSize && at) {
      const next = fetchPage(at, batchSize);
      // Not this batch's failure: the call that uses it fetches again.
      next.catch(() => undefined);
      ahead = { after: at.seq, limit: batchSize, page: next };
    }
    return { documents, checkpoint: at };
  };
}
