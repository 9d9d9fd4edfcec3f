import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorBody, SetupRequest } from '@feemaster/core';
import { buildApp } from '../app.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { initSchool } from './init-school.ts';
import type { FastifyInstance } from 'fastify';

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await app?.close();
  await database.close();
});
beforeEach(async () => {
  await app?.close();
  await database.reset();
  ({ app } = await buildApp({ database, setupCode: 'K7PQ2MZX' }));
});

const request: SetupRequest = {
  setupCode: 'k7pq2mzx',
  schoolName: 'Lakeview Primary',
  currency: 'UGX',
  timezone: 'Africa/Kampala',
  ownerName: 'Peter Okello',
  ownerEmail: 'owner@lakeview.example',
  ownerPassword: 'a-long-passphrase',
};

describe('first-run setup', () => {
  it('creates the school once with the printed code; the owner can then sign in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ setupRequired: true });
    const res = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: request });
    expect(res.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ setupRequired: false });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: request.ownerEmail, password: request.ownerPassword } });
    expect(login.statusCode).toBe(200);
    const again = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...request, schoolName: 'Intruder School' } });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>().message).toContain('already set up');
  });

  it('refuses a wrong setup code and writes nothing', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/setup', payload: { ...request, setupCode: 'WRONG123' } });
    expect(res.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ setupRequired: true });
  });

  it('explains every bad field', async () => {
    await expect(
      initSchool(database.db, { ...request, currency: 'KSH', timezone: 'Nairobi', ownerPassword: 'short1' }),
    ).rejects.toThrow(/'KSH' is not an ISO 4217 currency code.*'Nairobi' is not an IANA time zone.*at least 10 characters/);
  });

  it('lets only one of two simultaneous setups win', async () => {
    const results = await Promise.allSettled([
      initSchool(database.db, request),
      initSchool(database.db, { ...request, schoolName: 'Second School', ownerEmail: 'two@example.org' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });
});
