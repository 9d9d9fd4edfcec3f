// The school every run syncs: set up once on a database with the server's own first-run setup,
// with desks enrolled and a cashier signed in on each, as an office would. Also reads what the
// server holds, over its own pull endpoint, for the run's invariants.
import type { FastifyInstance } from 'fastify';
import { newId, replicatedCollections, syncPath, type LoginResponse, type PullResponse } from '@feemaster/core';
import { buildApp } from '../../sync-server/src/app.ts';
import type { Database } from '../../sync-server/src/db/client.ts';
import { DEFAULT_OFFICE_CODE, initSchool } from '../../sync-server/src/setup/init-school.ts';
import type { LiveHub } from '../../sync-server/src/sync/live-hub.ts';
import type { TestDatabase } from '../../sync-server/test/database.ts';
import { OWNER, enrolDesk, signInAsMember } from '../../sync-server/test/fixtures.ts';
import type { DeskIdentity } from './desk-replication.ts';

/** Tokens outlive the longest run (the long suite takes more than the default 15 minutes). */
export const TOKEN_TTL_SECONDS = 86_400;
export const MAX_DESKS = 5;

export interface School {
  schoolId: string;
  currency: string;
  ownerToken: string;
  desks: DeskIdentity[];
  payerIds: string[];
}

/** First-run setup on an empty database. */
export async function initTestSchool(database: Database): Promise<{ schoolId: string; officeId: string }> {
  const { schoolId, officeId } = await initSchool(database.db, {
    schoolName: 'Hillside Academy',
    currency: 'KES',
    timezone: 'Africa/Nairobi',
    ownerName: 'Grace Wanjiru',
    ownerEmail: OWNER.email,
    ownerPassword: OWNER.password,
  });
  return { schoolId, officeId };
}

/** Enrols the desks and signs a cashier in on each, through the app's own routes. */
export async function enrolDesks(
  database: TestDatabase,
  served: { app: FastifyInstance; hub: LiveHub },
  school: { schoolId: string; officeId: string },
  count = MAX_DESKS,
): Promise<School> {
  const login = await served.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: OWNER });
  if (login.statusCode !== 200) throw new Error(`owner sign-in failed: ${login.body}`);
  const ownerToken = login.json<LoginResponse>().accessToken;
  const server = { ...served, schoolId: school.schoolId, token: ownerToken };
  const desks: DeskIdentity[] = [];
  for (let i = 1; i <= count; i++) {
    const deviceCode = `D${String(i).padStart(2, '0')}`;
    const desk = await enrolDesk(server, { code: deviceCode });
    const cashier = await signInAsMember(server, database, 'cashier', desk);
    desks.push({
      name: `desk${String(i)}`,
      deviceId: desk.deviceId,
      deviceCode,
      officeId: school.officeId,
      officeCode: DEFAULT_OFFICE_CODE,
      userId: cashier.login.user.id,
      token: cashier.login.accessToken,
    });
  }
  return { schoolId: school.schoolId, currency: 'KES', ownerToken, desks, payerIds: [newId(), newId(), newId()] };
}

/** A TestDatabase view of a plain Database, for fixtures that only use its `db`. */
export function asTestDatabase(database: Database): TestDatabase {
  return { ...database, reset: () => Promise.reject(new Error('this database is not a per-file test database')) };
}

/** Builds the app with the settings the runs need (long tokens, quick heartbeats). */
export async function buildSyncApp(database: Database): Promise<{ app: FastifyInstance; hub: LiveHub }> {
  return buildApp({ database, setupCode: null, accessTokenTtlSeconds: TOKEN_TTL_SECONDS, streamHeartbeatMs: 1_000, logger: false });
}

export interface ServerCollection {
  /** Live documents as canonical JSON, by id. */
  live: Map<string, string>;
  docs: Record<string, unknown>[];
  /** Ids the full pull returned more than once. */
  repeated: string[];
  /** The feed's last checkpoint for this collection (0 when empty). */
  checkpoint: number;
}

/** Everything the server holds in one collection, read from seq 0 over its pull endpoint. */
export async function readServerCollection(baseUrl: string, token: string, name: 'students' | 'ledger', canonical: (doc: Record<string, unknown>) => string): Promise<ServerCollection> {
  const definition = replicatedCollections[name];
  const seen = new Set<string>();
  const repeated: string[] = [];
  const docs: Record<string, unknown>[] = [];
  const live = new Map<string, string>();
  let checkpoint = '';
  for (;;) {
    const url = new URL(`${syncPath(definition.name, definition.schemaVersion, 'pull')}?checkpoint=${checkpoint}&limit=1000`, baseUrl);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`reading the server's ${name} answered ${String(response.status)}: ${await response.text()}`);
    const page = (await response.json()) as PullResponse<Record<string, unknown>>;
    if (page.documents.length === 0 || !page.checkpoint) break;
    for (const doc of page.documents) {
      const id = String(doc.id);
      if (seen.has(id)) repeated.push(id);
      seen.add(id);
      docs.push(doc);
      if (doc._deleted === true) live.delete(id);
      else live.set(id, canonical(doc));
    }
    checkpoint = String(page.checkpoint.seq);
  }
  return { live, docs, repeated, checkpoint: Number(checkpoint || 0) };
}
