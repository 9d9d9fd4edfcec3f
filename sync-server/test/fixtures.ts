// Shared set-up for server tests: a built app on a test database with one school and owner.
import type { FastifyInstance } from 'fastify';
import { newId, type DeviceApproval, type EnrolDeviceResponse, type LoginResponse, type Role, type Student } from '@feemaster/core';
import { buildApp } from '../src/app.ts';
import { initSchool } from '../src/setup/init-school.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { memberships, users } from '../src/db/schema.ts';
import type { Db } from '../src/db/client.ts';
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

/** Inserts an account with a membership in `schoolId` (tests that need a user without the API). */
export async function insertMember(
  db: Db,
  member: { id?: string; schoolId: string; email: string; displayName?: string; role: Role; password?: string; passwordHash?: string },
): Promise<string> {
  const id = member.id ?? newId();
  const passwordHash = member.passwordHash ?? (await hashPassword(member.password ?? 'a-test-passphrase'));
  await db.insert(users).values({ id, email: member.email, displayName: member.displayName ?? `Test ${member.role}`, passwordHash });
  await db.insert(memberships).values({ userId: id, schoolId: member.schoolId, role: member.role });
  return id;
}

/** Adds a user with the given role to the test school and returns their access token. */
export async function signInAs(server: TestServer, database: TestDatabase, role: Role): Promise<string> {
  return (await signInAsMember(server, database, role)).login.accessToken;
}

export async function signInAsMember(
  server: TestServer,
  database: TestDatabase,
  role: Role,
  desk?: EnrolledDesk,
): Promise<{ email: string; password: string; login: LoginResponse }> {
  const email = `${role}-${newId()}@example.org`;
  const password = 'a-test-passphrase';
  await insertMember(database.db, { schoolId: server.schoolId, email, role, password });
  const payload = { email, password, ...(desk ? { deviceId: desk.deviceId, deviceSecret: desk.deviceSecret } : {}) };
  const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  return { email, password, login: login.json<LoginResponse>() };
}

export interface EnrolledDesk {
  deviceId: string;
  deviceSecret: string;
  code: string;
}

/** Registers a desk with the owner's token and enrols it with its approval code, as a desk would. */
export async function enrolDesk(server: Pick<TestServer, 'app' | 'token'>, options: { code?: string; officeId?: string } = {}): Promise<EnrolledDesk> {
  const code = options.code ?? `D${String(Math.floor(Math.random() * 1e6))}`;
  const registered = await server.app.inject({
    method: 'POST',
    url: '/api/v1/devices',
    headers: { authorization: `Bearer ${server.token}` },
    payload: { name: `Desk ${code}`, code, ...(options.officeId ? { officeId: options.officeId } : {}) },
  });
  if (registered.statusCode !== 201) throw new Error(`desk registration failed: ${registered.body}`);
  const { approvalCode } = registered.json<DeviceApproval>();
  const enrolled = await server.app.inject({ method: 'POST', url: '/api/v1/auth/enrol-device', payload: { approvalCode } });
  if (enrolled.statusCode !== 200) throw new Error(`desk enrolment failed: ${enrolled.body}`);
  const body = enrolled.json<EnrolDeviceResponse>();
  return { deviceId: body.device.id, deviceSecret: body.deviceSecret, code };
}

/** What a desk does when it is back online after signing someone in offline: tokens for that session. */
export async function openOfflineSessionFor(server: Pick<TestServer, 'app'>, desk: EnrolledDesk, login: LoginResponse): Promise<LoginResponse> {
  if (!login.offlineGrant) throw new Error('the sign-in carried no offline grant (was it bound to a desk?)');
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/offline-session',
    payload: { deviceId: desk.deviceId, deviceSecret: desk.deviceSecret, grant: login.offlineGrant.token, offlineSessionId: newId(), startedAt: new Date().toISOString() },
  });
  if (res.statusCode !== 200) throw new Error(`offline session failed: ${res.body}`);
  return res.json<LoginResponse>();
}
