// Shared set-up for server tests: a built app on a test database with one school and owner.
import type { FastifyInstance } from 'fastify';
import { newId, type LoginResponse, type Student } from '@feemaster/core';
import { buildApp } from '../src/app.ts';
import { initSchool } from '../src/setup/init-school.ts';
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
