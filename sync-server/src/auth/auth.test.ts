import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { ErrorBody, LoginResponse } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { memberships, users } from '../db/schema.ts';

let database: TestDatabase;
let server: TestServer;

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
  server = await startTestServer(database);
});

describe('sign-in', () => {
  it('returns a token, the user and the school; the email is case-insensitive', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'Bursar@Example.org', password: OWNER.password } });
    expect(res.statusCode).toBe(200);
    const body = res.json<LoginResponse>();
    expect(body.user).toMatchObject({ email: OWNER.email, role: 'owner', displayName: 'Grace Wanjiru' });
    expect(body.school).toMatchObject({ name: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', id: server.schoolId });
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it.each([
    ['a wrong password', { email: OWNER.email, password: 'not-the-password' }],
    ['an unknown email', { email: 'nobody@example.org', password: OWNER.password }],
  ])('refuses %s with the same message', async (_what, payload) => {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>().message).toBe('Email or password is incorrect.');
  });

  it('a disabled account is refused at sign-in and its existing token stops working', async () => {
    await database.db.update(users).set({ disabledAt: new Date().toISOString() }).where(eq(users.email, OWNER.email));
    const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
    expect(login.statusCode).toBe(401);
    const pull = await server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: { authorization: `Bearer ${server.token}` } });
    expect(pull.statusCode).toBe(401);
    expect(pull.json<ErrorBody>().message).toContain('no longer active');
  });

  it('a role change takes effect at the next request, not when the token expires', async () => {
    const register = () =>
      server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${server.token}` }, payload: { name: 'Desk', code: `D${Math.floor(Math.random() * 90) + 10}` } });
    expect((await register()).statusCode).toBe(201);
    await database.db.update(memberships).set({ role: 'auditor' }).where(eq(memberships.schoolId, server.schoolId));
    const demoted = await register();
    expect(demoted.statusCode).toBe(403);
    expect(demoted.json<ErrorBody>().message).toContain('An auditor cannot register desks');
  });

  it('returns a refresh token and binds nothing to a desk unless one is named', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
    const body = res.json<LoginResponse>();
    expect(body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.refreshExpiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(body.deviceId).toBeUndefined();
  });

  it('refuses a token signed with another key', async () => {
    const [header, payload] = server.token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: { authorization: `Bearer ${forged}` } });
    expect(res.statusCode).toBe(401);
  });
});
