import { beforeEach, describe, expect, it, vi } from 'vitest';
import { approvalSignatureMatches, deriveApprovalKey, newId, toBase64Url, type LoginResponse, type RefundDoc } from '@feemaster/core';

const stored = vi.hoisted(() => ({ enrolment: null as string | null }));
vi.mock('#platform', () => ({
  platform: {
    loadEnrolment: () => Promise.resolve(stored.enrolment),
    saveEnrolment: (json: string) => {
      stored.enrolment = json;
      return Promise.resolve();
    },
  },
}));

const { approveOnDesk, checkOfflineSignIn, loadEnrolment, offlineSession, rememberOfflineSignIn } = await import('./enrolment.ts');
type DeskEnrolment = NonNullable<Awaited<ReturnType<typeof loadEnrolment>>>;

const school = { id: '0190a1b2-0000-7000-8000-000000000002', name: 'Hillside', currency: 'KES', timezone: 'Africa/Nairobi' };
const desk: DeskEnrolment = {
  serverUrl: 'http://sync.example',
  device: {
    id: '0190a1b2-0000-7000-8000-0000000000d2',
    code: 'D02',
    name: 'Front desk',
    officeId: null,
    registeredAt: '2026-03-01T08:00:00.000Z',
    registeredBy: null,
    revokedAt: null,
    revokedReason: null,
    receiptSeries: 'MAIN-D02',
    enrolledAt: '2026-03-01T08:05:00.000Z',
    approvalCodeExpiresAt: null,
  },
  deviceSecret: 'desk-secret-0123456789abcdefghij',
  school,
  offlineAccounts: [],
};

function login(grantExpiresAt: string): LoginResponse {
  return {
    accessToken: 'a',
    expiresAt: '2026-03-01T09:15:00.000Z',
    refreshToken: 'r',
    refreshExpiresAt: '2026-03-31T09:00:00.000Z',
    deviceId: desk.device.id,
    offlineGrant: { token: 'grant-token', expiresAt: grantExpiresAt },
    user: { id: '0190a1b2-0000-7000-8000-000000000001', email: 'Wanjiku@Hillside.example', displayName: 'Wanjiku', role: 'cashier' },
    school,
    schools: [{ id: school.id, name: school.name, role: 'cashier' }],
  };
}

beforeEach(() => {
  stored.enrolment = null;
});

