// Year-end promotion: for each class, the class its active students move to, or "leaves school"
// (they become graduated). Planned from one snapshot of the register, so when Grade 4 moves to
// Grade 5 and Grade 5 to Grade 6, this year's Grade 4 ends in Grade 5, not Grade 6.
import type { ClassDoc, Student } from '@feemaster/core';

/** Where a class's students go: '' stays (nothing changes), 'leave' leaves school, else a class id. */
export type Destination = string;
export const STAYS = '';
export const LEAVES = 'leave';

export interface PromotionMove {
  fromClassId: string;
  to: Destination;
  students: Student[];
}

export interface PromotionPlan {
  /** One entry per class whose students move, in the order of `classes`. */
  moves: PromotionMove[];
  /** The students as they will be stored. */
  changes: Student[];
  /** Destinations that cannot be used (an archived or unknown class), by source class. */
  problems: Record<string, string>;
}

/** Active students per class id. */
export function activeByClass(students: readonly Student[]): Map<string, Student[]> {
  const byClass = new Map<string, Student[]>();
  for (const student of students) {
    if (student.status !== 'active' || student.classId === undefined) continue;
    byClass.set(student.classId, [...(byClass.get(student.classId) ?? []), student]);
  }
  return byClass;
}

export function planPromotion(students: readonly Student[], classes: readonly ClassDoc[], choices: Readonly<Record<string, Destination>>, now: string): PromotionPlan {
  const byClass = activeByClass(students);
  const open = new Set(classes.filter((c) => c.archived !== true).map((c) => c.id));
  const moves: PromotionMove[] = [];
  const changes: Student[] = [];
  const problems: Record<string, string> = {};
  for (const from of classes) {
    const to = choices[from.id] ?? STAYS;
    const moving = byClass.get(from.id) ?? [];
    if (to === STAYS || to === from.id || moving.length === 0) continue;
    if (to !== LEAVES && !open.has(to)) {
      problems[from.id] = `The class chosen for ${from.name} is archived or no longer set up: choose another.`;
      continue;
    }
    moves.push({ fromClassId: from.id, to, students: moving });
    for (const student of moving) {
      // A leaver keeps the class they left from: their history says where they finished.
      changes.push(to === LEAVES ? { ...student, status: 'graduated', updatedAt: now } : { ...student, classId: to, updatedAt: now });
    }
  }
  return { moves, changes, problems };
}

/**
 * A starting point from the classes' levels: each class moves to the one unarchived class a level
 * up when there is exactly one; otherwise it stays, for the bursar to choose.
 */
export function suggestByLevel(classes: readonly ClassDoc[]): Record<string, Destination> {
  const open = classes.filter((c) => c.archived !== true);
  const suggestion: Record<string, Destination> = {};
  for (const from of open) {
    const level = from.data.level;
    if (level === undefined) continue;
    const above = open.filter((c) => c.data.level === level + 1);
    const [only] = above;
    if (only && above.length === 1) suggestion[from.id] = only.id;
  }
  return suggestion;
}
