// What must show (issue 4, item 4): hostile strings in student and payer text fields are stored
// and pulled back byte for byte, or refused with 422 where the schema forbids them — never run
// as SQL, never a 500 — and oversized bodies are refused with 413.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { MAX_BATCH_BYTES, newId, type DeviceList, type ErrorBody, type MemberList, type Payer, type PullResponse, type Student } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { OWNER, startSecurityServer, type SecurityServer } from './security-server.ts';

let database: TestDatabase;
let server: SecurityServer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await server?.app.close();
  await database.close();
});
beforeEach(async () => {
  await server?.app.close();
  await database.reset();
  server = await startSecurityServer(database);
});

/** Strings an attacker (or a careless import) puts in free-text fields; all within 80 characters. */
const HOSTILE: Readonly<Record<string, string>> = {
  'SQL injection': "'); drop table students; --",
  'SQL injection in jsonb': `x' || (select string_agg(email, ',') from users) || '`,
  'quote soup': `"'\`\\"\\'--;/* */`,
  'HTML and script': '<script>alert(1)</script><img src=x onerror=alert(1)>',
  'control characters': 'Tab\there\r\nnew line\u0001\u0007\u001b[31m\u007f',
  'right-to-left override': 'Amani \u202Egnp.exe\u202C Otieno',
  'zero-width and BOM': '\uFEFFA\u200Bmani\u200D',
  'astral characters': 'Ama\u{1F600}ni \u{10FFFF}',
  'lone surrogate-free emoji family': '👨‍👩‍👧 Otieno',
  'template and prototype keys': '${7*7} {{7*7}} __proto__ constructor',
};

function student(overrides: Partial<Student> = {}): Student & { _deleted: boolean } {
  const now = new Date().toISOString();
  return { id: newId(), schoolId: server.schoolId, admissionNumber: `ADM${Math.floor(Math.random() * 1e6)}`, firstName: 'Amani', lastName: 'Otieno', status: 'active', createdAt: now, updatedAt: now, _deleted: false, ...overrides };
}

function payer(overrides: Partial<Payer> = {}): Payer & { _deleted: boolean } {
  const now = new Date().toISOString();
  return { id: newId(), schoolId: server.schoolId, kind: 'guardian', name: 'Mary Otieno', contacts: [], preferredChannel: 'none', students: [], createdAt: now, updatedAt: now, _deleted: false, ...overrides };
}

function push(collection: 'students' | 'payers', version: number, docs: unknown[]): Promise<LightMyRequestResponse> {
  return server.app.inject({
    method: 'POST',
    url: `/api/v1/sync/${collection}/${version}/push`,
    headers: { authorization: `Bearer ${server.ownerToken}` },
    payload: docs.map((newDocumentState) => ({ newDocumentState })),
  });
}

