import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { gunzipSync } from 'node:zlib';
import { MAX_PUSH_ROWS, replicatedCollections, type ErrorBody, type PullResponse, type Student } from '@feemaster/core';
import { resolveCollection } from './routes.ts';
import { pullDocuments } from './repository.ts';
import { syncDocuments } from '../db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { makeStudent, startTestServer, type TestServer } from '../../test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await server?.app.close();
  await database.reset();
  server = await startTestServer(database);
});

const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` });

async function push(rows: unknown, path = '/api/v1/sync/students/1/push') {
  return server.app.inject({ method: 'POST', url: path, headers: auth(), payload: rows as object });
}
async function pull(checkpoint = '', limit = 100): Promise<PullResponse<Student>> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/sync/students/1/pull?checkpoint=${checkpoint}&limit=${limit}`, headers: auth() });
  expect(res.statusCode).toBe(200);
  return res.json<PullResponse<Student>>();
}
/** Documents stored by the tests' pushes (setup writes the school's settings and office too). */
async function storedCount(): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(syncDocuments).where(eq(syncDocuments.collection, 'students'));
  return Number(row?.n);
}

describe('push and pull of students', () => {
  it('stores a pushed student and pulls it back with a checkpoint', async () => {
    const student = makeStudent(server.schoolId, { firstName: 'Wanjiku' });
    // As RxDB sends it for a document the desk has never seen from the server: no assumedMasterState.
    const res = await push([{ newDocumentState: student }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
    const page = await pull();
    expect(page.documents).toEqual([student]);
    expect(page.checkpoint?.seq).toBeGreaterThan(0);
    const after = await pull(String(page.checkpoint?.seq));
    expect(after.documents).toEqual([]);
    expect(after.checkpoint).toEqual(page.checkpoint);
  });

  it('pages through the feed in commit order without repeats', async () => {
    const students = Array.from({ length: 7 }, (_, i) => makeStudent(server.schoolId, { admissionNumber: `A${i}` }));
    for (const s of students) await push([{ assumedMasterState: null, newDocumentState: s }]);
    const seen: string[] = [];
    let checkpoint = '';
    for (;;) {
      const page = await pull(checkpoint, 3);
      if (page.documents.length === 0) break;
      seen.push(...page.documents.map((d) => d.admissionNumber));
      checkpoint = String(page.checkpoint?.seq);
    }
    expect(seen).toEqual(students.map((s) => s.admissionNumber));
  });

  it('ends a pull page early at the byte limit and says more follow', async () => {
    const students = Array.from({ length: 5 }, (_, i) => makeStudent(server.schoolId, { admissionNumber: `B${i}`, otherNames: 'x'.repeat(120) }));
    await push(students.map((s) => ({ assumedMasterState: null, newDocumentState: s })));
    const [size] = await database.db
      .select({ bytes: sql<number>`max(octet_length(${syncDocuments.data}::text))::int` })
      .from(syncDocuments)
      .where(eq(syncDocuments.collection, 'students'));
    // Room for two of these documents, not three.
    const query = { schoolId: server.schoolId, collection: 'students', limit: 100, maxBytes: 2 * (Number(size?.bytes) + 16) + 8 };
    const first = await pullDocuments(database.db, { ...query, afterSeq: 0 });
    expect(first.documents.map((d) => d.admissionNumber)).toEqual(['B0', 'B1']);
    expect(first.hasMore).toBe(true);
    const rest = await pullDocuments(database.db, { ...query, afterSeq: first.checkpoint?.seq ?? 0, maxBytes: 1_000_000 });
    expect(rest.documents.map((d) => d.admissionNumber)).toEqual(['B2', 'B3', 'B4']);
    expect(rest.hasMore).toBeUndefined();
    // A document larger than the limit still travels, alone.
    const alone = await pullDocuments(database.db, { ...query, afterSeq: 0, maxBytes: 10 });
    expect(alone.documents).toHaveLength(1);
  });

  it(`refuses a push of more than ${MAX_PUSH_ROWS} documents, saving nothing`, async () => {
    const rows = Array.from({ length: MAX_PUSH_ROWS + 1 }, (_, i) => ({ assumedMasterState: null, newDocumentState: makeStudent(server.schoolId, { admissionNumber: `C${i}` }) }));
    const res = await push(rows);
    expect(res.statusCode).toBe(400);
    expect(await storedCount()).toBe(0);
  });

  it('accepts a full batch of documents in one push', async () => {
    const rows = Array.from({ length: MAX_PUSH_ROWS }, (_, i) => ({ assumedMasterState: null, newDocumentState: makeStudent(server.schoolId, { admissionNumber: `D${i}` }) }));
    expect((await push(rows)).statusCode).toBe(200);
    expect(await storedCount()).toBe(MAX_PUSH_ROWS);
  });

  it('gzips a pull for a desk that accepts it', async () => {
    const students = Array.from({ length: 20 }, (_, i) => makeStudent(server.schoolId, { admissionNumber: `E${i}` }));
    await push(students.map((s) => ({ assumedMasterState: null, newDocumentState: s })));
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull?checkpoint=&limit=100', headers: { ...auth(), 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(res.rawPayload).toString('utf8')) as PullResponse<Student>;
    expect(body.documents).toHaveLength(20);
  });

  it('stores the same push twice only once', async () => {
    const student = makeStudent(server.schoolId);
    await push([{ assumedMasterState: null, newDocumentState: student }]);
    const again = await push([{ assumedMasterState: null, newDocumentState: student }]);
    expect(again.json()).toEqual([]);
    expect((await pull()).documents).toHaveLength(1);
    expect(await storedCount()).toBe(1);
  });

  it('merges a push made against an older version field by field, and returns the merged state for the desk to adopt', async () => {
    const v1 = makeStudent(server.schoolId, { lastName: 'Kamau' });
    await push([{ assumedMasterState: null, newDocumentState: v1 }]);
    const deskA = { ...v1, lastName: 'Kamau-Njoroge', updatedAt: new Date(Date.now() + 1000).toISOString() };
    await push([{ assumedMasterState: v1, newDocumentState: deskA }]);
    const deskB = { ...v1, firstName: 'Ann', updatedAt: new Date(Date.now() + 2000).toISOString() };
    const res = await push([{ assumedMasterState: v1, newDocumentState: deskB }]);
    const merged = { ...deskA, firstName: 'Ann', updatedAt: deskB.updatedAt };
    expect(res.json()).toEqual([merged]);
    expect((await pull()).documents).toEqual([merged]);
  });

  it('replicates deletions as _deleted', async () => {
    const student = makeStudent(server.schoolId);
    await push([{ assumedMasterState: null, newDocumentState: student }]);
    const deleted = { ...student, _deleted: true, updatedAt: new Date(Date.now() + 1000).toISOString() };
    await push([{ assumedMasterState: student, newDocumentState: deleted }]);
    expect((await pull()).documents).toEqual([deleted]);
  });
});

describe('refused pushes write nothing', () => {
  it.each([
    ['a field of the wrong type', { firstName: 42 }, 'firstName'],
    ['a missing required field', { lastName: undefined }, 'lastName is required'],
    ['an unknown status', { status: 'expelled' }, 'status'],
    ['an unknown field', { favouriteColour: 'blue' }, 'favouriteColour is not a known field'],
    ['a malformed id', { id: 'not-a-uuid' }, 'id'],
  ])('refuses %s with a readable reason', async (_what, change, expected) => {
    const good = makeStudent(server.schoolId);
    const bad = { ...makeStudent(server.schoolId), ...change };
    const res = await push([
      { assumedMasterState: null, newDocumentState: good },
      { assumedMasterState: null, newDocumentState: JSON.parse(JSON.stringify(bad)) as unknown },
    ]);
    expect(res.statusCode).toBe(422);
    const body = res.json<ErrorBody>();
    expect(body.error).toBe('invalid-document');
    expect(body.message).toContain(expected);
    expect(body.message).toContain('Nothing from this upload was saved');
    expect(body.problems?.[0]?.index).toBe(1);
    expect(await storedCount()).toBe(0);
  });

  it('refuses a student of an unknown school', async () => {
    const stranger = makeStudent('0190a1b2-0000-7000-8000-000000000001');
    const res = await push([{ assumedMasterState: null, newDocumentState: stranger }]);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>()).toMatchObject({ error: 'wrong-school' });
    expect(await storedCount()).toBe(0);
  });

  it('refuses a second student with an admission number already in use, from another desk or the same push', async () => {
    await push([{ newDocumentState: makeStudent(server.schoolId, { admissionNumber: 'ADM-77', firstName: 'Faith', lastName: 'Wairimu' }) }]);
    const otherDesk = await push([{ newDocumentState: makeStudent(server.schoolId, { admissionNumber: 'ADM-77' }) }]);
    expect(otherDesk.statusCode).toBe(422);
    expect(otherDesk.json<ErrorBody>().message).toContain('admission number ADM-77 already belongs to Faith Wairimu');
    const samePush = await push([
      { newDocumentState: makeStudent(server.schoolId, { admissionNumber: 'ADM-78', firstName: 'Tumaini', lastName: 'Ouma' }) },
      { newDocumentState: makeStudent(server.schoolId, { admissionNumber: 'ADM-78' }) },
    ]);
    expect(samePush.statusCode).toBe(422);
    expect(samePush.json<ErrorBody>().message).toContain('already belongs to Tumaini Ouma');
    expect(await storedCount()).toBe(1);
  });

  it('lets a student keep their number when edited, and frees a number when it is changed', async () => {
    const faith = makeStudent(server.schoolId, { admissionNumber: 'ADM-80' });
    await push([{ newDocumentState: faith }]);
    const renumbered = { ...faith, admissionNumber: 'ADM-81', updatedAt: new Date(Date.now() + 1000).toISOString() };
    expect((await push([{ assumedMasterState: faith, newDocumentState: renumbered }])).statusCode).toBe(200);
    expect((await push([{ newDocumentState: makeStudent(server.schoolId, { admissionNumber: 'ADM-80' }) }])).statusCode).toBe(200);
  });

  it('refuses a body that is not a list of rows', async () => {
    const res = await push({ newDocumentState: makeStudent(server.schoolId) });
    expect(res.statusCode).toBe(400);
    expect(await storedCount()).toBe(0);
  });
});

describe('access and versions', () => {
  it.each([
    ['GET', '/api/v1/sync/students/1/pull'],
    ['POST', '/api/v1/sync/students/1/push'],
    ['GET', '/api/v1/sync/students/1/stream'],
  ] as const)('%s %s without a valid token is 401', async (method, url) => {
    for (const headers of [{}, { authorization: 'Bearer forged.token.value' }, { authorization: 'Basic abc' }]) {
      const res = await server.app.inject({ method, url, headers, ...(method === 'POST' ? { payload: [] } : {}) });
      expect(res.statusCode).toBe(401);
      expect(res.json<ErrorBody>().error).toBe('unauthorized');
    }
    expect(await storedCount()).toBe(0);
  });

  it('tells an outdated desk to update with HTTP 426, and a desk ahead of the server with 409', async () => {
    const newerServer = (name: string) => (name === 'students' ? { ...replicatedCollections.students, schemaVersion: 1 } : undefined);
    expect(() => resolveCollection('students', 0, newerServer)).toThrow(expect.objectContaining({ statusCode: 426, code: 'schema-outdated' }));
    expect(resolveCollection('students', 1, newerServer).schemaVersion).toBe(1);
    const outdated = await server.app.inject({ method: 'GET', url: '/api/v1/sync/students/0/pull', headers: auth() });
    expect(outdated.statusCode).toBe(426);
    expect(outdated.json<ErrorBody>().error).toBe('schema-outdated');
    expect(outdated.json<ErrorBody>().message).toContain('Update the app');
    const ahead = await server.app.inject({ method: 'GET', url: '/api/v1/sync/students/2/pull', headers: auth() });
    expect(ahead.statusCode).toBe(409);
    expect(ahead.json<ErrorBody>().error).toBe('server-outdated');
  });

  it('answers 404 for a collection it does not replicate', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/sync/payments/0/pull', headers: auth() });
    expect(res.statusCode).toBe(404);
    expect(res.json<ErrorBody>().error).toBe('unknown-collection');
  });
});

describe('concurrent pushes and pulls', () => {
  it('a pull running while pushes overlap never misses a document', async () => {
    const total = 40;
    const students = Array.from({ length: total }, (_, i) => makeStudent(server.schoolId, { admissionNumber: `C${i}` }));
    const seen = new Map<string, number>();
    let checkpoint = '';
    let pushing = true;
    const follower = (async () => {
      for (;;) {
        // Only a pull that began after the last push was answered may end the loop: one that
        // began before may have read the feed just before that push committed.
        const afterPushes = !pushing;
        const page = await pull(checkpoint, 5);
        for (const d of page.documents) seen.set(d.id, (seen.get(d.id) ?? 0) + 1);
        if (page.checkpoint) checkpoint = String(page.checkpoint.seq);
        if (afterPushes && page.documents.length === 0) break;
      }
    })();
    await Promise.all(
      students.map(async (s, i) => {
        await new Promise((r) => setTimeout(r, i % 3));
        const res = await push([{ assumedMasterState: null, newDocumentState: s }]);
        expect(res.statusCode).toBe(200);
      }),
    );
    pushing = false;
    await follower;
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });
});
