// Writes of the Setup screens to the desk's replica: checked against the permission table and
// the collection's own validator (the server checks both again on every push), marked as waiting
// to sync before they are written, exactly as the students register writes. Works offline.
import {
  newId,
  referenceKinds,
  refusalToWrite,
  replicatedCollections,
  type FeeStructure,
  type ReferenceDoc,
  type ReferenceKind,
  type Role,
  type SessionKind,
  type Student,
  type ValidationProblem,
} from '@feemaster/core';
import type { RxCollection } from 'rxdb';
import type { FeeMasterCollections } from '../db/database.ts';
import type { PendingChanges } from '../sync/pending-changes.ts';

type SetupCollection = 'reference' | 'feeStructures' | 'students';

/** What the Setup screens need of a desk to write. */
export interface SetupWriter {
  db: Pick<FeeMasterCollections, SetupCollection>;
  pending: Readonly<Record<SetupCollection, PendingChanges>>;
  role: Role;
  session: SessionKind;
  schoolId: string;
}

/** A write the desk will not make, with the reason in plain words and the schema's problems if any. */
export class SetupWriteError extends Error {
  constructor(
    message: string,
    readonly problems: readonly ValidationProblem[] = [],
  ) {
    super(message);
    this.name = 'SetupWriteError';
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a Setup form fills in of a reference document: its kind, name, data and maybe archived. */
export type ReferenceBody = DistributiveOmit<ReferenceDoc, 'id' | 'schoolId' | 'createdAt' | 'updatedAt'>;

export const referenceKindNames = Object.keys(referenceKinds) as ReferenceKind[];

/** Null when the person may change this kind of reference data here; otherwise the sentence to show. */
export function refusalForKind(writer: Pick<SetupWriter, 'role' | 'session'>, kind: ReferenceKind): string | null {
  const refusal = refusalToWrite(writer.role, 'reference', { kind }, writer.session);
  return refusal === null ? null : sentence(refusal);
}

export function refusalForCollection(writer: Pick<SetupWriter, 'role' | 'session'>, collection: 'feeStructures' | 'students'): string | null {
  const refusal = refusalToWrite(writer.role, collection, {}, writer.session);
  return refusal === null ? null : sentence(refusal);
}

const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

/**
 * The reference document to store for `body`, keeping the id, creation time and archived mark of
 * `existing` (an item once archived keeps an explicit `archived: false` when restored, so the
 * server's field-level merge sees a change rather than a missing field).
 */
export function referenceDoc(body: ReferenceBody, existing: { id: string; createdAt: string; archived?: boolean } | null, schoolId: string, now: Date): ReferenceDoc {
  const archived = body.archived ?? existing?.archived;
  const stamp = now.toISOString();
  return {
    ...body,
    id: existing?.id ?? newId(),
    schoolId,
    name: body.name.trim(),
    ...(archived === undefined ? {} : { archived }),
    createdAt: existing?.createdAt ?? stamp,
    updatedAt: stamp,
  };
}

export async function saveReference(writer: SetupWriter, doc: ReferenceDoc): Promise<ReferenceDoc> {
  const refusal = refusalForKind(writer, doc.kind);
  if (refusal !== null) throw new SetupWriteError(refusal);
  const problems = replicatedCollections.reference.validate(doc);
  if (problems.length > 0) throw new SetupWriteError(`This was not saved: ${problems.map((p) => p.message).join('; ')}`, problems);
  await writeMarked(writer.db.reference, writer.pending.reference, doc);
  return doc;
}

/** Archives (or restores) a reference item: mutable master data is never deleted. */
export async function setReferenceArchived(writer: SetupWriter, doc: ReferenceDoc, archived: boolean, now = new Date()): Promise<ReferenceDoc> {
  return saveReference(writer, { ...doc, archived, updatedAt: now.toISOString() });
}

export async function saveFeeStructure(writer: SetupWriter, structure: FeeStructure): Promise<FeeStructure> {
  const refusal = refusalForCollection(writer, 'feeStructures');
  if (refusal !== null) throw new SetupWriteError(refusal);
  const problems = replicatedCollections.feeStructures.validate(structure);
  if (problems.length > 0) throw new SetupWriteError(`This fee structure was not saved: ${problems.map((p) => p.message).join('; ')}`, problems);
  await writeMarked(writer.db.feeStructures, writer.pending.feeStructures, structure);
  return structure;
}

export async function setFeeStructureArchived(writer: SetupWriter, structure: FeeStructure, archived: boolean, now = new Date()): Promise<FeeStructure> {
  return saveFeeStructure(writer, { ...structure, archived, updatedAt: now.toISOString() });
}

/**
 * Writes changed students in one bulk write (a promotion). Every student is checked first, so a
 * bad one stops the change before anything is written; any the replica then refuses are counted
 * out of the waiting-to-sync list again and reported by name.
 */
export async function saveStudents(writer: SetupWriter, students: readonly Student[]): Promise<{ saved: number; failed: { student: Student; reason: string }[] }> {
  const refusal = refusalForCollection(writer, 'students');
  if (refusal !== null) throw new SetupWriteError(refusal);
  for (const student of students) {
    const problems = replicatedCollections.students.validate(student);
    if (problems.length > 0) {
      throw new SetupWriteError(`Nothing was changed: ${student.firstName} ${student.lastName} (${student.admissionNumber}) would not be valid (${problems.map((p) => p.message).join('; ')}).`, problems);
    }
  }
  if (students.length === 0) return { saved: 0, failed: [] };
  // Marked first in one write, not awaited (stored in order, before any settle of their upload), as every desk write is.
  writer.pending.students
    .markMany(students.map(({ id, updatedAt }) => ({ id, updatedAt })))
    .catch((error: unknown) => console.warn('The promoted students are saved, but could not be counted as waiting to sync:', error));
  let result: Awaited<ReturnType<RxCollection<Student>['bulkUpsert']>>;
  try {
    result = await writer.db.students.bulkUpsert([...students]);
  } catch (error) {
    await writer.pending.students.settle(students.map(({ id, updatedAt }) => ({ id, updatedAt })));
    throw error;
  }
  const byId = new Map(students.map((s) => [s.id, s]));
  const failed = result.error.flatMap((error) => {
    const student = byId.get(error.documentId);
    return student ? [{ student, reason: error.status === 409 ? 'it was changed on this desk at the same moment; try again' : `the desk refused it (${String(error.status)})` }] : [];
  });
  if (failed.length > 0) await writer.pending.students.settle(failed.map(({ student }) => ({ id: student.id, updatedAt: student.updatedAt })));
  return { saved: result.success.length, failed };
}

async function writeMarked<T extends { id: string; updatedAt: string }>(collection: RxCollection<T>, pending: PendingChanges, doc: T): Promise<void> {
  // Marked before writing (not awaited: it is stored a moment later, before any settle asked for after it).
  pending.mark(doc.id, doc.updatedAt).catch((error: unknown) => console.warn('The change is saved, but could not be counted as waiting to sync:', error));
  try {
    await collection.upsert(doc);
  } catch (error) {
    await pending.settle([{ id: doc.id, updatedAt: doc.updatedAt }]);
    throw error;
  }
}
