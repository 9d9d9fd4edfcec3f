// How a simulated desk talks to the sync server, mirroring the desk app's replication:
// replicateRxCollection per collection with retryTime, pull by checkpoint (joining pages that
// end early), push split by size, and a live SSE stream that resyncs on every (re)connection.
// On top of that it sends some pushes twice, and writes down every checkpoint it is given and
// every push the server acknowledged, for the run's invariants.
import { createHash } from 'node:crypto';
import type { RxCollection, RxReplicationWriteToMasterRow } from 'rxdb';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { NEVER, filter, map, mergeMap, of, share, type Observable } from 'rxjs';
import {
  MULTIPLEXED_STREAM_PATH,
  batchesWithin,
  canonicalJson,
  orderedUploads,
  replicatedCollections,
  syncPath,
  withoutReplicationFields,
  type ErrorBody,
  type MultiplexedStreamMessage,
  type PullResponse,
  type StreamMessage,
  type SyncCheckpoint,
  type WithDeleted,
} from '@feemaster/core';
import { liveStream } from './live-stream.ts';
import type { Prng } from './prng.ts';
import type { RunJournal } from './run-journal.ts';

export interface DeskIdentity {
  name: string;
  deviceId: string;
  /** The desk's code in its receipt series (`MAIN-D01-000001`). */
  deviceCode: string;
  officeId: string;
  officeCode: string;
  userId: string;
  token: string;
}

export type StreamMode = 'multiplexed' | 'per-collection' | 'none';
export type SyncedCollection = 'students' | 'ledger';

export interface DeskTiming {
  /** RxDB's wait before retrying a failed pull or push (the desk app uses 2 s). */
  retryMs: number;
  /** Live stream reconnect backoff (the desk app uses 500 ms doubling to 15 s). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /**
   * Abandons a request the network swallowed; RxDB then retries it. Seconds, not less: RxDB
   * sends all batches of a backlog at once, and a timeout shorter than the server's queue turns
   * that into a storm of retries that never ends. (The desk app sets no timeout at all.)
   */
  requestTimeoutMs: number;
}

/** What an episode may change while the desk runs. */
export interface DeskSettings {
  requestTimeoutMs: number;
  /** Chance that a push which succeeded is sent again, unchanged. */
  repeatRate: number;
  /** Chance that a push is sent twice at the same time. */
  twinRate: number;
}

export interface PullRecord {
  collection: SyncedCollection;
  from: number;
  to: number | null;
  ids: string[];
}

export interface ReplicationContext {
  identity: DeskIdentity;
  runId: string;
  /** Where the desk sends its requests: its own fault proxy. */
  serverUrl: string;
  journal: RunJournal;
  timing: DeskTiming;
  settings: DeskSettings;
  /** For the duplicate pushes (its own stream, so they do not shift the desk's other choices). */
  prng: Prng;
  pullBatchSize: number;
  pushBatchSize: number;
  stream: StreamMode;
  /** The highest checkpoint the server gave this desk per collection, by pull or stream. */
  highest: Record<SyncedCollection, number>;
  onPull: (record: PullRecord) => void;
  trace: (line: string) => void;
}

/** A document's id and a short hash of its state (deleted ones marked), for the trace. */
export function version(doc: { id: string }): string {
  const state = canonicalJson(withoutReplicationFields(doc));
  const deleted = (doc as { _deleted?: unknown })._deleted === true ? ' deleted' : '';
  return `${doc.id}@${createHash('sha1').update(state).digest('hex').slice(0, 8)}${deleted}`;
}

/** Network faults never produce an HTTP status: a refusal is the server's answer, kept whole. */
class Refused extends Error {
  constructor(
    message: string,
    readonly body: Partial<ErrorBody>,
  ) {
    super(message);
  }
}

/** Starts the replication of one collection (after `openStreams` for the desk). */
export type Replicate = <T extends { id: string }>(collection: RxCollection<T>, name: SyncedCollection) => RxReplicationState<T, SyncCheckpoint>;

