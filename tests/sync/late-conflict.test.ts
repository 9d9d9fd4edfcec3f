// A conflict answer that arrives late: desk A's push is answered with the student as the server
// had it then, and before RxDB processes that answer another desk changes the student again and
// the change reaches A (on its live stream, or by a resync). RxDB's downstream leaves a document
// alone while the desk has a change of its own to push, so if it took the newer version before
// the older answer, A would keep the older answer for good (its checkpoint is past the newer one).
// RxDB 17 queues the downstream behind a push in flight, so the newer version is applied after
// the answer; these runs pin that down, the steps put in order by holding A's push answer.
import type { AddressInfo } from 'node:net';
import { addRxPlugin, createRxDatabase, type RxCollection, type RxDatabase, type RxJsonSchema } from 'rxdb';
import { RxDBMigrationSchemaPlugin } from 'rxdb/plugins/migration-schema';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { Subject } from 'rxjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import {
  canonicalJson,
  newId,
  replicatedCollections,
  syncPath,
  withoutReplicationFields,
  type PullResponse,
  type PushRow,
  type StreamBatch,
  type StreamMessage,
  type Student,
  type SyncCheckpoint,
  type WithDeleted,
} from '@feemaster/core';
import { syncDocuments } from '../../sync-server/src/db/schema.ts';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../sync-server/test/database.ts';
import { buildSyncApp, enrolDesks, initTestSchool, type School } from './school.ts';

addRxPlugin(RxDBMigrationSchemaPlugin);

const definition = replicatedCollections.students;
const PULL = syncPath('students', definition.schemaVersion, 'pull');
const PUSH = syncPath('students', definition.schemaVersion, 'push');

let database: TestDatabase;
let app: FastifyInstance | undefined;
let school: School;
let baseUrl = '';