async function pullAll<T>(collection: 'students' | 'payers', version: number): Promise<(T & { id: string })[]> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/sync/${collection}/${version}/pull?limit=1000`, headers: { authorization: `Bearer ${server.ownerToken}` } });
  expect(res.statusCode).toBe(200);
  return res.json<PullResponse<T & { id: string }>>().documents;
}

async function tableExists(name: string): Promise<boolean> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`pg_tables`)
    .where(sql`schemaname = 'public' and tablename = ${name}`);
  return row?.n === 1;
}

describe('hostile strings in student fields', () => {
  it.each(Object.entries(HOSTILE))('%s: stored and pulled back byte for byte', async (_what, text) => {
    const doc = student({ firstName: text, lastName: `${text} Jr`, otherNames: text });
    const res = await push('students', 1, [doc]);
    expect(res.statusCode, res.body).toBe(200);
    const [back] = (await pullAll<Student>('students', 1)).filter((d) => d.id === doc.id);
    expect(back?.firstName).toBe(text);
    expect(back?.lastName).toBe(`${text} Jr`);
    expect(back?.otherNames).toBe(text);
    expect(Buffer.from(back?.firstName ?? '', 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(await tableExists('sync_documents')).toBe(true);
    expect(await tableExists('users')).toBe(true);
  });

  it('a NUL character (which PostgreSQL cannot store) is refused with 422 and its field, not a server error', async () => {
    const res = await push('students', 1, [student({ firstName: 'Ama\u0000ni' })]);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().problems?.[0]).toMatchObject({ path: '/firstName', message: 'firstName contains a NUL character (U+0000); remove it' });
    const inPayer = await push('payers', 0, [payer({ contacts: [{ type: 'phone', value: '+254\u0000700' }] })]);
    expect(inPayer.statusCode).toBe(422);
    expect(inPayer.json<ErrorBody>().problems?.[0]?.path).toBe('/contacts/0/value');
  });

  it('10 000-character names are refused with 422 and a reason (the schema allows 80); nothing is stored', async () => {
    const long = 'A'.repeat(10_000);
    for (const field of ['firstName', 'lastName', 'otherNames'] as const) {
      const res = await push('students', 1, [student({ [field]: long })]);
      expect(res.statusCode).toBe(422);
      expect(res.json<ErrorBody>()).toMatchObject({ error: 'invalid-document' });
      expect(res.json<ErrorBody>().problems?.[0]?.path).toBe(`/${field}`);
    }
    expect(await pullAll<Student>('students', 1)).toEqual([]);
  });

  it('names exactly at the maximum length are kept whole', async () => {
    const doc = student({ firstName: '\u202E'.repeat(80), lastName: "'".repeat(80), otherNames: '<'.repeat(120) });
    expect((await push('students', 1, [doc])).statusCode).toBe(200);
    const [back] = await pullAll<Student>('students', 1);
    expect(back).toMatchObject({ firstName: doc.firstName, lastName: doc.lastName, otherNames: doc.otherNames });
  });

  it('an admission number is an identifier: injection and script text are refused with 422', async () => {
    for (const admissionNumber of [HOSTILE['SQL injection'], HOSTILE['HTML and script'], 'A\u202E1']) {
      const res = await push('students', 1, [student({ admissionNumber })]);
      expect(res.statusCode).toBe(422);
    }
    expect(await tableExists('sync_documents')).toBe(true);
  });
});

describe('hostile strings in payer fields', () => {
  it.each(Object.entries(HOSTILE))('%s: name, contact value and label come back verbatim', async (_what, text) => {
    const doc = payer({ name: text, contacts: [{ type: 'phone', value: `+254 ${text}`, label: text.slice(0, 60) }] });
    const res = await push('payers', 0, [doc]);
    expect(res.statusCode, res.body).toBe(200);
    const [back] = (await pullAll<Payer>('payers', 0)).filter((d) => d.id === doc.id);
    expect(back?.name).toBe(text);
    expect(back?.contacts).toEqual(doc.contacts);
  });

  it('10 000-character payer names and contacts are refused with 422', async () => {
    const long = "'); drop table students; --".repeat(400);
    expect((await push('payers', 0, [payer({ name: long })])).statusCode).toBe(422);
    expect((await push('payers', 0, [payer({ contacts: [{ type: 'email', value: long }] })])).statusCode).toBe(422);
    expect(await pullAll<Payer>('payers', 0)).toEqual([]);
  });
});

describe('hostile strings in staff and desk names', () => {
  const bearer = () => ({ authorization: `Bearer ${server.ownerToken}` });

  it.each(Object.entries(HOSTILE))('a person and a desk named with %s are stored and listed verbatim', async (_label, text) => {
    const added = await server.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(),
      payload: { email: `hostile-${newId()}@hillside.example`, displayName: text, role: 'cashier', password: 'a-first-passphrase' },
    });
    // A name of only blank characters has nothing to show on a receipt or in the staff list.
    if (!/\S/.test(text)) {
      expect(added.statusCode).toBe(400);
      return;
    }
    expect(added.statusCode).toBe(201);
    const staff = await server.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer() });
    expect(staff.json<MemberList>().members.map((m) => m.displayName)).toContain(text.trim());

    const desk = await server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: bearer(), payload: { name: text, code: `H${String(Math.floor(Math.random() * 1e6))}` } });
    expect(desk.statusCode).toBe(201);
    const desks = await server.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer() });
    expect(desks.json<DeviceList>().devices.map((d) => d.name)).toContain(text.trim());
  });
});

describe('hostile strings outside documents', () => {
  it('injection in the sign-in email is just a wrong email', async () => {
    const res = await server.login({ email: "' or 1=1; drop table users; --@x", password: 'whatever-it-is' });
    expect(res.statusCode).toBe(401);
    expect(await tableExists('users')).toBe(true);
    expect((await server.login(OWNER)).statusCode).toBe(200);
  });

  it('a NUL character in sign-in, device or password fields is refused with 400, not a server error', async () => {
    const auth = { authorization: `Bearer ${server.ownerToken}` };
    const attempts = [
      server.login({ email: 'head\u0000@hillside.example', password: OWNER.password }),
      server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: auth, payload: { name: 'Desk\u0000', code: 'D01' } }),
      server.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: auth, payload: { currentPassword: OWNER.password, newPassword: 'new\u0000passphrase' } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<ErrorBody>().message).toContain('NUL character');
    }
    expect((await server.login(OWNER)).statusCode).toBe(200);
  });

  it('injection in the collection name or checkpoint is refused, not run', async () => {
    const auth = { authorization: `Bearer ${server.ownerToken}` };
    const byName = await server.app.inject({ method: 'GET', url: `/api/v1/sync/${encodeURIComponent("students'; drop table students; --")}/1/pull`, headers: auth });
    expect(byName.statusCode).toBe(404);
    const byCheckpoint = await server.app.inject({ method: 'GET', url: `/api/v1/sync/students/1/pull?checkpoint=${encodeURIComponent('0; drop table users')}`, headers: auth });
    expect(byCheckpoint.statusCode).toBe(400);
    expect(await tableExists('sync_documents')).toBe(true);
  });
});

describe('oversized bodies', () => {
  it('a sign-in body over 1 MiB is refused with 413', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: OWNER.email, password: 'x'.repeat(1024 * 1024 + 1) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorBody>().message).toBeTruthy();
  });

  it('a push within the 4 MiB batch limit is read (and judged by the schema); beyond it is refused with 413', async () => {
    const padding = 'x'.repeat(MAX_BATCH_BYTES - 100 * 1024);
    const under = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/students/1/push',
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify([{ newDocumentState: student({ otherNames: padding }) }]),
    });
    expect(under.statusCode).toBe(422);
    const over = await server.app.inject({
      method: 'POST',
      url: '/api/v1/sync/students/1/push',
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify([{ newDocumentState: student({ otherNames: `${padding}${'x'.repeat(200 * 1024)}` }) }]),
    });
    expect(over.statusCode).toBe(413);
  });

  it('other API routes keep the 1 MiB limit', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: { authorization: `Bearer ${server.ownerToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 1), code: 'D01' }),
    });
    expect(res.statusCode).toBe(413);
  });
});