export function startReplications(ctx: ReplicationContext): Replicate {
  const { identity, journal, timing, settings, highest, trace, prng } = ctx;
  const request = async <R>(path: string, init: RequestInit = {}): Promise<R> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${identity.token}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    const response = await fetch(new URL(path, ctx.serverUrl), { ...init, headers, signal: AbortSignal.timeout(settings.requestTimeoutMs) });
    const text = await response.text();
    if (!response.ok) {
      const body = text ? (JSON.parse(text) as Partial<ErrorBody>) : {};
      throw new Refused(`${identity.name}: ${init.method ?? 'GET'} ${path} answered ${String(response.status)} ${body.error ?? ''}: ${body.message ?? text}`, body);
    }
    return JSON.parse(text) as R;
  };

  /**
   * True when a refusal is a void that reached the server ahead of the batch with its payment:
   * each refused row is a void of a payment not acknowledged when this push started. Uploads go
   * through core's orderedUploads, as on the desk, so this must never happen.
   */
  const voidAheadOfPayment = (error: Refused, rows: readonly { newDocumentState: Record<string, unknown> }[], unacknowledged: ReadonlySet<string>): boolean => {
    const problems = error.body.problems ?? [];
    if (error.body.error !== 'ledger-rule' || problems.length === 0) return false;
    return problems.every((problem) => {
      const row = rows.find((r) => r.newDocumentState.id === problem.id)?.newDocumentState;
      return row?.type === 'void' && problem.path === '/paymentId' && unacknowledged.has(String(row.paymentId));
    });
  };

  /** What a stream connection delivers, checked per collection and connection. */
  const lastOnStream = new Map<string, number>();
  const onStreamMessage = (collection: string, connection: number, message: StreamMessage<{ id: string }>): void => {
    if (message === 'RESYNC') {
      trace(`${collection} stream#${String(connection)} RESYNC`);
      return;
    }
    const seq = message.checkpoint.seq;
    if (collection === 'students' || collection === 'ledger') highest[collection] = Math.max(highest[collection], seq);
    trace(`${collection} stream#${String(connection)} ${String(seq)} [${message.documents.map(version).join(' ')}]`);
    const key = `${collection}#${String(connection)}`;
    const last = lastOnStream.get(key) ?? 0;
    if (seq <= last) journal.violation(`${identity.name}: the ${collection} stream sent checkpoint ${String(seq)} after ${String(last)}`);
    lastOnStream.set(key, seq);
  };
  const openStream = <M>(path: string, onMessage: (connection: number, message: M) => void): Observable<M> =>
    liveStream<M>({
      url: new URL(path, ctx.serverUrl).toString(),
      token: identity.token,
      backoffBaseMs: timing.backoffBaseMs,
      backoffMaxMs: timing.backoffMaxMs,
      onConnect: () => journal.count('streamConnects'),
      onDrop: (reason) => {
        journal.count('streamDrops');
        trace(`stream dropped: ${reason}`);
      },
      onMessage,
    });
  // The desk's one connection for all collections; or one per collection; or none (pull only).
  const list = (['students', 'ledger'] as const).map((name) => `${name}:${String(replicatedCollections[name].schemaVersion)}`).join(',');
  const multiplexed =
    ctx.stream === 'multiplexed'
      ? openStream<MultiplexedStreamMessage<{ id: string }>>(`${MULTIPLEXED_STREAM_PATH}?collections=${list}`, (connection, event) =>
          onStreamMessage(event.collection, connection, event.message),
        ).pipe(share())
      : null;
  const streamFor = <T extends { id: string }>(name: SyncedCollection): Observable<StreamMessage<T>> => {
    const definition = replicatedCollections[name];
    const source: Observable<StreamMessage<T>> = multiplexed
      ? multiplexed.pipe(
          filter((event) => event.collection === name),
          map((event) => event.message as StreamMessage<T>),
        )
      : ctx.stream === 'per-collection'
        ? openStream<StreamMessage<T>>(syncPath(definition.name, definition.schemaVersion, 'stream'), (connection, message) => onStreamMessage(name, connection, message))
        : NEVER;
    // RxDB 17.6 drops a RESYNC queued right behind change batches (its downstream stops at the
    // RESYNC without keeping it), so the pull that would bring what the desk missed never runs
    // (see the report in tests/sync/README.md). A second RESYNC right behind it always survives.
    return source.pipe(mergeMap((message) => (message === 'RESYNC' ? of(message, message) : of(message))));
  };

  return function replicate<T extends { id: string }>(collection: RxCollection<T>, name: SyncedCollection): RxReplicationState<T, SyncCheckpoint> {
    const definition = replicatedCollections[name];
    const path = (op: 'pull' | 'push' | 'stream'): string => syncPath(definition.name, definition.schemaVersion, op);
    let handedIn = 0;
    type Row = RxReplicationWriteToMasterRow<T>;
    const uploads = orderedUploads<Row>((rows) => rows.map((row) => version(row.newDocumentState)).join(' '));

    const push = async (rows: readonly Row[]): Promise<WithDeleted<T>[]> => {
      const flight = journal.pushStarted(name, rows.map((row) => row.newDocumentState.id));
      const unacknowledged = new Set([...journal.taken.keys()].filter((id) => !journal.acknowledged.has(id)));
      trace(`${name} push#${String(flight)} [${rows.map((row) => `${version(row.newDocumentState)} over ${row.assumedMasterState ? version(row.assumedMasterState) : 'nothing'}`).join(' ')}]`);
      try {
        const conflicts = await request<WithDeleted<T>[]>(path('push'), { method: 'POST', body: JSON.stringify(rows) });
        trace(`${name} push#${String(flight)} ok, conflicts [${conflicts.map(version).join(' ')}]`);
        return conflicts;
      } catch (error) {
        trace(`${name} push#${String(flight)} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (error instanceof Refused) {
          journal.violation(voidAheadOfPayment(error, rows, unacknowledged) ? `${identity.name}: a void was uploaded ahead of its payment (uploads out of order): ${error.message}` : error.message);
        }
        throw error;
      } finally {
        journal.pushEnded(flight);
      }
    };
    const acknowledge = (rows: readonly Row[], conflicts: readonly WithDeleted<T>[]): void => {
      journal.count('pushes');
      journal.count('conflicts', conflicts.length);
      if (name !== 'ledger') return;
      if (conflicts.length > 0) journal.violation(`${identity.name}: a ledger push answered ${String(conflicts.length)} conflicts: ${canonicalJson(conflicts)}`);
      for (const row of rows) journal.acknowledge(row.newDocumentState.id);
    };

    const pushWithDuplicates = async (rows: Row[]): Promise<WithDeleted<T>[]> => {
      try {
        if (prng.chance(settings.twinRate)) {
          // The same rows in two transactions at once: the second must find them stored.
          journal.count('twinPushes');
          // Answers in the order they arrive: the last one is the freshest.
          const answers: WithDeleted<T>[][] = [];
          const twin = (): Promise<void> => push(rows).then((answer) => void answers.push(answer));
          const [first] = await Promise.allSettled([twin(), twin()]);
          const latest = answers.at(-1);
          if (!latest) throw first.status === 'rejected' ? first.reason : new Error('twin push failed');
          for (const answer of answers) acknowledge(rows, answer);
          return latest;
        }
        const conflicts = await push(rows);
        acknowledge(rows, conflicts);
        if (!prng.chance(settings.repeatRate)) return conflicts;
        journal.count('repeatedPushes');
        const again = await push(rows).then(
          (value) => value,
          (error: unknown) => {
            journal.count('failedPushes');
            return error instanceof Error ? error : new Error(String(error));
          },
        );
        if (again instanceof Error) return conflicts;
        acknowledge(rows, again);
        // The later answer is the server's state now; RxDB must not get the older one (see README).
        return again;
      } catch (error) {
        journal.count('failedPushes');
        throw error;
      }
    };

    const state = replicateRxCollection<T, SyncCheckpoint>({
      collection,
      replicationIdentifier: `fault-run:${ctx.runId}:${identity.name}:${name}`,
      live: true,
      retryTime: timing.retryMs,
      waitForLeadership: false,
      pull: {
        batchSize: ctx.pullBatchSize,
        handler: async (checkpoint, batchSize) => {
          const from = checkpoint?.seq ?? 0;
          // RxDB may hand back an older checkpoint (a resync that starts before the last one's
          // checkpoint was stored, or a late stream batch): it pulls again, which is harmless.
          if (from < handedIn) {
            journal.count('rxdbCheckpointBack');
            trace(`${name} RxDB's checkpoint went back from ${String(handedIn)} to ${String(from)}`);
          }
          handedIn = Math.max(handedIn, from);
          try {
            // As the desk does: pages that end early at the byte limit are joined up to batchSize.
            const documents: WithDeleted<T>[] = [];
            let at = checkpoint;
            for (;;) {
              const query = new URLSearchParams({ checkpoint: at ? String(at.seq) : '', limit: String(batchSize - documents.length) });
              const page = await request<PullResponse<T>>(`${path('pull')}?${query.toString()}`);
              journal.count('pulls');
              const asked = at?.seq ?? 0;
              const to = page.checkpoint?.seq ?? null;
              if ((to === null && asked > 0) || (to !== null && to < asked)) {
                journal.violation(`${identity.name}: ${name} pull from checkpoint ${String(asked)} answered checkpoint ${String(to)}`);
              }
              documents.push(...page.documents);
              at = page.checkpoint ?? at;
              if (!page.hasMore || documents.length >= batchSize) break;
            }
            const to = at?.seq ?? null;
            if (to !== null) highest[name] = Math.max(highest[name], to);
            const record = { collection: name, from, to, ids: documents.map((doc) => doc.id) };
            const versions = documents.map(version);
            trace(`${name} pull ${String(from)} -> ${String(to)} [${versions.join(' ')}]`);
            ctx.onPull(record);
            return { documents, checkpoint: at };
          } catch (error) {
            journal.count('failedPulls');
            if (error instanceof Refused) journal.violation(error.message);
            trace(`${name} pull ${String(from)} failed: ${error instanceof Error ? error.message : String(error)}`);
            throw error;
          }
        },
        stream$: streamFor<T>(name),
      },
      push: {
        batchSize: ctx.pushBatchSize,
        // As the desk does: uploads in the order RxDB hands them over, and one handler call may
        // hold more than one request's worth of rows.
        handler: (rows) =>
          uploads.upload(rows, async () => {
            const conflicts: WithDeleted<T>[] = [];
            for (const batch of batchesWithin(rows)) conflicts.push(...(await pushWithDuplicates(batch)));
            return conflicts;
          }),
      },
    });
    state.error$.subscribe(() => journal.count('replicationErrors'));
    return state;
  };
}
