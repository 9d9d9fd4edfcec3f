// The search index of students and families, ready the moment the desk opens. Reading twenty
// thousand students and twelve thousand families through the replica takes seconds, so the desk
// keeps a compact copy of what the search needs (a local document, refreshed a few seconds after
// they change) and answers from it at once, then from the replica itself once that is read.
// Until then a student added in the last seconds before the desk closed may be missing.
import { catchError, combineLatest, concat, debounceTime, defer, EMPTY, from, map, merge, mergeMap, of, shareReplay, type Observable } from 'rxjs';
import { buildPeopleIndex, type Payer, type PeopleIndex, type ReferenceDoc, type Student } from '@feemaster/core';
import type { FeeMasterDatabase } from '../db/database.ts';
import { markStep } from '../components/timings.ts';

/** What the cashier's screen needs of a student. */
export type StudentSummary = Pick<Student, 'id' | 'admissionNumber' | 'firstName' | 'lastName' | 'otherNames' | 'status' | 'classId'>;

export interface People {
  index: PeopleIndex;
  students: ReadonlyMap<string, StudentSummary>;
  payers: readonly Payer[];
  /** False while answering from the copy kept at the last change. */
  fresh: boolean;
}

interface Snapshot {
  version: 1;
  students: StudentSummary[];
  payers: Payer[];
  classNames: [string, string][];
}

const SNAPSHOT_ID = 'people-search';
/** Quiet time after a change before the copy is written again (a sync brings changes in bursts). */
const SAVE_AFTER_MS = 5_000;

function summary(s: Student): StudentSummary {
  return { id: s.id, admissionNumber: s.admissionNumber, firstName: s.firstName, lastName: s.lastName, status: s.status, ...(s.otherNames ? { otherNames: s.otherNames } : {}), ...(s.classId ? { classId: s.classId } : {}) };
}

function peopleOf(snapshot: Snapshot, fresh: boolean): People {
  const classNames = new Map(snapshot.classNames);
  return {
    index: buildPeopleIndex({ students: snapshot.students, payers: snapshot.payers, classNames }),
    students: new Map(snapshot.students.map((s) => [s.id, s])),
    payers: snapshot.payers,
    fresh,
  };
}

function isSnapshot(value: unknown): value is Snapshot {
  return typeof value === 'object' && value !== null && 'version' in value && value.version === 1 && 'students' in value && Array.isArray(value.students) && 'payers' in value && Array.isArray(value.payers) && 'classNames' in value && Array.isArray(value.classNames);
}

/** The people the search knows: the kept copy first (when there is one), then the replica, live. */
export function people$(db: FeeMasterDatabase, options: { saveAfterMs?: number } = {}): Observable<People> {
  const replica$ = combineLatest([db.students.find().$, db.payers.find().$, db.reference.find({ selector: { kind: 'class' } }).$]).pipe(
    map(([students, payers, classes]): Snapshot => {
      markStep('people-read');
      return {
        version: 1,
        students: students.map((d) => summary(d.toJSON() as Student)),
        payers: payers.map((d) => d.toJSON() as Payer),
        classNames: classes.map((d) => d.toJSON() as ReferenceDoc).map((c) => [c.id, c.name]),
      };
    }),
    // Read once for the screen and for keeping the copy; a late subscriber gets the latest.
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  // A single small read: on screen long before the replica's thousands of documents.
  const kept$ = defer(() => from(db.students.getLocal<{ snapshot: unknown }>(SNAPSHOT_ID))).pipe(
    mergeMap((doc) => {
      const snapshot: unknown = doc?.toJSON().data.snapshot;
      return isSnapshot(snapshot) ? of(peopleOf(snapshot, false)) : EMPTY;
    }),
  );
  // Written a few quiet seconds after a change; a failure to keep the copy only costs the next start.
  const saved$ = replica$.pipe(
    debounceTime(options.saveAfterMs ?? SAVE_AFTER_MS),
    mergeMap((snapshot) =>
      from(db.students.upsertLocal(SNAPSHOT_ID, { snapshot })).pipe(
        mergeMap(() => EMPTY),
        catchError((error: unknown) => {
          console.warn('The search copy of students and families could not be kept:', error);
          return EMPTY;
        }),
      ),
    ),
  );
  return merge(concat(kept$, replica$.pipe(map((snapshot) => peopleOf(snapshot, true)))), saved$);
}
