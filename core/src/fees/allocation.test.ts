// Allocation of payments and credit: oldest due first across a family, cashier-chosen amounts
// checked with messages a cashier can act on, and money that always adds back up exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllocationError, type AllocationErrorCode, allocatePayment, applyCredit } from './allocation.ts';
import { deriveLedger, type ChargeState } from './ledger-state.ts';
import { testId, testLedger } from './test-ledger.ts';

const id = testId;

/** Amina and Brian of one family; testId('amina') sorts before testId('brian'). */
function familyLedger() {
  const t = testLedger();
  t.invoice({
    student: 'amina',
    charges: [
      { id: 'amina-t1', description: 'Tuition', instalment: 'Instalment 1', amount: 3_000, dueDate: '2025-01-15', payer: 'family' },
      { id: 'amina-t2', description: 'Tuition', instalment: 'Instalment 2', amount: 3_000, dueDate: '2025-03-15', payer: 'family' },
    ],
  });
  t.invoice({ student: 'brian', charges: [{ id: 'brian-t1', amount: 2_000, dueDate: '2025-01-15', payer: 'family' }] });
  t.fine({ id: 'amina-fine', charge: 'amina-t1', rule: 'late', period: 1, accruedOn: '2025-01-15', amount: 100, payer: 'family' });
  return t;
}

function openCharges(t: ReturnType<typeof testLedger>): ChargeState[] {
  return [...deriveLedger(t.entries()).charges.values()];
}

function allocationError(action: () => unknown): AllocationError {
  try {
    action();
  } catch (error) {
    if (error instanceof AllocationError) return error;
    throw error;
  }
  throw new Error('expected an AllocationError, but nothing was thrown');
}

function expectAllocationError(action: () => unknown, code: AllocationErrorCode, message: RegExp): void {
  const error = allocationError(action);
  expect(error.code).toBe(code);
  expect(error.name).toBe('AllocationError');
  expect(error.message).toMatch(message);
}

describe('allocatePayment oldest-first', () => {
  it('pays the earliest due across children, a fee before its late fee, then later instalments, rest to credit', () => {
    const charges = openCharges(familyLedger());
    expect(allocatePayment({ amount: 5_050, charges, mode: { kind: 'oldest-first' } })).toEqual({
      allocations: [
        { studentId: id('amina'), chargeId: id('amina-t1'), amount: 3_000 },
        { studentId: id('brian'), chargeId: id('brian-t1'), amount: 2_000 },
        { studentId: id('amina'), chargeId: id('amina-fine'), amount: 50 },
      ],
      credit: 0,
    });
    expect(allocatePayment({ amount: 9_000, charges, mode: { kind: 'oldest-first' } })).toEqual({
      allocations: [
        { studentId: id('amina'), chargeId: id('amina-t1'), amount: 3_000 },
        { studentId: id('brian'), chargeId: id('brian-t1'), amount: 2_000 },
        { studentId: id('amina'), chargeId: id('amina-fine'), amount: 100 },
        { studentId: id('amina'), chargeId: id('amina-t2'), amount: 3_000 },
      ],
      credit: 900,
    });
  });

  it('passes over what is already paid and allocates only what is still open', () => {
    const t = familyLedger();
    t.payment({ payer: 'family', amount: 2_500, allocations: [['amina-t1', 2_500]] });
    const { allocations, credit } = allocatePayment({ amount: 1_000, charges: openCharges(t), mode: { kind: 'oldest-first' } });
    expect(allocations).toEqual([
      { studentId: id('amina'), chargeId: id('amina-t1'), amount: 500 },
      { studentId: id('brian'), chargeId: id('brian-t1'), amount: 500 },
    ]);
    expect(credit).toBe(0);
  });

  it('refuses a payment that is not a whole positive amount', () => {
    for (const amount of [0, -5, 10.5, Number.NaN]) {
      expectAllocationError(() => allocatePayment({ amount, charges: [], mode: { kind: 'oldest-first' } }), 'invalid-amount', /whole amount above zero/);
    }
  });
});