async function call<R>(token: string, path: string, body?: unknown): Promise<R> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path} answered ${String(res.status)}: ${await res.text()}`);
  return (await res.json()) as R;
}

const pullPage = (token: string, checkpoint: SyncCheckpoint | null, limit: number): Promise<PullResponse<Student>> =>
  call(token, `${PULL}?${new URLSearchParams({ checkpoint: checkpoint ? String(checkpoint.seq) : '', limit: String(limit) }).toString()}`);

/** The server's current state of one student. */
async function serverStudent(id: string): Promise<WithDeleted<Student>> {
  const page = await pullPage(school.ownerToken, null, 1000);
  const found = page.documents.find((doc) => doc.id === id);
  if (!found) throw new Error(`student ${id} is not on the server`);
  return found;
}

/** Desk B's change, straight over HTTP against the server's current state. */
async function changeOnServer(id: string, change: Partial<Student>): Promise<void> {
  const [desk] = school.desks.slice(1);
  if (!desk) throw new Error('the test needs two desks');
  const master = await serverStudent(id);
  const row: PushRow<Student> = { assumedMasterState: master, newDocumentState: { ...master, ...change, updatedAt: new Date().toISOString() } };
  const conflicts = await call<unknown[]>(desk.token, PUSH, [row]);
  if (conflicts.length > 0) throw new Error('desk B pushed against the current state and still got a conflict');
}

const plain = (doc: object): string => canonicalJson(withoutReplicationFields(doc as Record<string, unknown>));

interface DeskA {
  students: RxCollection<Student>;
  replication: RxReplicationState<Student, SyncCheckpoint>;
  /** Resolves at the next push that answers a conflict, with `release` to hand the answer to RxDB. */
  nextConflict(): Promise<{ release: () => void }>;
  /** Hands a batch to RxDB as the live stream does, resolving once RxDB has had time to take it. */
  fromStream(batch: StreamBatch<Student>): Promise<void>;
  /** Pulls made so far, by the checkpoint each started from. */
  pulls: (number | null)[];
  settled(): Promise<void>;
  close(): Promise<void>;
}

async function openDeskA(): Promise<DeskA> {
  const [desk] = school.desks;
  if (!desk) throw new Error('the test needs a desk');
  const db: RxDatabase = await createRxDatabase({ name: `late-conflict-${newId()}`, storage: getRxStorageMemory(), multiInstance: false, eventReduce: true });
  const { students } = await db.addCollections({ students: { schema: definition.rxSchema as RxJsonSchema<Student>, migrationStrategies: { 1: (doc: Student) => doc } } });
  const collection = students as RxCollection<Student>;
  const stream$ = new Subject<StreamMessage<Student>>();
  const pulls: (number | null)[] = [];
  let onConflict: ((held: { release: () => void }) => void) | null = null;
  const replication = replicateRxCollection<Student, SyncCheckpoint>({
    collection,
    replicationIdentifier: `late-conflict:${newId()}`,
    live: true,
    retryTime: 200,
    waitForLeadership: false,
    pull: {
      batchSize: 1000,
      handler: async (checkpoint) => {
        pulls.push(checkpoint?.seq ?? null);
        const page = await pullPage(desk.token, checkpoint ?? null, 1000);
        return { documents: page.documents, checkpoint: page.checkpoint ?? checkpoint };
      },
      stream$,
    },
    push: {
      batchSize: 100,
      handler: async (rows) => {
        const answer = await call<WithDeleted<Student>[]>(desk.token, PUSH, rows);
        const held = onConflict;
        if (answer.length > 0 && held) {
          onConflict = null;
          await new Promise<void>((release) => held({ release }));
        }
        return answer;
      },
    },
  });
  await replication.awaitInitialReplication();
  return {
    students: collection,
    replication,
    pulls,
    nextConflict: () => new Promise((resolve) => (onConflict = resolve)),
    fromStream: async (batch) => {
      stream$.next(batch);
      // RxDB's downstream takes stream batches in its own queue; give it the time to.
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
    settled: async () => {
      await replication.awaitInSync();
    },
    close: async () => {
      await replication.cancel();
      await db.remove();
    },
  };
}

/** The race, step by step; returns desk A's student and the server's once A is in sync. */
async function lateConflictAnswer(reaches: 'stream' | 'resync'): Promise<{ desk: string; server: string; answered: string; pullsWhileHeld: number }> {
  const id = newId();
  const at = new Date().toISOString();
  const [deskB] = school.desks.slice(1);
  if (!deskB) throw new Error('the test needs two desks');
  const first: WithDeleted<Student> = { id, schoolId: school.schoolId, admissionNumber: 'LC-1', firstName: 'Amani', lastName: 'Otieno', status: 'active', createdAt: at, updatedAt: at, _deleted: false };
  await call(deskB.token, PUSH, [{ assumedMasterState: null, newDocumentState: first }]);
  const deskA = await openDeskA();
  try {
    const [local] = await deskA.students.find({ selector: { id } }).exec();
    if (!local) throw new Error("desk A's first pull did not bring the student");
    // B changes the student before A's change reaches the server: A's push will conflict.
    await changeOnServer(id, { lastName: 'Wanjiru' });
    const conflict = deskA.nextConflict();
    await local.incrementalPatch({ firstName: 'Baraka', updatedAt: new Date().toISOString() });
    const held = await conflict;
    const answered = plain(await serverStudent(id));
    // The answer is in hand but not yet given to RxDB: B changes the student again, and the
    // change reaches A on its live stream, or A is told to resync.
    await changeOnServer(id, { otherNames: 'Kip' });
    const pullsBefore = deskA.pulls.length;
    if (reaches === 'stream') {
      const latest = await pullPage(school.ownerToken, null, 1000);
      if (!latest.checkpoint) throw new Error('the feed is empty');
      await deskA.fromStream({ documents: latest.documents.filter((doc) => doc.id === id), checkpoint: latest.checkpoint });
    } else {
      deskA.replication.reSync();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const pullsWhileHeld = deskA.pulls.length - pullsBefore;
    held.release();
    await deskA.settled();
    const [after] = await deskA.students.find({ selector: { id } }).exec();
    if (!after) throw new Error('desk A lost the student');
    return { desk: plain(after.toMutableJSON()), server: plain(await serverStudent(id)), answered, pullsWhileHeld };
  } finally {
    await deskA.close();
  }
}

describe(`a conflict answer older than a version already pulled, server on ${testDatabaseKind}`, () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    const init = await initTestSchool(database);
    const built = await buildSyncApp(database);
    app = built.app;
    school = await enrolDesks(database, built, init, 2);
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    await app?.close();
    await database.close();
  });

  beforeEach(async () => {
    await database.db.delete(syncDocuments).where(inArray(syncDocuments.collection, ['students']));
  });

  for (const reaches of ['stream', 'resync'] as const) {
    it(`ends on the server's state when the newer version comes by ${reaches} while the older answer is held`, { timeout: 30_000 }, async () => {
      const { desk, server, answered, pullsWhileHeld } = await lateConflictAnswer(reaches);
      // The race did happen: the answer A holds is older than the server's state.
      expect(server).not.toBe(answered);
      expect(JSON.parse(server)).toMatchObject({ firstName: 'Baraka', lastName: 'Wanjiru', otherNames: 'Kip' });
      expect(desk).toBe(server);
      // RxDB pulled nothing while the push was in flight: the downstream waits behind it.
      expect(pullsWhileHeld).toBe(0);
    });
  }
});
