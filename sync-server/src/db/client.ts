// Opens the server's database: embedded PGlite in a data directory by default, PostgreSQL when
// a connection URL is given. Both run the same drizzle migrations and the same queries.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  db: Db;
  /** Where the data lives, safe to print (no password). */
  location: string;
  ping(): Promise<void>;
  /**
   * LISTENs on `channel` (NOTIFY payloads arrive in commit order). On PostgreSQL a dedicated
   * connection; after it is lost and re-made, `onReconnect` runs, since notifications sent
   * meanwhile are gone. Resolves to a function that stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
  /** NOTIFY outside any transaction (inside one, use pg_notify in that transaction). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url) : openPglite(target.kind === 'pglite' ? target.dataDir : null);
}

async function openPglite(dataDir: string | null): Promise<Database> {
  let releaseLock = async (): Promise<void> => {};
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    releaseLock = await acquireDataDirLock(dataDir);
  }
  try {
    const client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
    const db = drizzlePglite({ client, schema });
    await migratePglite(db, { migrationsFolder });
    return {
      kind: 'pglite',
      db,
      location: dataDir ?? 'memory',
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      // One embedded instance: its connection lives as long as the database.
      listen: async (channel, onPayload) => {
        const unlisten = await client.listen(channel, onPayload);
        return () => unlisten();
      },
      notify: async (channel, payload) => {
        await db.execute(sql`select pg_notify(${channel}, ${payload})`);
      },
      close: async () => {
        await client.close();
        await releaseLock();
      },
    };
  } catch (error) {
    await releaseLock();
    throw error;
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its server must not crash the process; queries report the error.
  pool.on('error', (error) => {
    process.emitWarning(`PostgreSQL pool client error: ${error.message}`);
  });
  const db = drizzlePg({ client: pool, schema });
  const client = await pool.connect();
  try {
    // Several server instances may start at once: one migrates, the others wait for it.
    await client.query('select pg_advisory_lock(727274001)');
    await migratePg(drizzlePg({ client, schema }), { migrationsFolder });
    await client.query('select pg_advisory_unlock(727274001)');
  } finally {
    client.release();
  }
  return {
    kind: 'postgres',
    db,
    location: redactUrl(url),
    ping: async () => {
      await pool.query('select 1');
    },
    listen: (channel, onPayload, onReconnect) => listenPostgres(url, channel, onPayload, onReconnect),
    notify: async (channel, payload) => {
      await pool.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: async () => {
      await pool.end();
    },
  };
}

const RELISTEN_DELAYS_MS = [250, 1000, 5000];

async function listenPostgres(url: string, channel: string, onPayload: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let attempt = 0;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    next.on('error', (error) => {
      process.emitWarning(`PostgreSQL LISTEN connection lost (${error.message}); reconnecting.`);
      next.end().catch((endError: unknown) => process.emitWarning(`Closing the lost LISTEN connection failed: ${String(endError)}`));
      if (client === next) client = null;
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = next;
  };
  const scheduleReconnect = (): void => {
    if (stopped) return;
    const delay = RELISTEN_DELAYS_MS[Math.min(attempt, RELISTEN_DELAYS_MS.length - 1)] ?? 5000;
    attempt += 1;
    setTimeout(() => {
      if (stopped) return;
      connect().then(
        () => {
          attempt = 0;
          onReconnect();
        },
        (error: unknown) => {
          process.emitWarning(`PostgreSQL LISTEN reconnect failed (${error instanceof Error ? error.message : String(error)}); retrying.`);
          scheduleReconnect();
        },
      );
    }, delay).unref();
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end();
    client = null;
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
