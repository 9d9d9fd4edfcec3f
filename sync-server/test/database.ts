// Test databases: one per test file (PGlite in memory, or a fresh PostgreSQL database on the
// TEST_DATABASE_URL server when FEEMASTER_TEST_DB=postgres), truncated between tests.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/client.ts';

export const testDatabaseKind: 'pglite' | 'postgres' = process.env.FEEMASTER_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  reset(): Promise<void>;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind === 'pglite') return withReset(await openDatabase({ kind: 'pglite-memory' }), async () => undefined);
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('FEEMASTER_TEST_DB=postgres needs TEST_DATABASE_URL (a server where the user may CREATE DATABASE).');
  const name = `feemaster_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString() });
  return withReset(database, async () => {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });
}

function withReset(database: Database, afterClose: () => Promise<void>): TestDatabase {
  return {
    ...database,
    async reset() {
      // Every table of the app (migrations live in the drizzle schema, not public).
      await database.db.execute(sql`
        do $$ declare names text;
        begin
          select string_agg(format('%I', tablename), ', ') into names from pg_tables where schemaname = 'public';
          if names is not null then execute 'truncate table ' || names || ' cascade'; end if;
        end $$`);
    },
    async close() {
      await database.close();
      await afterClose();
    },
  };
}
