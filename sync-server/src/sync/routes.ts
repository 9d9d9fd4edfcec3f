// Replication endpoints per collection and schema version: pull, push and the live stream.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  DEFAULT_PULL_LIMIT,
  MAX_BATCH_BYTES,
  MAX_PULL_LIMIT,
  MAX_PUSH_ROWS,
  MULTIPLEXED_STREAM_PATH,
  SYNC_BASE_PATH,
  SYNC_CLIENT_HEADER,
  SYNC_CLIENT_PATTERN,
  SYNC_SUMMARY_PATH,
  findCollection,
  type PushRow,
  type ReplicatedCollection,
  type MultiplexedStreamMessage,
  type StreamMessage,
  type SyncSummary,
} from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { authenticateToken, bearerToken, type Principal } from '../auth/authenticate.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { ApprovalKeys } from '../auth/approval-keys.ts';
import type { LiveHub } from './live-hub.ts';
import { pullDocuments, pushContextOf, pushDocuments, summarize } from './repository.ts';
import { openEventStream } from '../sse/event-stream.ts';
import { publishPush } from './publish.ts';
import { ledgerWindow } from './ledger-scope.ts';
import type { Notifier } from '../realtime/notifier.ts';

export interface SyncRoutesOptions {
  db: Db;
  tokens: TokenService;
  /** Checks the managers' approvals on refunds that desks push. */
  approvalKeys: ApprovalKeys;
  hub: LiveHub;
  /** This server instance, named in its change notices so it does not relay its own pushes. */
  instanceId: string;
  /** Tells the managers' desks at other offices of each payment taken. */
  notifier: Notifier;
  /** How often an open stream re-checks its caller's token and account. */
  streamRecheckMs: number;
  streamHeartbeatMs: number;
  /** Registers a stream so server shutdown can end it. */
  trackStream(end: () => void): () => void;
}

const Params = Type.Object({
  collection: Type.String({ maxLength: 64 }),
  schemaVersion: Type.Integer({ minimum: 0 }),
});
const AnyDocument = Type.Record(Type.String(), Type.Unknown());
const PushBody = Type.Array(
  // RxDB leaves assumedMasterState out for a document the desk has never seen from the server.
  Type.Object({ assumedMasterState: Type.Optional(Type.Union([Type.Null(), AnyDocument])), newDocumentState: AnyDocument }, { additionalProperties: false }),
  { maxItems: MAX_PUSH_ROWS },
);
const PullQuery = Type.Object({
  checkpoint: Type.Optional(Type.String({ pattern: '^\\d{0,18}$', description: 'The `seq` of the last checkpoint, empty for the start' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PULL_LIMIT })),
});
const StreamQuery = Type.Object({
  collections: Type.String({ minLength: 3, maxLength: 400, description: 'Comma-separated collection:schemaVersion, like students:1,ledger:1' }),
  client: Type.Optional(Type.String({ pattern: SYNC_CLIENT_PATTERN.source, description: `The desk's own id, also sent on its uploads (${SYNC_CLIENT_HEADER}): its own ledger uploads are not sent back` })),
});
const Summary = Type.Object({
  collections: Type.Array(Type.Object({ name: Type.String(), documents: Type.Integer(), lastSeq: Type.Integer() })),
  ledgerScope: Type.Union([Type.Literal('all'), Type.Literal('recent-years')]),
});
const Batch = Type.Object({
  documents: Type.Array(AnyDocument),
  checkpoint: Type.Union([Type.Null(), Type.Object({ seq: Type.Integer() })]),
  hasMore: Type.Optional(Type.Boolean({ description: 'The page ended early at the byte limit; pull again from the checkpoint' })),
});

export function resolveCollection(
  name: string,
  schemaVersion: number,
  find: (name: string) => ReplicatedCollection | undefined = findCollection,
): ReplicatedCollection {
  const collection = find(name);
  if (!collection) throw new AppError(404, 'unknown-collection', `This server does not replicate '${name}'.`);
  if (schemaVersion < collection.schemaVersion) {
    throw new AppError(426, 'schema-outdated', 'This desk runs an older version of Fee Master. Update the app to keep syncing; your local changes are kept.');
  }
  if (schemaVersion > collection.schemaVersion) {
    throw new AppError(409, 'server-outdated', 'This desk is newer than the sync server. Ask your IT contact to update the server; your local changes are kept.');
  }
  return collection;
}

