// Refunds a manager approves on a desk: a manager's online sign-in on a registered desk brings the
// key they approve with there; a cashier's refund (or one from an offline session) that carries
// such an approval is accepted, and one whose approval does not check out is refused, saying why.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
  LEDGER_SCHEMA_VERSION,
  approveRefund,
  fromBase64Url,
  newId,
  type CashSessionCloseDoc,
  type CashSessionOpenDoc,
  type ErrorBody,
  type LoginResponse,
  type PaymentDoc,
  type RefundDoc,
  type Role,
} from '@feemaster/core';
import { buildApp } from '../app.ts';
import { syncDocuments } from '../db/schema.ts';
import { initSchool } from '../setup/init-school.ts';
import { enrolDesk, insertMember, openOfflineSessionFor, type EnrolledDesk } from '../../test/fixtures.ts';
import type { TestDatabase } from '../../test/database.ts';
import { serverPerTest } from '../../test/server-per-test.ts';

const OWNER = { email: 'head@hillside.example', password: 'owner-passphrase-1' };
const PASSWORD = 'a-colleague-passphrase';
const PUSH = `/api/v1/sync/ledger/${String(LEDGER_SCHEMA_VERSION)}/push`;
const DAY = 86_400_000;

/** A server on a clock the tests move instead of sleeping. */
async function start(database: TestDatabase) {
  let current = new Date();
  const clock = { now: () => new Date(current), advance: (ms: number) => void (current = new Date(current.getTime() + ms)) };
  const { schoolId } = await initSchool(database.db, { schoolName: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Grace Wanjiru', ownerEmail: OWNER.email, ownerPassword: OWNER.password });
  const { app } = await buildApp({ database, setupCode: null, clock: clock.now, authRateLimitPerMinute: 1000 });
  const owner = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  return { app, clock, schoolId, ownerToken: owner.json<LoginResponse>().accessToken };
}

const suite = serverPerTest(start);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Account {
  id: string;
  email: string;
  password: string;
}

async function addMember(role: Role): Promise<Account> {
  const account = { id: newId(), email: `${role}-${newId()}@hillside.example`, password: PASSWORD };
  await insertMember(suite.database.db, { ...account, schoolId: suite.server.schoolId, role });
  return account;
}

function login(account: Account, desk?: EnrolledDesk) {
  const onDesk = desk ? { deviceId: desk.deviceId, deviceSecret: desk.deviceSecret } : {};
  return suite.server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: account.email, password: account.password, ...onDesk } });
}

async function signIn(account: Account, desk?: EnrolledDesk): Promise<LoginResponse> {
  const res = await login(account, desk);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<LoginResponse>();
}

function push(token: string, ...docs: Record<string, unknown>[]) {
  return suite.server.app.inject({
    method: 'POST',
    url: PUSH,
    headers: bearer(token),
    payload: docs.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })),
  });
}

async function pushOk(token: string, ...docs: Record<string, unknown>[]): Promise<void> {
  const res = await push(token, ...docs);
  expect(res.statusCode, res.body).toBe(200);
}

async function stored(id: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await suite.database.db.select({ data: syncDocuments.data }).from(syncDocuments).where(and(eq(syncDocuments.collection, 'ledger'), eq(syncDocuments.id, id)));
  return row?.data;
}

const officeId = newId();
const payerId = newId();

function common(createdBy: string) {
  return { id: newId(), schoolId: suite.server.schoolId, currency: 'KES', createdAt: suite.server.clock.now().toISOString(), createdBy };
}

/**
 * A desk with a bursar and a cashier signed in on it; the cashier took a cash payment in a till
 * since closed and has the next till open, from which the payment is refunded.
 */
