import { describe, expect, it } from 'vitest';
import { newId, type ClassDoc, type Student } from '@feemaster/core';
import { LEAVES, planPromotion, suggestByLevel } from './promotion.ts';

const schoolId = newId();
const at = '2031-11-30T10:00:00.000Z';
const now = '2031-12-01T10:00:00.000Z';
const klass = (name: string, level?: number, archived?: boolean): ClassDoc => ({
  id: newId(), schoolId, kind: 'class', name, data: level === undefined ? {} : { level }, ...(archived ? { archived } : {}), createdAt: at, updatedAt: at,
});
const student = (admissionNumber: string, classId: string | undefined, status: Student['status'] = 'active'): Student => ({
  id: newId(), schoolId, admissionNumber, firstName: admissionNumber, lastName: 'Pupil', status, ...(classId ? { classId } : {}), createdAt: at, updatedAt: at,
});

const g4 = klass('Grade 4', 4);
const g5 = klass('Grade 5', 5);
const g6 = klass('Grade 6', 6);

describe('planPromotion', () => {
  it('moves every class from the same snapshot, so a student moves up one class only', () => {
    const [a, b, c] = [student('A', g4.id), student('B', g5.id), student('C', g6.id)];
    const plan = planPromotion([a, b, c], [g4, g5, g6], { [g4.id]: g5.id, [g5.id]: g6.id, [g6.id]: LEAVES }, now);
    expect(plan.moves.map((m) => [m.fromClassId, m.to, m.students.map((s) => s.admissionNumber)])).toEqual([
      [g4.id, g5.id, ['A']],
      [g5.id, g6.id, ['B']],
      [g6.id, LEAVES, ['C']],
    ]);
    expect(plan.changes).toEqual([
      { ...a, classId: g5.id, updatedAt: now },
      { ...b, classId: g6.id, updatedAt: now },
      { ...c, status: 'graduated', updatedAt: now },
    ]);
    expect(plan.problems).toEqual({});
  });

  it('moves only active students, and leaves classes that stay (or move to themselves) alone', () => {
    const plan = planPromotion([student('A', g4.id), student('L', g4.id, 'left'), student('G', g4.id, 'graduated'), student('N', undefined), student('B', g5.id)], [g4, g5], { [g4.id]: g5.id, [g5.id]: g5.id }, now);
    expect(plan.changes.map((s) => s.admissionNumber)).toEqual(['A']);
    expect(plan.moves).toHaveLength(1);
  });

  it('refuses a move into an archived class with the reason, moving nothing from that class', () => {
    const closed = klass('Grade 5 (old)', 5, true);
    const plan = planPromotion([student('A', g4.id)], [g4, closed], { [g4.id]: closed.id }, now);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual({ [g4.id]: 'The class chosen for Grade 4 is archived or no longer set up: choose another.' });
  });
});

describe('suggestByLevel', () => {
  it('suggests the one class a level up, and nothing where there are none or several', () => {
    const g5b = klass('Grade 5 B', 5);
    expect(suggestByLevel([g4, g5, g6])).toEqual({ [g4.id]: g5.id, [g5.id]: g6.id });
    expect(suggestByLevel([g4, g5, g5b, g6, klass('Nursery')])).toEqual({ [g5.id]: g6.id, [g5b.id]: g6.id });
    expect(suggestByLevel([g4, { ...g5, archived: true }])).toEqual({});
  });
});
