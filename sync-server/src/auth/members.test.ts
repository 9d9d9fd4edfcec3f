// The school's staff over /api/v1/users, and accounts that work for several schools.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { newId, type ErrorBody, type LoginResponse, type MemberList, type MemberSummary } from '@feemaster/core';
import { OWNER, insertMember, signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { auditLog, refreshTokens, schoolChangeCounters, schools } from '../db/schema.ts';

const suite = serverPerTest(startTestServer);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const addMember = (token: string, payload: Record<string, unknown>) => suite.server.app.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(token), payload });
const updateMember = (token: string, userId: string, payload: Record<string, unknown>) =>
  suite.server.app.inject({ method: 'PUT', url: `/api/v1/users/${userId}`, headers: bearer(token), payload });
const login = (payload: Record<string, unknown>) => suite.server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
const pull = (token: string) => suite.server.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: bearer(token) });

async function secondSchool(): Promise<{ schoolId: string; ownerToken: string }> {
  const schoolId = newId();
  await suite.database.db.insert(schools).values({ id: schoolId, name: 'Lakeside School', currency: 'UGX', timezone: 'Africa/Kampala' });
  await suite.database.db.insert(schoolChangeCounters).values({ schoolId, lastSeq: 0 });
  await insertMember(suite.database.db, { schoolId, email: 'head@lakeside.example', role: 'owner', password: 'lakeside-passphrase' });
  const res = await login({ email: 'head@lakeside.example', password: 'lakeside-passphrase' });
  return { schoolId, ownerToken: res.json<LoginResponse>().accessToken };
}

describe('adding staff', () => {
  it('an owner adds a cashier with a first password; the cashier signs in and is listed; it is audited', async () => {
    const res = await addMember(suite.server.token, { email: 'Wanjiku@Hillside.example', displayName: 'Wanjiku Kamau', role: 'cashier', password: 'first-passphrase-1' });
    expect(res.statusCode).toBe(201);
    const member = res.json<MemberSummary>();
    expect(member).toMatchObject({ email: 'wanjiku@hillside.example', displayName: 'Wanjiku Kamau', role: 'cashier', disabledAt: null });

    const signedIn = await login({ email: 'wanjiku@hillside.example', password: 'first-passphrase-1' });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json<LoginResponse>()).toMatchObject({ user: { role: 'cashier' }, school: { id: suite.server.schoolId }, schools: [{ id: suite.server.schoolId, role: 'cashier' }] });

    const list = await suite.server.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(suite.server.token) });
    expect(list.json<MemberList>().members.map((m) => [m.email, m.role])).toEqual([
      ['bursar@example.org', 'owner'],
      ['wanjiku@hillside.example', 'cashier'],
    ]);
    const [entry] = await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'users.add'));
    expect(entry).toMatchObject({ entityId: member.userId, actorRole: 'owner', after: { email: 'wanjiku@hillside.example', role: 'cashier', newAccount: true } });
    expect(JSON.stringify(entry)).not.toContain('first-passphrase-1');
  });

  it('a new account needs a first password; someone who already has an account is added without one', async () => {
    const noPassword = await addMember(suite.server.token, { email: 'new@hillside.example', displayName: 'New', role: 'cashier' });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json<ErrorBody>().message).toContain('has no account yet: give a first password');

    const other = await secondSchool();
    const withPassword = await addMember(other.ownerToken, { email: OWNER.email, displayName: 'Grace', role: 'bursar', password: 'an-attempted-takeover' });
    expect(withPassword.statusCode).toBe(409);
    expect(withPassword.json<ErrorBody>().message).toContain('signs in with their own password');
    // The owner's password was not touched.
    expect((await login(OWNER)).statusCode).toBe(200);
  });

  it('only an owner makes an owner; bursars, cashiers and auditors cannot add anyone', async () => {
    const admin = await signInAs(suite.server, suite.database, 'admin');
    expect((await addMember(admin, { email: 'a@hillside.example', displayName: 'A', role: 'owner', password: 'first-passphrase-1' })).statusCode).toBe(403);
    expect((await addMember(admin, { email: 'b@hillside.example', displayName: 'B', role: 'bursar', password: 'first-passphrase-1' })).statusCode).toBe(201);
    for (const role of ['bursar', 'cashier', 'auditor'] as const) {
      const token = await signInAs(suite.server, suite.database, role);
      expect((await addMember(token, { email: `${role}-x@hillside.example`, displayName: 'X', role: 'cashier', password: 'first-passphrase-1' })).statusCode).toBe(403);
    }
    const auditor = await signInAs(suite.server, suite.database, 'auditor');
    expect((await suite.server.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(auditor) })).statusCode).toBe(200);
  });

  it('adding someone already on the staff is refused with what to do instead', async () => {
    await addMember(suite.server.token, { email: 'c@hillside.example', displayName: 'C', role: 'cashier', password: 'first-passphrase-1' });
    const other = await secondSchool();
    await addMember(other.ownerToken, { email: 'c@hillside.example', displayName: 'C', role: 'cashier' });
    const again = await addMember(other.ownerToken, { email: 'c@hillside.example', displayName: 'C', role: 'bursar' });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>().message).toContain('already works for your school');
  });
});

