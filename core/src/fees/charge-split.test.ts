// Splitting a fee structure into invoice charges: exact totals after pro-rating, instalments and
// payer shares, sponsors before guardians, and stable keyed ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedId } from '../ids.ts';
import { validateAgainst } from '../validation.ts';
import { applyBasisPoints, proratedLineAmounts, splitStructureIntoCharges } from './charge-split.ts';
import type { FeeStructure } from './fee-structures.ts';
import { ChargeSchema, type Charge } from './ledger.ts';
import { payerKinds, type Payer } from './payers.ts';

const NOW = '2025-01-02T08:00:00.000Z';
const SCHOOL = keyedId('test:school');
const STUDENT = keyedId('test:student');
const INVOICE = keyedId('test:invoice');
const TUITION = keyedId('test:category:tuition');
const TRANSPORT = keyedId('test:category:transport');
const MEALS = keyedId('test:category:meals');

function structure(lines: FeeStructure['lines'], instalments: FeeStructure['instalments']): FeeStructure {
  return {
    id: keyedId('test:structure'),
    schoolId: SCHOOL,
    name: 'Grade 4, term 1',
    termId: keyedId('test:term'),
    classId: keyedId('test:class'),
    lines,
    instalments,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

function payer(name: string, kind: Payer['kind'], students: Payer['students']): Payer {
  return { id: keyedId(`test:payer:${name}`), schoolId: SCHOOL, kind, name, contacts: [], preferredChannel: 'none', students, createdAt: NOW, updatedAt: NOW };
}

const twoHalves: FeeStructure['instalments'] = [
  { label: 'First half', dueDate: '2025-01-20', weight: 1 },
  { label: 'Second half', dueDate: '2025-03-01', weight: 1 },
];

const sum = (charges: readonly Charge[]): number => charges.reduce((total, charge) => total + charge.amount, 0);
const simplified = (charges: readonly Charge[]) => charges.map((c) => [c.feeCategoryId, c.instalment, c.payerId ?? 'student', c.amount]);

describe('proratedLineAmounts', () => {
  it('bills round(total × bp) shared over the lines by largest remainder', () => {
    // 6001 × 67.03 % = 4022.47 → 4022; exact shares 670.22, 1340.44, 2011.34 → the 0.44 gets the unit.
    expect(proratedLineAmounts([1000, 2000, 3001], 6703)).toEqual([670, 1341, 2011]);
    expect(applyBasisPoints(6001, 6703)).toBe(4022);
  });

  it('leaves the amounts alone for a whole term and refuses shares outside 1..10000', () => {
    expect(proratedLineAmounts([7, 9], 10_000)).toEqual([7, 9]);
    expect(() => proratedLineAmounts([7], 0)).toThrow(/basis points/);
    expect(() => proratedLineAmounts([7], 10_001)).toThrow(/basis points/);
    expect(() => proratedLineAmounts([7], 50.5)).toThrow(/basis points/);
  });

  it('rounds half up', () => {
    // 5 × 50 % = 2.5 → 3.
    expect(proratedLineAmounts([5], 5000)).toEqual([3]);
  });
});

describe('splitStructureIntoCharges', () => {
  const fees = structure(
    [
      { feeCategoryId: TUITION, description: 'Tuition', amount: 100_000 },
      { feeCategoryId: TRANSPORT, description: 'Transport', amount: 30_001 },
    ],
    twoHalves,
  );

  it('splits each line over the instalments onto the student account when no one else pays', () => {
    const charges = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [] });
    expect(charges).toEqual([
      { id: keyedId(`charge:${INVOICE}:0:0:student`), feeCategoryId: TUITION, description: 'Tuition', instalment: 'First half', dueDate: '2025-01-20', amount: 50_000 },
      { id: keyedId(`charge:${INVOICE}:0:1:student`), feeCategoryId: TUITION, description: 'Tuition', instalment: 'Second half', dueDate: '2025-03-01', amount: 50_000 },
      { id: keyedId(`charge:${INVOICE}:1:0:student`), feeCategoryId: TRANSPORT, description: 'Transport', instalment: 'First half', dueDate: '2025-01-20', amount: 15_001 },
      { id: keyedId(`charge:${INVOICE}:1:1:student`), feeCategoryId: TRANSPORT, description: 'Transport', instalment: 'Second half', dueDate: '2025-03-01', amount: 15_000 },
    ]);
  });

  it('lets a sponsor of tuition pay all of it while the guardian pays the rest', () => {
    const sponsor = payer('sponsor', 'sponsor', [{ studentId: STUDENT, share: 10_000, feeCategoryIds: [TUITION] }]);
    const guardian = payer('guardian', 'guardian', [{ studentId: STUDENT, share: 10_000 }]);
    const charges = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [guardian, sponsor] });
    expect(simplified(charges)).toEqual([
      [TUITION, 'First half', sponsor.id, 50_000],
      [TUITION, 'Second half', sponsor.id, 50_000],
      [TRANSPORT, 'First half', guardian.id, 15_001],
      [TRANSPORT, 'Second half', guardian.id, 15_000],
    ]);
    expect(charges[0]?.id).toBe(keyedId(`charge:${INVOICE}:0:0:${sponsor.id}`));
  });

  it('shares what a half sponsor leaves between two parents by their shares', () => {
    const sponsor = payer('sponsor', 'sponsor', [{ studentId: STUDENT, share: 5000, feeCategoryIds: [TUITION] }]);
    const mother = payer('mother', 'guardian', [{ studentId: STUDENT, share: 5000 }]);
    const father = payer('father', 'guardian', [{ studentId: STUDENT, share: 5000 }]);
    const single = structure([{ feeCategoryId: TUITION, description: 'Tuition', amount: 100_000 }], [{ label: 'Term', dueDate: '2025-01-20', weight: 1 }]);
    const charges = splitStructureIntoCharges(single, { invoiceId: INVOICE, studentId: STUDENT, payers: [mother, father, sponsor] });
    const byPayer = new Map(charges.map((c) => [c.payerId, c.amount]));
    expect(byPayer).toEqual(new Map([[sponsor.id, 50_000], [mother.id, 25_000], [father.id, 25_000]]));
  });

  it('leaves what the payers do not cover on the student account', () => {
    const guardian = payer('guardian', 'guardian', [{ studentId: STUDENT, share: 6000 }]);
    const single = structure([{ feeCategoryId: MEALS, description: 'Meals', amount: 1001 }], [{ label: 'Term', dueDate: '2025-01-20', weight: 1 }]);
    const charges = splitStructureIntoCharges(single, { invoiceId: INVOICE, studentId: STUDENT, payers: [guardian] });
    // 60 % of 1001 = 600.6 → 601 by largest remainder; 400.4 → 400 stays with the student.
    expect(simplified(charges)).toEqual([
      [MEALS, 'Term', guardian.id, 601],
      [MEALS, 'Term', 'student', 400],
    ]);
  });

  it('caps sponsors of one category at 100 % together, in payer-id order', () => {
    const a = payer('sponsor-a', 'sponsor', [{ studentId: STUDENT, share: 7000, feeCategoryIds: [TUITION] }]);
    const b = payer('sponsor-b', 'sponsor', [{ studentId: STUDENT, share: 7000, feeCategoryIds: [TUITION] }]);
    const [first, second] = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1));
    const single = structure([{ feeCategoryId: TUITION, description: 'Tuition', amount: 10_000 }], [{ label: 'Term', dueDate: '2025-01-20', weight: 1 }]);
    const charges = splitStructureIntoCharges(single, { invoiceId: INVOICE, studentId: STUDENT, payers: [b, a] });
    expect(charges.map((c) => [c.payerId, c.amount])).toEqual([
      [first?.id, 7000],
      [second?.id, 3000],
    ]);
  });

  it('scales guardians whose shares add up past 100 % so nothing is billed twice', () => {
    const mother = payer('mother', 'guardian', [{ studentId: STUDENT, share: 10_000 }]);
    const father = payer('father', 'guardian', [{ studentId: STUDENT, share: 10_000 }]);
    const charges = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [mother, father] });
    expect(sum(charges)).toBe(130_001);
    expect(charges.some((c) => c.payerId === undefined)).toBe(false);
    expect(sum(charges.filter((c) => c.payerId === mother.id)) - sum(charges.filter((c) => c.payerId === father.id))).toBeLessThanOrEqual(2);
  });

  it('ignores payers of other students, archived payers and sponsors of other categories', () => {
    const other = payer('other', 'guardian', [{ studentId: keyedId('test:other-student'), share: 10_000 }]);
    const gone = { ...payer('gone', 'guardian', [{ studentId: STUDENT, share: 10_000 }]), archived: true };
    const transportOnly = payer('bus', 'sponsor', [{ studentId: STUDENT, share: 10_000, feeCategoryIds: [TRANSPORT] }]);
    const charges = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [other, gone, transportOnly] });
    expect(simplified(charges)).toEqual([
      [TUITION, 'First half', 'student', 50_000],
      [TUITION, 'Second half', 'student', 50_000],
      [TRANSPORT, 'First half', transportOnly.id, 15_001],
      [TRANSPORT, 'Second half', transportOnly.id, 15_000],
    ]);
  });

  it('drops zero parts', () => {
    const tiny = structure([{ feeCategoryId: MEALS, description: 'Meals', amount: 1 }], [
      { label: 'A', dueDate: '2025-01-20', weight: 1 },
      { label: 'B', dueDate: '2025-02-20', weight: 1 },
      { label: 'C', dueDate: '2025-03-20', weight: 1 },
    ]);
    expect(simplified(splitStructureIntoCharges(tiny, { invoiceId: INVOICE, studentId: STUDENT, payers: [] }))).toEqual([[MEALS, 'A', 'student', 1]]);
  });

  it('refuses a payer linked to the student twice', () => {
    const twice = payer('twice', 'guardian', [
      { studentId: STUDENT, share: 5000 },
      { studentId: STUDENT, share: 5000 },
    ]);
    expect(() => splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [twice] })).toThrow(/more than once/);
  });

  const categories = [TUITION, TRANSPORT, MEALS];
  const structureArb = fc
    .record({
      lines: fc.array(fc.record({ category: fc.constantFrom(...categories), amount: fc.integer({ min: 1, max: 1_000_000_000_000 }) }), { minLength: 1, maxLength: 8 }),
      weights: fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 6 }),
    })
    .map(({ lines, weights }) =>
      structure(
        lines.map((line, index) => ({ feeCategoryId: line.category, description: `Line ${String(index)}`, amount: line.amount })),
        weights.map((weight, index) => ({ label: `Instalment ${String(index)}`, dueDate: `2025-0${String(index + 1)}-15`, weight })),
      ),
    );
  const payersArb = fc.array(
    fc.record({
      kind: fc.constantFrom(...payerKinds),
      share: fc.integer({ min: 0, max: 10_000 }),
      categories: fc.option(fc.subarray(categories), { nil: undefined }),
    }),
    { maxLength: 4 },
  ).map((links) =>
    links.map((link, index) =>
      payer(`p${String(index)}`, link.kind, [{ studentId: STUDENT, share: link.share, ...(link.categories === undefined ? {} : { feeCategoryIds: link.categories }) }]),
    ),
  );
  const basisPointsArb = fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined });

  it('always bills exactly the (pro-rated) total, line by line and instalment by instalment', () => {
    fc.assert(
      fc.property(structureArb, payersArb, basisPointsArb, (fees, payers, basisPoints) => {
        const charges = splitStructureIntoCharges(fees, {
          invoiceId: INVOICE,
          studentId: STUDENT,
          payers,
          ...(basisPoints === undefined ? {} : { prorationBasisPoints: basisPoints }),
        });
        const bp = basisPoints ?? 10_000;
        const total = fees.lines.reduce((s, line) => s + line.amount, 0);
        expect(sum(charges)).toBe(applyBasisPoints(total, bp));

        const lineAmounts = proratedLineAmounts(fees.lines.map((line) => line.amount), bp);
        fees.lines.forEach((line, lineIndex) => {
          // Each pro-rated line stays within 1.5 units of amount × bp / 10 000.
          const exactTimes10k = BigInt(line.amount) * BigInt(bp);
          const billedTimes10k = BigInt(lineAmounts[lineIndex] ?? 0) * 10_000n;
          const drift = billedTimes10k > exactTimes10k ? billedTimes10k - exactTimes10k : exactTimes10k - billedTimes10k;
          expect(drift <= 15_000n).toBe(true);
          const ofLine = charges.filter((c) => c.description === line.description);
          expect(sum(ofLine)).toBe(lineAmounts[lineIndex]);
        });

        for (const charge of charges) {
          expect(Number.isSafeInteger(charge.amount) && charge.amount > 0).toBe(true);
          expect(validateAgainst(ChargeSchema, charge)).toEqual([]);
        }
        expect(new Set(charges.map((c) => c.id)).size).toBe(charges.length);
      }),
    );
  });

  it('does not depend on the order the payers come in', () => {
    fc.assert(
      fc.property(structureArb, payersArb, (fees, payers) => {
        const forward = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers });
        const backward = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [...payers].reverse() });
        expect(backward).toEqual(forward);
      }),
    );
  });

  it('puts nothing on the student account when guardians cover 100 %, everything when no one pays', () => {
    fc.assert(
      fc.property(structureArb, fc.integer({ min: 1, max: 9999 }), (fees, share) => {
        const mother = payer('mother', 'guardian', [{ studentId: STUDENT, share }]);
        const father = payer('father', 'family', [{ studentId: STUDENT, share: 10_000 - share }]);
        const covered = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [mother, father] });
        expect(covered.filter((c) => c.payerId === undefined)).toEqual([]);
        const alone = splitStructureIntoCharges(fees, { invoiceId: INVOICE, studentId: STUDENT, payers: [] });
        expect(alone.every((c) => c.payerId === undefined)).toBe(true);
        expect(sum(alone)).toBe(sum(covered));
      }),
    );
  });
});
