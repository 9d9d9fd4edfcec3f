import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { PullResponse, Student } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, makeStudent, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { users } from '../db/schema.ts';
import { openStream } from '../../test/sse.ts';

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