describe('an account in several schools', () => {
  it('signs in by choosing the school; each sign-in sees only its own school, in its own role', async () => {
    const other = await secondSchool();
    expect((await addMember(other.ownerToken, { email: OWNER.email, displayName: 'Grace', role: 'bursar' })).statusCode).toBe(201);

    const ambiguous = await login(OWNER);
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.json<ErrorBody>()).toMatchObject({
      error: 'choose-school',
      schools: [
        { id: suite.server.schoolId, name: 'Hillside Academy', role: 'owner' },
        { id: other.schoolId, name: 'Lakeside School', role: 'bursar' },
      ],
    });

    const atLakeside = (await login({ ...OWNER, schoolId: other.schoolId })).json<LoginResponse>();
    expect(atLakeside).toMatchObject({ school: { id: other.schoolId }, user: { role: 'bursar' } });
    expect(atLakeside.schools).toHaveLength(2);
    const student = { id: newId(), schoolId: suite.server.schoolId, admissionNumber: 'H-1', firstName: 'Amani', lastName: 'Otieno', status: 'active', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), _deleted: false };
    await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: bearer(suite.server.token), payload: [{ newDocumentState: student }] });
    expect((await pull(atLakeside.accessToken)).json<{ documents: unknown[] }>().documents).toEqual([]);
    // A bursar at Lakeside cannot register desks there, whatever they are at Hillside.
    expect((await suite.server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: bearer(atLakeside.accessToken), payload: { name: 'D', code: 'D1' } })).statusCode).toBe(403);

    const notMine = await login({ ...OWNER, schoolId: newId() });
    expect(notMine.statusCode).toBe(403);
    // An admin of one school cannot reset the password the person uses at the other.
    const reset = await suite.server.app.inject({ method: 'POST', url: `/api/v1/users/${atLakeside.user.id}/reset-password`, headers: bearer(other.ownerToken), payload: { newPassword: 'taken-over-passphrase' } });
    expect(reset.statusCode).toBe(403);
    expect(reset.json<ErrorBody>().message).toContain('also works for another school');
  });
});

describe('changing roles and withdrawing access', () => {
  async function cashier(): Promise<{ userId: string; token: string; refreshToken: string }> {
    const member = (await addMember(suite.server.token, { email: 'till@hillside.example', displayName: 'Till', role: 'cashier', password: 'first-passphrase-1' })).json<MemberSummary>();
    const session = (await login({ email: 'till@hillside.example', password: 'first-passphrase-1' })).json<LoginResponse>();
    return { userId: member.userId, token: session.accessToken, refreshToken: session.refreshToken };
  }

  it('a new role applies at the next request; withdrawn access ends the sign-in at once and restoring it lets them sign in again', async () => {
    const c = await cashier();
    const asBursar = await updateMember(suite.server.token, c.userId, { role: 'bursar' });
    expect(asBursar.json<MemberSummary>().role).toBe('bursar');
    const feeStructure = { id: newId(), schoolId: suite.server.schoolId, _deleted: false };
    const push = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/feeStructures/0/push', headers: bearer(c.token), payload: [{ newDocumentState: feeStructure }] });
    expect(push.statusCode).not.toBe(403);

    const withdrawn = await updateMember(suite.server.token, c.userId, { disabled: true });
    expect(withdrawn.json<MemberSummary>().disabledAt).not.toBeNull();
    expect((await pull(c.token)).statusCode).toBe(401);
    const refresh = await suite.server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: c.refreshToken } });
    expect(refresh.json<ErrorBody>().message).toContain('withdrew');
    expect((await login({ email: 'till@hillside.example', password: 'first-passphrase-1' })).json<ErrorBody>().message).toContain('no longer has access to any school');
    const families = await suite.database.db.select().from(refreshTokens).where(and(eq(refreshTokens.userId, c.userId)));
    expect(families.every((f) => f.revokedReason === 'access-withdrawn')).toBe(true);

    await updateMember(suite.server.token, c.userId, { disabled: false });
    expect((await login({ email: 'till@hillside.example', password: 'first-passphrase-1' })).statusCode).toBe(200);
    expect(await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'users.update'))).toHaveLength(3);
  });

  it('nobody changes their own role or access, and only an owner changes an owner', async () => {
    const ownerId = (await suite.server.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(suite.server.token) })).json<MemberList>().members[0]?.userId ?? '';
    const self = await updateMember(suite.server.token, ownerId, { role: 'admin' });
    expect(self.statusCode).toBe(409);
    expect(self.json<ErrorBody>().message).toContain('cannot change your own role');
    expect((await updateMember(suite.server.token, ownerId, { disabled: true })).statusCode).toBe(409);

    const coOwner = (await addMember(suite.server.token, { email: 'co-owner@hillside.example', displayName: 'Co', role: 'owner', password: 'first-passphrase-1' })).json<MemberSummary>();
    const admin = await signInAs(suite.server, suite.database, 'admin');
    const byAdmin = await updateMember(admin, coOwner.userId, { disabled: true });
    expect(byAdmin.statusCode).toBe(403);
    expect(byAdmin.json<ErrorBody>().message).toBe('Only an owner can make someone an owner.');
    const coToken = (await login({ email: 'co-owner@hillside.example', password: 'first-passphrase-1' })).json<LoginResponse>().accessToken;
    expect((await updateMember(coToken, ownerId, { role: 'admin' })).json<MemberSummary>().role).toBe('admin');
    // The first owner is an admin now, so may no longer touch the remaining owner.
    expect((await updateMember(suite.server.token, coOwner.userId, { role: 'bursar' })).statusCode).toBe(403);
  });

  it('an unknown person, or one of another school, is not found', async () => {
    const other = await secondSchool();
    const theirs = (await addMember(other.ownerToken, { email: 'x@lakeside.example', displayName: 'X', role: 'cashier', password: 'first-passphrase-1' })).json<MemberSummary>();
    expect((await updateMember(suite.server.token, theirs.userId, { role: 'bursar' })).statusCode).toBe(404);
    expect((await updateMember(suite.server.token, newId(), { role: 'bursar' })).statusCode).toBe(404);
  });
});