describe('offline sign-in on an enrolled desk', () => {
  it('remembers a person after an online sign-in and lets them in offline with the same password only', async () => {
    const remembered = await rememberOfflineSignIn(desk, login('2026-03-31T09:00:00.000Z'), 'correct-horse-battery', new Date('2026-03-01T09:00:00.000Z'));
    expect(stored.enrolment).not.toContain('correct-horse-battery');
    expect((await loadEnrolment())?.offlineAccounts.map((a) => a.email)).toEqual(['wanjiku@hillside.example']);

    const now = new Date('2026-03-02T07:00:00.000Z');
    const ok = await checkOfflineSignIn(remembered, ' wanjiku@hillside.example', 'correct-horse-battery', now);
    expect(ok.ok).toBe(true);
    expect(await checkOfflineSignIn(remembered, 'wanjiku@hillside.example', 'wrong-horse-battery', now)).toEqual({ ok: false, reason: 'Email or password is incorrect.' });
    const stranger = await checkOfflineSignIn(remembered, 'someone@hillside.example', 'correct-horse-battery', now);
    expect(stranger.ok ? '' : stranger.reason).toContain('has not signed in on this desk before');
  });

  it('stops offline sign-in once the server grant lapses', async () => {
    const remembered = await rememberOfflineSignIn(desk, login('2026-03-31T09:00:00.000Z'), 'correct-horse-battery');
    const lapsed = await checkOfflineSignIn(remembered, 'wanjiku@hillside.example', 'correct-horse-battery', new Date('2026-04-01T00:00:00.000Z'));
    expect(lapsed.ok ? '' : lapsed.reason).toContain('Sign in online once to renew it');
  });

  it('keeps one record per person, replaced by their latest sign-in', async () => {
    const first = await rememberOfflineSignIn(desk, login('2026-03-31T09:00:00.000Z'), 'old-passphrase-123');
    const second = await rememberOfflineSignIn(first, login('2026-04-30T09:00:00.000Z'), 'new-passphrase-456');
    expect(second.offlineAccounts).toHaveLength(1);
    expect((await checkOfflineSignIn(second, 'wanjiku@hillside.example', 'old-passphrase-123', new Date('2026-03-02T00:00:00.000Z'))).ok).toBe(false);
  });

  it('opens a session that waits for its tokens, naming the desk, its secret and the grant', async () => {
    const remembered = await rememberOfflineSignIn(desk, login('2026-03-31T09:00:00.000Z'), 'correct-horse-battery');
    const account = remembered.offlineAccounts[0];
    if (!account) throw new Error('not remembered');
    const session = offlineSession(remembered, account, new Date('2026-03-02T07:00:00.000Z'));
    expect(session).toMatchObject({
      accessToken: '',
      user: { role: 'cashier', email: 'wanjiku@hillside.example' },
      school: { id: school.id },
      pendingOffline: { deviceId: desk.device.id, deviceSecret: desk.deviceSecret, grant: 'grant-token', startedAt: '2026-03-02T07:00:00.000Z' },
    });
    expect(session.pendingOffline?.offlineSessionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a manager’s approval of a refund on the desk', () => {
  const serverSecret = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const bursarId = '0190a1b2-0000-7000-8000-0000000000b1';
  const keyIssuedAt = Date.parse('2026-03-01T09:00:00.000Z') / 1000;
  const key = deriveApprovalKey(serverSecret, { schoolId: school.id, userId: bursarId, deviceId: desk.device.id, keyIssuedAt });
  const bursarLogin = (withKey: boolean): LoginResponse => {
    const base = login('2026-03-31T09:00:00.000Z');
    return {
      ...base,
      user: { id: bursarId, email: 'Njeri@Hillside.example', displayName: 'Njeri', role: 'bursar' },
      ...(withKey ? { approvalKey: { key: toBase64Url(key), issuedAt: keyIssuedAt } } : {}),
    };
  };
  const refund: RefundDoc = {
    id: newId(),
    schoolId: school.id,
    currency: 'KES',
    createdAt: '2026-03-02T10:00:00.000Z',
    createdBy: '0190a1b2-0000-7000-8000-000000000001',
    deviceId: desk.device.id,
    type: 'refund',
    payerId: newId(),
    amount: 400_000,
    method: 'cash',
    reason: 'Moved to another school',
    paymentId: newId(),
  };
  const now = new Date('2026-03-02T10:00:05.000Z');

  it('signs the refund with the key the server gave, opened by the manager’s password, without keeping the key in the clear', async () => {
    const remembered = await rememberOfflineSignIn(desk, bursarLogin(true), 'njeri-passphrase-1', new Date('2026-03-01T09:00:00.000Z'));
    expect(stored.enrolment).not.toContain(toBase64Url(key));
    const approved = await approveOnDesk(remembered, 'njeri@hillside.example ', 'njeri-passphrase-1', refund, now);
    if (!approved.ok) throw new Error(approved.reason);
    expect(approved.refund.approval).toMatchObject({ approvedBy: bursarId, approvedAt: now.toISOString(), keyIssuedAt });
    // The server's check: the key it derives matches the signature.
    expect(approvalSignatureMatches(approved.refund, key)).toBe(true);
  });

  it('refuses a wrong password, a cashier, someone never signed in here, a manager without a key and a lapsed sign-in', async () => {
    const withBursar = await rememberOfflineSignIn(desk, bursarLogin(true), 'njeri-passphrase-1');
    const withBoth = await rememberOfflineSignIn(withBursar, login('2026-03-31T09:00:00.000Z'), 'correct-horse-battery');
    const reason = async (result: Promise<Awaited<ReturnType<typeof approveOnDesk>>>): Promise<string> => {
      const done = await result;
      return done.ok ? 'approved' : done.reason;
    };
    expect(await reason(approveOnDesk(withBoth, 'njeri@hillside.example', 'njeri-passphrase-2', refund, now))).toBe('That is not the manager’s password. Try again.');
    expect(await reason(approveOnDesk(withBoth, 'wanjiku@hillside.example', 'correct-horse-battery', refund, now))).toContain('is a cashier and cannot approve refunds');
    expect(await reason(approveOnDesk(withBoth, 'owner@hillside.example', 'x', refund, now))).toContain('has not signed in on this desk');
    expect(await reason(approveOnDesk(withBoth, 'njeri@hillside.example', 'njeri-passphrase-1', refund, new Date('2026-04-01T00:00:00.000Z')))).toContain('has lapsed');
    const noKey = await rememberOfflineSignIn(desk, bursarLogin(false), 'njeri-passphrase-1');
    expect(await reason(approveOnDesk(noKey, 'njeri@hillside.example', 'njeri-passphrase-1', refund, now))).toContain('has no approval key on this desk yet');
  });
});
