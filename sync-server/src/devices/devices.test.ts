import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { newId, replicatedCollections, type DeviceApproval, type DeviceList, type DeviceSummary, type EnrolDeviceResponse, type ErrorBody, type LoginResponse, type PullResponse } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, enrolDesk, insertMember, signInAs, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { auditLog, devices, refreshTokens, schoolChangeCounters, schools, users } from '../db/schema.ts';

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

function register(token: string, payload: Record<string, unknown>) {
  return server.app.inject({ method: 'POST', url: '/api/v1/devices', headers: bearer(token), payload });
}

function revoke(token: string, deviceId: string, reason: string) {
  return server.app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/revoke`, headers: bearer(token), payload: { reason } });
}

describe('registering desks', () => {
  it('an owner registers a desk: id, code and who registered it; it is listed and audited', async () => {
    const res = await register(server.token, { name: 'Front office desk 2', code: 'D02' });
    expect(res.statusCode).toBe(201);
    const { device } = res.json<DeviceApproval>();
    expect(device).toMatchObject({ code: 'D02', name: 'Front office desk 2', officeId: null, revokedAt: null, revokedReason: null, receiptSeries: null, enrolledAt: null });
    const [owner] = await database.db.select().from(users).where(eq(users.email, OWNER.email));
    expect(device.registeredBy).toBe(owner?.id);

    const list = await server.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(server.token) });
    expect(list.json<DeviceList>().devices.map((d) => d.id)).toEqual([device.id]);
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.action, 'devices.register'));
    expect(audits).toMatchObject([{ entityType: 'device', entityId: device.id, actorRole: 'owner' }]);
  });

  it('a desk code is unique per school', async () => {
    expect((await register(server.token, { name: 'Desk A', code: 'D02' })).statusCode).toBe(201);
    const again = await register(server.token, { name: 'Desk B', code: 'D02' });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>()).toMatchObject({ error: 'conflict', message: expect.stringContaining('Desk code D02 is already used by "Desk A"') as string });
  });

  it('the code must fit on a receipt (upper-case letters and digits)', async () => {
    for (const code of ['d02', 'D-02', 'DESK-NUMBER-THIRTEEN', '']) {
      expect((await register(server.token, { name: 'Desk', code })).statusCode).toBe(400);
    }
  });

  it('an office must be one of the school’s offices', async () => {
    const unknown = await register(server.token, { name: 'Desk', code: 'D01', officeId: newId() });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<ErrorBody>().message).toContain("not one of your school's offices");
    const now = new Date().toISOString();
    const office = { id: newId(), schoolId: server.schoolId, kind: 'office', name: 'Main campus', data: { code: 'MAIN' }, createdAt: now, updatedAt: now, _deleted: false };
    const pushed = await server.app.inject({ method: 'POST', url: '/api/v1/sync/reference/1/push', headers: bearer(server.token), payload: [{ newDocumentState: office }] });
    expect(pushed.statusCode).toBe(200);
    const known = await register(server.token, { name: 'Desk', code: 'D01', officeId: office.id });
    expect(known.statusCode).toBe(201);
    expect(known.json<DeviceApproval>().device).toMatchObject({ officeId: office.id, receiptSeries: 'MAIN-D01' });
  });

  it.each([
    ['admin', 201],
    ['bursar', 403],
    ['cashier', 403],
    ['auditor', 403],
  ] as const)('a %s registering a desk gets %i', async (role, status) => {
    const token = await signInAs(server, database, role);
    const res = await register(token, { name: 'Desk', code: 'D05' });
    expect(res.statusCode).toBe(status);
    if (status === 403) expect(res.json<ErrorBody>().message).toBe(`${role === 'auditor' ? 'An' : 'A'} ${role} cannot register desks; ask someone with one of these roles: owner, admin.`);
  });

  it('auditors may see the list of desks; cashiers may not', async () => {
    const auditor = await signInAs(server, database, 'auditor');
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(auditor) })).statusCode).toBe(200);
    const cashier = await signInAs(server, database, 'cashier');
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(cashier) })).statusCode).toBe(403);
  });
});

describe('revoking desks', () => {
  it('records when and why, ends the desk’s sign-ins, and cannot be done twice', async () => {
    const desk = await enrolDesk(server, { code: 'D03' });
    const device = { id: desk.deviceId };
    const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { ...OWNER, deviceId: desk.deviceId, deviceSecret: desk.deviceSecret } });
    expect(login.json<LoginResponse>().deviceId).toBe(device.id);

    expect((await revoke(server.token, device.id, 'no')).statusCode).toBe(400);
    const res = await revoke(server.token, device.id, 'Laptop stolen from the bursary');
    expect(res.statusCode).toBe(200);
    expect(res.json<DeviceSummary>()).toMatchObject({ id: device.id, revokedReason: 'Laptop stolen from the bursary' });
    expect(Date.parse(res.json<DeviceSummary>().revokedAt ?? '')).toBeGreaterThan(0);

    const families = await database.db.select().from(refreshTokens).where(eq(refreshTokens.deviceId, device.id));
    expect(families.length).toBeGreaterThan(0);
    expect(families.every((f) => f.revokedReason === 'device-revoked')).toBe(true);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'devices.revoke'))).toHaveLength(1);

    const twice = await revoke(server.token, device.id, 'Again, to be sure');
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorBody>().message).toContain('already revoked');
  });

  it("another school's desk is not found, and neither is an unknown one", async () => {
    const otherSchool = newId();
    await database.db.insert(schools).values({ id: otherSchool, name: 'Lakeside School', currency: 'UGX', timezone: 'Africa/Kampala' });
    await database.db.insert(schoolChangeCounters).values({ schoolId: otherSchool, lastSeq: 0 });
    await insertMember(database.db, { schoolId: otherSchool, email: 'head@lakeside.example', displayName: 'Head', role: 'owner', password: 'lakeside-passphrase' });
    const other = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'head@lakeside.example', password: 'lakeside-passphrase' } });
    const theirs = (await register(other.json<LoginResponse>().accessToken, { name: 'Their desk', code: 'D01' })).json<DeviceApproval>().device;

    expect((await revoke(server.token, theirs.id, 'Not ours to revoke')).statusCode).toBe(404);
    expect((await revoke(server.token, newId(), 'Never existed here')).statusCode).toBe(404);
    const list = await server.app.inject({ method: 'GET', url: '/api/v1/devices', headers: bearer(server.token) });
    expect(list.json<DeviceList>().devices).toEqual([]);
    // The same code is free in another school.
    expect((await register(server.token, { name: 'Our desk', code: 'D01' })).statusCode).toBe(201);
  });

  it('a cashier cannot revoke a desk', async () => {
    const { device } = (await register(server.token, { name: 'Desk', code: 'D04' })).json<DeviceApproval>();
    const cashier = await signInAs(server, database, 'cashier');
    expect((await revoke(cashier, device.id, 'I do not like it')).statusCode).toBe(403);
  });
});

describe('enrolling a desk with its approval code', () => {
  const enrol = (approvalCode: string) => server.app.inject({ method: 'POST', url: '/api/v1/auth/enrol-device', payload: { approvalCode } });
  const mainOffice = async (): Promise<string> => {
    const pull = await server.app.inject({ method: 'GET', url: '/api/v1/sync/reference/1/pull', headers: bearer(server.token) });
    const office = pull.json<PullResponse<{ id: string; kind: string }>>().documents.find((d) => d.kind === 'office');
    if (!office) throw new Error('setup made no office');
    return office.id;
  };

  it('setup gives the school a main office; a desk registered there gets its receipt series and a reference document every desk pulls', async () => {
    const officeId = await mainOffice();
    const res = await register(server.token, { name: 'Front office desk 2', code: 'D02', officeId });
    const approval = res.json<DeviceApproval>();
    expect(approval.device.receiptSeries).toBe('MAIN-D02');
    expect(approval.approvalCode).toMatch(/^[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}-[A-HJ-KM-NP-Z2-9]{4}$/);
    expect(Date.parse(approval.approvalCodeExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const cashier = await signInAs(server, database, 'cashier');
    const pull = await server.app.inject({ method: 'GET', url: `/api/v1/sync/reference/${replicatedCollections.reference.schemaVersion}/pull`, headers: bearer(cashier) });
    const deviceDoc = pull.json<PullResponse<Record<string, unknown>>>().documents.find((d) => d.kind === 'device');
    expect(deviceDoc).toMatchObject({ id: approval.device.id, kind: 'device', name: 'Front office desk 2', data: { officeId, code: 'D02' }, _deleted: false });
  });

  it('the code works once, typed in any case with or without dashes, and gives the desk a secret that sign-in demands', async () => {
    const { approvalCode, device } = (await register(server.token, { name: 'Desk', code: 'D07', officeId: await mainOffice() })).json<DeviceApproval>();
    const first = await enrol(` ${approvalCode.toLowerCase().replaceAll('-', ' ')} `);
    expect(first.statusCode).toBe(200);
    const enrolled = first.json<EnrolDeviceResponse>();
    expect(enrolled.device).toMatchObject({ id: device.id, receiptSeries: 'MAIN-D07', approvalCodeExpiresAt: null });
    expect(enrolled.device.enrolledAt).not.toBeNull();
    expect(enrolled.school.id).toBe(server.schoolId);
    expect(enrolled.deviceSecret.length).toBeGreaterThanOrEqual(43);

    const again = await enrol(approvalCode);
    expect(again.statusCode).toBe(401);
    expect(again.json<ErrorBody>()).toMatchObject({ error: 'approval-code-invalid', message: expect.stringContaining('Ask an admin for a new code') as string });

    const login = (deviceSecret?: string) =>
      server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { ...OWNER, deviceId: device.id, ...(deviceSecret ? { deviceSecret } : {}) } });
    expect((await login()).json<ErrorBody>().message).toBe('This computer could not prove it is desk D07. Ask an admin for a new approval code and enrol this desk again.');
    expect((await login('x'.repeat(43))).statusCode).toBe(401);
    const ok = await login(enrolled.deviceSecret);
    expect(ok.statusCode).toBe(200);
    expect(ok.json<LoginResponse>()).toMatchObject({ deviceId: device.id, offlineGrant: { token: expect.any(String) as string } });
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'devices.enrol'))).toMatchObject([{ entityId: device.id, deviceId: device.id }]);
  });

  it('a desk that was never enrolled cannot be signed in to, and a wrong or expired code is refused', async () => {
    const { device } = (await register(server.token, { name: 'Desk', code: 'D08' })).json<DeviceApproval>();
    const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { ...OWNER, deviceId: device.id, deviceSecret: 'y'.repeat(43) } });
    expect(login.json<ErrorBody>().message).toBe('Desk D08 has not been enrolled yet. Enter the approval code an admin gave you for it.');
    expect((await enrol('AAAA-BBBB-CCCC')).statusCode).toBe(401);
    await database.db.update(devices).set({ approvalCodeExpiresAt: new Date(Date.now() - 1000).toISOString() }).where(eq(devices.id, device.id));
    const fresh = await server.app.inject({ method: 'POST', url: `/api/v1/devices/${device.id}/approval-code`, headers: bearer(server.token) });
    expect(fresh.statusCode).toBe(200);
    await database.db.update(devices).set({ approvalCodeExpiresAt: new Date(Date.now() - 1000).toISOString() }).where(eq(devices.id, device.id));
    expect((await enrol(fresh.json<DeviceApproval>().approvalCode)).json<ErrorBody>().error).toBe('approval-code-invalid');
  });

  it('enrolling again (a reinstalled desk) replaces the secret, so the old install stops working; a revoked desk gets no new code', async () => {
    const desk = await enrolDesk(server, { code: 'D09' });
    const fresh = await server.app.inject({ method: 'POST', url: `/api/v1/devices/${desk.deviceId}/approval-code`, headers: bearer(server.token) });
    const reinstalled = (await enrol(fresh.json<DeviceApproval>().approvalCode)).json<EnrolDeviceResponse>();
    const login = (deviceSecret: string) => server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { ...OWNER, deviceId: desk.deviceId, deviceSecret } });
    expect((await login(desk.deviceSecret)).statusCode).toBe(401);
    expect((await login(reinstalled.deviceSecret)).statusCode).toBe(200);

    expect((await revoke(server.token, desk.deviceId, 'Desk retired')).statusCode).toBe(200);
    const refused = await server.app.inject({ method: 'POST', url: `/api/v1/devices/${desk.deviceId}/approval-code`, headers: bearer(server.token) });
    expect(refused.statusCode).toBe(409);
    const cashier = await signInAs(server, database, 'cashier');
    expect((await server.app.inject({ method: 'POST', url: `/api/v1/devices/${desk.deviceId}/approval-code`, headers: bearer(cashier) })).statusCode).toBe(403);
  });

  it('a code issued before revocation no longer enrols', async () => {
    const { approvalCode, device } = (await register(server.token, { name: 'Desk', code: 'D10' })).json<DeviceApproval>();
    expect((await revoke(server.token, device.id, 'Registered by mistake')).statusCode).toBe(200);
    expect((await enrol(approvalCode)).json<ErrorBody>().error).toBe('approval-code-invalid');
  });
});
