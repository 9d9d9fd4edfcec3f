// The real sync server for the benchmark: a fresh database (PostgreSQL or embedded PGlite), the
// app from buildApp listening on 127.0.0.1, one school, desks enrolled with their approval codes
// and a cashier signed in on each — through the same fixtures the server tests use.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { LoginResponse } from '@feemaster/core';
import { buildApp } from '../../sync-server/src/app.ts';
import { openDatabase, type Database, type DatabaseTarget } from '../../sync-server/src/db/client.ts';
import { initSchool } from '../../sync-server/src/setup/init-school.ts';
import type { TestDatabase } from '../../sync-server/test/database.ts';
import { OWNER, enrolDesk, signInAsMember, type TestServer } from '../../sync-server/test/fixtures.ts';
import { deskCode, type DeskIdentity, type SchoolIdentity } from './bench-data.ts';

export type BackendKind = 'postgres' | 'pglite';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:55432/postgres';

export interface BenchDatabase {
  kind: BackendKind;
  database: Database;
  /** Where a second server instance connects (PostgreSQL only). */
  target: DatabaseTarget;
  /** Closes the database and removes it (drops the PostgreSQL database, deletes PGlite's directory). */
  dispose(): Promise<void>;
}

/** A fresh, empty database of the given kind; PostgreSQL ones are named feemaster_bench_*. */
export async function openBenchDatabase(kind: BackendKind, adminUrl: string): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    // The embedded default keeps its data in a directory, as a school office's server does.
    const dataDir = await mkdtemp(join(tmpdir(), 'feemaster-bench-pglite-'));
    const target: DatabaseTarget = { kind: 'pglite', dataDir };
    const database = await openDatabase(target);
    return {
      kind,
      database,
      target,
      dispose: async () => {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `feemaster_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const target: DatabaseTarget = { kind: 'postgres', url: url.toString() };
  const database = await openDatabase(target);
  return {
    kind,
    database,
    target,
    dispose: async () => {
      await database.close();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(adminUrl: string, statement: string): Promise<Record<string, unknown>[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const result = await admin.query<Record<string, unknown>>(statement);
    return result.rows;
  } finally {
    await admin.end();
  }
}

/** The PostgreSQL server's version and the settings that decide whether a commit waits for the disk. */
export interface PostgresDurability {
  version: string;
  fsync: string;
  synchronousCommit: string;
  fullPageWrites: string;
}

/** Read once per run and printed with the results: a throwaway test cluster (fsync off) pushes faster than a real one. */
export async function postgresDurability(adminUrl: string): Promise<PostgresDurability> {
  const [row] = await adminQuery(
    adminUrl,
    "select current_setting('server_version') as version, current_setting('fsync') as fsync, current_setting('synchronous_commit') as sc, current_setting('full_page_writes') as fpw",
  );
  const text = (value: unknown): string => (typeof value === 'string' ? value : 'unknown');
  return { version: text(row?.version), fsync: text(row?.fsync), synchronousCommit: text(row?.sc), fullPageWrites: text(row?.fpw) };
}

export interface BenchDesk extends DeskIdentity {
  token: string;
}

/** What the benchmark needs to know of a running server; crosses the process boundary as JSON. */
export interface ServerInfo {
  baseUrl: string;
  school: SchoolIdentity;
  /** The owner's token: the bursar's work (issuing the term's invoices). */
  ownerToken: string;
  desks: BenchDesk[];
}

export interface RunningServer extends ServerInfo {
  close(): Promise<void>;
}

/** Options every benchmark server shares: tokens outlive the run, sign-ins are not rate-limited. */
const serverOptions = { setupCode: null, logger: false, accessTokenTtlSeconds: 3_600, authRateLimitPerMinute: 10_000 } as const;

/**
 * Sets the school up, starts the server over HTTP and enrols `deskCount` desks with a cashier on
 * each. With `webRoot` the server also serves that folder (the browser benchmark's page), as it
 * serves the desk's web edition: same origin as the API.
 */
export async function startBenchServer(bench: BenchDatabase, deskCount: number, webRoot: string | null = null): Promise<RunningServer> {
  const { schoolId, ownerId, officeId } = await initSchool(bench.database.db, {
    schoolName: 'Hillside Academy',
    currency: 'KES',
    timezone: 'Africa/Nairobi',
    ownerName: 'Grace Wanjiru',
    ownerEmail: OWNER.email,
    ownerPassword: OWNER.password,
  });
  const { app, hub } = await buildApp({ database: bench.database, webRoot, ...serverOptions });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  if (login.statusCode !== 200) throw new Error(`the owner could not sign in: ${login.body}`);
  const ownerToken = login.json<LoginResponse>().accessToken;
  const server: TestServer = { app, hub, schoolId, token: ownerToken };
  const fixtureDatabase: TestDatabase = {
    ...bench.database,
    reset: () => Promise.reject(new Error('the benchmark never empties its database')),
  };
  const desks: BenchDesk[] = [];
  for (let index = 0; index < deskCount; index += 1) {
    const code = deskCode(index);
    const desk = await enrolDesk(server, { code });
    const cashier = await signInAsMember(server, fixtureDatabase, 'cashier', desk);
    desks.push({ code, deviceId: desk.deviceId, userId: cashier.login.user.id, token: cashier.login.accessToken });
  }
  return {
    baseUrl,
    school: { schoolId, officeId, bursarId: ownerId, desks },
    ownerToken,
    desks,
    close: () => app.close(),
  };
}

/** Another server instance on the same PostgreSQL database (its own pool and LISTEN connection). */
export async function startSecondInstance(target: DatabaseTarget): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const database = await openDatabase(target);
  const { app } = await buildApp({ database, ...serverOptions });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
