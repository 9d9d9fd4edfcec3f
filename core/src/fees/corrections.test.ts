// Corrections: each builder makes a valid reversing document that does what it says once fed
// back into the ledger, and refuses, with a message a cashier can act on, what is not allowed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUuid } from '../ids.ts';
import { validateAgainst } from '../validation.ts';
import { CorrectionError, type CorrectionErrorCode, concession, refundCredit, refundPayment, returnCheque, voidPayment, waiveFine, writeOff } from './corrections.ts';
import { payerStatement } from './statements.ts';
import { ledgerEntryTypes, type LedgerEntry } from './ledger.ts';
import { deriveLedger } from './ledger-state.ts';
import { testId, testLedger, testSchoolId } from './test-ledger.ts';

const id = testId;
const who = { schoolId: testSchoolId, currency: 'KES', createdBy: id('bursar'), deviceId: id('desk-1'), now: '2025-02-01T10:00:00.000Z' };

function setting() {
  const t = testLedger();
  t.invoice({ id: 'inv', student: 'amina', charges: [{ id: 'tuition', description: 'Tuition', amount: 10_000, dueDate: '2025-01-15', payer: 'family' }] });
  t.fine({ id: 'fine', charge: 'tuition', rule: 'late', period: 1, accruedOn: '2025-01-21', amount: 500, payer: 'family' });
  t.payment({ id: 'cash', payer: 'family', amount: 3_000, cashSession: 'morning', allocations: [['tuition', 3_000]] });
  t.payment({ id: 'cheque', payer: 'family', method: 'cheque', amount: 2_000, cashSession: 'morning', allocations: [['tuition', 1_000]] });
  return t;
}

function correctionError(action: () => unknown): CorrectionError {
  try {
    action();
  } catch (error) {
    if (error instanceof CorrectionError) return error;
    throw error;
  }
  throw new Error('expected a CorrectionError, but nothing was thrown');
}

function expectRefused(action: () => unknown, code: CorrectionErrorCode, message: RegExp): void {
  const error = correctionError(action);
  expect(error.code).toBe(code);
  expect(error.name).toBe('CorrectionError');
  expect(error.message).toMatch(message);
}

function expectValid(doc: LedgerEntry): void {
  expect(validateAgainst(ledgerEntryTypes[doc.type], doc)).toEqual([]);
  expect(isUuid(doc.id)).toBe(true);
  expect(doc.id[14]).toBe('7');
}

describe('voidPayment', () => {
  const state = deriveLedger(setting().entries());

  it('voids a payment of the open session, and the dues it paid reopen', () => {
    const doc = voidPayment({ ...who, state, paymentId: id('cash'), reason: '  Keyed the wrong family  ', cashSessionId: id('morning'), voidOnlyInSameSession: true });
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'void', paymentId: id('cash'), payerId: id('family'), cashSessionId: id('morning'), reason: 'Keyed the wrong family', createdAt: who.now, deviceId: id('desk-1') });
    const after = deriveLedger([...setting().entries(), doc]);
    expect(after.payments.get(id('cash'))?.status).toBe('voided');
    expect(after.charges.get(id('tuition'))?.open).toBe(9_000);
  });

  it('keeps to the session when the school says so', () => {
    expectRefused(
      () => voidPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong family', cashSessionId: id('afternoon'), voidOnlyInSameSession: true }),
      'other-session',
      /Receipt MAIN-D01-000001 was taken in another cash session/,
    );
    expectRefused(() => voidPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong family', voidOnlyInSameSession: true }), 'other-session', /another cash session/);
    expect(voidPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong family', cashSessionId: id('afternoon'), voidOnlyInSameSession: false }).type).toBe('void');
  });

  it('refuses unknown and already reversed payments and blank reasons', () => {
    const t = setting();
    t.voidPayment({ payment: 'cash' });
    const voided = deriveLedger(t.entries());
    expectRefused(() => voidPayment({ ...who, state: voided, paymentId: id('cash'), reason: 'Again', voidOnlyInSameSession: false }), 'payment-not-active', /MAIN-D01-000001 is already voided/);
    expectRefused(() => voidPayment({ ...who, state, paymentId: id('nope'), reason: 'Gone', voidOnlyInSameSession: false }), 'unknown-payment', /sync, then try again/);
    expectRefused(() => voidPayment({ ...who, state, paymentId: id('cash'), reason: '  ok ', voidOnlyInSameSession: false }), 'blank-reason', /reason of 3 to 500 characters/);
  });
});

