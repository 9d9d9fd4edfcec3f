import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { initSchool } from '../setup/init-school.ts';
import { WEB_CSP } from '../web/static.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { findNulCharacter } from './http-hardening.ts';

let database: TestDatabase;
let app: FastifyInstance;
let webRoot: string;
const logLines: string[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  await initSchool(database.db, { schoolName: 'Hillside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Grace', ownerEmail: 'head@hillside.example', ownerPassword: 'owner-passphrase-1' });
  webRoot = await mkdtemp(join(tmpdir(), 'feemaster-web-'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>Fee Master</title>');
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  ({ app } = await buildApp({ database, setupCode: null, webRoot, logger: { level: 'info', stream } }));
});
afterAll(async () => {
  await app.close();
  await database.close();
  await rm(webRoot, { recursive: true, force: true });
});

describe('security headers', () => {
  it('API answers carry helmet headers and no Content-Security-Policy of their own', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it("the web app keeps its own strict CSP, exactly once", async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('/docs still loads', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json<{ paths: Record<string, unknown> }>().paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/devices', '/api/v1/users/{userId}/reset-password']),
    );
  });

  it('CORS stays strict: an unknown origin gets no allow-origin header', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/api/v1/auth/login', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const desk = await app.inject({ method: 'OPTIONS', url: '/api/v1/auth/login', headers: { origin: 'app://fee-master', 'access-control-request-method': 'POST' } });
    expect(desk.headers['access-control-allow-origin']).toBe('app://fee-master');
  });
});

describe('log redaction', () => {
  it('never writes authorization headers, cookies, passwords or tokens', async () => {
    logLines.length = 0;
    app.log.info({
      req: { headers: { authorization: 'Bearer eyJhbGciOi.secret-access', cookie: 'session=cookie-secret' } },
      body: { email: 'head@hillside.example', password: 'password-secret', refreshToken: 'refresh-secret' },
      deep: { login: { newPassword: 'deep-secret', accessToken: 'deep-token' } },
      token: 'top-secret',
    }, 'a request');
    const written = logLines.join('');
    expect(written).toContain('head@hillside.example');
    for (const secret of ['secret-access', 'cookie-secret', 'password-secret', 'refresh-secret', 'deep-secret', 'deep-token', 'top-secret']) {
      expect(written).not.toContain(secret);
    }
    expect(written).toContain('[redacted]');
  });
});

describe('NUL characters', () => {
  it('finds the first one with its path', () => {
    expect(findNulCharacter({ name: 'ok', contacts: [{ value: 'a\u0000b' }] }, '')).toBe('contacts.0.value');
    expect(findNulCharacter({ name: 'fine' }, '')).toBeNull();
    expect(findNulCharacter(undefined, 'query')).toBeNull();
  });
});
