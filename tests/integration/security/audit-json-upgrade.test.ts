// Migration 0009 turned sync_documents.data and audit_log.before/after from jsonb into json. A
// database written before it holds jsonb values, which the migration converts to jsonb's printed
// text (keys reordered, spaces added). The audit chain must still verify and the desks must pull
// the same documents afterwards. Here the columns are put back to jsonb, the rows rewritten into
// it, and the migration's own statements run again. Runs on PGlite and PostgreSQL.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { syncPath } from '@feemaster/core';
import { auditLog, syncDocuments } from '../../../sync-server/src/db/schema.ts';
import { verifyAuditChains } from '../../../sync-server/src/audit/verify.ts';
import { openTestDatabase, type TestDatabase } from '../../../sync-server/test/database.ts';
import { makeStudent, startTestServer, type TestServer } from '../../../sync-server/test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  await database.reset();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});

const migration = new URL('../../../sync-server/drizzle/0009_documents_and_audit_as_json.sql', import.meta.url);

async function pullStudents(): Promise<unknown[]> {
  const res = await server.app.inject({
    method: 'GET',
    url: `${syncPath('students', 1, 'pull')}?checkpoint=&limit=100`,
    headers: { authorization: `Bearer ${server.token}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json<{ documents: unknown[] }>()).documents;
}

async function afterText(seq: number): Promise<string> {
  const [row] = await database.db
    .select({ text: sql<string>`${auditLog.after}::text` })
    .from(auditLog)
    .where(and(eq(auditLog.chain, server.schoolId), eq(auditLog.seq, seq)));
  if (!row) throw new Error(`no audit entry ${String(seq)} in the school's chain`);
  return row.text;
}

it('entries and documents written as jsonb still verify and pull the same after the conversion to json', async () => {
  for (let i = 0; i < 4; i += 1) {
    const res = await server.app.inject({
      method: 'POST',
      url: syncPath('students', 1, 'push'),
      headers: { authorization: `Bearer ${server.token}` },
      payload: [{ newDocumentState: { ...makeStudent(server.schoolId), otherNames: `café "${String(i)}"\n\ttab \\ back` } }],
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  const pulledBefore = await pullStudents();
  expect(pulledBefore).toHaveLength(4);
  const [lastEntry] = await database.db
    .select({ seq: auditLog.seq })
    .from(auditLog)
    .where(and(eq(auditLog.chain, server.schoolId), eq(auditLog.action, 'students.create')))
    .orderBy(sql`${auditLog.seq} desc`)
    .limit(1);
  if (!lastEntry) throw new Error('the pushes wrote no audit entries');
  const textBefore = await afterText(lastEntry.seq);

  // As the database stood before migration 0009, then the migration itself.
  await database.db.execute(sql.raw('alter table audit_log alter column before type jsonb, alter column after type jsonb'));
  await database.db.execute(sql.raw('alter table sync_documents alter column data type jsonb'));
  for (const statement of (await readFile(migration, 'utf8')).split('--> statement-breakpoint')) await database.db.execute(sql.raw(statement));

  const [auditTypes] = await database.db
    .select({ before: sql<string>`pg_typeof(${auditLog.before})::text`, after: sql<string>`pg_typeof(${auditLog.after})::text` })
    .from(auditLog)
    .limit(1);
  const [documentType] = await database.db.select({ data: sql<string>`pg_typeof(${syncDocuments.data})::text` }).from(syncDocuments).limit(1);
  expect({ ...auditTypes, ...documentType }).toEqual({ before: 'json', after: 'json', data: 'json' });
  // The stored text really changed form (jsonb's printing), so the checks below are not trivial.
  expect(await afterText(lastEntry.seq)).not.toBe(textBefore);
  expect(JSON.parse(await afterText(lastEntry.seq))).toEqual(JSON.parse(textBefore));
  const reports = await verifyAuditChains(database.db);
  expect(reports.length).toBeGreaterThan(0);
  expect(reports.filter((report) => !report.ok)).toEqual([]);
  expect(await pullStudents()).toEqual(pulledBefore);
});
