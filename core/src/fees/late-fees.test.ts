// Late fees: grace days, started periods, fixed and percentage fines, the cap, and fines that
// are the same documents however often and on however many desks accrual runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAgainst } from '../validation.ts';
import { FineEntry, type FineDoc, type LedgerEntry } from './ledger.ts';
import { deriveLedger } from './ledger-state.ts';
import { accrueLateFees, lateFeeFineId } from './late-fees.ts';
import type { LateFeeRuleDoc } from './reference.ts';
import { testId, testLateFeeRule, testLedger, testSchoolId } from './test-ledger.ts';

const id = testId;
const who = { schoolId: testSchoolId, currency: 'KES', createdBy: id('bursar'), now: '2025-05-01T06:00:00.000Z' };

function school() {
  const t = testLedger();
  t.invoice({
    student: 'amina',
    charges: [
      { id: 'tuition', category: 'tuition', amount: 10_000, dueDate: '2025-01-15', payer: 'family' },
      { id: 'bus', category: 'transport', amount: 5_000, dueDate: '2025-01-15', payer: 'family' },
    ],
  });
  return t;
}

const fixedRule = testLateFeeRule({ id: 'fixed', graceDays: 5, periodDays: 30, value: { mode: 'fixed', amount: 500 }, cap: 1_200, categories: ['tuition'] });

function accrue(entries: readonly LedgerEntry[], rules: readonly LateFeeRuleDoc[], asOf: string): FineDoc[] {
  return accrueLateFees({ ...who, state: deriveLedger(entries), rules, asOf });
}

const brief = (fines: readonly FineDoc[]) => fines.map((f) => ({ chargeId: f.chargeId, period: f.period, accruedOn: f.accruedOn, amount: f.amount }));

describe('accrueLateFees by hand', () => {
  it('waits out the grace days, then fines each started period', () => {
    const entries = school().entries();
    expect(accrue(entries, [fixedRule], '2025-01-20')).toEqual([]);
    expect(() => accrue(entries, [fixedRule], '2025-02-29')).toThrow(/'2025-02-29' is not a calendar date/);
    expect(brief(accrue(entries, [fixedRule], '2025-01-21'))).toEqual([{ chargeId: id('tuition'), period: 1, accruedOn: '2025-01-21', amount: 500 }]);
    expect(brief(accrue(entries, [fixedRule], '2025-02-19'))).toHaveLength(1);
    expect(brief(accrue(entries, [fixedRule], '2025-02-20'))).toEqual([
      { chargeId: id('tuition'), period: 1, accruedOn: '2025-01-21', amount: 500 },
      { chargeId: id('tuition'), period: 2, accruedOn: '2025-02-20', amount: 500 },
    ]);
  });

  it('stops at the cap, counting fines already issued even when waived', () => {
    const entries = school().entries();
    expect(brief(accrue(entries, [fixedRule], '2025-04-30')).map((f) => f.amount)).toEqual([500, 500, 200]);

    const t = school();
    t.fine({ charge: 'tuition', rule: 'fixed', period: 1, accruedOn: '2025-01-21', amount: 500, payer: 'family' });
    t.waiver({ fine: lateFeeFineId(id('tuition'), id('fixed'), 1), amount: 500 });
    expect(brief(accrue(t.entries(), [fixedRule], '2025-04-30'))).toEqual([
      { chargeId: id('tuition'), period: 2, accruedOn: '2025-02-20', amount: 500 },
      { chargeId: id('tuition'), period: 3, accruedOn: '2025-03-22', amount: 200 },
    ]);
  });

  it('makes keyed, valid fine documents billed to the charge’s payer', () => {
    const [fine] = accrue(school().entries(), [fixedRule], '2025-01-21');
    expect(fine).toEqual({
      id: lateFeeFineId(id('tuition'), id('fixed'), 1),
      schoolId: testSchoolId,
      currency: 'KES',
      createdAt: '2025-05-01T06:00:00.000Z',
      createdBy: id('bursar'),
      type: 'fine',
      studentId: id('amina'),
      chargeId: id('tuition'),
      ruleId: id('fixed'),
      period: 1,
      accruedOn: '2025-01-21',
      amount: 500,
      payerId: id('family'),
    });
    expect(validateAgainst(FineEntry, fine)).toEqual([]);
  });

  it('is idempotent: fines fed back in are not made again, and a later run adds only new periods', () => {
    const t = school();
    const first = accrue(t.entries(), [fixedRule], '2025-02-20');
    expect(accrue([...t.entries(), ...first], [fixedRule], '2025-02-20')).toEqual([]);
    expect(brief(accrue([...t.entries(), ...first], [fixedRule], '2025-03-22'))).toEqual([{ chargeId: id('tuition'), period: 3, accruedOn: '2025-03-22', amount: 200 }]);
    expect(accrue(t.entries(), [fixedRule], '2025-02-20')).toEqual(first);
  });

  it('fines a percentage of what is open now, rounding half up, and nothing on paid charges', () => {
    const percent = testLateFeeRule({ id: 'percent', graceDays: 0, periodDays: 7, value: { mode: 'percent', basisPoints: 250 }, cap: 100_000 });
    const t = school();
    t.payment({ payer: 'family', amount: 8_340, allocations: [['tuition', 3_340], ['bus', 5_000]] });
    // 2.5 % of 6 660 is 166.5 → 167; the bus is paid.
    expect(accrue(t.entries(), [percent], '2025-01-22')).toHaveLength(1);
    expect(brief(accrue(t.entries(), [percent], '2025-01-23'))).toEqual([
      { chargeId: id('tuition'), period: 1, accruedOn: '2025-01-16', amount: 167 },
      { chargeId: id('tuition'), period: 2, accruedOn: '2025-01-23', amount: 167 },
    ]);
    t.payment({ payer: 'family', amount: 4 });
    t.creditApplication({ payer: 'family', allocations: [['tuition', 4]] });
    // 2.5 % of 6 656 is 166.4 → 166.
    expect(accrue(t.entries(), [percent], '2025-01-16').map((f) => f.amount)).toEqual([166]);
  });

  it('applies a rule only to its fee categories (all when none are listed), and archived rules not at all', () => {
    const everything = testLateFeeRule({ id: 'all', graceDays: 0, periodDays: 30, value: { mode: 'fixed', amount: 100 }, cap: 100 });
    expect(accrue(school().entries(), [everything], '2025-01-16').map((f) => f.chargeId).sort()).toEqual([id('tuition'), id('bus')].sort());
    expect(accrue(school().entries(), [{ ...everything, archived: true }], '2025-06-01')).toEqual([]);
    expect(accrue(school().entries(), [{ ...fixedRule, data: { ...fixedRule.data, cap: 0 } }], '2025-06-01')).toEqual([]);
  });
});

