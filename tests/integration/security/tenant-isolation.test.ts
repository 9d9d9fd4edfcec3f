// Tenant isolation over the whole route table (taken from the app, not a hand-written list):
// with school A's owner token, every API route aimed at school B's ids neither returns any of
// B's data nor changes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { newId, replicatedCollections, type LoginResponse } from '@feemaster/core';
import { buildApp } from '../../../sync-server/src/app.ts';
import { appendAudit } from '../../../sync-server/src/audit/audit-log.ts';
import { hashPassword } from '../../../sync-server/src/auth/passwords.ts';
import { devices, schoolChangeCounters, schools, syncDocuments, users } from '../../../sync-server/src/db/schema.ts';
import { initSchool } from '../../../sync-server/src/setup/init-school.ts';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { insertMember, makeStudent } from '../../../sync-server/test/fixtures.ts';

let database: TestDatabase;
let app: FastifyInstance;
let routes: readonly { method: string; url: string }[];
let baseUrl: string;
let tokenA: string;
const schoolB = { id: newId(), name: 'Riverbend Secret Academy' };
const ownerB = { id: newId(), email: 'owner@riverbend.example' };
const deviceB = newId();
const studentB = { ...makeStudent(schoolB.id, { firstName: 'Zuberi', lastName: 'Kalonzo', admissionNumber: 'RB-0001' }) };
let passwordHashB: string;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  await initSchool(database.db, { schoolName: 'Alpha School', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Alpha Owner', ownerEmail: 'owner@alpha.example', ownerPassword: 'alpha-passphrase-1' });
  // School B exists beside A on the same server (first-run setup only ever creates one school).
  passwordHashB = await hashPassword('riverbend-passphrase');
  await database.db.insert(schools).values({ ...schoolB, currency: 'KES', timezone: 'Africa/Nairobi' });
  await database.db.insert(schoolChangeCounters).values({ schoolId: schoolB.id, lastSeq: 1 });
  await insertMember(database.db, { id: ownerB.id, schoolId: schoolB.id, email: ownerB.email, displayName: 'Riverbend Owner', role: 'owner', passwordHash: passwordHashB });
  await database.db.insert(devices).values({ id: deviceB, schoolId: schoolB.id, code: 'RB1', name: 'Riverbend front desk' });
  const { _deleted: _d, ...data } = studentB;
  await database.db.insert(syncDocuments).values({ collection: 'students', id: studentB.id, schoolId: schoolB.id, seq: 1, deleted: false, data });
  await database.db.transaction((tx) => appendAudit(tx, [{ schoolId: schoolB.id, actorUserId: ownerB.id, actorRole: 'owner', action: 'students.create', entityType: 'students', entityId: studentB.id, after: data }]));

  ({ app, routes } = await buildApp({ database, setupCode: null }));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@alpha.example', password: 'alpha-passphrase-1' } });
  tokenA = login.json<LoginResponse>().accessToken;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

/** Anything of school B's that must never appear in a response to school A. */
const secretsOfB = (): string[] => [schoolB.id, schoolB.name, ownerB.id, ownerB.email, deviceB, studentB.id, 'Zuberi', 'Kalonzo', 'RB-0001'];

function aimAtB(url: string): string {
  return url
    .replace(':collection', 'students')
    .replace(':schemaVersion', String(replicatedCollections.students.schemaVersion))
    .replace(':userId', ownerB.id)
    .replace(':deviceId', deviceB)
    .replace(/:[A-Za-z]+/g, studentB.id);
}

function bodyFor(url: string): unknown {
  if (url.endsWith('/push')) return [{ newDocumentState: { ...studentB, firstName: 'Hijacked', updatedAt: new Date(Date.now() + 5000).toISOString() } }];
  if (url.includes('reset-password')) return { newPassword: 'taken-over-passphrase' };
  if (url.includes('/revoke')) return { reason: 'taken over by another school' };
  return {};
}

async function readStream(url: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${url}`, { headers: { authorization: `Bearer ${tokenA}` }, signal: controller.signal });
  const reader = res.body?.getReader();
  let text = '';
  const timer = setTimeout(() => controller.abort(), 700);
  try {
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return text;
}

describe('school A cannot reach school B through any API route', () => {
  it('walks the whole route table', async () => {
    const apiRoutes = routes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
    expect(apiRoutes.length).toBeGreaterThan(15);
    const visited: string[] = [];
    for (const route of apiRoutes) {
      const url = aimAtB(route.url);
      const text =
        route.url.endsWith('/stream')
          ? await readStream(url)
          : (await app.inject({ method: route.method as 'GET' | 'POST', url, headers: { authorization: `Bearer ${tokenA}` }, ...(route.method === 'GET' ? {} : { payload: bodyFor(route.url) as object }) })).body;
      // What the request itself carried may be echoed back (a refusal naming the id sent, a summary of 0
      // entries for it); nothing else of B's.
      const sent = url + (route.method === 'GET' ? '' : JSON.stringify(bodyFor(route.url)));
      for (const secret of secretsOfB().filter((s) => !sent.includes(s))) expect(text, `${route.method} ${route.url} leaked ${secret}`).not.toContain(secret);
      visited.push(`${route.method} ${route.url}`);
    }
    expect(visited).toEqual(expect.arrayContaining(['GET /api/v1/sync/:collection/:schemaVersion/pull', 'POST /api/v1/sync/:collection/:schemaVersion/push', 'GET /api/v1/sync/:collection/:schemaVersion/stream', 'GET /api/v1/audit/logs', 'GET /api/v1/audit/export']));
  });

  it('left school B exactly as it was', async () => {
    const [owner] = await database.db.select().from(users).where(eq(users.id, ownerB.id));
    expect(owner?.passwordHash).toBe(passwordHashB);
    const [desk] = await database.db.select().from(devices).where(eq(devices.id, deviceB));
    expect(desk?.revokedAt).toBeNull();
    const docsB = await database.db.select().from(syncDocuments).where(eq(syncDocuments.schoolId, schoolB.id));
    expect(docsB).toHaveLength(1);
    expect(docsB[0]?.data).toMatchObject({ firstName: 'Zuberi', lastName: 'Kalonzo' });
  });
});
