import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, serverVersion } from '../app.ts';
import { openTestDatabase, testDatabaseKind, type TestDatabase } from '../../test/database.ts';
import type { FastifyInstance } from 'fastify';

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  ({ app } = await buildApp({ database, setupCode: null }));
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('GET /health', () => {
  it('reports ok, the version and the database kind', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: serverVersion, database: { kind: testDatabaseKind, reachable: true }, setupRequired: true });
  });

  it('serves the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/v1/auth/login', '/api/v1/sync/{collection}/{schemaVersion}/push']));
  });

  it('reports unavailable with 503 when the database does not answer', async () => {
    const broken = { ...database, ping: () => Promise.reject(new Error('connection refused')) };
    const { app: other } = await buildApp({ database: broken, setupCode: null });
    const res = await other.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', database: { reachable: false } });
    await other.close();
  });
});
