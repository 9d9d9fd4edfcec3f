import { describe, expect, it } from 'vitest';
import type { PullResponse, SyncCheckpoint } from './protocol.ts';
import { prefetchingPull } from './pull.ts';

type Doc = { id: string };

/** A feed of `total` documents with seq 1…total; pages end early at `pageCap` documents (the byte limit). */
function feed(total: number, pageCap = Infinity) {
  const calls: { after: number; limit: number }[] = [];
  const failAt = new Set<number>();
  const fetchPage = (checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<Doc>> => {
    const after = checkpoint?.seq ?? 0;
    calls.push({ after, limit });
    if (failAt.delete(after)) return Promise.reject(new Error('offline'));
    const count = Math.min(limit, pageCap, Math.max(0, total - after));
    const documents = Array.from({ length: count }, (_, i) => ({ id: String(after + i + 1), _deleted: false }));
    const last = after + count;
    return Promise.resolve({ documents, checkpoint: count > 0 ? { seq: last } : checkpoint, ...(count === pageCap && count < limit && last < total ? { hasMore: true } : {}) });
  };
  return { fetchPage, calls, failOnceAt: (after: number) => failAt.add(after) };
}

describe('prefetchingPull', () => {
  it('joins pages ended early at the byte limit into one batch', async () => {
    const { fetchPage } = feed(10, 3);
    const pull = prefetchingPull(fetchPage);
    const batch = await pull(null, 5);
    expect(batch.documents.map((d) => d.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(batch.checkpoint).toEqual({ seq: 5 });
  });

  it('reads the next page ahead after a full batch and serves it to the next call', async () => {
    const { fetchPage, calls } = feed(7);
    const pull = prefetchingPull(fetchPage);
    const first = await pull(null, 3);
    expect(calls).toEqual([{ after: 0, limit: 3 }, { after: 3, limit: 3 }]);
    const second = await pull(first.checkpoint, 3);
    expect(second.documents.map((d) => d.id)).toEqual(['4', '5', '6']);
    const third = await pull(second.checkpoint, 3);
    expect(third.documents.map((d) => d.id)).toEqual(['7']);
    // Every page fetched once; no read-ahead after the short last batch.
    expect(calls.map((c) => c.after)).toEqual([0, 3, 6]);
  });

  it('fetches again when asked from another checkpoint than the one read ahead', async () => {
    const { fetchPage, calls } = feed(10);
    const pull = prefetchingPull(fetchPage);
    await pull(null, 3);
    const other = await pull({ seq: 1 }, 3);
    expect(other.documents.map((d) => d.id)).toEqual(['2', '3', '4']);
    expect(calls.at(-2)).toEqual({ after: 1, limit: 3 });
  });

  it('fetches a page again when its read-ahead failed', async () => {
    const { fetchPage, calls, failOnceAt } = feed(10);
    const pull = prefetchingPull(fetchPage);
    failOnceAt(3);
    const first = await pull(null, 3);
    const second = await pull(first.checkpoint, 3);
    expect(second.documents.map((d) => d.id)).toEqual(['4', '5', '6']);
    expect(calls.filter((c) => c.after === 3)).toHaveLength(2);
  });

  it('fails a call whose own page cannot be fetched', async () => {
    const { fetchPage, failOnceAt } = feed(10);
    const pull = prefetchingPull(fetchPage);
    failOnceAt(0);
    await expect(pull(null, 3)).rejects.toThrow('offline');
    expect((await pull(null, 3)).documents).toHaveLength(3);
  });

  it('returns the checkpoint it was given when nothing is new', async () => {
    const { fetchPage } = feed(0);
    const pull = prefetchingPull(fetchPage);
    expect(await pull({ seq: 4 }, 3)).toEqual({ documents: [], checkpoint: { seq: 4 } });
    expect(await pull(null, 3)).toEqual({ documents: [], checkpoint: null });
  });
});
