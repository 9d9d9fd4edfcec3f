// What must show (issue 4, item 3): forged, expired, wrong-algorithm and `alg: none` tokens are
// refused; refresh-token reuse ends the family; repeated failed sign-ins lock out; a revoked
// desk is refused with the reason. Runs on PGlite and on PostgreSQL.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import type { ErrorBody, LoginResponse, RefreshResponse } from '@feemaster/core';
import { loadSigningKeys } from '../../../sync-server/src/auth/tokens.ts';
import { auditLog, refreshTokens } from '../../../sync-server/src/db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { OWNER, startSecurityServer, type SecurityServer } from './security-server.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

let database: TestDatabase;
let server: SecurityServer;

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
  server = await startSecurityServer(database);
});

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a genuine token, to be re-signed by an attacker. */
function claimsOf(token: string): Record<string, unknown> {
  return { ...decodeJwt(token) };
}

async function expectRefused(token: string): Promise<ErrorBody> {
  const res = await server.pull(token);
  expect(res.statusCode).toBe(401);
  return res.json<ErrorBody>();
}

function refresh(refreshToken: string): Promise<LightMyRequestResponse> {
  return server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

describe('access tokens', () => {
  it('a genuine token works, and the server signs with EdDSA', async () => {
    expect((await server.pull(server.ownerToken)).statusCode).toBe(200);
    const header = JSON.parse(Buffer.from(server.ownerToken.split('.')[0] ?? '', 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('EdDSA');
  });

  it('refuses a token whose signature was made with another Ed25519 key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await new SignJWT(claimsOf(server.ownerToken)).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
    await expectRefused(forged);
  });

  it('refuses a genuine token whose payload was edited (role raised, school changed)', async () => {
    const [header, , signature] = server.ownerToken.split('.');
    const edited = `${header}.${base64url({ ...claimsOf(server.ownerToken), role: 'owner', sch: '00000000-0000-7000-8000-000000000000' })}.${signature}`;
    await expectRefused(edited);
  });

  it('refuses an expired token, and accepts it until then', async () => {
    const { accessToken, expiresAt } = await server.signIn(OWNER);
    expect(Date.parse(expiresAt) - server.clock.now().getTime()).toBe(15 * MINUTE);
    server.clock.advance(14 * MINUTE);
    expect((await server.pull(accessToken)).statusCode).toBe(200);
    server.clock.advance(MINUTE + 1000);
    expect((await expectRefused(accessToken)).message).toContain('Sign in again');
  });

  it('refuses HS256 tokens, whether signed with some secret or with the public key as the secret', async () => {
    const claims = claimsOf(server.ownerToken);
    const withSecret = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(64)));
    await expectRefused(withSecret);
    // The classic algorithm-confusion attack: the verifier's public key used as an HMAC secret.
    const keys = await loadSigningKeys(database.db, undefined);
    const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(publicPem));
    await expectRefused(confused);
  });

  it('refuses an RS256 token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs256 = await new SignJWT(claimsOf(server.ownerToken)).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    await expectRefused(rs256);
  });

  it('refuses `alg: none` tokens, with and without a signature part', async () => {
    const claims = claimsOf(server.ownerToken);
    await expectRefused(new UnsecuredJWT(claims).encode());
    await expectRefused(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
    await expectRefused(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}`);
    const [, , signature] = server.ownerToken.split('.');
    await expectRefused(`${base64url({ alg: 'none' })}.${base64url(claims)}.${signature ?? ''}`);
  });

  it('refuses a token signed with the real key but for another issuer', async () => {
    const keys = await loadSigningKeys(database.db, undefined);
    const foreign = await new SignJWT({ ...claimsOf(server.ownerToken), iss: 'someone-else' }).setProtectedHeader({ alg: 'EdDSA' }).sign(keys.privateKey);
    await expectRefused(foreign);
  });

  it("another school's user cannot reach this school's data, even with a validly signed token naming this school", async () => {
    const other = await server.addSchool('Lakeside School');
    const otherLogin = await server.signIn(other.owner);
    const now = new Date().toISOString();
    const student = { id: '0191d6a0-0000-7000-8000-000000000001', schoolId: server.schoolId, admissionNumber: 'A1', firstName: 'Amani', lastName: 'Otieno', status: 'active', createdAt: now, updatedAt: now, _deleted: false };
    const push = await server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: { authorization: `Bearer ${server.ownerToken}` }, payload: [{ newDocumentState: student }] });
    expect(push.statusCode).toBe(200);
    expect((await server.pull(server.ownerToken)).json<{ documents: unknown[] }>().documents).toHaveLength(1);
    // An honest token of the other school only ever sees its own (empty) school.
    const theirs = await server.pull(otherLogin.accessToken);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json<{ documents: unknown[] }>().documents).toEqual([]);
    // A token (signed with the server's own key, as if leaked) whose user is not of the school it names.
    const keys = await loadSigningKeys(database.db, undefined);
    const crossed = await new SignJWT({ ...claimsOf(otherLogin.accessToken), sch: server.schoolId }).setProtectedHeader({ alg: 'EdDSA' }).sign(keys.privateKey);
    await expectRefused(crossed);
    // And this school's owner-only actions refuse the other school's owner.
    const reset = await server.app.inject({
      method: 'POST',
      url: `/api/v1/users/${otherLogin.user.id}/reset-password`,
      headers: { authorization: `Bearer ${server.ownerToken}` },
      payload: { newPassword: 'taken-over-passphrase' },
    });
    expect(reset.statusCode).toBe(404);
  });
});

describe('refresh tokens', () => {
  it('are 256 random bits, stored only as their SHA-256', async () => {
    const login = await server.signIn(OWNER);
    expect(Buffer.from(login.refreshToken, 'base64url').length).toBeGreaterThanOrEqual(32);
    const rows = await database.db.select().from(refreshTokens);
    expect(rows.map((r) => r.tokenHash)).toContain(createHash('sha256').update(login.refreshToken).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(login.refreshToken);
  });

  it('rotate: a refresh gives a new access token and a successor, and uses up the old one', async () => {
    const login = await server.signIn(OWNER);
    server.clock.advance(10 * MINUTE);
    const res = await refresh(login.refreshToken);
    expect(res.statusCode).toBe(200);
    const next = res.json<RefreshResponse>();
    expect(next.refreshToken).not.toBe(login.refreshToken);
    expect(next.accessToken).not.toBe(login.accessToken);
    expect(Date.parse(next.expiresAt)).toBe(server.clock.now().getTime() + 15 * MINUTE);
    expect((await server.pull(next.accessToken)).statusCode).toBe(200);
    // The successor rotates again; the chain can go on for as long as the desk keeps refreshing.
    const again = await refresh(next.refreshToken);
    expect(again.statusCode).toBe(200);
  });

  it('reuse of a used refresh token ends the whole family: the successor and its access token stop working', async () => {
    const login = await server.signIn(OWNER);
    const first = (await refresh(login.refreshToken)).json<RefreshResponse>();
    expect((await server.pull(first.accessToken)).statusCode).toBe(200);

    const replay = await refresh(login.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json<ErrorBody>().message).toContain('presented twice');

    const successor = await refresh(first.refreshToken);
    expect(successor.statusCode).toBe(401);
    expect(successor.json<ErrorBody>().message).toContain('Sign in again');
    expect((await expectRefused(first.accessToken)).message).toContain('presented twice');

    const audits = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.refresh-reuse'));
    expect(audits).toHaveLength(1);
    // Another sign-in of the same person (another desk) is not affected.
    expect((await server.pull(server.ownerToken)).statusCode).toBe(200);
  });

  it('an expired refresh token is refused with a message to sign in again', async () => {
    const login = await server.signIn(OWNER);
    server.clock.advance(30 * DAY + 1000);
    const res = await refresh(login.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>()).toEqual({ error: 'unauthorized', message: 'Your sign-in has expired. Sign in again.' });
  });

  it('an unknown refresh token is refused', async () => {
    const res = await refresh('not-a-token-the-server-issued');
    expect(res.statusCode).toBe(401);
  });

  it('sign-out ends the family: its refresh and access tokens stop working', async () => {
    const login = await server.signIn(OWNER);
    const out = await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: login.refreshToken } });
    expect(out.statusCode).toBe(204);
    expect((await refresh(login.refreshToken)).statusCode).toBe(401);
    expect((await expectRefused(login.accessToken)).message).toContain('signed out');
  });
});

describe('sign-in lockout', () => {
  const wrong = { email: OWNER.email, password: 'not-the-password' };
  // Failures are counted after the latest successful sign-in (the owner's, at start-up).
  beforeEach(() => server.clock.advance(1000));

  it('after 5 failures in 15 minutes even the right password is refused with 429, until the window passes', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect((await server.login(wrong)).statusCode).toBe(401);
      server.clock.advance(10_000);
    }
    const locked = await server.login(OWNER);
    expect(locked.statusCode).toBe(429);
    expect(locked.json<ErrorBody>()).toMatchObject({ error: 'account-locked' });
    expect(locked.json<ErrorBody>().message).toMatch(/^Too many failed sign-ins; try again in 15 minutes or ask an admin/);
    server.clock.advance(13 * MINUTE);
    const stillLocked = await server.login(OWNER);
    expect(stillLocked.statusCode).toBe(429);
    expect(stillLocked.json<ErrorBody>().message).toContain('try again in 2 minutes');
    server.clock.advance(2 * MINUTE);
    expect((await server.login(OWNER)).statusCode).toBe(200);
    const actions = (await database.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action);
    expect(actions.filter((a) => a === 'auth.sign-in-failed')).toHaveLength(5);
    expect(actions).toContain('auth.lockout');
    expect(actions.filter((a) => a === 'auth.sign-in-locked')).toHaveLength(2);
  });

  it('four failures do not lock, and a successful sign-in starts the count again', async () => {
    for (let i = 0; i < 4; i += 1) await server.login(wrong);
    expect((await server.login(OWNER)).statusCode).toBe(200);
    for (let i = 0; i < 4; i += 1) await server.login(wrong);
    expect((await server.login(OWNER)).statusCode).toBe(200);
  });

  it('unknown emails lock the same way, so the lockout does not reveal who has an account', async () => {
    const nobody = { email: 'nobody@hillside.example', password: 'whatever-it-is' };
    for (let i = 0; i < 5; i += 1) expect((await server.login(nobody)).statusCode).toBe(401);
    expect((await server.login(nobody)).statusCode).toBe(429);
  });

  it('an admin resetting the password lifts the lock', async () => {
    const cashier = await server.addUser('cashier');
    for (let i = 0; i < 5; i += 1) await server.login({ email: cashier.email, password: 'wrong-guess-123' });
    expect((await server.login(cashier)).statusCode).toBe(429);
    const reset = await server.app.inject({
      method: 'POST',
      url: `/api/v1/users/${cashier.id}/reset-password`,
      headers: { authorization: `Bearer ${server.ownerToken}` },
      payload: { newPassword: 'a-fresh-passphrase' },
    });
    expect(reset.statusCode).toBe(204);
    expect((await server.login({ email: cashier.email, password: 'a-fresh-passphrase' })).statusCode).toBe(200);
  });

  it('limits sign-in attempts per address with a clear 429, leaving other addresses and token refreshes alone', async () => {
    await server.app.close();
    await database.reset();
    server = await startSecurityServer(database, { authRateLimitPerMinute: 20 });
    const desks = await server.signIn(OWNER, undefined, '10.0.0.9');
    // startSecurityServer signed the owner in once from the default address.
    for (let i = 0; i < 19; i += 1) expect((await server.login({ email: `guess-${i}@x.example`, password: 'guess-guess' })).statusCode).toBe(401);
    const limited = await server.login(OWNER);
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>()).toMatchObject({ error: 'rate-limited' });
    expect(limited.json<ErrorBody>().message).toMatch(/^Too many sign-in requests from this address; wait .+ and try again\.$/);
    expect((await server.login(OWNER, '10.0.0.7')).statusCode).toBe(200);
    // Desks behind the same address keep refreshing: that needs a token nobody can guess.
    let refreshToken = desks.refreshToken;
    for (let i = 0; i < 25; i += 1) {
      const rotated = await server.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
      expect(rotated.statusCode).toBe(200);
      refreshToken = rotated.json<RefreshResponse>().refreshToken;
    }
    expect((await server.login(OWNER)).statusCode).toBe(429);
    // Sync is not behind the sign-in limit.
    expect((await server.pull(server.ownerToken)).statusCode).toBe(200);
  });
});

describe('devices', () => {
  it("a revoked desk's tokens are refused at once, with when and why; the person can still sign in elsewhere", async () => {
    const device = await server.registerDevice(server.ownerToken, 'D02');
    const cashier = await server.addUser('cashier');
    const onDesk: LoginResponse = await server.signIn(cashier, device);
    expect(onDesk.deviceId).toBe(device.id);
    expect(decodeJwt(onDesk.accessToken).dev).toBe(device.id);
    expect((await server.pull(onDesk.accessToken)).statusCode).toBe(200);

    const revoke = await server.app.inject({
      method: 'POST',
      url: `/api/v1/devices/${device.id}/revoke`,
      headers: { authorization: `Bearer ${server.ownerToken}` },
      payload: { reason: 'Stolen from the bursary' },
    });
    expect(revoke.statusCode).toBe(200);

    const refused = await expectRefused(onDesk.accessToken);
    expect(refused.error).toBe('device-revoked');
    expect(refused.message).toMatch(/^This desk was revoked by the school on .+: Stolen from the bursary\. Ask an admin to register it again\.$/);
    const refreshed = await refresh(onDesk.refreshToken);
    expect(refreshed.statusCode).toBe(401);
    expect(refreshed.json<ErrorBody>()).toMatchObject({ error: 'device-revoked' });
    const again = await server.login({ email: cashier.email, password: cashier.password, deviceId: device.id, deviceSecret: device.secret });
    expect(again.statusCode).toBe(401);
    expect(again.json<ErrorBody>().message).toContain('Stolen from the bursary');
    expect((await server.signIn(cashier)).accessToken).toBeTruthy();
  });

  it("a desk of another school cannot be named at sign-in", async () => {
    const other = await server.addSchool('Lakeside School');
    const otherToken = (await server.signIn(other.owner)).accessToken;
    const theirs = await server.registerDevice(otherToken, 'D01');
    const res = await server.login({ ...OWNER, deviceId: theirs.id, deviceSecret: theirs.secret });
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>()).toMatchObject({ error: 'device-revoked', message: 'This desk is not registered with your school. Ask an admin to register it again.' });
  });
});
