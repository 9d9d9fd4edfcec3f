// Offline sign-in (issue 4): a desk that verified a cashier locally asks, once back online, for
// tokens for that offline session. Only an enrolled desk with its secret, holding a grant from
// the person's last online sign-in on that very desk, gets them; the session is capped at a
// cashier's permissions and every change made in it is marked offline in the audit trail.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { newId, type ErrorBody, type LoginResponse } from '@feemaster/core';
import { auditLog, memberships } from '../../../sync-server/src/db/schema.ts';
import { makeStudent } from '../../../sync-server/test/fixtures.ts';
import { serverPerTest } from '../../../sync-server/test/server-per-test.ts';
import { PASSWORD, startSecurityServer, type EnrolledDesk } from './security-server.ts';

const DAY = 86_400_000;

const suite = serverPerTest(startSecurityServer);

interface OfflineAttempt {
  desk: EnrolledDesk;
  grant: string;
  offlineSessionId?: string;
  startedAt?: string;
}

function openOffline({ desk, grant, offlineSessionId = newId(), startedAt = new Date(Date.now() - 3_600_000).toISOString() }: OfflineAttempt) {
  return suite.server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/offline-session',
    payload: { deviceId: desk.id, deviceSecret: desk.secret, grant, offlineSessionId, startedAt },
  });
}

async function cashierOnDesk(): Promise<{ desk: EnrolledDesk; login: LoginResponse; grant: string; account: { id: string; email: string; password: string } }> {
  const desk = await suite.server.registerDevice(suite.server.ownerToken, 'D02');
  const account = await suite.server.addUser('cashier');
  const login = await suite.server.signIn(account, desk);
  if (!login.offlineGrant) throw new Error('no offline grant');
  return { desk, login, grant: login.offlineGrant.token, account };
}

const push = (token: string, doc: Record<string, unknown>) =>
  suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: { authorization: `Bearer ${token}` }, payload: [{ newDocumentState: doc }] });

describe('the grant of an online sign-in on a desk', () => {
  it('comes only with a desk-bound sign-in, names that desk and lasts 30 days', async () => {
    const { desk, login } = await cashierOnDesk();
    expect(login.offlineGrant).toBeDefined();
    const claims = decodeJwt(login.offlineGrant?.token ?? '');
    expect(claims).toMatchObject({ use: 'offline-grant', dev: desk.id, role: 'cashier' });
    expect(Date.parse(login.offlineGrant?.expiresAt ?? '') - suite.server.clock.now().getTime()).toBe(30 * DAY);
    const plain = await suite.server.signIn(await suite.server.addUser('cashier'));
    expect(plain.offlineGrant).toBeUndefined();
  });

  it('is not an access token, and an access token is not a grant', async () => {
    const { desk, login, grant } = await cashierOnDesk();
    expect((await suite.server.pull(grant)).statusCode).toBe(401);
    const withAccessToken = await openOffline({ desk, grant: login.accessToken });
    expect(withAccessToken.statusCode).toBe(401);
    expect(withAccessToken.json<ErrorBody>().message).toContain('Sign in with your password while online');
  });
});

