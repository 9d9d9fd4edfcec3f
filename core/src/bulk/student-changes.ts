// Bulk changes to selected students (class, category, status), previewed before they are made,
// and the rule for deleting one: a student with anything in the ledger is never deleted (their
// history would lose its subject); they are archived by marking them left or graduated instead.
import type { Student, StudentStatus } from '../schemas/students.ts';
import type { ClassDoc, StudentCategoryDoc } from '../fees/reference.ts';
import type { Change } from './student-import.ts';

export interface BulkStudentChange {
  classId?: string;
  categoryId?: string;
  status?: StudentStatus;
}

export interface BulkChangePlan {
  changes: Change<Student>[];
  /** Selected students the change leaves as they are. */
  unchanged: Student[];
  /** Problems that stop the whole change (an unknown class, no student selected). */
  problems: string[];
}

export function planBulkStudentChange(
  selected: readonly Student[],
  change: BulkStudentChange,
  context: { classes: readonly ClassDoc[]; categories: readonly StudentCategoryDoc[]; now: string },
): BulkChangePlan {
  const problems: string[] = [];
  if (selected.length === 0) problems.push('No student is selected: tick the students to change first.');
  if (change.classId === undefined && change.categoryId === undefined && change.status === undefined) problems.push('Choose what to change: a class, a category or a status.');
  if (change.classId !== undefined && !context.classes.some((c) => c.id === change.classId && c.archived !== true)) {
    problems.push('The class chosen is not set up (or is archived): choose another class, or set it up under Setup first.');
  }
  if (change.categoryId !== undefined && !context.categories.some((c) => c.id === change.categoryId && c.archived !== true)) {
    problems.push('The student category chosen is not set up (or is archived): choose another, or set it up under Setup first.');
  }
  if (problems.length > 0) return { changes: [], unchanged: [], problems };
  const changes: Change<Student>[] = [];
  const unchanged: Student[] = [];
  for (const before of selected) {
    const after: Student = { ...before };
    if (change.classId !== undefined) after.classId = change.classId;
    if (change.categoryId !== undefined) after.categoryId = change.categoryId;
    if (change.status !== undefined) after.status = change.status;
    if (after.classId === before.classId && after.categoryId === before.categoryId && after.status === before.status) unchanged.push(before);
    else changes.push({ before, after: { ...after, updatedAt: context.now } });
  }
  return { changes, unchanged, problems };
}

/** Why a student may not be deleted (null when they may): anything in the ledger keeps them. */
export function deletionRefusal(student: Student, ledgerEntries: number): string | null {
  if (ledgerEntries === 0) return null;
  return `${student.firstName} ${student.lastName} (${student.admissionNumber}) has ${String(ledgerEntries)} ledger entr${ledgerEntries === 1 ? 'y' : 'ies'} (bills, payments…), which must keep their student. Archive the student instead: set the status to left or graduated.`;
}
