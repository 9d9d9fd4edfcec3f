// Admission numbers are unique per school. Two offline desks can each admit a student under the
// same number; the second push is refused with who already holds it, and nothing is written.
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { deletionRefusal, type ErrorBody, type PushRow, type Student } from '@feemaster/core';
import type { Db } from '../db/client.ts';
import { syncDocuments } from '../db/schema.ts';
import { AppError } from '../errors.ts';

export async function checkStudentPush(tx: Db, schoolId: string, rows: readonly PushRow<Record<string, unknown>>[]): Promise<void> {
  await refuseDeletingStudentsWithLedger(tx, schoolId, rows);
  const live = rows.map((row) => row.newDocumentState).filter((doc) => doc._deleted !== true);
  const holders = new Map<string, { id: string; name: string }>();
  const numbers = [...new Set(live.map((doc) => String(doc.admissionNumber)))];
  if (numbers.length === 0) return;
  const admission = sql<string>`${syncDocuments.data}->>'admissionNumber'`;
  const stored = await tx
    .select({ id: syncDocuments.id, number: admission, data: syncDocuments.data })
    .from(syncDocuments)
    .where(
      and(
        eq(syncDocuments.schoolId, schoolId),
        eq(syncDocuments.collection, 'students'),
        eq(syncDocuments.deleted, false),
        inArray(admission, numbers),
        // Rows this push rewrites are judged by their new state below.
        ne(syncDocuments.id, sql`all(${sql.param(live.map((doc) => String(doc.id)))}::uuid[])`),
      ),
    );
  for (const row of stored) holders.set(row.number, { id: row.id, name: `${String(row.data.firstName)} ${String(row.data.lastName)}` });

  const problems: NonNullable<ErrorBody['problems']> = [];
  rows.forEach((row, index) => {
    const doc = row.newDocumentState;
    if (doc._deleted === true) return;
    const number = String(doc.admissionNumber);
    const holder = holders.get(number);
    if (holder && holder.id !== doc.id) {
      problems.push({ index, id: String(doc.id), path: '/admissionNumber', message: `admission number ${number} already belongs to ${holder.name}` });
    } else {
      holders.set(number, { id: String(doc.id), name: `${String(doc.firstName)} ${String(doc.lastName)}` });
    }
  });
  const [first] = problems;
  if (!first) return;
  throw new AppError(
    422,
    'invalid-document',
    `Student ${first.id ?? ''} was refused: ${first.message}. Nothing from this upload was saved; give this student another admission number and save again.`,
    problems,
  );
}

/** A student with anything in the ledger is archived (left, graduated), never deleted: their history keeps its subject. */
async function refuseDeletingStudentsWithLedger(tx: Db, schoolId: string, rows: readonly PushRow<Record<string, unknown>>[]): Promise<void> {
  const deleted = rows.map((row) => row.newDocumentState).filter((doc) => doc._deleted === true && typeof doc.id === 'string');
  if (deleted.length === 0) return;
  const studentId = sql<string>`${syncDocuments.data}->>'studentId'`;
  const used = await tx
    .select({ studentId, entries: sql<number>`count(*)::int` })
    .from(syncDocuments)
    .where(and(eq(syncDocuments.schoolId, schoolId), eq(syncDocuments.collection, 'ledger'), inArray(studentId, deleted.map((doc) => String(doc.id)))))
    .groupBy(studentId);
  if (used.length === 0) return;
  const counts = new Map(used.map((row) => [row.studentId, row.entries]));
  const problems = deleted.flatMap((doc) => {
    const entries = counts.get(String(doc.id));
    if (!entries) return [];
    const refusal = deletionRefusal(doc as unknown as Student, entries) ?? '';
    return [{ index: rows.findIndex((row) => row.newDocumentState === doc), id: String(doc.id), path: '/_deleted', message: refusal }];
  });
  const [first] = problems;
  if (first) throw new AppError(422, 'invalid-document', `${first.message} Nothing from this upload was saved.`, problems);
}
