import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { jwtVerify } from 'jose';
import type { LoginResponse } from '@feemaster/core';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER } from '../../test/fixtures.ts';
import { buildApp } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { serverSecrets } from '../db/schema.ts';
import { initSchool } from '../setup/init-school.ts';
import { parseSigningKey } from './tokens.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  await database.reset();
  await initSchool(database.db, { schoolName: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Grace', ownerEmail: OWNER.email, ownerPassword: OWNER.password });
});

async function signInOn(app: Awaited<ReturnType<typeof buildApp>>['app']): Promise<LoginResponse> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  expect(res.statusCode).toBe(200);
  return res.json<LoginResponse>();
}

describe('the signing key', () => {
  it('is generated once and kept in the database, so two instances accept each other’s tokens', async () => {
    const first = await buildApp({ database, setupCode: null });
    const second = await buildApp({ database, setupCode: null });
    try {
      const { accessToken } = await signInOn(first.app);
      const pull = await second.app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: { authorization: `Bearer ${accessToken}` } });
      expect(pull.statusCode).toBe(200);
      expect(await database.db.select().from(serverSecrets).where(eq(serverSecrets.name, 'access-token-ed25519'))).toHaveLength(1);
    } finally {
      await first.app.close();
      await second.app.close();
    }
  });

  it('FEEMASTER_JWT_PRIVATE_KEY (PEM, \\n-escaped on one line) replaces the stored key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const oneLine = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replaceAll('\n', '\\n');
    const { app } = await buildApp({ database, setupCode: null, jwtPrivateKey: oneLine });
    try {
      const { accessToken } = await signInOn(app);
      const { protectedHeader, payload } = await jwtVerify(accessToken, publicKey, { issuer: 'fee-master', algorithms: ['EdDSA'] });
      expect(protectedHeader.alg).toBe('EdDSA');
      expect(payload.exp).toBe((payload.iat ?? 0) + 900);
      expect(await database.db.select().from(serverSecrets).where(eq(serverSecrets.name, 'access-token-ed25519'))).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('refuses keys that are not Ed25519 PEM, saying how to make one', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseSigningKey(rsa, 'FEEMASTER_JWT_PRIVATE_KEY')).toThrow('FEEMASTER_JWT_PRIVATE_KEY is a rsa key; access tokens need an Ed25519 key (openssl genpkey -algorithm ed25519).');
    expect(() => parseSigningKey('a-shared-secret-of-old', 'FEEMASTER_JWT_PRIVATE_KEY')).toThrow(/is not a PEM private key .*openssl genpkey -algorithm ed25519/);
  });
});

describe('token configuration', () => {
  it('defaults to 15-minute access tokens and 30-day refresh tokens', () => {
    const config = loadConfig({}, '/srv');
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshTokenTtlSeconds).toBe(30 * 86_400);
    expect(config.jwtPrivateKey).toBeUndefined();
  });

  it('reads FEEMASTER_ACCESS_TOKEN_TTL and FEEMASTER_REFRESH_TOKEN_TTL, refusing nonsense', () => {
    const config = loadConfig({ FEEMASTER_ACCESS_TOKEN_TTL: '600', FEEMASTER_REFRESH_TOKEN_TTL: '604800' }, '/srv');
    expect([config.accessTokenTtlSeconds, config.refreshTokenTtlSeconds]).toEqual([600, 604_800]);
    expect(() => loadConfig({ FEEMASTER_ACCESS_TOKEN_TTL: '30' }, '/srv')).toThrow('FEEMASTER_ACCESS_TOKEN_TTL must be a whole number of seconds from 60 to 86400');
    expect(() => loadConfig({ FEEMASTER_REFRESH_TOKEN_TTL: '30d' }, '/srv')).toThrow(ConfigError);
  });

  it('refuses the retired FEEMASTER_JWT_SECRET with what to do instead', () => {
    expect(() => loadConfig({ FEEMASTER_JWT_SECRET: 'x'.repeat(40) }, '/srv')).toThrow(/FEEMASTER_JWT_SECRET is no longer used.*FEEMASTER_JWT_PRIVATE_KEY/);
  });
});
