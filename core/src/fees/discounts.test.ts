// Automatic discounts: who counts as a sibling and in what order, sibling tiers, staff-child and
// scholarship rules applied in turn, and discounts that never exceed their charge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedId } from '../ids.ts';
import type { Student } from '../schemas/students.ts';
import { validateAgainst } from '../validation.ts';
import { compareAdmissionNumbers, computeInvoiceDiscounts, siblingGroup, siblingPosition, type InvoiceDiscountInput } from './discounts.ts';
import { DiscountEntry, type Charge, type DiscountDoc } from './ledger.ts';
import type { Payer } from './payers.ts';
import type { DiscountRuleDoc } from './reference.ts';

const NOW = '2025-01-02T08:00:00.000Z';
const SCHOOL = keyedId('test:school');
const BURSAR = keyedId('test:bursar');
const INVOICE = keyedId('test:invoice');
const TUITION = keyedId('test:category:tuition');
const MEALS = keyedId('test:category:meals');

function student(name: string, extra: Partial<Student> = {}): Student {
  return {
    id: keyedId(`test:student:${name}`),
    schoolId: SCHOOL,
    admissionNumber: name.toUpperCase(),
    firstName: name,
    lastName: 'Okello',
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

function payer(name: string, kind: Payer['kind'], students: readonly Student[]): Payer {
  return {
    id: keyedId(`test:payer:${name}`),
    schoolId: SCHOOL,
    kind,
    name,
    contacts: [],
    preferredChannel: 'none',
    students: students.map((s) => ({ studentId: s.id, share: 10_000 })),
    createdAt: NOW,
    updatedAt: NOW,
  };
}

function rule(name: string, data: DiscountRuleDoc['data'], createdAt = NOW): DiscountRuleDoc {
  return { id: keyedId(`test:rule:${name}`), schoolId: SCHOOL, kind: 'discountRule', name, data, createdAt, updatedAt: createdAt };
}

function charge(key: string, feeCategoryId: string, amount: number): Charge {
  return { id: keyedId(`test:charge:${key}`), feeCategoryId, description: key, instalment: 'Term', dueDate: '2025-01-20', amount };
}

function discountsFor(charges: Charge[], options: Partial<InvoiceDiscountInput> & { rules: DiscountRuleDoc[] }): DiscountDoc[] {
  return computeInvoiceDiscounts({
    invoice: { id: INVOICE, schoolId: SCHOOL, currency: 'UGX', studentId: keyedId('test:student:me'), charges },
    siblingPosition: 1,
    staffChild: false,
    createdBy: BURSAR,
    now: NOW,
    ...options,
  });
}

const amounts = (discounts: readonly DiscountDoc[]) => discounts.map((d) => [d.source, d.chargeId, d.amount]);

describe('sibling order', () => {
  const eldest = student('amina', { dateOfBirth: '2012-04-01' });
  const middle = student('brian', { dateOfBirth: '2014-09-30' });
  const youngest = student('chloe', { dateOfBirth: '2017-01-15' });
  const sponsored = student('dan', { dateOfBirth: '2010-02-02' });
  const family = payer('okello family', 'family', [youngest, eldest, middle]);
  const sponsor = payer('church', 'sponsor', [eldest, sponsored]);
  const students = [youngest, sponsored, middle, eldest];

  it('numbers a family eldest first; a shared sponsor does not make children siblings', () => {
    const context = { students, payers: [family, sponsor], siblingOrder: 'eldest-first' as const };
    expect(siblingGroup(middle, context).map((s) => s.firstName)).toEqual(['amina', 'brian', 'chloe']);
    expect([eldest, middle, youngest, sponsored].map((s) => siblingPosition(s, context))).toEqual([1, 2, 3, 1]);
  });

  it('skips siblings who left and archived payers', () => {
    const left = { ...eldest, status: 'left' as const };
    const context = { students: [youngest, middle, left], payers: [family], siblingOrder: 'eldest-first' as const };
    expect(siblingPosition(middle, context)).toBe(1);
    expect(siblingPosition(youngest, { ...context, payers: [{ ...family, archived: true }] })).toBe(1);
  });

  it('links siblings through any guardian they share, not through a sibling of a sibling', () => {
    const mother = payer('mother', 'guardian', [eldest, middle]);
    const father = payer('father', 'guardian', [middle, youngest]);
    const context = { students, payers: [mother, father], siblingOrder: 'eldest-first' as const };
    expect(siblingPosition(middle, context)).toBe(2);
    expect(siblingPosition(youngest, context)).toBe(2);
  });

  it('puts a child without a birth date last and breaks ties by id', () => {
    const unknown = { ...eldest, dateOfBirth: undefined };
    const twin = student('twin', { dateOfBirth: middle.dateOfBirth });
    const context = { students: [unknown, middle, twin, youngest], payers: [payer('f', 'family', [unknown, middle, twin, youngest])], siblingOrder: 'eldest-first' as const };
    const [first, second] = [middle, twin].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(siblingGroup(youngest, context).map((s) => s.id)).toEqual([first?.id, second?.id, youngest.id, unknown.id]);
  });

  it('orders by admission number as a register reads it', () => {
    const a = student('a', { admissionNumber: 'ADM/10' });
    const b = student('b', { admissionNumber: 'ADM/9' });
    const c = student('c', { admissionNumber: 'ADM/100' });
    const context = { students: [a, b, c], payers: [payer('f', 'family', [a, b, c])], siblingOrder: 'admission-order' as const };
    expect(siblingGroup(a, context).map((s) => s.admissionNumber)).toEqual(['ADM/9', 'ADM/10', 'ADM/100']);
    expect(compareAdmissionNumbers('2019/9', '2019/10')).toBeLessThan(0);
    expect(compareAdmissionNumbers('b1', 'A2')).toBeGreaterThan(0);
    expect(compareAdmissionNumbers('S-12', 'S-12')).toBe(0);
  });
});

describe('computeInvoiceDiscounts', () => {
  const tuition1 = charge('tuition-1', TUITION, 150_000);
  const tuition2 = charge('tuition-2', TUITION, 150_000);
  const meals1 = charge('meals-1', MEALS, 45_000);
  const meals2 = charge('meals-2', MEALS, 45_001);
  const invoiceCharges = [tuition1, tuition2, meals1, meals2];
  const sibling10 = rule('sibling 10', { type: 'sibling', fromChild: 2, basisPoints: 1000, feeCategoryIds: [] });

  it('gives the second and later children 10 % of every charge, the first nothing', () => {
    expect(discountsFor(invoiceCharges, { rules: [sibling10], siblingPosition: 1 })).toEqual([]);
    const second = discountsFor(invoiceCharges, { rules: [sibling10], siblingPosition: 2 });
    // 10 % of 390 001 = 39 000.1 → 39 000; the meals charges share 9000.1 → 4500 and 4500.
    expect(amounts(second)).toEqual([
      ['sibling', tuition1.id, 15_000],
      ['sibling', tuition2.id, 15_000],
      ['sibling', meals1.id, 4500],
      ['sibling', meals2.id, 4500],
    ]);
    expect(second[0]).toEqual({
      id: keyedId(`discount:${tuition1.id}:${sibling10.id}`),
      schoolId: SCHOOL,
      currency: 'UGX',
      createdAt: NOW,
      createdBy: BURSAR,
      type: 'discount',
      studentId: keyedId('test:student:me'),
      invoiceId: INVOICE,
      chargeId: tuition1.id,
      source: 'sibling',
      ruleId: sibling10.id,
      amount: 15_000,
    });
    expect(amounts(discountsFor(invoiceCharges, { rules: [sibling10], siblingPosition: 3 }))).toEqual(amounts(second));
  });

  it('shares a rounded percentage by largest remainder', () => {
    const thirds = [charge('a', MEALS, 333), charge('b', MEALS, 333), charge('c', MEALS, 334)];
    expect(discountsFor(thirds, { rules: [sibling10], siblingPosition: 2 }).map((d) => d.amount)).toEqual([33, 33, 34]);
  });

  it('gives the third child only the higher tier', () => {
    const sibling20 = rule('sibling 20', { type: 'sibling', fromChild: 3, basisPoints: 2000, feeCategoryIds: [TUITION] });
    const third = discountsFor(invoiceCharges, { rules: [sibling10, sibling20], siblingPosition: 3 });
    expect(third.map((d) => [d.ruleId, d.chargeId, d.amount])).toEqual([
      [sibling20.id, tuition1.id, 30_000],
      [sibling20.id, tuition2.id, 30_000],
      [sibling10.id, meals1.id, 4500],
      [sibling10.id, meals2.id, 4500],
    ]);
  });

  it('gives a staff child 50 % of tuition only', () => {
    const staff = rule('staff', { type: 'staffChild', value: { mode: 'percent', basisPoints: 5000 }, feeCategoryIds: [TUITION] });
    expect(discountsFor(invoiceCharges, { rules: [staff], staffChild: false })).toEqual([]);
    expect(amounts(discountsFor(invoiceCharges, { rules: [staff], staffChild: true }))).toEqual([
      ['staffChild', tuition1.id, 75_000],
      ['staffChild', tuition2.id, 75_000],
    ]);
  });

  it('spreads a fixed scholarship over the eligible charges by their amounts, only for its students', () => {
    const scholarship = rule('bursary', {
      type: 'scholarship',
      value: { mode: 'fixed', amount: 100_001 },
      feeCategoryIds: [TUITION],
      studentIds: [keyedId('test:student:me')],
    });
    expect(amounts(discountsFor(invoiceCharges, { rules: [scholarship] }))).toEqual([
      ['scholarship', tuition1.id, 50_001],
      ['scholarship', tuition2.id, 50_000],
    ]);
    const forOthers = rule('bursary', { type: 'scholarship', value: { mode: 'fixed', amount: 100_001 }, feeCategoryIds: [TUITION], studentIds: [keyedId('test:student:other')] });
    expect(discountsFor(invoiceCharges, { rules: [forOthers] })).toEqual([]);
  });

  it('applies sibling, then staff child, then scholarship, each on what is left, never below zero', () => {
    const single = [charge('tuition', TUITION, 100_000)];
    const staff = rule('staff', { type: 'staffChild', value: { mode: 'percent', basisPoints: 5000 }, feeCategoryIds: [] });
    const scholarship = rule(
      'full bursary',
      { type: 'scholarship', value: { mode: 'fixed', amount: 60_000 }, feeCategoryIds: [], studentIds: [keyedId('test:student:me')] },
      '2020-01-01T00:00:00.000Z',
    );
    // Given out of order: the result follows sibling → staff child → scholarship.
    const discounts = discountsFor(single, { rules: [scholarship, staff, sibling10], siblingPosition: 2, staffChild: true });
    // 10 % of 100 000 = 10 000; half of the 90 000 left = 45 000; the fixed 60 000 is capped at the 45 000 left.
    expect(discounts.map((d) => [d.source, d.amount])).toEqual([
      ['sibling', 10_000],
      ['staffChild', 45_000],
      ['scholarship', 45_000],
    ]);
  });

  it('ignores archived rules and rules of other schools', () => {
    const archived = { ...sibling10, archived: true };
    const elsewhere = { ...sibling10, id: keyedId('test:rule:elsewhere'), schoolId: keyedId('test:other-school') };
    expect(discountsFor(invoiceCharges, { rules: [archived, elsewhere], siblingPosition: 2 })).toEqual([]);
  });

  const chargesArb = fc
    .array(fc.record({ meals: fc.boolean(), amount: fc.integer({ min: 1, max: 10_000_000_000 }) }), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.map((part, index) => charge(`c${String(index)}`, part.meals ? MEALS : TUITION, part.amount)));
  const valueArb = fc.oneof(
    fc.integer({ min: 0, max: 10_000 }).map((basisPoints) => ({ mode: 'percent' as const, basisPoints })),
    fc.integer({ min: 1, max: 50_000_000_000 }).map((amount) => ({ mode: 'fixed' as const, amount })),
  );
  const categoriesArb = fc.subarray([TUITION, MEALS]);
  const rulesArb = fc
    .array(
      fc.oneof(
        fc.record({ type: fc.constant('sibling' as const), fromChild: fc.integer({ min: 2, max: 4 }), basisPoints: fc.integer({ min: 0, max: 10_000 }), feeCategoryIds: categoriesArb }),
        fc.record({ type: fc.constant('staffChild' as const), value: valueArb, feeCategoryIds: categoriesArb }),
        fc
          .record({ type: fc.constant('scholarship' as const), value: valueArb, feeCategoryIds: categoriesArb })
          .map((data) => ({ ...data, studentIds: [keyedId('test:student:me')] })),
      ),
      { maxLength: 6 },
    )
    .map((datas) => datas.map((data, index) => rule(`r${String(index)}`, data)));

  it('never discounts a charge below zero, and writes valid documents with unique ids', () => {
    fc.assert(
      fc.property(chargesArb, rulesArb, fc.integer({ min: 1, max: 5 }), fc.boolean(), (charges, rules, position, staffChild) => {
        const discounts = discountsFor(charges, { rules, siblingPosition: position, staffChild });
        for (const c of charges) {
          const total = discounts.filter((d) => d.chargeId === c.id).reduce((sum, d) => sum + d.amount, 0);
          expect(total).toBeLessThanOrEqual(c.amount);
        }
        for (const d of discounts) expect(validateAgainst(DiscountEntry, d)).toEqual([]);
        expect(new Set(discounts.map((d) => d.id)).size).toBe(discounts.length);
      }),
    );
  });

  it('discounts exactly round(total × rate) for one percentage rule', () => {
    fc.assert(
      fc.property(chargesArb, fc.integer({ min: 0, max: 10_000 }), (charges, basisPoints) => {
        const staff = rule('staff', { type: 'staffChild', value: { mode: 'percent', basisPoints }, feeCategoryIds: [] });
        const total = charges.reduce((sum, c) => sum + c.amount, 0);
        const discounted = discountsFor(charges, { rules: [staff], staffChild: true }).reduce((sum, d) => sum + d.amount, 0);
        expect(BigInt(discounted)).toBe((BigInt(total) * BigInt(basisPoints) + 5000n) / 10_000n);
      }),
    );
  });
});
