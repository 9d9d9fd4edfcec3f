// A sync server for the security suite: a clock the tests move instead of sleeping, one school
// with its owner, and helpers to add colleagues, a second school, desks and sign-ins.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { newId, type LoginResponse, type Role } from '@feemaster/core';
import { buildApp, type AppOptions } from '../../../sync-server/src/app.ts';
import { schoolChangeCounters, schools } from '../../../sync-server/src/db/schema.ts';
import { enrolDesk, insertMember } from '../../../sync-server/test/fixtures.ts';
import { initSchool } from '../../../sync-server/src/setup/init-school.ts';
import type { TestDatabase } from '../../../sync-server/test/database.ts';

export const OWNER = { email: 'head@hillside.example', password: 'owner-passphrase-1' };
export const PASSWORD = 'a-colleague-passphrase';

export interface TestClock {
  now: () => Date;
  advance: (ms: number) => void;
}

export interface Account {
  id: string;
  email: string;
  password: string;
  schoolId: string;
}

/** A desk as the tests hold it: its id and the secret it got at enrolment. */
export interface EnrolledDesk {
  id: string;
  secret: string;
}

export interface SecurityServer {
  app: FastifyInstance;
  clock: TestClock;
  schoolId: string;
  ownerToken: string;
  login(payload: { email: string; password: string; deviceId?: string; deviceSecret?: string }, remoteAddress?: string): Promise<LightMyRequestResponse>;
  signIn(account: { email: string; password: string }, desk?: EnrolledDesk, remoteAddress?: string): Promise<LoginResponse>;
  addUser(role: Role, schoolId?: string): Promise<Account>;
  addSchool(name: string): Promise<{ schoolId: string; owner: Account }>;
  /** Registers a desk with `token` and enrols it with its approval code. */
  registerDevice(token: string, code: string): Promise<EnrolledDesk>;
  pull(token: string): Promise<LightMyRequestResponse>;
}

export async function startSecurityServer(database: TestDatabase, options: Partial<AppOptions> = {}): Promise<SecurityServer> {
  let current = new Date();
  const clock: TestClock = {
    now: () => new Date(current),
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
  const { schoolId } = await initSchool(database.db, {
    schoolName: 'Hillside Academy',
    currency: 'KES',
    timezone: 'Africa/Nairobi',
    ownerName: 'Grace Wanjiru',
    ownerEmail: OWNER.email,
    ownerPassword: OWNER.password,
  });
  const { app } = await buildApp({ database, setupCode: null, clock: clock.now, authRateLimitPerMinute: 1000, ...options });

  const login: SecurityServer['login'] = (payload, remoteAddress) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, ...(remoteAddress ? { remoteAddress } : {}) });
  const signIn: SecurityServer['signIn'] = async (account, desk, remoteAddress) => {
    const res = await login({ email: account.email, password: account.password, ...(desk ? { deviceId: desk.id, deviceSecret: desk.secret } : {}) }, remoteAddress);
    if (res.statusCode !== 200) throw new Error(`sign-in of ${account.email} failed: ${res.statusCode} ${res.body}`);
    return res.json<LoginResponse>();
  };
  const addUser: SecurityServer['addUser'] = async (role, inSchool = schoolId) => {
    const account = { id: newId(), email: `${role}-${newId()}@hillside.example`, password: PASSWORD, schoolId: inSchool };
    await insertMember(database.db, { id: account.id, schoolId: inSchool, email: account.email, role, password: PASSWORD });
    return account;
  };
  const owner = await signIn(OWNER);
  return {
    app,
    clock,
    schoolId,
    ownerToken: owner.accessToken,
    login,
    signIn,
    addUser,
    // initSchool allows one school per server (first-run setup); a second tenant is inserted directly.
    async addSchool(name) {
      const otherId = newId();
      await database.db.insert(schools).values({ id: otherId, name, currency: 'UGX', timezone: 'Africa/Kampala' });
      await database.db.insert(schoolChangeCounters).values({ schoolId: otherId, lastSeq: 0 });
      return { schoolId: otherId, owner: await addUser('owner', otherId) };
    },
    async registerDevice(token, code) {
      const { deviceId, deviceSecret } = await enrolDesk({ app, token }, { code });
      return { id: deviceId, secret: deviceSecret };
    },
    pull: (token) => app.inject({ method: 'GET', url: '/api/v1/sync/students/1/pull', headers: { authorization: `Bearer ${token}` } }),
  };
}