describe('allocatePayment chosen by the cashier', () => {
  const charges = openCharges(familyLedger());

  it('allocates exactly the chosen amounts, skips zeros, and leaves the rest as credit', () => {
    const mode = { kind: 'chosen', allocations: [{ chargeId: id('amina-t2'), amount: 1_000 }, { chargeId: id('brian-t1'), amount: 0 }] } as const;
    expect(allocatePayment({ amount: 1_500, charges, mode })).toEqual({ allocations: [{ studentId: id('amina'), chargeId: id('amina-t2'), amount: 1_000 }], credit: 500 });
  });

  it('explains each refusal', () => {
    const chosen = (allocations: { chargeId: string; amount: number }[], amount = 10_000) => () =>
      allocatePayment({ amount, charges, currency: 'KES', mode: { kind: 'chosen', allocations } });
    expectAllocationError(chosen([{ chargeId: id('elsewhere'), amount: 1 }]), 'unknown-charge', /not open for this payer: refresh/);
    expectAllocationError(chosen([{ chargeId: id('brian-t1'), amount: 2_001 }]), 'more-than-open', /KES\s?20\.01 is more than the KES\s?20\.00 still owed on 'Tuition \(Full\)'/);
    expectAllocationError(chosen([{ chargeId: id('brian-t1'), amount: -1 }]), 'invalid-amount', /whole amount of zero or more/);
    expectAllocationError(chosen([{ chargeId: id('brian-t1'), amount: 1 }, { chargeId: id('brian-t1'), amount: 1 }]), 'duplicate-charge', /chosen twice/);
    expectAllocationError(
      chosen([{ chargeId: id('amina-t1'), amount: 3_000 }, { chargeId: id('brian-t1'), amount: 2_000 }], 4_000),
      'more-than-available',
      /more than the payment of KES\s?40\.00/,
    );
  });
});

describe('applyCredit', () => {
  it('spends the payer’s credit oldest-first on their charges and their students’ own charges', () => {
    const t = familyLedger();
    t.invoice({ student: 'zara', charges: [{ id: 'zara-t1', amount: 700, dueDate: '2025-01-01' }] });
    t.payment({ payer: 'family', amount: 4_000 });
    const state = deriveLedger(t.entries());

    expect(applyCredit(id('family'), state, { kind: 'oldest-first' })).toEqual({
      allocations: [
        { studentId: id('amina'), chargeId: id('amina-t1'), amount: 3_000 },
        { studentId: id('brian'), chargeId: id('brian-t1'), amount: 1_000 },
      ],
      credit: 0,
    });
    expect(applyCredit(id('family'), state, { kind: 'oldest-first' }, { studentIds: [id('zara')] }).allocations[0]).toEqual({
      studentId: id('zara'),
      chargeId: id('zara-t1'),
      amount: 700,
    });
    expectAllocationError(
      () => applyCredit(id('family'), state, { kind: 'chosen', allocations: [{ chargeId: id('amina-t2'), amount: 3_000 }, { chargeId: id('amina-t1'), amount: 1_001 }] }),
      'more-than-available',
      /more than the available credit of 4000/,
    );
  });

  it('refuses when the payer has no credit', () => {
    const state = deriveLedger(familyLedger().entries());
    expectAllocationError(() => applyCredit(id('family'), state, { kind: 'oldest-first' }), 'no-credit', /no credit to apply/);
  });
});

const chargeArb = fc.record({
  id: fc.uuid(),
  kind: fc.constantFrom('charge' as const, 'fine' as const),
  studentId: fc.constantFrom(id('amina'), id('brian')),
  description: fc.constant('Tuition'),
  dueDate: fc.constantFrom('2025-01-15', '2025-02-15', '2025-03-15'),
  amount: fc.constant(0),
  discounted: fc.constant(0),
  waived: fc.constant(0),
  writtenOff: fc.constant(0),
  paid: fc.constant(0),
  open: fc.integer({ min: 0, max: 10_000 }),
});
const chargesArb = fc.uniqueArray(chargeArb, { selector: (c) => c.id, maxLength: 8 });

describe('allocation properties', () => {
  it('oldest-first: allocations + credit = payment, no charge over-allocated, credit only once all is paid', () => {
    fc.assert(
      fc.property(chargesArb, fc.integer({ min: 1, max: 60_000 }), (charges, amount) => {
        const { allocations, credit } = allocatePayment({ amount, charges, mode: { kind: 'oldest-first' } });
        expect(allocations.reduce((sum, a) => sum + a.amount, 0) + credit).toBe(amount);
        for (const a of allocations) {
          const charge = charges.find((c) => c.id === a.chargeId);
          expect(a.amount).toBeGreaterThan(0);
          expect(a.amount).toBeLessThanOrEqual(charge?.open ?? 0);
          expect(a.studentId).toBe(charge?.studentId);
        }
        if (credit > 0) expect(allocations.reduce((sum, a) => sum + a.amount, 0)).toBe(charges.reduce((sum, c) => sum + c.open, 0));
      }),
    );
  });

  it('chosen: any choice within the open amounts and the payment is taken as is, the rest is credit', () => {
    fc.assert(
      fc.property(chargesArb, fc.array(fc.nat({ max: 10_000 }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 60_000 }), (charges, wishes, amount) => {
        let left = amount;
        const chosen = charges.map((charge, i) => {
          const pick = Math.min(wishes[i] ?? 0, charge.open, left);
          left -= pick;
          return { chargeId: charge.id, amount: pick };
        });
        const { allocations, credit } = allocatePayment({ amount, charges, mode: { kind: 'chosen', allocations: chosen } });
        expect(credit).toBe(left);
        expect(allocations.reduce((sum, a) => sum + a.amount, 0) + credit).toBe(amount);
        expect(allocations.every((a) => a.amount > 0)).toBe(true);
      }),
    );
  });
});
