// Two desks, one server: a student added on one desk reaches the other live; a desk that goes
// offline keeps working from its replica, survives a reload, and catches up when back online.
import { expect, test, type APIRequestContext } from '@playwright/test';
import pg from 'pg';
import type { LoginResponse, PullResponse, Student } from '@feemaster/core';
import { E2E_OWNER, E2E_PORT, e2eDatabaseUrl } from './e2e-env.ts';
import { startOutageProxy } from './outage-proxy.ts';
import { addStudent, goOffline, goOnline, signIn, studentRow, syncIndicator, waitForOfflineShell } from './desk.ts';

async function serverStudents(request: APIRequestContext): Promise<Student[]> {
  const login = await request.post('/api/v1/auth/login', { data: { email: E2E_OWNER.ownerEmail, password: E2E_OWNER.ownerPassword } });
  const { accessToken } = (await login.json()) as LoginResponse;
  const pull = await request.get('/api/v1/sync/students/1/pull?limit=1000', { headers: { authorization: `Bearer ${accessToken}` } });
  // Only this spec's students (RA-…): other specs share the server.
  return ((await pull.json()) as PullResponse<Student>).documents.filter((s) => s.admissionNumber.startsWith('RA-'));
}

async function postgresAdmissionNumbers(): Promise<string[] | null> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) return null;
  const client = new pg.Client({ connectionString: e2eDatabaseUrl(adminUrl) });
  await client.connect();
  try {
    const result = await client.query<{ admission: string }>("select data->>'admissionNumber' as admission from sync_documents where collection = 'students' and data->>'admissionNumber' like 'RA-%' order by 1");
    return result.rows.map((r) => r.admission);
  } finally {
    await client.end();
  }
}

test('a student travels between two desks, including through an outage on desk A', async ({ browser, request }) => {
  // Desk A reaches the server through a link the test can cut; desk B connects directly.
  const linkA = await startOutageProxy(E2E_PORT);
  const contextA = await browser.newContext({ baseURL: linkA.url });
  const contextB = await browser.newContext();
  const deskA = await contextA.newPage();
  const deskB = await contextB.newPage();
  await signIn(deskA);
  await signIn(deskB);

  // Live: added on A, visible on B within 2 seconds.
  await addStudent(deskA, { admissionNumber: 'RA-1001', firstName: 'Achieng', lastName: 'Odhiambo' });
  await expect(studentRow(deskA, 'RA-1001')).toBeVisible();
  await expect(studentRow(deskB, 'RA-1001')).toBeVisible({ timeout: 2_000 });
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0');

  // Outage on A: it keeps taking work, shows it as waiting, and a reload still shows it.
  await waitForOfflineShell(deskA);
  await goOffline(contextA, linkA);
  await expect(syncIndicator(deskA)).toHaveAttribute('data-network', 'offline');
  await addStudent(deskA, { admissionNumber: 'RA-1002', firstName: 'Baraka', lastName: 'Mwangi' });
  await expect(studentRow(deskA, 'RA-1002')).toBeVisible();
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '1');
  await expect(syncIndicator(deskA)).toContainText('Offline');

  await deskA.reload();
  // Chromium 150 forgets the emulated offline state of navigator.onLine on a reload (the link
  // stays cut): the outage is told to the reloaded page again, as the OS would keep telling it.
  await contextA.setOffline(false);
  await contextA.setOffline(true);
  await expect(studentRow(deskA, 'RA-1002')).toBeVisible();
  await expect(studentRow(deskA, 'RA-1001')).toBeVisible();
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '1');
  await expect(syncIndicator(deskA)).toHaveAttribute('data-network', 'offline');
  expect((await serverStudents(request)).map((s) => s.admissionNumber)).toEqual(['RA-1001']);
  await expect(studentRow(deskB, 'RA-1002')).toHaveCount(0);

  // Back online: the waiting student reaches the server (PostgreSQL in CI) and desk B.
  await goOnline(contextA, linkA);
  await expect(studentRow(deskB, 'RA-1002')).toBeVisible({ timeout: 15_000 });
  await expect(syncIndicator(deskA)).toHaveAttribute('data-pending', '0');
  await expect(syncIndicator(deskA)).toHaveAttribute('data-server', 'connected');
  expect((await serverStudents(request)).map((s) => s.admissionNumber).sort()).toEqual(['RA-1001', 'RA-1002']);
  const inPostgres = await postgresAdmissionNumbers();
  if (inPostgres) expect(inPostgres).toEqual(['RA-1001', 'RA-1002']);

  await contextA.close();
  await contextB.close();
  await linkA.close();
});