describe('reversing a payment whose credit was paid out or used since', () => {
  // The cheque left 1,000 to the family's credit; it was then refunded in cash.
  const paidOut = () => {
    const t = setting();
    t.refund({ payer: 'family', amount: 1_000 });
    return t;
  };

  it('refuses the void and the refund that would pay it back a second time', () => {
    const state = deriveLedger(paidOut().entries());
    expect(state.payerCredit(id('family'))).toBe(0);
    expectRefused(
      () => voidPayment({ ...who, state, paymentId: id('cheque'), reason: 'Wrong family', cashSessionId: id('morning'), voidOnlyInSameSession: true }),
      'credit-used',
      /^Cannot void receipt MAIN-D01-000002: KES\s?10\.00 of it was left as credit, and KES\s?10\.00 of that was refunded or applied to other fees since, so the void would take back money already paid out or spent\. Ask the bursar to correct the payer's account\.$/,
    );
    expectRefused(() => refundPayment({ ...who, state, paymentId: id('cheque'), reason: 'Paid twice', cashSessionId: id('afternoon') }), 'credit-used', /^Cannot refund receipt MAIN-D01-000002: KES\s?10\.00 of it was left as credit/);
    // A payment that left no credit is reversed as before.
    expect(voidPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong family', cashSessionId: id('morning'), voidOnlyInSameSession: true }).type).toBe('void');
  });

  it('refuses it too when the credit went onto other fees, even with new credit since; a later payment is reversed as before', () => {
    const t = setting();
    t.invoice({ id: 'trip', student: 'amina', charges: [{ id: 'bus', description: 'Trip', amount: 600, dueDate: '2025-02-15', payer: 'family' }] });
    t.creditApplication({ payer: 'family', allocations: [['bus', 600]] });
    t.payment({ id: 'later', payer: 'family', amount: 1_500, cashSession: 'morning', allocations: [] });
    const state = deriveLedger(t.entries());
    expect(state.payerCredit(id('family'))).toBe(1_900);
    expect(state.payments.get(id('cheque'))?.creditDrawnSince).toBe(600);
    expectRefused(() => voidPayment({ ...who, state, paymentId: id('cheque'), reason: 'Wrong family', voidOnlyInSameSession: false }), 'credit-used', /and KES\s?6\.00 of that was refunded or applied to other fees since/);
    // The later payment's credit was never drawn on: its void leaves the rest as it was.
    const doc = voidPayment({ ...who, state, paymentId: id('later'), reason: 'Wrong family', voidOnlyInSameSession: false });
    const after = deriveLedger([...t.entries(), doc]);
    expect([after.payerCredit(id('family')), after.charges.get(id('bus'))?.open, after.anomalies]).toEqual([400, 0, []]);
  });

  it('lets a payment into a debt be voided at once: filling the debt is not spending its credit', () => {
    const t = setting();
    // The family owes 2,000 more than it paid (a refund of more than its credit, say).
    t.refund({ payer: 'family', amount: 3_000 });
    t.payment({ id: 'into-debt', payer: 'family', amount: 10_000, cashSession: 'afternoon', allocations: [] });
    const state = deriveLedger(t.entries());
    expect([state.payerCredit(id('family')), state.payments.get(id('into-debt'))?.creditDrawnSince]).toEqual([8_000, 0]);
    expect(voidPayment({ ...who, state, paymentId: id('into-debt'), reason: 'Keyed twice', cashSessionId: id('afternoon'), voidOnlyInSameSession: true }).type).toBe('void');
    // A refund of the 8,000 it left draws all of it: now the void is refused.
    t.refund({ payer: 'family', amount: 8_000 });
    const drawn = deriveLedger(t.entries());
    expect(drawn.payments.get(id('into-debt'))?.creditDrawnSince).toBe(8_000);
    expectRefused(() => voidPayment({ ...who, state: drawn, paymentId: id('into-debt'), reason: 'Keyed twice', cashSessionId: id('afternoon'), voidOnlyInSameSession: true }), 'credit-used', /KES\s?100\.00 of it was left as credit, and KES\s?80\.00 of that/);
  });

  it('never lets a reversal it allows leave the payer owing or a credit application short (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ kind: fc.constant('pay' as const), amount: fc.integer({ min: 1, max: 3_000 }), allocate: fc.integer({ min: 0, max: 3_000 }) }), fc.record({ kind: fc.constant('refund' as const), amount: fc.integer({ min: 1, max: 2_000 }) }), fc.record({ kind: fc.constant('apply' as const), amount: fc.integer({ min: 1, max: 2_000 }) })), { minLength: 1, maxLength: 8 }),
        (steps) => {
          const t = testLedger();
          t.invoice({ id: 'inv', student: 'amina', charges: [{ id: 'fees', description: 'Fees', amount: 50_000, dueDate: '2025-01-15', payer: 'family' }] });
          let n = 0;
          for (const step of steps) {
            n += 1;
            const at = { at: `2025-01-20T08:${String(n).padStart(2, '0')}:00.000Z` };
            const credit = deriveLedger(t.entries()).payerCredit(id('family'));
            if (step.kind === 'pay') t.payment({ ...at, id: `p${String(n)}`, payer: 'family', amount: step.amount, allocations: step.allocate > 0 ? [['fees', Math.min(step.allocate, step.amount)]] : [] });
            else if (step.kind === 'refund' && credit >= step.amount) t.refund({ ...at, payer: 'family', amount: step.amount });
            else if (step.kind === 'apply' && credit >= step.amount) t.creditApplication({ ...at, payer: 'family', allocations: [['fees', step.amount]] });
          }
          const state = deriveLedger(t.entries());
          for (const payment of state.payments.values()) {
            let doc;
            try {
              doc = voidPayment({ ...who, state, paymentId: payment.id, reason: 'Checked', voidOnlyInSameSession: false });
            } catch (error) {
              if (error instanceof CorrectionError && error.code === 'credit-used') continue;
              throw error;
            }
            const after = deriveLedger([...t.entries(), doc]);
            expect(after.anomalies).toEqual([]);
            expect(after.payerCredit(id('family'))).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('returnCheque', () => {
  const state = deriveLedger(setting().entries());

  it('records a returned cheque so the payment stops counting', () => {
    const doc = returnCheque({ ...who, state, paymentId: id('cheque'), returnedOn: '2025-01-30', reason: 'Insufficient funds' });
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'chequeReturn', paymentId: id('cheque'), payerId: id('family'), returnedOn: '2025-01-30' });
    const after = deriveLedger([...setting().entries(), doc]);
    expect(after.payments.get(id('cheque'))?.status).toBe('returned');
    expect(after.payerCredit(id('family'))).toBe(0);
  });

  it('refuses a payment that was not a cheque, and a date that is not one', () => {
    expectRefused(() => returnCheque({ ...who, state, paymentId: id('cash'), returnedOn: '2025-01-30', reason: 'Bounced' }), 'not-a-cheque', /paid by cash, not cheque: void it instead/);
    expectRefused(() => returnCheque({ ...who, state, paymentId: id('cheque'), returnedOn: '30/01/2025', reason: 'Bounced' }), 'invalid-date', /YYYY-MM-DD/);
  });
});

describe('refundPayment', () => {
  const state = deriveLedger(setting().entries());

  it('refunds a whole payment of a closed till out of the open one: the dues it paid reopen and nothing is left to credit', () => {
    const doc = refundPayment({ ...who, state, paymentId: id('cash'), reason: ' Paid for the wrong child ', cashSessionId: id('afternoon') });
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'refund', paymentId: id('cash'), payerId: id('family'), amount: 3_000, method: 'cash', reason: 'Paid for the wrong child', cashSessionId: id('afternoon'), deviceId: id('desk-1') });
    const after = deriveLedger([...setting().entries(), doc]);
    expect(after.payments.get(id('cash'))).toMatchObject({ status: 'refunded', reversedBy: doc.id, allocated: 0, credited: 0 });
    expect(after.charges.get(id('tuition'))?.open).toBe(9_000);
    // The cheque's unallocated 1,000 is still credit; the refund took none of it.
    expect(after.payerCredit(id('family'))).toBe(1_000);
    expect(after.payerBalance(id('family'))).toBe(10_000 + 500 - 2_000);
    expect(after.anomalies).toEqual([]);
    const statement = payerStatement([...setting().entries(), doc], id('family'), { asOf: '2025-02-01' });
    expect(statement.closingBalance).toBe(after.payerBalance(id('family')));
  });

  it('pays back by another method and reference when asked', () => {
    const doc = refundPayment({ ...who, state, paymentId: id('cheque'), method: 'bankTransfer', reference: ' EFT-7781 ', reason: 'Cheque paid twice' });
    expect(doc).toMatchObject({ method: 'bankTransfer', reference: 'EFT-7781', amount: 2_000 });
    expect(doc.cashSessionId).toBeUndefined();
  });

  it('refuses a payment of the till still open (void it), a reversed one, an unknown one and a blank reason', () => {
    expectRefused(() => refundPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong child', cashSessionId: id('morning') }), 'same-session', /MAIN-D01-000001 was taken in the till still open: void it instead/);
    const t = setting();
    t.voidPayment({ payment: 'cash' });
    expectRefused(() => refundPayment({ ...who, state: deriveLedger(t.entries()), paymentId: id('cash'), reason: 'Again' }), 'payment-not-active', /already voided/);
    expectRefused(() => refundPayment({ ...who, state, paymentId: id('nope'), reason: 'Gone' }), 'unknown-payment', /sync, then try again/);
    expectRefused(() => refundPayment({ ...who, state, paymentId: id('cash'), reason: ' x ' }), 'blank-reason', /reason of 3/);
  });

  it('a second refund or a void of a refunded payment is an anomaly, and the money paid out twice is owed back', () => {
    const first = refundPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong child', cashSessionId: id('afternoon') });
    const second = { ...refundPayment({ ...who, state, paymentId: id('cash'), reason: 'Wrong child', cashSessionId: id('evening') }), createdAt: '2025-02-01T11:00:00.000Z' };
    const after = deriveLedger([...setting().entries(), first, second]);
    expect(after.payments.get(id('cash'))?.reversedBy).toBe(first.id);
    expect(after.anomalies.join('\n')).toMatch(/already refunded by .* the refund .* was paid out too, and is owed back by the payer/);
    // The cheque's 1,000 of credit less the 3,000 paid out a second time.
    expect(after.payerCredit(id('family'))).toBe(-2_000);
  });
});

describe('refundCredit', () => {
  const state = deriveLedger(setting().entries());

  it('refunds up to the payer’s credit', () => {
    expect(state.payerCredit(id('family'))).toBe(1_000);
    const doc = refundCredit({ ...who, state, payerId: id('family'), amount: 1_000, method: 'mobileMoney', reference: 'MPESA-XYZ', reason: 'Overpaid', cashSessionId: id('afternoon') });
    expect(doc.cashSessionId).toBe(id('afternoon'));
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'refund', payerId: id('family'), amount: 1_000, method: 'mobileMoney', reference: 'MPESA-XYZ' });
    expect(deriveLedger([...setting().entries(), doc]).payerCredit(id('family'))).toBe(0);
  });

  it('refuses more than the credit, and amounts that are not whole and positive', () => {
    expectRefused(
      () => refundCredit({ ...who, state, payerId: id('family'), amount: 1_001, method: 'cash', reason: 'Overpaid' }),
      'more-than-credit',
      /Cannot refund KES\s?10\.01: this payer has only KES\s?10\.00 of credit/,
    );
    expectRefused(() => refundCredit({ ...who, state, payerId: id('family'), amount: 0, method: 'cash', reason: 'Overpaid' }), 'invalid-amount', /whole amount above zero/);
    expectRefused(() => refundCredit({ ...who, state, payerId: id('family'), amount: 2.5, method: 'cash', reason: 'Overpaid' }), 'invalid-amount', /whole amount/);
  });
});

describe('waiveFine, writeOff and concession', () => {
  const state = deriveLedger(setting().entries());

  it('waives part of a late fee, but not of a fee', () => {
    const doc = waiveFine({ ...who, state, fineId: id('fine'), amount: 200, reason: 'First time late' });
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'waiver', fineId: id('fine'), studentId: id('amina'), amount: 200 });
    expect(deriveLedger([...setting().entries(), doc]).charges.get(id('fine'))?.open).toBe(300);
    expectRefused(() => waiveFine({ ...who, state, fineId: id('tuition'), amount: 200, reason: 'Kindness' }), 'not-a-fine', /is a fee, not a late fee/);
    expectRefused(() => waiveFine({ ...who, state, fineId: id('fine'), amount: 501, reason: 'Kindness' }), 'more-than-open', /Cannot waive KES\s?5\.01 .* only KES\s?5\.00 is still owed/);
  });

  it('writes off what is open on a charge or a fine, no more', () => {
    expect(state.charges.get(id('tuition'))?.open).toBe(6_000);
    const doc = writeOff({ ...who, state, chargeId: id('tuition'), amount: 6_000, reason: 'Family left the country' });
    expectValid(doc);
    expect(deriveLedger([...setting().entries(), doc]).studentBalance(id('amina'))).toBe(500);
    expect(writeOff({ ...who, state, chargeId: id('fine'), amount: 500, reason: 'Uncollectable' }).chargeId).toBe(id('fine'));
    expectRefused(() => writeOff({ ...who, state, chargeId: id('tuition'), amount: 6_001, reason: 'Too much' }), 'more-than-open', /only KES\s?60\.00 is still owed/);
    expectRefused(() => writeOff({ ...who, state, chargeId: id('ghost'), amount: 1, reason: 'Ghost' }), 'unknown-charge', /not in the ledger/);
  });

  it('gives a concession on an invoice charge as a discount with its reason', () => {
    const doc = concession({ ...who, state, chargeId: id('tuition'), amount: 1_500, reason: 'Bursary committee, minute 12' });
    expectValid(doc);
    expect(doc).toMatchObject({ type: 'discount', source: 'concession', invoiceId: id('inv'), chargeId: id('tuition'), studentId: id('amina'), amount: 1_500, reason: 'Bursary committee, minute 12' });
    expect(deriveLedger([...setting().entries(), doc]).charges.get(id('tuition'))).toMatchObject({ discounted: 1_500, open: 4_500 });
    expectRefused(() => concession({ ...who, state, chargeId: id('fine'), amount: 100, reason: 'Hardship' }), 'not-an-invoice-charge', /waive it instead/);
    expectRefused(() => concession({ ...who, state, chargeId: id('tuition'), amount: 100, reason: '' }), 'blank-reason', /Give a reason/);
  });
});
