// Real-time notifications: aimed at roles, an office, one person or one desk; sent by admins or by
// the server itself (payments at other offices, revoked desks); across server instances; audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { LEDGER_SCHEMA_VERSION, newId, type DeliveryReport, type ErrorBody, type LoginResponse, type RealtimeEvent, type RealtimeStatus } from '@feemaster/core';
import { buildApp, type FeeMasterApp } from '../app.ts';
import { auditLog } from '../db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { enrolDesk, signInAsMember, startTestServer, type EnrolledDesk, type TestServer } from '../../test/fixtures.ts';
import { openStreamAt, type OpenStream } from '../../test/sse.ts';

let database: TestDatabase;
let server: TestServer;
let baseUrl: string;
let other: FeeMasterApp;
let otherUrl: string;
let officeId: string;
let desk: EnrolledDesk;
let cashier: LoginResponse;
let bursar: LoginResponse;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  server = await startTestServer(database);
  baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  other = await buildApp({ database, setupCode: null });
  otherUrl = await other.app.listen({ port: 0, host: '127.0.0.1' });
  const pull = await server.app.inject({ method: 'GET', url: '/api/v1/sync/reference/1/pull', headers: bearer(server.token) });
  officeId = pull.json<{ documents: { id: string; kind: string }[] }>().documents.find((d) => d.kind === 'office')?.id ?? '';
  desk = await enrolDesk(server, { code: 'D05', officeId });
  cashier = (await signInAsMember(server, database, 'cashier', desk)).login;
  bursar = (await signInAsMember(server, database, 'bursar')).login;
});
afterAll(async () => {
  await other.app.close();
  await server.app.close();
  await database.close();
});

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

async function listen(token: string, at = baseUrl): Promise<OpenStream> {
  const stream = await openStreamAt(at, '/api/v1/realtime/stream', token);
  expect(JSON.parse((await stream.next()).data)).toBe('READY');
  return stream;
}
const nextEvent = async (stream: OpenStream): Promise<RealtimeEvent> => JSON.parse((await stream.next()).data) as RealtimeEvent;

const broadcast = (payload: Record<string, unknown>, token = server.token) =>
  server.app.inject({ method: 'POST', url: '/api/v1/realtime/broadcast', headers: bearer(token), payload });

describe('notices from admins', () => {
  it('a broadcast to cashiers reaches the cashier and not the bursar; a message to one person reaches only them', async () => {
    const atTill = await listen(cashier.accessToken);
    const inOffice = await listen(bursar.accessToken);

    const res = await broadcast({ title: 'Banking at 15:00', body: 'Close the tills at 14:45 for the cash pick-up.', roles: ['cashier'] });
    expect(res.statusCode).toBe(200);
    expect(res.json<DeliveryReport>().delivered).toBe(1);
    expect(await nextEvent(atTill)).toMatchObject({ kind: 'broadcast', title: 'Banking at 15:00', from: { displayName: 'Grace Wanjiru' } });

    const direct = await server.app.inject({
      method: 'POST',
      url: `/api/v1/realtime/send-to-user/${bursar.user.id}`,
      headers: bearer(server.token),
      payload: { title: 'Please call the bank', body: 'About the returned cheque.' },
    });
    expect(direct.json<DeliveryReport>().delivered).toBe(1);
    // The bursar's first event is the direct message: the cashiers' broadcast never came.
    expect(await nextEvent(inOffice)).toMatchObject({ kind: 'direct', title: 'Please call the bank' });

    const audited = await database.db.select().from(auditLog).where(eq(auditLog.entityType, 'notification'));
    expect(audited.map((a) => a.action).sort()).toEqual(['realtime.broadcast', 'realtime.send-to-user']);
    atTill.close();
    inOffice.close();
  });

  it('counts the connections by role and office, for owners and admins only', async () => {
    const a = await listen(cashier.accessToken);
    const b = await listen(bursar.accessToken);
    const status = (await server.app.inject({ method: 'GET', url: '/api/v1/realtime/status', headers: bearer(server.token) })).json<RealtimeStatus>();
    expect(status.connections).toBe(2);
    expect(status.byRole.filter((r) => r.connections > 0)).toEqual([
      { role: 'bursar', connections: 1 },
      { role: 'cashier', connections: 1 },
    ]);
    expect(status.byOffice.sort((x, y) => String(x.officeId).localeCompare(String(y.officeId)))).toEqual(
      [{ officeId, connections: 1 }, { officeId: null, connections: 1 }].sort((x, y) => String(x.officeId).localeCompare(String(y.officeId))),
    );
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/realtime/status', headers: bearer(bursar.accessToken) })).statusCode).toBe(403);
    a.close();
    b.close();
  });

  it('refuses an empty title, an unknown person and a cashier sending', async () => {
    expect((await broadcast({ title: '  ', body: '' })).statusCode).toBe(400);
    const unknown = await server.app.inject({ method: 'POST', url: `/api/v1/realtime/send-to-user/${newId()}`, headers: bearer(server.token), payload: { title: 'Hello', body: '' } });
    expect(unknown.statusCode).toBe(404);
    expect((await broadcast({ title: 'Free lunch', body: '' }, cashier.accessToken)).json<ErrorBody>().message).toContain('A cashier cannot send notices');
  });

  it('reaches desks connected to another server instance on the same database', async () => {
    const elsewhere = await listen(cashier.accessToken, otherUrl);
    expect((await broadcast({ title: 'Power cut in block B', body: '', officeId })).statusCode).toBe(200);
    expect(await nextEvent(elsewhere)).toMatchObject({ kind: 'broadcast', title: 'Power cut in block B' });
    elsewhere.close();
  });
});