describe('opening an offline session once the desk is back online', () => {
  it('gives tokens marked offline, audits the session with the desk time it began, and marks each change made in it', async () => {
    const { desk, grant, account } = await cashierOnDesk();
    const offlineSessionId = newId();
    const startedAt = '2026-03-02T06:45:00.000Z';
    const res = await openOffline({ desk, grant, offlineSessionId, startedAt });
    expect(res.statusCode).toBe(200);
    const session = res.json<LoginResponse>();
    expect(session).toMatchObject({ offlineSessionId, deviceId: desk.id, user: { id: account.id, role: 'cashier' }, school: { id: suite.server.schoolId } });
    expect(decodeJwt(session.accessToken).ofs).toBe(offlineSessionId);

    const student = makeStudent(suite.server.schoolId);
    expect((await push(session.accessToken, student)).statusCode).toBe(200);
    // The refreshed token keeps the mark.
    const refreshed = await suite.server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } });
    const next = makeStudent(suite.server.schoolId);
    expect((await push(refreshed.json<LoginResponse>().accessToken, next)).statusCode).toBe(200);

    const [opened] = await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.offline-session'));
    expect(opened).toMatchObject({ actorUserId: account.id, deviceId: desk.id, deviceTime: startedAt, offlineSessionId });
    const changes = await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'students.create'));
    expect(changes.map((c) => [c.entityId, c.offlineSessionId])).toEqual([
      [student.id, offlineSessionId],
      [next.id, offlineSessionId],
    ]);
    // Changes made online carry no mark, and the chain with marked entries still verifies.
    const online = makeStudent(suite.server.schoolId);
    await push(suite.server.ownerToken, online);
    const [onlineEntry] = await suite.database.db.select().from(auditLog).where(eq(auditLog.entityId, online.id));
    expect(onlineEntry?.offlineSessionId).toBeNull();
    const verify = await suite.server.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization: `Bearer ${suite.server.ownerToken}` } });
    expect(verify.json<{ ok: boolean }>().ok).toBe(true);
  });

  it("caps an owner's offline session at a cashier's work, on pushes and on admin routes", async () => {
    const desk = await suite.server.registerDevice(suite.server.ownerToken, 'D03');
    const owner = await suite.server.signIn({ email: 'head@hillside.example', password: 'owner-passphrase-1' }, desk);
    const session = (await openOffline({ desk, grant: owner.offlineGrant?.token ?? '' })).json<LoginResponse>();
    expect((await push(session.accessToken, makeStudent(suite.server.schoolId))).statusCode).toBe(200);
    const now = new Date().toISOString();
    const term = { id: newId(), schoolId: suite.server.schoolId, kind: 'term', name: 'Term 1', data: { academicYearId: newId(), startDate: '2026-01-05', endDate: '2026-04-03' }, createdAt: now, updatedAt: now, _deleted: false };
    const refused = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: { authorization: `Bearer ${session.accessToken}` }, payload: [{ newDocumentState: term }] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().message).toContain("offline session, where an owner may only do a cashier's work");
    const devices = await suite.server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${session.accessToken}` }, payload: { name: 'D', code: 'D99' } });
    expect(devices.statusCode).toBe(403);
    expect(devices.json<ErrorBody>().message).toContain('signed in offline on this desk cannot register desks');
  });

  it('refuses another desk, a wrong desk secret, a revoked desk and a grant past its 30 days', async () => {
    const { desk, grant } = await cashierOnDesk();
    const other = await suite.server.registerDevice(suite.server.ownerToken, 'D04');
    expect((await openOffline({ desk: other, grant })).statusCode).toBe(401);
    expect((await openOffline({ desk: { id: desk.id, secret: other.secret }, grant })).json<ErrorBody>().message).toContain('could not prove it is desk D02');

    suite.server.clock.advance(30 * DAY + 1000);
    expect((await openOffline({ desk, grant })).json<ErrorBody>().message).toContain('has expired');
    suite.server.clock.advance(-(30 * DAY + 1000));

    await suite.server.app.inject({ method: 'POST', url: `/api/v1/devices/${desk.id}/revoke`, headers: { authorization: `Bearer ${suite.server.ownerToken}` }, payload: { reason: 'Left in a taxi' } });
    const revoked = await openOffline({ desk, grant });
    expect(revoked.json<ErrorBody>()).toMatchObject({ error: 'device-revoked', message: expect.stringContaining('Left in a taxi') as string });
  });

  it('refuses once the password changed since that sign-in, or the school withdrew access', async () => {
    const { desk, grant, account } = await cashierOnDesk();
    suite.server.clock.advance(2000);
    const signedIn = await suite.server.signIn(account);
    const change = await suite.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: { authorization: `Bearer ${signedIn.accessToken}` },
      payload: { currentPassword: PASSWORD, newPassword: 'a-brand-new-passphrase' },
    });
    expect(change.statusCode).toBe(204);
    const stale = await openOffline({ desk, grant });
    expect(stale.statusCode).toBe(401);
    expect(stale.json<ErrorBody>().message).toContain('password was changed since you last signed in on this desk');

    suite.server.clock.advance(2000);
    const fresh = await suite.server.signIn({ email: account.email, password: 'a-brand-new-passphrase' }, desk);
    expect((await openOffline({ desk, grant: fresh.offlineGrant?.token ?? '' })).statusCode).toBe(200);
    await suite.database.db.update(memberships).set({ disabledAt: new Date().toISOString() }).where(eq(memberships.userId, account.id));
    expect((await openOffline({ desk, grant: fresh.offlineGrant?.token ?? '' })).json<ErrorBody>().message).toContain('no longer has access');
  });
});