async function deskWithPayment() {
  const desk = await enrolDesk({ app: suite.server.app, token: suite.server.ownerToken });
  const bursar = await addMember('bursar');
  const bursarLogin = await signIn(bursar, desk);
  const cashier = await addMember('cashier');
  const cashierLogin = await signIn(cashier, desk);
  const onDesk = { deviceId: desk.deviceId, officeId };
  const firstTill: CashSessionOpenDoc = { ...common(cashier.id), type: 'cashSessionOpen', ...onDesk, float: 0 };
  const paid: PaymentDoc = {
    ...common(cashier.id),
    type: 'payment',
    payerId,
    receiptNumber: `MAIN-D02-${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    ...onDesk,
    cashSessionId: firstTill.id,
    method: 'cash',
    amount: 250_000,
    offline: false,
    allocations: [],
  };
  const closed: CashSessionCloseDoc = {
    ...common(cashier.id),
    type: 'cashSessionClose',
    cashSessionId: firstTill.id,
    ...onDesk,
    expected: [{ method: 'cash', amount: 250_000 }],
    counted: [{ method: 'cash', amount: 250_000 }],
  };
  const till: CashSessionOpenDoc = { ...common(cashier.id), type: 'cashSessionOpen', ...onDesk, float: 300_000 };
  await pushOk(cashierLogin.accessToken, firstTill, paid, closed, till);
  return { desk, bursar, bursarLogin, cashier, cashierLogin, paid, till };
}

/** The whole payment paid back in cash from the desk's open till. */
function refundOf(paid: PaymentDoc, till: CashSessionOpenDoc, createdBy: string, overrides: Partial<RefundDoc> = {}): RefundDoc {
  return {
    ...common(createdBy),
    type: 'refund',
    payerId: paid.payerId,
    paymentId: paid.id,
    amount: paid.amount,
    method: 'cash',
    reason: 'Paid twice for the same term',
    deviceId: till.deviceId,
    cashSessionId: till.id,
    ...overrides,
  };
}

/** The manager approves on the desk with the key of their sign-in there. */
function approved(refund: RefundDoc, by: LoginResponse, overrides: { approvedAt?: string; key?: Uint8Array } = {}): RefundDoc {
  const approvalKey = by.approvalKey;
  if (!approvalKey) throw new Error(`${by.user.email}'s sign-in brought no approval key`);
  return approveRefund(refund, overrides.key ?? fromBase64Url(approvalKey.key), {
    approvedBy: by.user.id,
    approvedAt: overrides.approvedAt ?? suite.server.clock.now().toISOString(),
    keyIssuedAt: approvalKey.issuedAt,
  });
}

async function expectRefused(res: Awaited<ReturnType<typeof push>>, refund: RefundDoc, why: string): Promise<void> {
  expect(res.statusCode, res.body).toBe(403);
  const body = res.json<ErrorBody>();
  expect(body.error).toBe('forbidden');
  expect(body.message).toBe(`Refused: the manager's approval on refund ${refund.id} does not check out (${why}). Nothing from this upload was saved.`);
  expect(body.problems).toEqual([{ index: 0, id: refund.id, path: '/approval', message: why }]);
  expect(await stored(refund.id)).toBeUndefined();
}

describe('the approval key of a sign-in', () => {
  it('comes with a manager’s sign-in on a registered desk, dated in whole seconds; not with a cashier’s or without a desk', async () => {
    const desk = await enrolDesk({ app: suite.server.app, token: suite.server.ownerToken });
    const bursar = await addMember('bursar');
    const onDesk = await signIn(bursar, desk);
    expect(onDesk.approvalKey?.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(onDesk.approvalKey?.issuedAt).toBe(Math.floor(suite.server.clock.now().getTime() / 1000));
    expect(fromBase64Url(onDesk.approvalKey?.key ?? '')).toHaveLength(32);

    // Another desk, or a later sign-in, gets another key.
    const other = await signIn(bursar, await enrolDesk({ app: suite.server.app, token: suite.server.ownerToken }));
    suite.server.clock.advance(1_000);
    const later = await signIn(bursar, desk);
    expect(new Set([onDesk.approvalKey?.key, other.approvalKey?.key, later.approvalKey?.key]).size).toBe(3);

    expect((await signIn(bursar)).approvalKey).toBeUndefined();
    expect((await signIn(await addMember('cashier'), desk)).approvalKey).toBeUndefined();
    expect((await signIn(await addMember('auditor'), desk)).approvalKey).toBeUndefined();
    expect((await signIn(await addMember('admin'), desk)).approvalKey).toBeDefined();
  });

  it('does not come with an offline session’s tokens or a refresh', async () => {
    const desk = await enrolDesk({ app: suite.server.app, token: suite.server.ownerToken });
    const bursarLogin = await signIn(await addMember('bursar'), desk);
    expect((await openOfflineSessionFor(suite.server, desk, bursarLogin)).approvalKey).toBeUndefined();
    const refreshed = await suite.server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: bursarLogin.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).not.toHaveProperty('approvalKey');
  });
});

describe('a refund approved on the desk', () => {
  it('a cashier’s refund of a payment, approved with the bursar’s key, is stored as approved; pushing it again is fine', async () => {
    const { bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const refund = approved(refundOf(paid, till, cashier.id), bursarLogin);
    await pushOk(cashierLogin.accessToken, refund);
    expect(await stored(refund.id)).toEqual(refund);
    await pushOk(cashierLogin.accessToken, refund);
  });

  it('without an approval a cashier’s refund is refused, as before', async () => {
    const { cashier, cashierLogin, paid, till } = await deskWithPayment();
    const refund = refundOf(paid, till, cashier.id);
    const res = await push(cashierLogin.accessToken, refund);
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().message).toContain('a cashier cannot record refunds');
    expect(await stored(refund.id)).toBeUndefined();
  });

  it('in an offline session a cashier’s approved refund is accepted, and a bursar’s needs an approval too', async () => {
    const { desk, bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const cashierOffline = await openOfflineSessionFor(suite.server, desk, cashierLogin);
    const refund = approved(refundOf(paid, till, cashier.id), bursarLogin);
    await pushOk(cashierOffline.accessToken, refund);
    expect(await stored(refund.id)).toEqual(refund);

    const bursarOffline = await openOfflineSessionFor(suite.server, desk, bursarLogin);
    const unapproved = refundOf(paid, till, bursarLogin.user.id, { paymentId: undefined, amount: 10_000, reason: 'Overpaid the trip' });
    const res = await push(bursarOffline.accessToken, unapproved);
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().message).toContain('offline session');
    await pushOk(bursarOffline.accessToken, approved(unapproved, bursarLogin));
  });

  it('a wrong signature is refused', async () => {
    const { bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const refund = approved(refundOf(paid, till, cashier.id), bursarLogin, { key: randomBytes(32) });
    await expectRefused(await push(cashierLogin.accessToken, refund), refund, 'the signature does not match this refund: it was changed after it was approved, or approved with another key');
  });

  it.each([
    ['amount', { amount: 25_000 }],
    ['reason', { reason: 'Left the school' }],
    ['approval time', {}],
  ])('a refund whose %s changed after it was approved is refused', async (what, change) => {
    const { bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const signed = approved(refundOf(paid, till, cashier.id), bursarLogin);
    const approval = signed.approval;
    if (!approval) throw new Error('not approved');
    const changed: RefundDoc = what === 'approval time' ? { ...signed, approval: { ...approval, approvedAt: new Date(Date.parse(approval.approvedAt) + 60_000).toISOString() } } : { ...signed, ...change };
    await expectRefused(await push(cashierLogin.accessToken, changed), changed, 'the signature does not match this refund: it was changed after it was approved, or approved with another key');
  });

  it('is checked even when the uploader may record refunds themselves', async () => {
    const { bursarLogin, paid, till } = await deskWithPayment();
    const refund = approved(refundOf(paid, till, bursarLogin.user.id), bursarLogin, { key: randomBytes(32) });
    await expectRefused(await push(bursarLogin.accessToken, refund), refund, 'the signature does not match this refund: it was changed after it was approved, or approved with another key');
  });

  it('an approver demoted to cashier, or whose access was withdrawn, approves no more; refunds already stored stay accepted', async () => {
    const { bursar, bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const before = approved(refundOf(paid, till, cashier.id), bursarLogin);
    await pushOk(cashierLogin.accessToken, before);

    const change = (payload: Record<string, unknown>) =>
      suite.server.app.inject({ method: 'PUT', url: `/api/v1/users/${bursar.id}`, headers: bearer(suite.server.ownerToken), payload });
    expect((await change({ role: 'cashier' })).statusCode).toBe(200);
    const after = approved(refundOf(paid, till, cashier.id, { paymentId: undefined, amount: 5_000, reason: 'Overpaid the trip' }), bursarLogin);
    await expectRefused(await push(cashierLogin.accessToken, after), after, 'the approver is now a cashier, and only an owner, admin or bursar may approve refunds');
    // A repeated upload of what was stored before the demotion is not judged again.
    await pushOk(cashierLogin.accessToken, before);

    expect((await change({ role: 'bursar', disabled: true })).statusCode).toBe(200);
    await expectRefused(await push(cashierLogin.accessToken, after), after, "the approver's access to this school was withdrawn");
    await pushOk(cashierLogin.accessToken, before);
  });

  it('an approval naming someone who is not a manager of the school is refused', async () => {
    const { cashier, cashierLogin, paid, till } = await deskWithPayment();
    const refund = approveRefund(refundOf(paid, till, cashier.id), randomBytes(32), {
      approvedBy: newId(),
      approvedAt: suite.server.clock.now().toISOString(),
      keyIssuedAt: Math.floor(suite.server.clock.now().getTime() / 1000),
    });
    await expectRefused(await push(cashierLogin.accessToken, refund), refund, 'the approver is not a manager of this school');
  });

  it("is refused once the approver's password changed after the key was issued, until they sign in on the desk again", async () => {
    const { desk, bursar, bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    suite.server.clock.advance(2_000);
    const changed = await suite.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: bearer(bursarLogin.accessToken),
      payload: { currentPassword: PASSWORD, newPassword: 'a-new-colleague-passphrase' },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    const refund = approved(refundOf(paid, till, cashier.id), bursarLogin);
    await expectRefused(await push(cashierLogin.accessToken, refund), refund, "the approver's password changed after the approval key was issued: they sign in again on the desk");

    const again = await signIn({ ...bursar, password: 'a-new-colleague-passphrase' }, desk);
    await pushOk(cashierLogin.accessToken, approved(refundOf(paid, till, cashier.id), again));
  });

  it('is refused from another desk, or from a browser that is no desk', async () => {
    const { bursarLogin, cashier, cashierLogin, paid, till } = await deskWithPayment();
    const refund = approved(refundOf(paid, till, cashier.id), bursarLogin);
    const otherDesk = await enrolDesk({ app: suite.server.app, token: suite.server.ownerToken });
    const onOtherDesk = await signIn(cashier, otherDesk);
    await expectRefused(
      await push(onOtherDesk.accessToken, refund),
      refund,
      `it was approved on another desk (${String(refund.deviceId)}), not the one uploading it: sync it from the desk it was approved on`,
    );
    // Named as the other desk's own refund, the key of this desk's sign-in does not sign it.
    const renamed = approved(refundOf(paid, till, cashier.id, { deviceId: otherDesk.deviceId, cashSessionId: undefined }), bursarLogin);
    await expectRefused(await push(onOtherDesk.accessToken, renamed), renamed, 'the signature does not match this refund: it was changed after it was approved, or approved with another key');

    const inBrowser = await signIn(cashier);
    await expectRefused(
      await push(inBrowser.accessToken, refund),
      refund,
      'a refund is approved on a registered desk and this upload does not come from one: sync it from the desk it was approved on',
    );
    await pushOk(cashierLogin.accessToken, refund);
  });

  it('the key approves for as long as the offline grant of its sign-in lasts, and is never dated ahead of the server', async () => {
    const { desk, bursarLogin, cashier, paid, till } = await deskWithPayment();
    suite.server.clock.advance(31 * DAY);
    const cashierLater = await signIn(cashier, desk);
    const late = approved(refundOf(paid, till, cashier.id), bursarLogin);
    await expectRefused(
      await push(cashierLater.accessToken, late),
      late,
      'the approval was made more than 30 days after the approver last signed in on this desk, when their key had expired: they sign in again on the desk',
    );
    const issuedAt = (bursarLogin.approvalKey?.issuedAt ?? 0) * 1000;
    const early = approved(refundOf(paid, till, cashier.id), bursarLogin, { approvedAt: new Date(issuedAt - DAY).toISOString() });
    await expectRefused(await push(cashierLater.accessToken, early), early, 'the approval is dated before the approver signed in on this desk and got the key it was made with');
    const inTime = approved(refundOf(paid, till, cashier.id), bursarLogin, { approvedAt: new Date(issuedAt + 29 * DAY).toISOString() });
    await pushOk(cashierLater.accessToken, inTime);

    // A key dated a day ahead of the server's clock was not issued by it (here: a clock put back).
    const ahead = await signIn(await addMember('bursar'), desk);
    suite.server.clock.advance(-DAY);
    const cashierNow = await signIn(cashier, desk);
    const refund = approved(refundOf(paid, till, cashier.id), ahead);
    await expectRefused(await push(cashierNow.accessToken, refund), refund, "the approval key is dated later than the server's time, so this server did not issue it");
  });

  it('does not let an auditor record a refund', async () => {
    const { desk, bursarLogin, paid, till } = await deskWithPayment();
    const auditor = await signIn(await addMember('auditor'), desk);
    const refund = approved(refundOf(paid, till, auditor.user.id), bursarLogin);
    const res = await push(auditor.accessToken, refund);
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorBody>().message).toContain('an auditor cannot record refunds');
  });
});
