// The audit API as the audit screen uses it: only owners, admins and auditors get in, each
// school sees only its own trail, filters and summaries count the right entries, and exports
// are well-formed CSV/JSON and themselves audited.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { newId, type ErrorBody, type LoginResponse, type Role } from '@feemaster/core';
import { auditLog, schoolChangeCounters, schools, users } from '../db/schema.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { OWNER, insertMember, makeStudent, signInAs, startTestServer, type TestServer } from '../../test/fixtures.ts';
import { appendAudit, type AuditEvent } from './audit-log.ts';
import { AUDIT_CSV_COLUMNS } from './csv.ts';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});
beforeEach(async () => {
  await server?.app.close();
  await database.reset();
  server = await startTestServer(database);
});

interface Entry {
  seq: number;
  at: string;
  action: string;
  actorUserId: string | null;
  entityType: string | null;
  entityId: string | null;
  after: unknown;
  userAgent: string | null;
  hash: string;
}
interface LogsPage {
  entries: Entry[];
  nextCursor: string | null;
}

async function get(url: string, token: string, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });
}
async function getOk<T>(url: string, token = server.token): Promise<T> {
  const res = await get(url, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<T>();
}
async function pushStudent(token: string, schoolId: string): Promise<string> {
  const student = makeStudent(schoolId);
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: { authorization: `Bearer ${token}` }, payload: [{ newDocumentState: student }] });
  expect(res.statusCode, res.body).toBe(200);
  return student.id;
}
async function userIdOf(email: string): Promise<string> {
  const [user] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}
/** A second school on the same server, with its own owner signed in. */
async function addSchool(): Promise<{ schoolId: string; ownerId: string; token: string }> {
  const schoolId = newId();
  const ownerId = newId();
  const email = `owner-${ownerId}@riverside.example`;
  const password = 'another-long-passphrase';
  await database.db.insert(schools).values({ id: schoolId, name: 'Riverside School', currency: 'UGX', timezone: 'Africa/Kampala' });
  await database.db.insert(schoolChangeCounters).values({ schoolId, lastSeq: 0 });
  await insertMember(database.db, { id: ownerId, schoolId, email, displayName: 'Riverside owner', role: 'owner', password });
  const login = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  expect(login.statusCode, login.body).toBe(200);
  return { schoolId, ownerId, token: login.json<LoginResponse>().accessToken };
}
/** Signing in is audited too; scenarios that count seqs start from an empty trail. */
async function clearAuditTrail(): Promise<void> {
  await database.db.execute(sql`truncate audit_log, audit_chains, audit_checkpoints`);
}
async function append(events: Omit<AuditEvent, 'schoolId'>[], at: string, schoolId = server.schoolId): Promise<void> {
  await database.db.transaction((tx) => appendAudit(tx, events.map((event) => ({ schoolId, ...event })), new Date(at)));
}

const auditRoutes = (userId: string): string[] => [
  '/api/v1/audit/logs',
  `/api/v1/audit/user-summary/${userId}`,
  '/api/v1/audit/system-summary',
  '/api/v1/audit/export?format=csv',
  '/api/v1/audit/export?format=json',
  '/api/v1/audit/verify',
];

