// What the Setup screens read from the desk's replica: the school's reference data grouped by
// kind and its fee structures, live (another desk's change shows as it arrives), sorted the way
// a bursar looks for them.
import { useMemo } from 'react';
import { map } from 'rxjs';
import type {
  AcademicYearDoc,
  ClassDoc,
  DiscountRuleDoc,
  FeeCategoryDoc,
  FeeStructure,
  LateFeeRuleDoc,
  ReferenceDoc,
  SettingsDoc,
  Student,
  StudentCategoryDoc,
  TermDoc,
} from '@feemaster/core';
import { isOfflineSession } from '../api/session.ts';
import { useObservable } from '../components/use-observable.ts';
import type { Desk } from '../desk/open-desk.ts';
import type { SetupWriter } from './setup-store.ts';

export interface SetupData {
  /** False until the replica has answered the first query. */
  loaded: boolean;
  settings: SettingsDoc | null;
  years: AcademicYearDoc[];
  terms: TermDoc[];
  classes: ClassDoc[];
  feeCategories: FeeCategoryDoc[];
  studentCategories: StudentCategoryDoc[];
  discountRules: DiscountRuleDoc[];
  lateFeeRules: LateFeeRuleDoc[];
  structures: FeeStructure[];
  /** The school's currency, which every amount of fees and rules is typed and stored in. */
  currency: string;
}

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name, undefined, { numeric: true });
const byStart = (a: { name: string; data: { startDate: string } }, b: { name: string; data: { startDate: string } }): number =>
  a.data.startDate < b.data.startDate ? -1 : a.data.startDate > b.data.startDate ? 1 : byName(a, b);
/** Classes by level (those without one last), then name. */
export const byLevel = (a: ClassDoc, b: ClassDoc): number => (a.data.level ?? 99) - (b.data.level ?? 99) || byName(a, b);

export function groupReference(docs: readonly ReferenceDoc[], structures: readonly FeeStructure[], fallbackCurrency: string): Omit<SetupData, 'loaded'> {
  const data: Omit<SetupData, 'loaded' | 'currency'> = {
    settings: null,
    years: [],
    terms: [],
    classes: [],
    feeCategories: [],
    studentCategories: [],
    discountRules: [],
    lateFeeRules: [],
    structures: [...structures].sort(byName),
  };
  for (const doc of docs) {
    switch (doc.kind) {
      case 'settings':
        data.settings = doc;
        break;
      case 'academicYear':
        data.years.push(doc);
        break;
      case 'term':
        data.terms.push(doc);
        break;
      case 'class':
        data.classes.push(doc);
        break;
      case 'feeCategory':
        data.feeCategories.push(doc);
        break;
      case 'studentCategory':
        data.studentCategories.push(doc);
        break;
      case 'discountRule':
        data.discountRules.push(doc);
        break;
      case 'lateFeeRule':
        data.lateFeeRules.push(doc);
        break;
      case 'office':
      case 'device':
        // Offices and desks are looked after on the Desks screen.
        break;
    }
  }
  data.years.sort(byStart);
  data.terms.sort(byStart);
  data.classes.sort(byLevel);
  data.feeCategories.sort(byName);
  data.studentCategories.sort(byName);
  data.discountRules.sort(byName);
  data.lateFeeRules.sort(byName);
  return { ...data, currency: data.settings?.data.currency ?? fallbackCurrency };
}

export function useSetupData(desk: Desk): SetupData {
  const reference$ = useMemo(() => desk.db.reference.find().$.pipe(map((docs) => docs.map((d) => d.toJSON() as ReferenceDoc))), [desk]);
  const structures$ = useMemo(() => desk.db.feeStructures.find().$.pipe(map((docs) => docs.map((d) => d.toJSON() as FeeStructure))), [desk]);
  const reference = useObservable<ReferenceDoc[] | null>(reference$, null);
  const structures = useObservable<FeeStructure[] | null>(structures$, null);
  const currency = desk.session.school.currency;
  return useMemo(
    () => ({ loaded: reference !== null && structures !== null, ...groupReference(reference ?? [], structures ?? [], currency) }),
    [reference, structures, currency],
  );
}

/** The school's students, live: counted per class and moved at year end. */
export function useStudents(desk: Desk): Student[] | null {
  const students$ = useMemo(() => desk.db.students.find().$.pipe(map((docs) => docs.map((d) => d.toJSON() as Student))), [desk]);
  return useObservable<Student[] | null>(students$, null);
}

export function setupWriter(desk: Desk): SetupWriter {
  return {
    db: desk.db,
    pending: desk.pending,
    role: desk.session.user.role,
    session: isOfflineSession(desk.session) ? 'offline' : 'online',
    schoolId: desk.session.school.id,
  };
}

/** Items to list: archived ones only when asked for. */
export function shown<T extends { archived?: boolean }>(items: readonly T[], showArchived: boolean): T[] {
  return showArchived ? [...items] : items.filter((item) => item.archived !== true);
}

export const active = <T extends { archived?: boolean }>(items: readonly T[]): T[] => items.filter((item) => item.archived !== true);