describe('notices the server sends', () => {
  it('tells the managers at other offices of a payment, not the office that took it', async () => {
    const managers = await listen(bursar.accessToken);
    const takenHere = await listen(server.token);
    const payment = {
      id: newId(),
      schoolId: server.schoolId,
      currency: 'KES',
      createdAt: new Date().toISOString(),
      createdBy: cashier.user.id,
      type: 'payment',
      payerId: newId(),
      receiptNumber: 'MAIN-D05-000001',
      deviceId: desk.deviceId,
      officeId,
      method: 'mobileMoney',
      reference: 'QK7XH2',
      amount: 250_050,
      offline: true,
      allocations: [],
      _deleted: false,
    };
    const pushed = await server.app.inject({ method: 'POST', url: `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`, headers: bearer(cashier.accessToken), payload: [{ assumedMasterState: null, newDocumentState: payment }] });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(await nextEvent(managers)).toMatchObject({
      kind: 'payment-received',
      // Intl puts a no-break space between the currency code and the amount.
      title: expect.stringMatching(/^Payment received: KES\s2,500\.50$/) as string,
      body: 'Receipt MAIN-D05-000001, by mobile money, taken while the desk was offline.',
      subject: { type: 'payment', id: payment.id },
    });
    // The owner is signed in without a desk (no office), so hears of it too; the desk's own office does not.
    expect((await nextEvent(takenHere)).kind).toBe('payment-received');
    managers.close();
    takenHere.close();
  });

  it('sums up a large upload of payments in one notice per office instead of one each', async () => {
    const managers = await listen(bursar.accessToken);
    const payments = Array.from({ length: 5 }, (_, i) => ({
      id: newId(),
      schoolId: server.schoolId,
      currency: 'KES',
      createdAt: new Date().toISOString(),
      createdBy: cashier.user.id,
      type: 'payment',
      payerId: newId(),
      receiptNumber: `MAIN-D05-00010${String(i)}`,
      deviceId: desk.deviceId,
      officeId,
      method: 'cash',
      amount: 100_000 + i,
      offline: i < 2,
      allocations: [],
      _deleted: false,
    }));
    const pushed = await server.app.inject({ method: 'POST', url: `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`, headers: bearer(cashier.accessToken), payload: payments.map((p) => ({ assumedMasterState: null, newDocumentState: p })) });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(await nextEvent(managers)).toMatchObject({
      kind: 'payment-received',
      title: expect.stringMatching(/^5 payments received: KES\s5,000\.10$/) as string,
      body: 'Receipts MAIN-D05-000100 to MAIN-D05-000104, 2 taken while the desk was offline.',
    });
    managers.close();
  });

  it('tells a desk at once that it was revoked, and the admins', async () => {
    const onDesk = await listen(cashier.accessToken);
    const admin = await listen(server.token);
    const revoked = await server.app.inject({ method: 'POST', url: `/api/v1/devices/${desk.deviceId}/revoke`, headers: bearer(server.token), payload: { reason: 'Stolen from the front office' } });
    expect(revoked.statusCode).toBe(200);
    expect(await nextEvent(onDesk)).toMatchObject({ kind: 'device-revoked', title: 'Desk D05 was revoked', body: expect.stringContaining('Stolen from the front office') as string });
    expect((await nextEvent(admin)).kind).toBe('device-revoked');
    onDesk.close();
    admin.close();
  });
});

describe('who may listen', () => {
  it('needs a valid sign-in', async () => {
    const res = await fetch(`${baseUrl}/api/v1/realtime/stream`, { headers: bearer('not-a-token') });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
