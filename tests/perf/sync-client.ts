// The desk's side of the replication protocol over real HTTP, as the benchmark drives it:
// push batches of MAX_PUSH_ROWS and pull pages of MAX_PULL_LIMIT, timed.
import { LEDGER_SCHEMA_VERSION, MAX_PULL_LIMIT, MAX_PUSH_ROWS, syncPath, type ErrorBody, type PullResponse, type PushRow, type SyncCheckpoint } from '@feemaster/core';

type Doc = Record<string, unknown>;

const LEDGER_PUSH = syncPath('ledger', LEDGER_SCHEMA_VERSION, 'push');
const LEDGER_PULL = syncPath('ledger', LEDGER_SCHEMA_VERSION, 'pull');
export const LEDGER_STREAM = syncPath('ledger', LEDGER_SCHEMA_VERSION, 'stream');

async function failure(res: Response, what: string): Promise<Error> {
  const text = await res.text();
  let message = text.slice(0, 600);
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.message === 'string') message = `${body.error ?? 'error'}: ${body.message}`;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return new Error(`${what} answered HTTP ${String(res.status)}: ${message}`);
}

/** One push of new documents; throws unless the server stored them all (no conflicts). */
export async function pushNew(baseUrl: string, token: string, docs: readonly Doc[]): Promise<void> {
  const rows: PushRow<Doc>[] = docs.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } }));
  const res = await fetch(`${baseUrl}${LEDGER_PUSH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  if (!res.ok) throw await failure(res, `pushing ${String(docs.length)} ledger entries`);
  const conflicts = (await res.json()) as unknown[];
  if (conflicts.length > 0) throw new Error(`the server answered a push of new entries with ${String(conflicts.length)} conflicts`);
}

export async function pullPage(baseUrl: string, token: string, checkpoint: SyncCheckpoint | null, limit = MAX_PULL_LIMIT): Promise<PullResponse<Doc>> {
  const query = new URLSearchParams({ checkpoint: checkpoint ? String(checkpoint.seq) : '', limit: String(limit) });
  const res = await fetch(`${baseUrl}${LEDGER_PULL}?${query.toString()}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw await failure(res, 'pulling the ledger');
  return (await res.json()) as PullResponse<Doc>;
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export interface Timing {
  docs: number;
  seconds: number;
  docsPerSecond: number;
  /** Per request (one push batch, one pull page), milliseconds. */
  requestMs: { p50: number; p95: number; max: number };
  requests: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function timing(docs: number, seconds: number, requestMs: number[]): Timing {
  const sorted = [...requestMs].sort((a, b) => a - b);
  return {
    docs,
    seconds,
    docsPerSecond: docs / seconds,
    requestMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? Number.NaN },
    requests: sorted.length,
  };
}

/** Each desk pushes its own documents in order, MAX_PUSH_ROWS at a time; the desks run side by side. */
export async function timedPush(baseUrl: string, desks: readonly { token: string; docs: readonly Doc[] }[], onProgress?: (done: number) => void): Promise<Timing> {
  const requestMs: number[] = [];
  let done = 0;
  const started = performance.now();
  await Promise.all(
    desks.map(async (desk) => {
      for (const batch of batches(desk.docs, MAX_PUSH_ROWS)) {
        const t0 = performance.now();
        await pushNew(baseUrl, desk.token, batch);
        requestMs.push(performance.now() - t0);
        done += batch.length;
        onProgress?.(done);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return timing(done, seconds, requestMs);
}

/** A short page is the end of the feed, unless the server ended it early at its byte limit (`hasMore`). */
function atEnd(page: PullResponse<Doc>): boolean {
  const endedEarly = (page as { hasMore?: boolean }).hasMore === true;
  return page.documents.length === 0 || (page.documents.length < MAX_PULL_LIMIT && !endedEarly);
}

/** Pulls from `from` to the end of the feed with the largest page the server allows. */
export async function timedPull(baseUrl: string, token: string, from: SyncCheckpoint | null, expected: number): Promise<Timing & { checkpoint: SyncCheckpoint | null }> {
  const requestMs: number[] = [];
  let checkpoint = from;
  let docs = 0;
  const started = performance.now();
  for (;;) {
    const t0 = performance.now();
    const page = await pullPage(baseUrl, token, checkpoint);
    requestMs.push(performance.now() - t0);
    docs += page.documents.length;
    checkpoint = page.checkpoint ?? checkpoint;
    if (atEnd(page)) break;
  }
  const seconds = (performance.now() - started) / 1000;
  if (docs !== expected) throw new Error(`the pull brought ${String(docs)} documents, expected ${String(expected)}`);
  return { ...timing(docs, seconds, requestMs), checkpoint };
}

/** Where the feed ends now (untimed): the checkpoint a desk holds once it has everything. */
export async function feedEnd(baseUrl: string, token: string): Promise<{ checkpoint: SyncCheckpoint | null; docs: number }> {
  let checkpoint: SyncCheckpoint | null = null;
  let docs = 0;
  for (;;) {
    const page = await pullPage(baseUrl, token, checkpoint);
    docs += page.documents.length;
    checkpoint = page.checkpoint ?? checkpoint;
    if (atEnd(page)) return { checkpoint, docs };
  }
}
