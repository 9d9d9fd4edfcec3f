// The sync server the browser tests run against: a fresh database (PostgreSQL when
// TEST_DATABASE_URL is set, otherwise PGlite in a temporary directory), one school with a
// known owner, and the built web app.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { buildApp } from '../../sync-server/src/app.ts';
import { openDatabase, type DatabaseTarget } from '../../sync-server/src/db/client.ts';
import { initSchool } from '../../sync-server/src/setup/init-school.ts';
import { E2E_DATABASE, E2E_OWNER, E2E_PORT, e2eDatabaseUrl } from './e2e-env.ts';

async function target(): Promise<{ target: DatabaseTarget; cleanup: () => Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${E2E_DATABASE} with (force)`);
    await admin.query(`create database ${E2E_DATABASE}`);
    await admin.end();
    return { target: { kind: 'postgres', url: e2eDatabaseUrl(adminUrl) }, cleanup: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'feemaster-e2e-'));
  return { target: { kind: 'pglite', dataDir: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const { target: databaseTarget, cleanup } = await target();
const database = await openDatabase(databaseTarget);
await initSchool(database.db, { schoolName: 'Riverside Academy', currency: 'KES', timezone: 'Africa/Nairobi', ownerName: 'Esther Njeri', ...E2E_OWNER });
// Every spec's people sign in from 127.0.0.1; the per-address limit itself is proven in the security suite.
const { app } = await buildApp({ database, setupCode: null, webRoot: resolve(import.meta.dirname, '../../out/web'), logger: { level: 'warn' }, authRateLimitPerMinute: 300 });
app.addHook('onClose', async () => {
  await database.close();
  await cleanup();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ port: E2E_PORT, host: '127.0.0.1' });
console.log(`e2e sync server on ${database.kind} at http://127.0.0.1:${E2E_PORT}`);