export const syncRoutes: FastifyPluginAsyncTypebox<SyncRoutesOptions> = async (app, options) => {
  const { db, tokens, hub } = options;
  const authenticate = (token: string | null): Promise<Principal> => authenticateToken(db, tokens, token);

  app.get(
    `${SYNC_BASE_PATH}/:collection/:schemaVersion/pull`,
    { schema: { tags: ['sync'], summary: 'Documents changed after a checkpoint, in commit order', params: Params, querystring: PullQuery, response: { 200: Batch } } },
    async (request) => {
      const principal = await authenticate(bearerToken(request));
      const collection = resolveCollection(request.params.collection, request.params.schemaVersion);
      return pullDocuments(db, {
        schoolId: principal.schoolId,
        collection: collection.name,
        afterSeq: request.query.checkpoint ? Number(request.query.checkpoint) : 0,
        limit: request.query.limit ?? DEFAULT_PULL_LIMIT,
        where: collection.name === 'ledger' ? (await ledgerWindow(db, principal.schoolId)).condition : null,
      });
    },
  );

  app.post(
    `${SYNC_BASE_PATH}/:collection/:schemaVersion/push`,
    {
      // The batch limit plus room for the JSON of the envelope.
      bodyLimit: MAX_BATCH_BYTES + 64 * 1024,
      schema: { tags: ['sync'], summary: 'Write changed documents in one transaction; returns the master state of conflicting rows', params: Params, body: PushBody },
    },
    async (request) => {
      const principal = await authenticate(bearerToken(request));
      const collection = resolveCollection(request.params.collection, request.params.schemaVersion);
      const rows = request.body as PushRow<Record<string, unknown>>[];
      const result = await pushDocuments(db, pushContextOf(principal, collection, request, options.instanceId, options.approvalKeys), rows);
      await publishPush(options.notifier, principal.schoolId, collection.name, result);
      return result.conflicts;
    },
  );

  app.get(
    `${SYNC_BASE_PATH}/:collection/:schemaVersion/stream`,
    { schema: { tags: ['sync'], summary: 'Server-Sent Events: change batches, or "RESYNC" after (re)connecting', params: Params } },
    async (request, reply) => {
      const token = bearerToken(request);
      const principal = await authenticate(token);
      const collection = resolveCollection(request.params.collection, request.params.schemaVersion);
      let unsubscribe = (): void => undefined;
      const stream = openEventStream(request, reply, {
        heartbeatMs: options.streamHeartbeatMs,
        recheckMs: options.streamRecheckMs,
        recheck: () => authenticate(token),
        track: (end) => options.trackStream(end),
        onEnd: () => unsubscribe(),
      });
      const send = (message: StreamMessage<Record<string, unknown>>): void => stream.send(message);
      unsubscribe = hub.subscribe(principal.schoolId, collection.name, send);
      // Whatever happened while the client was away, it must pull again before trusting events.
      send('RESYNC');
    },
  );

  app.get(
    MULTIPLEXED_STREAM_PATH,
    {
      schema: {
        tags: ['sync'],
        summary: 'Server-Sent Events for several collections on one connection: {collection, message}, each collection starting with "RESYNC"',
        querystring: StreamQuery,
      },
    },
    async (request, reply) => {
      const token = bearerToken(request);
      const principal = await authenticate(token);
      const wanted = parseCollectionList(request.query.collections);
      const unsubscribes: (() => void)[] = [];
      const stream = openEventStream(request, reply, {
        heartbeatMs: options.streamHeartbeatMs,
        recheckMs: options.streamRecheckMs,
        recheck: () => authenticate(token),
        track: (end) => options.trackStream(end),
        onEnd: () => unsubscribes.forEach((unsubscribe) => unsubscribe()),
      });
      const own = request.query.client ?? null;
      for (const collection of wanted) {
        const send = (message: StreamMessage<Record<string, unknown>>, client: string | null = null): void => {
          // This desk's own upload, stored exactly as it sent it: it has it already.
          if (own !== null && client === own) return;
          stream.send({ collection: collection.name, message } satisfies MultiplexedStreamMessage<Record<string, unknown>>);
        };
        unsubscribes.push(hub.subscribe(principal.schoolId, collection.name, send));
        send('RESYNC');
      }
    },
  );

  app.get(
    SYNC_SUMMARY_PATH,
    { schema: { tags: ['sync'], summary: "How many documents the school has per collection, for a fresh desk's download progress", response: { 200: Summary } } },
    async (request): Promise<SyncSummary> => {
      const principal = await authenticate(bearerToken(request));
      return summarize(db, principal.schoolId);
    },
  );
};

/** `students:1,ledger:1` → the collections, each checked against its schema version (426 when the desk is older). */
export function parseCollectionList(list: string): ReplicatedCollection[] {
  const seen = new Set<string>();
  return list.split(',').map((entry) => {
    const match = /^([A-Za-z]+):(\d{1,4})$/.exec(entry.trim());
    if (!match?.[1] || !match[2]) throw new AppError(400, 'bad-request', `'${entry}' is not collection:schemaVersion (like students:1).`);
    if (seen.has(match[1])) throw new AppError(400, 'bad-request', `${match[1]} is listed twice.`);
    seen.add(match[1]);
    return resolveCollection(match[1], Number(match[2]));
  });
}