describe('who may read the audit trail', () => {
  it.each<Role>(['cashier', 'bursar'])('refuses a %s on every audit route with a reason', async (role) => {
    const token = await signInAs(server, database, role);
    for (const url of auditRoutes(newId())) {
      const res = await get(url, token);
      expect(res.statusCode, url).toBe(403);
      expect(res.json<ErrorBody>()).toMatchObject({ error: 'forbidden' });
      expect(res.json<ErrorBody>().message).toContain(`your ${role} account cannot read it`);
    }
    // A refused export leaves no trace of having been exported.
    const [exports] = await database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(eq(auditLog.action, 'audit.export'));
    expect(Number(exports?.n)).toBe(0);
  });

  it.each<Role>(['owner', 'admin', 'auditor'])('lets an %s use every audit route', async (role) => {
    const token = role === 'owner' ? server.token : await signInAs(server, database, role);
    for (const url of auditRoutes(newId())) expect((await get(url, token)).statusCode, url).toBe(200);
  });

  it('refuses a request without a valid token', async () => {
    for (const url of auditRoutes(newId())) {
      expect((await server.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
      expect((await get(url, 'not-a-token')).statusCode, url).toBe(401);
    }
  });
});

describe('school isolation', () => {
  it("never shows school A's entries to school B, on any audit route", async () => {
    const aStudents = [await pushStudent(server.token, server.schoolId), await pushStudent(server.token, server.schoolId)];
    const aOwner = await userIdOf(OWNER.email);
    const b = await addSchool();
    const bStudent = await pushStudent(b.token, b.schoolId);
    for (const url of auditRoutes(aOwner)) {
      const res = await get(url, b.token);
      expect(res.statusCode, url).toBe(200);
      // The user summary echoes the id it was asked about; nothing else may mention A's owner.
      const secretsOfA = [server.schoolId, ...aStudents, ...(url.includes('user-summary') ? [] : [aOwner])];
      for (const secret of secretsOfA) expect(res.body, `${url} leaked ${secret}`).not.toContain(secret);
    }
    const bLogs = await getOk<LogsPage>('/api/v1/audit/logs?entityType=students', b.token);
    expect(bLogs.entries.map((e) => e.entityId)).toEqual([bStudent]);
    expect((await getOk<LogsPage>(`/api/v1/audit/logs?entityId=${aStudents[0] ?? ''}`, b.token)).entries).toEqual([]);
    expect(await getOk(`/api/v1/audit/user-summary/${aOwner}`, b.token)).toMatchObject({ total: 0, firstAt: null, lastAt: null, byAction: [] });
    const bSummary = await getOk<{ byAction: { action: string; count: number }[] }>('/api/v1/audit/system-summary', b.token);
    expect(bSummary.byAction.find((a) => a.action === 'students.create')?.count).toBe(1);
    // And the other way round: A's trail holds A's students only, and its chain still verifies.
    const aLogs = await getOk<LogsPage>('/api/v1/audit/logs?entityType=students');
    expect(aLogs.entries.map((e) => e.entityId).sort()).toEqual([...aStudents].sort());
    expect(await getOk('/api/v1/audit/verify')).toMatchObject({ ok: true });
  });
});

describe('searching the trail', () => {
  beforeEach(async () => {
    await clearAuditTrail();
    const cashier = newId();
    await append([{ action: 'students.create', entityType: 'students', entityId: 'S1', actorUserId: cashier }], '2025-03-01T06:00:00.000Z');
    await append([{ action: 'ledger.payment', entityType: 'ledger', entityId: 'P1', actorUserId: cashier }], '2025-03-01T22:30:00.000Z');
    await append([{ action: 'ledger.void', entityType: 'ledger', entityId: 'V1', actorUserId: newId() }], '2025-03-02T10:00:00.000Z');
    await append([{ action: 'ledger_old.payment', entityType: 'ledger', entityId: 'X1' }], '2025-03-03T10:00:00.000Z');
    await append([{ action: 'students.update', entityType: 'students', entityId: 'S1', actorUserId: cashier }], '2025-03-04T10:00:00.000Z');
  });
  const seqs = async (query: string): Promise<number[]> => (await getOk<LogsPage>(`/api/v1/audit/logs${query}`)).entries.map((e) => e.seq);

  it('lists newest first and filters by action prefix, entity, user and period', async () => {
    expect(await seqs('')).toEqual([5, 4, 3, 2, 1]);
    // A prefix is literal text: the underscore in ledger_old is not a wildcard.
    expect(await seqs('?action=ledger.')).toEqual([3, 2]);
    expect(await seqs('?action=ledger_')).toEqual([4]);
    expect(await seqs('?entityType=students&entityId=S1')).toEqual([5, 1]);
    const [first] = (await getOk<LogsPage>('/api/v1/audit/logs?entityId=P1')).entries;
    expect(await seqs(`?userId=${first?.actorUserId ?? ''}`)).toEqual([5, 2, 1]);
    // Dates are the school's days (Nairobi, UTC+3): 22:30Z on 1 March is already 2 March there.
    expect(await seqs('?from=2025-03-02&to=2025-03-02')).toEqual([3, 2]);
    expect(await seqs('?from=2025-03-01T22:30:00.000Z&to=2025-03-03T10:00:00.000Z')).toEqual([4, 3, 2]);
  });

  it('pages with a cursor without repeats or gaps', async () => {
    const pages: number[][] = [];
    let cursor = '';
    for (;;) {
      const page = await getOk<LogsPage>(`/api/v1/audit/logs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.entries.map((e) => e.seq));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pages).toEqual([[5, 4], [3, 2], [1]]);
  });

  it('refuses a malformed filter with a readable reason', async () => {
    const res = await get('/api/v1/audit/logs?from=last-tuesday', server.token);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().message).toContain('from');
  });

  it("summarises one user's activity", async () => {
    const [first] = (await getOk<LogsPage>('/api/v1/audit/logs?entityId=P1')).entries;
    const summary = await getOk(`/api/v1/audit/user-summary/${first?.actorUserId ?? ''}`);
    expect(summary).toEqual({
      userId: first?.actorUserId,
      total: 3,
      firstAt: '2025-03-01T06:00:00.000Z',
      lastAt: '2025-03-04T10:00:00.000Z',
      byAction: [
        { action: 'ledger.payment', count: 1 },
        { action: 'students.create', count: 1 },
        { action: 'students.update', count: 1 },
      ],
    });
  });

  it("summarises the school's activity by action and by the school's day, with failed sign-ins", async () => {
    // A wrong password and a locked account are failed sign-ins; a successful one is not.
    await append([{ action: 'auth.sign-in-failed' }, { action: 'auth.sign-in-locked' }, { action: 'auth.sign-in' }], '2025-03-04T11:00:00.000Z');
    // Another school's failures are not this school's business.
    await append([{ action: 'auth.sign-in-failed' }], '2025-03-04T11:00:00.000Z', (await addSchool()).schoolId);
    const summary = await getOk<Record<string, unknown>>('/api/v1/audit/system-summary?from=2025-03-01&to=2025-03-04');
    expect(summary).toMatchObject({
      timezone: 'Africa/Nairobi',
      from: '2025-02-28T21:00:00.000Z',
      to: '2025-03-04T21:00:00.000Z',
      total: 8,
      failedSignIns: 2,
      byDay: [
        { day: '2025-03-01', count: 1 },
        { day: '2025-03-02', count: 2 },
        { day: '2025-03-03', count: 1 },
        { day: '2025-03-04', count: 4 },
      ],
    });
    // Without a range it covers the last 30 days: these 2025 entries are long past.
    expect(await getOk('/api/v1/audit/system-summary')).toMatchObject({ total: 0, failedSignIns: 0, byDay: [] });
  });
});

describe('exports', () => {
  beforeEach(clearAuditTrail);
  /** RFC 4180 reader, strict enough to catch a stray quote or a bare line break between rows. */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') {
        if (field !== '') throw new Error(`a quote inside an unquoted field at ${i}`);
        quoted = true;
      } else if (c === ',') {
        row.push(field);
        field = '';
      } else if (c === '\r' && text[i + 1] === '\n') {
        row.push(field);
        rows.push(row);
        row = [];
        field = '';
        i += 1;
      } else if (c === '\n' || c === '\r') throw new Error(`a bare line break outside quotes at ${i}`);
      else field += c;
    }
    if (quoted || field !== '' || row.length > 0) throw new Error('the CSV does not end with a complete row');
    return rows;
  }
  const awkward = { firstName: 'O"Brien, Jr.', note: 'line one\nline two' };

  it('writes CSV with a header, one row per entry oldest first, and proper quoting', async () => {
    await append([{ action: 'students.update', entityType: 'students', entityId: 'S,1', after: awkward, userAgent: '=HYPERLINK("http://evil")' }], '2025-03-01T06:00:00.000Z');
    await append([{ action: 'ledger.payment', entityType: 'ledger', entityId: 'P1' }], '2025-03-02T06:00:00.000Z');
    const res = await get('/api/v1/audit/export?format=csv', server.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\ufeffseq,at,action,')).toBe(true);
    const [header, ...rows] = parseCsv(res.body.slice(1));
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    // The export records itself before it reads, so it is the last row.
    expect(rows.map((r) => r[2])).toEqual(['students.update', 'ledger.payment', 'audit.export']);
    const column = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(name);
    const first = rows[0] ?? [];
    expect(first.length).toBe(AUDIT_CSV_COLUMNS.length);
    expect(first[column('entityId')]).toBe('S,1');
    expect(JSON.parse(first[column('after')] ?? '')).toEqual(awkward);
    // A spreadsheet must not run a formula smuggled into a field.
    expect(first[column('userAgent')]).toBe(`'=HYPERLINK("http://evil")`);
    expect(first[column('before')]).toBe('');
    const logs = await getOk<LogsPage>('/api/v1/audit/logs');
    expect(rows.map((r) => r[column('hash')])).toEqual(logs.entries.map((e) => e.hash).reverse());
  });

  it('applies the same filters, and writes JSON the same way', async () => {
    await append([{ action: 'students.create', entityType: 'students', entityId: 'S1', after: awkward }], '2025-03-01T06:00:00.000Z');
    await append([{ action: 'ledger.payment', entityType: 'ledger', entityId: 'P1' }], '2025-03-02T06:00:00.000Z');
    const res = await get('/api/v1/audit/export?format=json&action=students.', server.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json<{ schoolId: string; exportedAt: string; filters: unknown; entries: Entry[] }>();
    expect(body).toMatchObject({ schoolId: server.schoolId, filters: { action: 'students.' } });
    expect(body.entries).toEqual([expect.objectContaining({ seq: 1, action: 'students.create', entityId: 'S1', after: awkward })]);
  });

  it('audits every export: who, when and what was asked for', async () => {
    const auditor = await signInAs(server, database, 'auditor');
    const res = await get('/api/v1/audit/export?format=json&entityType=ledger', auditor, { 'user-agent': 'FeeMaster-Desk/0.1' });
    expect(res.statusCode).toBe(200);
    const [entry] = (await getOk<LogsPage>('/api/v1/audit/logs?action=audit.export')).entries;
    expect(entry).toMatchObject({ action: 'audit.export', entityType: 'audit_log', after: { format: 'json', filters: { entityType: 'ledger' } }, userAgent: 'FeeMaster-Desk/0.1' });
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.export'));
    expect(row).toMatchObject({ actorRole: 'auditor', schoolId: server.schoolId });
  });
});

describe('checking the chain from the app', () => {
  it('reports ok, and the first tampered entry once a row is edited in the database', async () => {
    await clearAuditTrail();
    await pushStudent(server.token, server.schoolId);
    await pushStudent(server.token, server.schoolId);
    expect(await getOk('/api/v1/audit/verify')).toEqual({ ok: true, entries: 2, checkpoint: null, broken: null });
    await database.db.execute(sql`update audit_log set after = jsonb_set(after::jsonb, '{firstName}', '"Mallory"') where seq = 1`);
    expect(await getOk('/api/v1/audit/verify')).toMatchObject({ ok: false, broken: { seq: 1, problem: 'edited' } });
  });
});