describe('accrueLateFees properties', () => {
  const ruleArb = fc.record({
    graceDays: fc.nat({ max: 20 }),
    periodDays: fc.integer({ min: 1, max: 40 }),
    value: fc.oneof(
      fc.record({ mode: fc.constant('fixed' as const), amount: fc.integer({ min: 1, max: 2_000 }) }),
      fc.record({ mode: fc.constant('percent' as const), basisPoints: fc.nat({ max: 10_000 }) }),
    ),
    cap: fc.nat({ max: 5_000 }),
  });

  it('never exceeds the cap, and accruing in steps gives the same fines as accruing at once', () => {
    fc.assert(
      fc.property(ruleArb, fc.integer({ min: 1, max: 50_000 }), fc.nat({ max: 150 }), fc.nat({ max: 150 }), (data, amount, early, extra) => {
        const rule = testLateFeeRule({ id: 'rule', ...data });
        const t = testLedger();
        t.invoice({ student: 'amina', charges: [{ id: 'fees', amount, dueDate: '2025-01-01' }] });
        const asOf = (days: number) => new Date(Date.UTC(2025, 0, 1 + days)).toISOString().slice(0, 10);
        const atOnce = accrue(t.entries(), [rule], asOf(early + extra));
        const first = accrue(t.entries(), [rule], asOf(early));
        const then = accrue([...t.entries(), ...first], [rule], asOf(early + extra));
        expect([...first, ...then]).toEqual(atOnce);
        expect(atOnce.reduce((sum, f) => sum + f.amount, 0)).toBeLessThanOrEqual(data.cap);
        expect(new Set(atOnce.map((f) => f.id)).size).toBe(atOnce.length);
        expect(accrue([...t.entries(), ...atOnce], [rule], asOf(early + extra))).toEqual([]);
        for (const fine of atOnce) expect(validateAgainst(FineEntry, fine)).toEqual([]);
      }),
    );
  });
});
