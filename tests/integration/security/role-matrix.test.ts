// Generated from core's permission table: every role against every kind of pushed document and
// every guarded server action is allowed or refused exactly as the table says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actionPermissions,
  ledgerPermissions,
  masterDataPermissions,
  newId,
  referencePermissions,
  replicatedCollections,
  roles,
  type ErrorBody,
  type Role,
  type ServerAction,
} from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { signInAs, startTestServer, type TestServer } from '../../../sync-server/test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  server = await startTestServer(database);
  tokens.set('owner', server.token);
  for (const role of roles.filter((r) => r !== 'owner')) tokens.set(role, await signInAs(server, database, role));
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});

const token = (role: Role): string => tokens.get(role) ?? '';

/** One case per document kind the table distinguishes; the permission check comes before validation. */
const documentCases: { label: string; collection: keyof typeof replicatedCollections; doc: Record<string, unknown>; allowed: readonly Role[] }[] = [
  ...Object.entries(masterDataPermissions).map(([collection, allowed]) => ({ label: collection, collection: collection as keyof typeof replicatedCollections, doc: {}, allowed })),
  ...Object.entries(referencePermissions).map(([kind, allowed]) => ({ label: `reference:${kind}`, collection: 'reference' as const, doc: { kind }, allowed })),
  ...Object.entries(ledgerPermissions).map(([type, allowed]) => ({ label: `ledger:${type}`, collection: 'ledger' as const, doc: { type }, allowed })),
];

describe('pushed documents', () => {
  for (const { label, collection, doc, allowed } of documentCases) {
    for (const role of roles) {
      const may = allowed.includes(role);
      it(`${role} ${may ? 'may' : 'may not'} write ${label}`, async () => {
        const { schemaVersion } = replicatedCollections[collection];
        const res = await server.app.inject({
          method: 'POST',
          url: `/api/v1/sync/${collection}/${schemaVersion}/push`,
          headers: { authorization: `Bearer ${token(role)}` },
          payload: [{ newDocumentState: { id: newId(), schoolId: server.schoolId, ...doc, _deleted: false } }],
        });
        if (may) {
          expect(res.statusCode).not.toBe(403);
        } else {
          expect(res.statusCode).toBe(403);
          expect(res.json<ErrorBody>().message).toContain(`${role === 'owner' || role === 'admin' || role === 'auditor' ? 'an' : 'a'} ${role} cannot`);
        }
      });
    }
  }
});

/** A request exercising each guarded action; a refused role gets 403, an allowed one anything else. */
const actionRequests: Record<ServerAction, () => { method: 'GET' | 'POST'; url: string; payload?: Record<string, unknown> }> = {
  'audit.read': () => ({ method: 'GET', url: '/api/v1/audit/logs' }),
  'devices.view': () => ({ method: 'GET', url: '/api/v1/devices' }),
  'devices.manage': () => ({ method: 'POST', url: '/api/v1/devices', payload: { name: 'Front desk', code: `D${String(Math.floor(Math.random() * 1e6))}` } }),
  'users.reset-password': () => ({ method: 'POST', url: `/api/v1/users/${newId()}/reset-password`, payload: { newPassword: 'another-long-passphrase' } }),
};

describe('server actions', () => {
  for (const [action, allowed] of Object.entries(actionPermissions) as [ServerAction, readonly Role[]][]) {
    for (const role of roles) {
      const may = allowed.includes(role);
      it(`${role} ${may ? 'may' : 'may not'} ${action}`, async () => {
        const request = actionRequests[action]();
        const res = await server.app.inject({ ...request, headers: { authorization: `Bearer ${token(role)}` } });
        if (may) expect(res.statusCode).not.toBe(403);
        else expect(res.statusCode).toBe(403);
      });
    }
  }
});
