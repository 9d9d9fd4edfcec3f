// Shared set-up for server tests: a built app on a test database with one school and owner.
import type { FastifyInstance } from 'fastify';
import { newId, type LoginResponse, type Role, type Student } from '@feemaster/core';
import { buildApp } from '../src/app.ts';
import { initSchool } from '../src/setup/init-school.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { users } from '../src/db/schema.ts';
import type { LiveHub } from '../src/sync/live-hub.ts';
import type { TestDatabase } from './database.ts';

export const OWNER = { email: 'bursar@example.org', password: 'correct-horse-battery' };

export interface TestServer {
  app: FastifyInstance;
  hub: LiveHub;
  schoolId: string;
  token: string;
}

export async function startTestServer(database: TestDatabase, options: { streamRecheckMs?: number } = {}): Promise<TestServer> {
  const { schoolId } = await initSchool(database.db, {
    schoolName: 'Hillside Academy',
    currency: 'KES',
    timezone: 'Africa/Nairobi',
    ownerName: 'Grace Wanjiru',
    ownerEmail: OWNER.email,
    ownerPassword: OWNER.password,
  });
  const { app, hub } = await buildApp({ database, setupCode: 'TESTCODE', streamRecheckMs: options.streamRecheckMs ?? 60_000 });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const { accessToken } = login.json<LoginResponse>();
  return { app, hub, schoolId, token: accessToken };
}

export function makeStudent(schoolId: string, overrides: Partial<Student> = {}): Student & { _deleted: boolean } {
  const now = new Date().toISOString();
  return {
    id: newId(),
    schoolId,
    admissionNumber: `ADM-${Math.floor(Math.random() * 1e6)}`,
    firstName: 'Amani',
    lastName: 'Otieno',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    _deleted: false,
    ...overrides,
  };
}

/** Adds a user with the given role to the test school and returns their access token. */
export async function signInAs(server: TestServer, database: TestDatabase, role: Role): Promise<string> {
  const email = `${role}-${newId()}@example.org`;
  const password = 'a-test-passphrase';
  await database.db.insert(users).values({ id: newId(), schoolId: server.schoolId, email, displayName: `Test ${role}`, role, passwordHash: await hashPassword(password) });
  const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  return login.json<LoginResponse>().accessToken;
}
