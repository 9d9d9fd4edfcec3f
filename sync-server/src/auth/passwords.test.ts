import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { MIN_PASSWORD_LENGTH, newId, type ErrorBody, type LoginResponse, type Role } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, insertMember, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { auditLog, users } from '../db/schema.ts';

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

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const NEW_PASSWORD = 'a-brand-new-passphrase';

function login(email: string, password: string) {
  return server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
}

async function signedIn(email: string, password: string): Promise<LoginResponse> {
  const res = await login(email, password);
  expect(res.statusCode).toBe(200);
  return res.json<LoginResponse>();
}

function changePassword(token: string, currentPassword: string, newPassword: string) {
  return server.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: bearer(token), payload: { currentPassword, newPassword } });
}

function refresh(refreshToken: string) {
  return server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

async function addUser(role: Role): Promise<{ id: string; email: string; password: string }> {
  const user = { id: newId(), email: `${role}-${newId()}@example.org`, password: 'colleague-passphrase' };
  await insertMember(database.db, { id: user.id, schoolId: server.schoolId, email: user.email, displayName: role, role, password: user.password });
  return user;
}

describe('changing one’s own password', () => {
  it('keeps this sign-in, ends the others, and only the new password signs in', async () => {
    const here = await signedIn(OWNER.email, OWNER.password);
    const elsewhere = await signedIn(OWNER.email, OWNER.password);
    expect((await changePassword(here.accessToken, OWNER.password, NEW_PASSWORD)).statusCode).toBe(204);

    expect((await login(OWNER.email, OWNER.password)).statusCode).toBe(401);
    expect((await login(OWNER.email, NEW_PASSWORD)).statusCode).toBe(200);

    const pull = (token: string) => server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: bearer(token) });
    expect((await pull(here.accessToken)).statusCode).toBe(200);
    expect((await refresh(here.refreshToken)).statusCode).toBe(200);
    const ended = await pull(elsewhere.accessToken);
    expect(ended.statusCode).toBe(401);
    expect(ended.json<ErrorBody>().message).toContain("password was changed");
    expect((await refresh(elsewhere.refreshToken)).statusCode).toBe(401);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.password-change'))).toHaveLength(1);
  });

  it('refuses a wrong current password, and counts it towards the lockout', async () => {
    const here = await signedIn(OWNER.email, OWNER.password);
    const wrong = await changePassword(here.accessToken, 'not-my-password', NEW_PASSWORD);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json<ErrorBody>().message).toContain('current password is not right');
    for (let i = 0; i < 4; i += 1) await changePassword(here.accessToken, 'not-my-password', NEW_PASSWORD);
    const locked = await changePassword(here.accessToken, OWNER.password, NEW_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect((await login(OWNER.email, OWNER.password)).statusCode).toBe(429);
  });

  it(`refuses a new password shorter than ${MIN_PASSWORD_LENGTH} characters or equal to the current one`, async () => {
    const here = await signedIn(OWNER.email, OWNER.password);
    const short = await changePassword(here.accessToken, OWNER.password, 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json<ErrorBody>().message).toContain(`fewer than ${MIN_PASSWORD_LENGTH} characters`);
    const same = await changePassword(here.accessToken, OWNER.password, OWNER.password);
    expect(same.statusCode).toBe(400);
    expect(same.json<ErrorBody>().message).toContain('same as the current one');
    expect((await login(OWNER.email, OWNER.password)).statusCode).toBe(200);
  });

  it('needs a sign-in', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', payload: { currentPassword: OWNER.password, newPassword: NEW_PASSWORD } });
    expect(res.statusCode).toBe(401);
  });
});

describe('resetting a colleague’s password', () => {
  function reset(token: string, userId: string, newPassword = NEW_PASSWORD) {
    return server.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/reset-password`, headers: bearer(token), payload: { newPassword } });
  }

  it('an owner resets a cashier: the cashier’s sign-ins end and the new password works', async () => {
    const cashier = await addUser('cashier');
    const cashierLogin = await signedIn(cashier.email, cashier.password);
    expect((await reset(server.token, cashier.id)).statusCode).toBe(204);
    const refused = await refresh(cashierLogin.refreshToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.json<ErrorBody>().message).toContain('an admin reset');
    expect((await login(cashier.email, cashier.password)).statusCode).toBe(401);
    expect((await login(cashier.email, NEW_PASSWORD)).statusCode).toBe(200);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.password-reset'));
    expect(entry).toMatchObject({ entityId: cashier.id, actorRole: 'owner' });
    expect(JSON.stringify(entry)).not.toContain(NEW_PASSWORD);
  });

  it('an admin may reset a cashier but not the owner', async () => {
    const admin = await addUser('admin');
    const adminToken = (await signedIn(admin.email, admin.password)).accessToken;
    const cashier = await addUser('cashier');
    expect((await reset(adminToken, cashier.id)).statusCode).toBe(204);
    const [owner] = await database.db.select().from(users).where(eq(users.email, OWNER.email));
    const onOwner = await reset(adminToken, owner?.id ?? '');
    expect(onOwner.statusCode).toBe(403);
    expect(onOwner.json<ErrorBody>().message).toBe("Only an owner can reset an owner's password.");
    expect((await login(OWNER.email, OWNER.password)).statusCode).toBe(200);
  });

  it.each(['bursar', 'cashier', 'auditor'] as const)('a %s cannot reset passwords', async (role) => {
    const actor = await addUser(role);
    const token = (await signedIn(actor.email, actor.password)).accessToken;
    const target = await addUser('cashier');
    const res = await reset(token, target.id);
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().message).toContain(`${role === 'auditor' ? 'An' : 'A'} ${role} cannot reset other people's passwords`);
    expect((await login(target.email, target.password)).statusCode).toBe(200);
  });

  it('an unknown user is not found; a malformed id is a bad request', async () => {
    expect((await reset(server.token, newId())).statusCode).toBe(404);
    expect((await reset(server.token, "1' or '1'='1")).statusCode).toBe(400);
  });
});
