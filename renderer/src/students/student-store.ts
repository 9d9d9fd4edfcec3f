// Creating and editing students on the desk: builds a valid document from the form, checks it
// with the same core validator the server uses, records it as pending and writes it locally.
import { StudentSchema, newId, validateAgainst, type Student, type StudentStatus, type ValidationProblem } from '@feemaster/core';
import type { StudentCollection } from '../db/database.ts';
import type { PendingChanges } from '../sync/pending-changes.ts';

export interface StudentDraft {
  admissionNumber: string;
  firstName: string;
  lastName: string;
  otherNames: string;
  dateOfBirth: string;
  status: StudentStatus;
  /** '' = no class yet. */
  classId: string;
  categoryId: string;
  joinedOn: string;
  staffChild: boolean;
}

export const emptyDraft: StudentDraft = { admissionNumber: '', firstName: '', lastName: '', otherNames: '', dateOfBirth: '', status: 'active', classId: '', categoryId: '', joinedOn: '', staffChild: false };

export function draftOf(student: Student): StudentDraft {
  return {
    admissionNumber: student.admissionNumber,
    firstName: student.firstName,
    lastName: student.lastName,
    otherNames: student.otherNames ?? '',
    dateOfBirth: student.dateOfBirth ?? '',
    status: student.status,
    classId: student.classId ?? '',
    categoryId: student.categoryId ?? '',
    joinedOn: student.joinedOn ?? '',
    staffChild: student.staffChild === true,
  };
}

export class StudentInvalidError extends Error {
  constructor(readonly problems: ValidationProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'StudentInvalidError';
  }
}

/** Builds the document to store: trims text, drops empty optional fields, stamps times. */
export function buildStudent(draft: StudentDraft, base: { id: string; schoolId: string; createdAt: string }, now: Date): Student {
  const student: Student = {
    id: base.id,
    schoolId: base.schoolId,
    admissionNumber: draft.admissionNumber.trim(),
    firstName: draft.firstName.trim(),
    lastName: draft.lastName.trim(),
    status: draft.status,
    createdAt: base.createdAt,
    updatedAt: now.toISOString(),
  };
  if (draft.otherNames.trim()) student.otherNames = draft.otherNames.trim();
  if (draft.dateOfBirth) student.dateOfBirth = draft.dateOfBirth;
  if (draft.classId) student.classId = draft.classId;
  if (draft.categoryId) student.categoryId = draft.categoryId;
  if (draft.joinedOn) student.joinedOn = draft.joinedOn;
  if (draft.staffChild) student.staffChild = true;
  const problems = validateAgainst(StudentSchema, student);
  if (problems.length > 0) throw new StudentInvalidError(problems);
  return student;
}

export async function saveStudent(
  collection: StudentCollection,
  pending: PendingChanges,
  draft: StudentDraft,
  existing: Student | null,
  schoolId: string,
  now = new Date(),
): Promise<Student> {
  const createdAt = existing?.createdAt ?? now.toISOString();
  const student = buildStudent(draft, { id: existing?.id ?? newId(), schoolId, createdAt }, now);
  const duplicate = await collection.findOne({ selector: { admissionNumber: student.admissionNumber, id: { $ne: student.id } } }).exec();
  if (duplicate) {
    throw new StudentInvalidError([
      { path: '/admissionNumber', message: `Admission number ${student.admissionNumber} already belongs to ${duplicate.firstName} ${duplicate.lastName}` },
    ]);
  }
  // Marked before writing (not awaited: it is stored a moment later, before any settle asked for after it).
  pending.mark(student.id, student.updatedAt).catch((error: unknown) => console.warn('The student is saved, but could not be counted as waiting to sync:', error));
  try {
    await collection.upsert(student);
  } catch (error) {
    await pending.settle([{ id: student.id, updatedAt: student.updatedAt }]);
    throw error;
  }
  return student;
}
