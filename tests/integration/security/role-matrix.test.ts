// Generated from core's permission table: every role against every kind of pushed document and
// every guarded server action is allowed or refused exactly as the table says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OFFLINE_SESSION_CEILING,
  actionPermissions,
  ledgerPermissions,
  mayPerform,
  masterDataPermissions,
  newId,
  referencePermissions,
  replicatedCollections,
  roles,
  type ErrorBody,
  type Role,
  type ServerAction,
  type SessionKind,
} from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { enrolDesk, openOfflineSessionFor, signInAsMember, startTestServer, type TestServer } from '../../../sync-server/test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;
const tokens = new Map<string, string>();
const sessions: readonly SessionKind[] = ['online', 'offline'];

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  server = await startTestServer(database);
  const desk = await enrolDesk(server);
  // Each role signs in online on the desk, and the desk opens an offline session for them too.
  for (const role of roles) {
    const { login } = await signInAsMember(server, database, role, desk);
    tokens.set(`${role}:online`, login.accessToken);
    tokens.set(`${role}:offline`, (await openOfflineSessionFor(server, desk, login)).accessToken);
  }
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});

const token = (role: Role, session: SessionKind): string => tokens.get(`${role}:${session}`) ?? '';

/** One case per document kind the table distinguishes; the permission check comes before validation. */
const documentCases: { label: string; collection: keyof typeof replicatedCollections; doc: Record<string, unknown>; allowed: readonly Role[] }[] = [
  ...Object.entries(masterDataPermissions).map(([collection, allowed]) => ({ label: collection, collection: collection as keyof typeof replicatedCollections, doc: {}, allowed })),
  ...Object.entries(referencePermissions).map(([kind, allowed]) => ({ label: `reference:${kind}`, collection: 'reference' as const, doc: { kind }, allowed })),
  ...Object.entries(ledgerPermissions).map(([type, allowed]) => ({ label: `ledger:${type}`, collection: 'ledger' as const, doc: { type }, allowed })),
];

describe('pushed documents', () => {
  for (const { label, collection, doc, allowed } of documentCases) {
    for (const role of roles) {
      for (const session of sessions) {
        // Offline, a role may do what both it and the ceiling role (a cashier) may do.
        const mayOnline = allowed.includes(role);
        const may = mayOnline && (session === 'online' || allowed.includes(OFFLINE_SESSION_CEILING));
        it(`${role} (${session}) ${may ? 'may' : 'may not'} write ${label}`, async () => {
          const { schemaVersion } = replicatedCollections[collection];
          const res = await server.app.inject({
            method: 'POST',
            url: `/api/v1/sync/${collection}/${schemaVersion}/push`,
            headers: { authorization: `Bearer ${token(role, session)}` },
            payload: [{ newDocumentState: { id: newId(), schoolId: server.schoolId, ...doc, _deleted: false } }],
          });
          if (may) {
            expect(res.statusCode).not.toBe(403);
          } else {
            expect(res.statusCode).toBe(403);
            const article = role === 'owner' || role === 'admin' || role === 'auditor' ? 'an' : 'a';
            expect(res.json<ErrorBody>().message).toContain(mayOnline ? `in an offline session, where ${article} ${role} may only do a cashier's work` : `${article} ${role} cannot`);
          }
        });
      }
    }
  }
});

/** A request exercising each guarded action; a refused role gets 403, an allowed one anything else. */
const actionRequests: Record<ServerAction, () => { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: Record<string, unknown> }> = {
  'audit.read': () => ({ method: 'GET', url: '/api/v1/audit/logs' }),
  'devices.view': () => ({ method: 'GET', url: '/api/v1/devices' }),
  'devices.manage': () => ({ method: 'POST', url: '/api/v1/devices', payload: { name: 'Front desk', code: `D${String(Math.floor(Math.random() * 1e6))}` } }),
  'users.reset-password': () => ({ method: 'POST', url: `/api/v1/users/${newId()}/reset-password`, payload: { newPassword: 'another-long-passphrase' } }),
  'users.view': () => ({ method: 'GET', url: '/api/v1/users' }),
  'users.manage': () => ({ method: 'POST', url: '/api/v1/users', payload: { email: `new-${newId()}@example.org`, displayName: 'New colleague', role: 'cashier', password: 'a-first-passphrase' } }),
  'realtime.status': () => ({ method: 'GET', url: '/api/v1/realtime/status' }),
  'realtime.broadcast': () => ({ method: 'POST', url: '/api/v1/realtime/broadcast', payload: { title: 'Fire drill at 10:00', body: '' } }),
  'sync.conflicts': () => ({ method: 'GET', url: '/api/v1/sync/conflicts' }),
  'sync.settings': () => ({ method: 'PUT', url: '/api/v1/sync/settings', payload: { ledgerScope: 'all' } }),
  // The role is checked before the upload is read: an allowed role learns the body is not a file.
  'bulk.import': () => ({ method: 'POST', url: '/api/v1/bulk/import-students', payload: {} }),
  'bulk.update': () => ({ method: 'PUT', url: '/api/v1/bulk/update-students', payload: { studentIds: [newId()], changes: { status: 'left' }, dryRun: true } }),
  'bulk.export': () => ({ method: 'GET', url: '/api/v1/bulk/export-students?format=json' }),
};

describe('server actions', () => {
  for (const action of Object.keys(actionPermissions) as ServerAction[]) {
    for (const role of roles) {
      for (const session of sessions) {
        const may = mayPerform(role, action, session);
        it(`${role} (${session}) ${may ? 'may' : 'may not'} ${action}`, async () => {
          const request = actionRequests[action]();
          const res = await server.app.inject({ ...request, headers: { authorization: `Bearer ${token(role, session)}` } });
          if (may) expect(res.statusCode).not.toBe(403);
          else expect(res.statusCode).toBe(403);
        });
      }
    }
  }
});
