// PUT /api/v1/bulk/update-students (preview, then all at once) and the rule that a student with
// ledger entries is archived, never deleted, whichever way the deletion arrives.
import { describe, expect, it } from 'vitest';
import { LEDGER_SCHEMA_VERSION, newId, replicatedCollections, type ClassDoc, type ErrorBody, type InvoiceDoc, type Student } from '@feemaster/core';
import { makeStudent, signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { schoolDocuments } from './school-documents.ts';

const suite = serverPerTest((database) => startTestServer(database));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function push(collection: string, version: number, docs: object[], token = suite.server.token) {
  return suite.server.app.inject({ method: 'POST', url: `/api/v1/sync/${collection}/${String(version)}/push`, headers: bearer(token), payload: docs.map((doc) => ({ newDocumentState: { ...doc, _deleted: false } })) });
}

async function school() {
  const now = new Date().toISOString();
  const g4: ClassDoc = { id: newId(), schoolId: suite.server.schoolId, kind: 'class', name: 'Grade 4 East', data: {}, createdAt: now, updatedAt: now };
  const g5: ClassDoc = { ...g4, id: newId(), name: 'Grade 5 East' };
  expect((await push('reference', replicatedCollections.reference.schemaVersion, [g4, g5])).statusCode).toBe(200);
  const students = [1, 2, 3].map((n) => makeStudent(suite.server.schoolId, { admissionNumber: `U-${String(n)}`, classId: g4.id }));
  expect((await push('students', replicatedCollections.students.schemaVersion, students)).statusCode).toBe(200);
  return { g4, g5, students };
}

const update = (payload: object, token = suite.server.token) => suite.server.app.inject({ method: 'PUT', url: '/api/v1/bulk/update-students', headers: bearer(token), payload });
const stored = async () => (await schoolDocuments<Student>(suite.database.db, suite.server.schoolId, 'students')).sort((a, b) => a.admissionNumber.localeCompare(b.admissionNumber));

describe('bulk update of students', () => {
  it('previews, then moves the chosen students to a class in one go', async () => {
    const { g4, g5, students } = await school();
    const ids = students.slice(0, 2).map((s) => s.id);
    const preview = await update({ studentIds: ids, changes: { classId: g5.id }, dryRun: true });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ dryRun: true, written: false, unchanged: 0, changed: [{ id: ids[0], admissionNumber: 'U-1', name: 'Amani Otieno' }, { id: ids[1], admissionNumber: 'U-2', name: 'Amani Otieno' }] });
    expect((await stored()).map((s) => s.classId)).toEqual([g4.id, g4.id, g4.id]);

    const done = await update({ studentIds: ids, changes: { classId: g5.id } });
    expect(done.json()).toMatchObject({ written: true, unchanged: 0 });
    expect((await stored()).map((s) => s.classId)).toEqual([g5.id, g5.id, g4.id]);
    // Archiving is a status; a student already so is left as is.
    const archive = await update({ studentIds: [ids[0], students[2]?.id], changes: { status: 'left' } });
    expect(archive.json()).toMatchObject({ written: true, unchanged: 0 });
    const again = await update({ studentIds: [ids[0]], changes: { status: 'left' } });
    expect(again.json()).toEqual({ dryRun: false, written: false, unchanged: 1, changed: [] });
    expect((await stored()).map((s) => s.status)).toEqual(['left', 'active', 'left']);
  });

  it('refuses an unknown class or student, and a cashier, changing nothing', async () => {
    const { students } = await school();
    const badClass = await update({ studentIds: [students[0]?.id], changes: { classId: newId() } });
    expect(badClass.statusCode).toBe(422);
    expect(badClass.json<ErrorBody>().message).toBe('The class chosen is not set up (or is archived): choose another class, or set it up under Setup first. Nothing was changed.');
    const stranger = await update({ studentIds: [students[0]?.id, newId()], changes: { status: 'left' } });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json<ErrorBody>().message).toContain('1 of the students chosen are not in this school');
    const cashier = await signInAs(suite.server, suite.database, 'cashier');
    expect((await update({ studentIds: [students[0]?.id], changes: { status: 'left' } }, cashier)).statusCode).toBe(403);
    expect((await stored()).map((s) => s.status)).toEqual(['active', 'active', 'active']);
  });
});

describe('deleting students', () => {
  it('refuses to delete a student with ledger entries, naming the archive alternative; one without goes', async () => {
    const { students } = await school();
    const [billed, clean] = students;
    if (!billed || !clean) throw new Error('two students expected');
    const invoice: InvoiceDoc = {
      id: newId(), schoolId: suite.server.schoolId, currency: 'KES', createdAt: new Date().toISOString(), createdBy: newId(), type: 'invoice', studentId: billed.id, termId: newId(), classId: newId(), feeStructureId: newId(), issuedOn: '2026-01-05',
      charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2026-01-31', amount: 100_000 }],
    };
    expect((await push('ledger', LEDGER_SCHEMA_VERSION, [invoice])).statusCode).toBe(200);
    const deletion = (student: Student) => ({ assumedMasterState: { ...student, _deleted: false }, newDocumentState: { ...student, _deleted: true } });
    const refused = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: bearer(suite.server.token), payload: [deletion(clean), deletion(billed)] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<ErrorBody>().message).toBe('Amani Otieno (U-1) has 1 ledger entry (bills, payments…), which must keep their student. Archive the student instead: set the status to left or graduated. Nothing from this upload was saved.');
    expect(await stored()).toHaveLength(3);
    const allowed = await suite.server.app.inject({ method: 'POST', url: '/api/v1/sync/students/1/push', headers: bearer(suite.server.token), payload: [deletion(clean)] });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect((await stored()).map((s) => s.admissionNumber)).toEqual(['U-1', 'U-3']);
  });
});
