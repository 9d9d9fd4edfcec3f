import { describe, expect, it } from 'vitest';
import { formatMoney, newId, type DiscountRuleDoc, type LateFeeRuleDoc } from '@feemaster/core';
import { buildDiscountData, buildLateFeeData, describeDiscount, describeLateFee, discountDraftOf, emptyDiscountDraft, emptyLateFeeDraft, lateFeeDraftOf, ordinal, percentText, readPercent } from './rule-drafts.ts';

describe('percentages', () => {
  it('reads what a bursar types as basis points, never through a float', () => {
    expect(readPercent('10')).toBe(1000);
    expect(readPercent('12.5')).toBe(1250);
    expect(readPercent(' 0.07 % ')).toBe(7);
    expect(readPercent('100')).toBe(10_000);
    expect(readPercent('33,33')).toBe(3333);
    expect(readPercent('100.01')).toBeNull();
    expect(readPercent('1.234')).toBeNull();
    expect(readPercent('-5')).toBeNull();
    expect(readPercent('')).toBeNull();
  });

  it('shows basis points as the percentage that reads back to them', () => {
    for (const bp of [0, 7, 1000, 1250, 3333, 10_000]) expect(readPercent(percentText(bp))).toBe(bp);
    expect(percentText(1250)).toBe('12.5');
  });
});

describe('discount rules', () => {
  it('builds a sibling discount from the second child, limited to chosen fee categories', () => {
    const tuition = newId();
    expect(buildDiscountData({ ...emptyDiscountDraft, name: 'Siblings', percent: '10', feeCategoryIds: [tuition] }, 'KES')).toEqual({
      data: { type: 'sibling', fromChild: 2, basisPoints: 1000, feeCategoryIds: [tuition] },
    });
  });

  it('builds a fixed scholarship in minor units for the chosen students, and a staff-child percentage', () => {
    const student = newId();
    expect(buildDiscountData({ ...emptyDiscountDraft, name: 'Bursary', type: 'scholarship', mode: 'fixed', amount: '5,000', studentIds: [student] }, 'KES')).toEqual({
      data: { type: 'scholarship', value: { mode: 'fixed', amount: 500_000 }, feeCategoryIds: [], studentIds: [student] },
    });
    expect(buildDiscountData({ ...emptyDiscountDraft, name: 'Staff', type: 'staffChild', percent: '50' }, 'UGX')).toEqual({
      data: { type: 'staffChild', value: { mode: 'percent', basisPoints: 5000 }, feeCategoryIds: [] },
    });
  });

  it('explains each field that does not read', () => {
    expect(buildDiscountData({ ...emptyDiscountDraft, fromChild: '1', percent: '0' }, 'KES')).toEqual({
      problems: {
        name: 'Give the rule a name, like Sibling discount.',
        fromChild: 'Enter which child the discount starts from: 2 for the second child and later, up to 20.',
        percent: 'Enter the discount as a percentage above 0 and at most 100, with up to two decimals (like 10 or 12.5).',
      },
    });
    expect(buildDiscountData({ ...emptyDiscountDraft, name: 'B', type: 'scholarship', mode: 'fixed', amount: '10.5' }, 'UGX')).toEqual({
      problems: { amount: 'UGX amounts have no decimal places: type a whole amount, like 1,500', studentIds: 'Choose the students who hold this scholarship.' },
    });
  });

  it('reads a saved rule back into the same draft', () => {
    const rule = { id: newId(), schoolId: newId(), kind: 'discountRule', name: 'Bursary', data: { type: 'scholarship', value: { mode: 'fixed', amount: 500_050 }, feeCategoryIds: [], studentIds: ['s'] }, createdAt: '', updatedAt: '' } satisfies DiscountRuleDoc;
    const draft = discountDraftOf(rule, 'KES');
    expect(draft).toMatchObject({ type: 'scholarship', mode: 'fixed', amount: '5,000.50', studentIds: ['s'] });
    expect(buildDiscountData(draft, 'KES')).toEqual({ data: rule.data });
  });
});

describe('late-fee rules', () => {
  it('builds a fixed monthly fine with a cap, in minor units', () => {
    expect(buildLateFeeData({ ...emptyLateFeeDraft, name: 'Late fee', amount: '500', cap: '1,500' }, 'KES')).toEqual({
      data: { graceDays: 7, periodDays: 30, value: { mode: 'fixed', amount: 50_000 }, cap: 150_000, feeCategoryIds: [] },
    });
  });

  it('explains days, percentages and a missing cap in plain words', () => {
    const built = buildLateFeeData({ ...emptyLateFeeDraft, name: 'L', graceDays: '-1', periodDays: '0', mode: 'percent', percent: '150', cap: '' }, 'KES');
    expect(built).toEqual({
      problems: {
        graceDays: 'Enter the days after the due date before the first fine: a whole number from 0 to 365.',
        periodDays: 'Enter how many days each fine covers: a whole number from 1 (daily) to 366 (30 is monthly).',
        percent: 'Enter the fine as a percentage above 0 and at most 100, with up to two decimals (like 10 or 12.5).',
        cap: 'Enter the cap: the most one overdue charge is ever fined in total under this rule.',
      },
    });
  });

  it('refuses a cap of nothing, under which the rule would never fine', () => {
    expect(buildLateFeeData({ ...emptyLateFeeDraft, name: 'L', amount: '100', cap: '0' }, 'KES')).toEqual({ problems: { cap: 'Enter a cap above nothing: with a cap of 0 the rule would never fine anyone.' } });
  });

  it('reads a saved rule back into the same draft', () => {
    const rule = { id: newId(), schoolId: newId(), kind: 'lateFeeRule', name: 'L', data: { graceDays: 0, periodDays: 7, value: { mode: 'percent', basisPoints: 250 }, cap: 300_000, feeCategoryIds: ['t'] }, createdAt: '', updatedAt: '' } satisfies LateFeeRuleDoc;
    expect(buildLateFeeData(lateFeeDraftOf(rule, 'KES'), 'KES')).toEqual({ data: rule.data });
  });
});

describe('rule descriptions', () => {
  const money = (minor: number) => formatMoney(minor, 'KES');
  const name = (id: string) => (id === 't' ? 'Tuition' : '?');

  it('says what each rule does in one line', () => {
    expect(describeDiscount({ type: 'sibling', fromChild: 3, basisPoints: 1250, feeCategoryIds: ['t'] }, name, money)).toBe('12.5 % off for the 3rd child of a family and later, on Tuition');
    expect(describeDiscount({ type: 'scholarship', value: { mode: 'fixed', amount: 500_000 }, feeCategoryIds: [], studentIds: ['a'] }, name, money)).toBe(`${money(500_000)} off per invoice for 1 student, on every fee`);
    expect(describeLateFee({ graceDays: 7, periodDays: 30, value: { mode: 'fixed', amount: 50_000 }, cap: 150_000, feeCategoryIds: [] }, name, money)).toBe(
      `After 7 days of grace, ${money(50_000)} every 30 days, at most ${money(150_000)} per charge, on every fee`,
    );
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd']);
  });
});
