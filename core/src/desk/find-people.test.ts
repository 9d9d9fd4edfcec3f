// The cashier's search box: what a cashier types at the window and who they expect to see first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import type { Payer } from '../fees/payers.ts';
import type { Student } from '../schemas/students.ts';
import { buildPeopleIndex, foldText, type PeopleSource } from './find-people.ts';

const now = '2025-01-10T08:00:00.000Z';
const schoolId = newId();
const classId = newId();

function student(admissionNumber: string, firstName: string, lastName: string, extra: Partial<Student> = {}): Student {
  return { id: newId(), schoolId, admissionNumber, firstName, lastName, status: 'active', classId, createdAt: now, updatedAt: now, ...extra };
}
function payer(name: string, phone: string | null, students: readonly Student[], extra: Partial<Payer> = {}): Payer {
  return {
    id: newId(),
    schoolId,
    kind: 'guardian',
    name,
    contacts: phone ? [{ type: 'phone', value: phone }] : [],
    preferredChannel: 'sms',
    students: students.map((s) => ({ studentId: s.id, share: 10_000 })),
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

const amani = student('ADM-104', 'Amani', 'Otieno');
const baraka = student('ADM-105', 'Baraka', 'Otieno');
const jose = student('0042', 'José', 'Núñez', { otherNames: 'María' });
const zoe = student('ADM-7', 'Zoë', 'Nakalema-Ódùá');
const left = student('ADM-1040', 'Amina', 'Otieno', { status: 'left' });
const otienos = payer('Grace Otieno', '+254 712 345 678', [amani, baraka]);
const nunez = payer('Familia Núñez', '0733-100200', [jose]);
const source: PeopleSource = { students: [amani, baraka, jose, zoe, left], payers: [otienos, nunez], classNames: new Map([[classId, 'Grade 4 East']]) };
const index = buildPeopleIndex(source);
const names = (query: string) => index.find(query).map((hit) => `${hit.kind}:${hit.name}`);

describe('finding students and payers', () => {
  it('finds by part of a name, whatever the case and accents', () => {
    expect(names('oti')).toEqual(['payer:Grace Otieno', 'student:Otieno, Amani', 'student:Otieno, Baraka', 'student:Otieno, Amina']);
    expect(names('jose nunez')).toEqual(['student:Núñez, José María']);
    expect(names('NÚÑEZ')).toEqual(['payer:Familia Núñez', 'student:Núñez, José María']);
    expect(names('zoe odua')).toEqual(['student:Nakalema-Ódùá, Zoë']);
    expect(names('maria')).toEqual(['student:Núñez, José María']);
  });

  it('finds inside a name from three letters, after the names that start with it', () => {
    expect(names('ien')).toEqual(['payer:Grace Otieno', 'student:Otieno, Amani', 'student:Otieno, Baraka', 'student:Otieno, Amina']);
    expect(names('ie')).toEqual([]);
  });

  it('puts an exact admission number first, then admission numbers that start with it, ignoring dashes and case', () => {
    expect(names('adm-104')).toEqual(['student:Otieno, Amani', 'student:Otieno, Amina']);
    expect(names('ADM104')).toEqual(['student:Otieno, Amani', 'student:Otieno, Amina']);
    expect(index.find('0042')[0]).toMatchObject({ kind: 'student', name: 'Núñez, José María', matchedOn: 'admission number', detail: '0042 · Grade 4 East' });
  });

  it('finds a guardian and their children by phone, however the number is typed', () => {
    for (const typed of ['0712 345 678', '+254712345678', '254-712-345-678', '712345678', '(0712) 345678']) {
      expect(names(typed), typed).toEqual(['payer:Grace Otieno', 'student:Otieno, Amani', 'student:Otieno, Baraka']);
    }
    expect(index.find('0733100200')[0]).toMatchObject({ kind: 'payer', name: 'Familia Núñez', matchedOn: 'phone' });
    expect(names('0799 999 999')).toEqual([]);
  });

  it('shows who pays for a student and whom a payer pays for', () => {
    const [grace] = index.find('grace');
    expect(grace?.linked.map((l) => l.name)).toEqual(['Amani Otieno', 'Baraka Otieno']);
    expect(index.find('ADM-105')[0]?.linked).toEqual([{ id: otienos.id, name: 'Grace Otieno' }]);
    expect(index.find('zoe')[0]?.linked).toEqual([]);
  });

  it('leaves out nothing and finds nothing for an empty query', () => {
    expect(index.find('  ')).toEqual([]);
    expect(index.size).toBe(7);
  });

  it('finds any student by their first name and by their admission number', () => {
    // Latin letters with accents (not ß, whose capital is SS).
    const word = fc.stringMatching(/^[A-Za-zÀ-ÖØ-Þà-öø-ÿ]{1,12}$/);
    fc.assert(
      fc.property(word, word, fc.stringMatching(/^[A-Z0-9][A-Z0-9/._-]{0,10}$/), (first, last, admission) => {
        const s = student(admission, first, last);
        const one = buildPeopleIndex({ students: [s], payers: [] });
        expect(one.find(first).map((h) => h.id)).toContain(s.id);
        expect(one.find(foldText(first).toUpperCase()).map((h) => h.id)).toContain(s.id);
        expect(one.find(admission).map((h) => h.id)).toContain(s.id);
      }),
    );
  });
});
