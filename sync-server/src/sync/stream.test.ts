import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, replicatedCollections, type InvoiceDoc, type MultiplexedStreamMessage, type PullResponse, type Student, type SyncSummary } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, makeStudent, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { users } from '../db/schema.ts';
import { openStream, openStreamAt } from '../../test/sse.ts';

let database: TestDatabase;
let server: TestServer;
let baseUrl: string;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  server = await startTestServer(database, { streamRecheckMs: 200 });
  baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});

const pushStudent = (student: Student & { _deleted: boolean }) =>
  fetch(`${baseUrl}/api/v1/sync/students/1/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ assumedMasterState: null, newDocumentState: student }]),
  });

describe('one stream for several collections', () => {
  it('starts with RESYNC for each collection and tags every batch with its collection', async () => {
    const stream = await openStreamAt(baseUrl, `/api/v1/sync/stream?collections=students:1,payers:0,ledger:${LEDGER_SCHEMA_VERSION}`, server.token);
    const first = [await stream.next(), await stream.next(), await stream.next()].map((e) => JSON.parse(e.data) as MultiplexedStreamMessage<Student>);
    expect(first).toEqual([
      { collection: 'students', message: 'RESYNC' },
      { collection: 'payers', message: 'RESYNC' },
      { collection: 'ledger', message: 'RESYNC' },
    ]);
    const student = makeStudent(server.schoolId, { firstName: 'Baraka' });
    expect((await pushStudent(student)).status).toBe(200);
    const event = JSON.parse((await stream.next()).data) as MultiplexedStreamMessage<Student>;
    expect(event.collection).toBe('students');
    expect(event.message).toMatchObject({ documents: [student] });
    stream.close();
  });

  it("does not send a desk its own ledger uploads back (they are stored as sent), but sends them to others, and its master data to all", async () => {
    const collections = `collections=students:1,ledger:${String(LEDGER_SCHEMA_VERSION)}`;
    const mine = await openStreamAt(baseUrl, `/api/v1/sync/stream?${collections}&client=desk-app-0001`, server.token);
    const other = await openStreamAt(baseUrl, `/api/v1/sync/stream?${collections}&client=desk-app-0002`, server.token);
    for (const stream of [mine, other]) for (let i = 0; i < 2; i += 1) expect(JSON.parse((await stream.next()).data)).toMatchObject({ message: 'RESYNC' });
    const asMine = { 'x-feemaster-client': 'desk-app-0001' };
    const now = new Date().toISOString();
    const invoice: InvoiceDoc = {
      id: newId(), schoolId: server.schoolId, currency: 'KES', createdAt: now, createdBy: newId(), type: 'invoice', studentId: newId(), termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
      charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 1_000_000 }],
    };
    const ledgerPush = await fetch(`${baseUrl}/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...asMine },
      body: JSON.stringify([{ assumedMasterState: null, newDocumentState: { ...invoice, _deleted: false } }]),
    });
    expect(ledgerPush.status).toBe(200);
    const student = makeStudent(server.schoolId, { firstName: 'Neema' });
    const studentPush = await fetch(`${baseUrl}/api/v1/sync/students/1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...asMine },
      body: JSON.stringify([{ assumedMasterState: null, newDocumentState: student }]),
    });
    expect(studentPush.status).toBe(200);
    const next = async (stream: typeof mine) => JSON.parse((await stream.next()).data) as MultiplexedStreamMessage<Record<string, unknown>>;
    // The other desk gets both, in commit order; this desk only the student (master data may be merged on the server).
    expect((await next(other)).message).toMatchObject({ documents: [{ id: invoice.id }] });
    expect((await next(other)).message).toMatchObject({ documents: [{ id: student.id }] });
    const own = await next(mine);
    expect(own.collection).toBe('students');
    expect(own.message).toMatchObject({ documents: [{ id: student.id }] });
    mine.close();
    other.close();
  });

  it('refuses a list that is not collection:version, and an outdated version with 426', async () => {
    const get = (list: string) => fetch(`${baseUrl}/api/v1/sync/stream?collections=${list}`, { headers: { authorization: `Bearer ${server.token}` } });
    const bad = await get('students');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('collection:schemaVersion');
    expect((await get('students:1,students:1')).status).toBe(400);
    expect((await get('students:0')).status).toBe(426);
    expect((await get('nonsense:0')).status).toBe(404);
  });

  it('needs a valid token', async () => {
    const res = await fetch(`${baseUrl}/api/v1/sync/stream?collections=students:1`);
    expect(res.status).toBe(401);
  });
});

describe('summary', () => {
  it('counts the live documents and the last sequence of each collection', async () => {
    const before = await summary();
    const students = before.collections.find((c) => c.name === 'students');
    const a = makeStudent(server.schoolId);
    const b = makeStudent(server.schoolId);
    await pushStudent(a);
    await pushStudent(b);
    await fetch(`${baseUrl}/api/v1/sync/students/1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ assumedMasterState: b, newDocumentState: { ...b, _deleted: true } }]),
    });
    const after = await summary();
    expect(after.collections.map((c) => c.name)).toEqual(Object.keys(replicatedCollections));
    const now = after.collections.find((c) => c.name === 'students');
    expect(now?.documents).toBe((students?.documents ?? 0) + 1);
    expect(now?.lastSeq).toBeGreaterThan(students?.lastSeq ?? 0);
    // Setup wrote the school's settings and main office.
    expect(after.collections.find((c) => c.name === 'reference')?.documents).toBeGreaterThanOrEqual(2);
  });
});

// Last: it disables the owner's account.
describe('live stream', () => {
  it('starts with RESYNC, then delivers each committed push of the same school', async () => {
    const stream = await openStream(baseUrl, server.token);
    expect(JSON.parse((await stream.next()).data)).toBe('RESYNC');
    const student = makeStudent(server.schoolId, { firstName: 'Zawadi' });
    const push = await fetch(`${baseUrl}/api/v1/sync/students/1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ assumedMasterState: null, newDocumentState: student }]),
    });
    expect(push.status).toBe(200);
    const batch = JSON.parse((await stream.next()).data) as PullResponse<Student>;
    expect(batch.documents).toEqual([student]);
    expect(batch.checkpoint?.seq).toBeGreaterThan(0);
    stream.close();
  });

  it('re-checks the account on an open stream and ends it when the account is disabled', async () => {
    const stream = await openStream(baseUrl, server.token);
    expect(JSON.parse((await stream.next()).data)).toBe('RESYNC');
    await database.db.update(users).set({ disabledAt: new Date().toISOString() }).where(eq(users.email, OWNER.email));
    const event = await stream.next();
    expect(event.event).toBe('unauthorized');
    expect(JSON.parse(event.data)).toMatchObject({ error: 'unauthorized' });
    stream.close();
  });
});

async function summary(): Promise<SyncSummary> {
  const res = await fetch(`${baseUrl}/api/v1/sync/summary`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as SyncSummary;
}
