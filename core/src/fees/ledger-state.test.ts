// The derived ledger: balances a cashier and a bursar would check by hand, offline conflicts
// that must surface as credit and anomalies, and properties over random histories (balances
// add up, nothing goes negative, any order of the same documents gives the same state).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from './ledger.ts';
import { addDays, daysBetween, localDate } from '../calendar-date.ts';
import { deriveLedger, effectiveDate, type LedgerState } from './ledger-state.ts';
import { arbitraryLedgerHistory, testId, testLedger } from './test-ledger.ts';

const id = testId;

function family() {
  const t = testLedger();
  t.invoice({ id: 'inv-amina', student: 'amina', charges: [{ id: 'amina-tuition', amount: 10_000, dueDate: '2025-01-15', payer: 'family' }] });
  t.invoice({ id: 'inv-brian', student: 'brian', charges: [{ id: 'brian-tuition', amount: 8_000, dueDate: '2025-01-15', payer: 'family' }] });
  return t;
}

describe('deriveLedger by hand', () => {
  it('spreads one family payment over two children after a sibling discount', () => {
    const t = family();
    t.discount({ charge: 'brian-tuition', amount: 1_000, source: 'sibling' });
    t.payment({ id: 'pay-1', payer: 'family', amount: 12_000, allocations: [['amina-tuition', 10_000], ['brian-tuition', 2_000]] });
    const state = deriveLedger(t.entries());

    expect(state.charges.get(id('amina-tuition'))).toMatchObject({ kind: 'charge', amount: 10_000, paid: 10_000, open: 0, invoiceId: id('inv-amina'), termId: id('term-1') });
    expect(state.charges.get(id('brian-tuition'))).toMatchObject({ discounted: 1_000, paid: 2_000, open: 5_000 });
    expect(state.studentBalance(id('brian'))).toBe(5_000);
    expect(state.studentBalance(id('amina'))).toBe(0);
    expect(state.payerBalance(id('family'))).toBe(5_000);
    expect(state.payerCredit(id('family'))).toBe(0);
    expect(state.payments.get(id('pay-1'))).toMatchObject({ status: 'active', allocated: 12_000, credited: 0, receiptNumber: 'MAIN-D01-000001' });
    expect(state.anomalies).toEqual([]);
  });

  it('turns a second desk paying the same charge offline into credit and reports it', () => {
    const t = family();
    t.payment({ id: 'desk-a', payer: 'family', amount: 10_000, allocations: [['amina-tuition', 10_000]] });
    t.payment({ id: 'desk-b', payer: 'family', amount: 6_000, allocations: [['amina-tuition', 6_000]] });
    const state = deriveLedger(t.entries());

    expect(state.charges.get(id('amina-tuition'))?.open).toBe(0);
    expect(state.payments.get(id('desk-b'))).toMatchObject({ allocated: 0, credited: 6_000 });
    expect(state.payerCredit(id('family'))).toBe(6_000);
    expect(state.payerBalance(id('family'))).toBe(18_000 - 16_000);
    expect(state.anomalies).toHaveLength(1);
    expect(state.anomalies[0]).toMatch(/MAIN-D01-000002 allocated 6000 to 'Tuition'.*which had only 0 open; 6000 went to the payer's credit/);
  });

  it('puts the unallocated rest of a payment to credit and pays only up to the payment', () => {
    const t = family();
    t.payment({ id: 'pay', payer: 'family', amount: 3_000, allocations: [['amina-tuition', 2_000], ['brian-tuition', 2_000]] });
    const state = deriveLedger(t.entries());
    expect(state.charges.get(id('brian-tuition'))?.paid).toBe(1_000);
    expect(state.payments.get(id('pay'))).toMatchObject({ allocated: 3_000, credited: 0 });
    expect(state.anomalies[0]).toMatch(/allocated 2000 to .*more than the 1000 left of the payment/);
  });

  it('reopens dues when a cheque comes back and when a payment is voided', () => {
    const t = family();
    t.payment({ id: 'cheque', payer: 'family', amount: 10_000, method: 'cheque', allocations: [['amina-tuition', 10_000]] });
    t.payment({ id: 'cash', payer: 'family', amount: 9_000, allocations: [['brian-tuition', 8_000]] });
    t.chequeReturn({ payment: 'cheque', returnedOn: '2025-01-20' });
    t.voidPayment({ id: 'void-cash', payment: 'cash', reason: 'Wrong family' });
    const state = deriveLedger(t.entries());

    expect(state.payments.get(id('cheque'))).toMatchObject({ status: 'returned', allocated: 0, credited: 0 });
    expect(state.payments.get(id('cash'))).toMatchObject({ status: 'voided', reversedBy: id('void-cash') });
    expect(state.studentBalance(id('amina'))).toBe(10_000);
    expect(state.studentBalance(id('brian'))).toBe(8_000);
    expect(state.payerCredit(id('family'))).toBe(0);
    expect(state.payerBalance(id('family'))).toBe(18_000);
    expect(state.anomalies).toEqual([]);
  });

  it('reports reversals of unknown or already reversed payments; a second void or cheque return changes nothing', () => {
    const t = family();
    t.payment({ id: 'pay', payer: 'family', amount: 10_000, allocations: [['amina-tuition', 10_000]] });
    t.voidPayment({ id: 'void-1', payment: 'pay' });
    t.voidPayment({ id: 'void-2', payment: 'pay' });
    t.voidPayment({ id: 'void-ghost', payment: 'ghost', payer: 'family' });
    t.payment({ id: 'cheque', payer: 'family', method: 'cheque', amount: 8_000, allocations: [['brian-tuition', 8_000]] });
    t.chequeReturn({ id: 'return-1', payment: 'cheque', returnedOn: '2025-01-25' });
    t.chequeReturn({ id: 'return-2', payment: 'cheque', returnedOn: '2025-01-26' });
    const state = deriveLedger(t.entries());
    expect(state.payments.get(id('pay'))?.reversedBy).toBe(id('void-1'));
    expect(state.anomalies).toEqual([
      `Payment MAIN-D01-000001 was already voided by ${id('void-1')}; the void ${id('void-2')} changed nothing`,
      `The void ${id('void-ghost')} refers to payment ${id('ghost')}, which is not in the ledger; it was ignored`,
      `Payment MAIN-D01-000002 was already returned by ${id('return-1')}; the cheque return ${id('return-2')} changed nothing`,
    ]);
    // Both fees open again once; no money moved twice, so nothing is owed beyond them.
    expect([state.charges.get(id('amina-tuition'))?.open, state.charges.get(id('brian-tuition'))?.open]).toEqual([10_000, 8_000]);
    expect([state.payerCredit(id('family')), state.payerBalance(id('family'))]).toEqual([0, 18_000]);
  });

  it('gives the same balances whichever of a refund and a void of one payment comes first (two desks offline)', () => {
    const outcome = (refundFirst: boolean) => {
      const t = family();
      t.payment({ id: 'pay', payer: 'family', amount: 10_000, allocations: [['amina-tuition', 6_000]] });
      const refund = (at: string) => t.refund({ at, payer: 'family', payment: 'pay', amount: 10_000, reason: 'Paid twice' });
      const voided = (at: string) => t.voidPayment({ id: 'void', payment: 'pay', at });
      if (refundFirst) {
        refund('2025-01-20T10:00:00.000Z');
        voided('2025-01-20T10:05:00.000Z');
      } else {
        voided('2025-01-20T10:00:00.000Z');
        refund('2025-01-20T10:05:00.000Z');
      }
      const state = deriveLedger(t.entries());
      return { credit: state.payerCredit(id('family')), balance: state.payerBalance(id('family')), open: state.charges.get(id('amina-tuition'))?.open };
    };
    expect(outcome(true)).toEqual(outcome(false));
    // Both children's fees (18,000) and the 10,000 paid out twice.
    expect(outcome(true)).toEqual({ credit: -10_000, balance: 18_000 + 10_000, open: 10_000 });
  });

  it('caps reductions at what is left of the charge and reports the excess', () => {
    const t = family();
    t.discount({ id: 'big', charge: 'amina-tuition', amount: 7_000 });
    t.writeOff({ id: 'wo', charge: 'amina-tuition', amount: 5_000 });
    const state = deriveLedger(t.entries());
    expect(state.charges.get(id('amina-tuition'))).toMatchObject({ discounted: 7_000, writtenOff: 3_000, open: 0 });
    expect(state.anomalies[0]).toMatch(/The writeOff .* of 5000 on 'Tuition' .* exceeds what was left \(3000\); only 3000 counts/);
  });

  it('applies a concession granted after full payment first, so the overpaid part becomes credit', () => {
    const t = family();
    t.payment({ payer: 'family', amount: 10_000, allocations: [['amina-tuition', 10_000]] });
    t.discount({ charge: 'amina-tuition', amount: 2_500, source: 'concession', reason: 'Hardship' });
    const state = deriveLedger(t.entries());
    expect(state.charges.get(id('amina-tuition'))).toMatchObject({ discounted: 2_500, paid: 7_500, open: 0 });
    expect(state.payerCredit(id('family'))).toBe(2_500);
    expect(state.payerBalance(id('family'))).toBe(8_000 - 2_500);
  });

  it('applies credit up to what is available and reports the shortfall; refunds may overdraw credit', () => {
    const t = family();
    t.payment({ payer: 'family', amount: 4_000 });
    t.creditApplication({ id: 'apply', payer: 'family', allocations: [['amina-tuition', 3_000], ['brian-tuition', 3_000]] });
    t.refund({ payer: 'family', amount: 500 });
    const state = deriveLedger(t.entries());
    expect(state.charges.get(id('amina-tuition'))?.paid).toBe(3_000);
    expect(state.charges.get(id('brian-tuition'))?.paid).toBe(1_000);
    expect(state.payerCredit(id('family'))).toBe(-500);
    expect(state.payerBalance(id('family'))).toBe(18_000 - 4_000 + 500);
    expect(state.anomalies).toHaveLength(2);
    expect(state.anomalies[0]).toMatch(/asked for 3000 on 'Tuition'.* but only 1000 was applied \(credit 1000, open 8000\)/);
    expect(state.anomalies[1]).toMatch(/Refund .* of 500 .* exceeds their credit of 0/);
  });

  it('makes fines charges with the overdue charge’s term and category; waivers reduce only fines', () => {
    const t = testLedger();
    t.invoice({ student: 'amina', term: 'term-2', charges: [{ id: 'bus', category: 'transport', description: 'Bus', amount: 5_000, dueDate: '2025-01-15', payer: 'family' }] });
    t.fine({ id: 'fine', charge: 'bus', rule: 'late', period: 1, accruedOn: '2025-02-01', amount: 300, payer: 'family' });
    t.waiver({ fine: 'fine', amount: 100 });
    t.waiver({ id: 'bad-waiver', fine: 'bus', amount: 100 });
    const state = deriveLedger(t.entries());
    expect(state.charges.get(id('fine'))).toEqual({
      id: id('fine'),
      kind: 'fine',
      studentId: id('amina'),
      payerId: id('family'),
      termId: id('term-2'),
      feeCategoryId: id('transport'),
      description: 'Late fee on Bus, period 1',
      dueDate: '2025-02-01',
      amount: 300,
      discounted: 0,
      waived: 100,
      writtenOff: 0,
      paid: 0,
      open: 200,
      fineOf: { chargeId: id('bus'), ruleId: id('late'), period: 1 },
    });
    expect(state.studentBalance(id('amina'), { termId: id('term-2') })).toBe(5_200);
    expect(state.studentBalance(id('amina'), { termId: id('term-1') })).toBe(0);
    expect(state.payerBalance(id('family'))).toBe(5_200);
    expect(state.anomalies).toEqual([`The waiver ${id('bad-waiver')} targets ${id('bus')}, which is a charge, not a fine; it was ignored`]);
  });

  it('counts a document pushed twice once, and settles two different documents under one id the same way in any order', () => {
    const t = family();
    const pay = t.payment({ payer: 'family', amount: 1_000, allocations: [['amina-tuition', 1_000]] });
    const twice = deriveLedger([...t.entries(), { ...pay }]);
    expect(twice.charges.get(id('amina-tuition'))?.paid).toBe(1_000);
    expect(twice.anomalies).toEqual([]);

    const forged = { ...pay, amount: 9_999 };
    const a = deriveLedger([...t.entries(), forged]);
    const b = deriveLedger([forged, ...t.entries().reverse()]);
    expect(a.payments.get(pay.id)?.amount).toBe(b.payments.get(pay.id)?.amount);
    expect(a.anomalies).toEqual([`Two different documents share the id ${pay.id}; the one made at ${pay.createdAt} was used`]);
  });

  it('orders by the instant, not its text: 08:00:00Z comes before 08:00:00.5Z', () => {
    const t = family();
    t.payment({ id: 'later', at: '2025-01-10T08:00:00.5Z', payer: 'family', amount: 10_000, allocations: [['amina-tuition', 10_000]] });
    t.payment({ id: 'earlier', at: '2025-01-10T08:00:00Z', payer: 'family', amount: 10_000, allocations: [['amina-tuition', 10_000]] });
    const state = deriveLedger(t.entries());
    expect(state.payments.get(id('earlier'))?.allocated).toBe(10_000);
    expect(state.payments.get(id('later'))?.credited).toBe(10_000);
  });

  it('cuts the ledger at asOf by each entry’s effective date', () => {
    const t = family();
    t.payment({ id: 'cheque', at: '2025-01-10T09:00:00.000Z', payer: 'family', amount: 10_000, method: 'cheque', allocations: [['amina-tuition', 10_000]] });
    t.chequeReturn({ payment: 'cheque', at: '2025-01-11T09:00:00.000Z', returnedOn: '2025-01-20' });
    t.invoice({ student: 'amina', issuedOn: '2025-02-01', charges: [{ id: 'feb', amount: 500, dueDate: '2025-02-15' }] });
    expect(deriveLedger(t.entries(), { asOf: '2025-01-09' }).studentBalance(id('amina'))).toBe(10_000);
    const mid = deriveLedger(t.entries(), { asOf: '2025-01-19' });
    expect(mid.asOf).toBe('2025-01-19');
    expect(mid.payments.get(id('cheque'))?.status).toBe('active');
    expect(mid.studentBalance(id('amina'))).toBe(0);
    expect(deriveLedger(t.entries(), { asOf: '2025-01-20' }).studentBalance(id('amina'))).toBe(10_000);
    expect(deriveLedger(t.entries()).studentBalance(id('amina'))).toBe(10_500);
    expect(() => deriveLedger([], { asOf: '2025-02-30' })).toThrow(/not a calendar date/);
  });

  it('dates a late-evening payment by the school’s time zone', () => {
    const t = family();
    const pay = t.payment({ at: '2025-01-31T22:30:00.000Z', payer: 'family', amount: 100 });
    expect(effectiveDate(pay)).toBe('2025-01-31');
    expect(effectiveDate(pay, 'Africa/Nairobi')).toBe('2025-02-01');
    expect(deriveLedger(t.entries(), { asOf: '2025-01-31', timeZone: 'Africa/Nairobi' }).payments.size).toBe(0);
    expect(deriveLedger(t.entries(), { asOf: '2025-01-31' }).payments.size).toBe(1);
  });
});

describe('calendar dates', () => {
  it('counts days across month ends and leap years', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-02-28', '2025-03-01')).toBe(1);
    expect(daysBetween('2025-03-01', '2025-01-31')).toBe(-29);
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(localDate('2025-06-30T23:59:59.999Z', 'Asia/Kuwait')).toBe('2025-07-01');
    expect(() => daysBetween('2025-13-01', '2025-01-01')).toThrow(RangeError);
  });
});

// ---- properties over random histories ----

function compare(a: LedgerEntry, b: LedgerEntry): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The payer balance computed straight from the documents, without deriveLedger. */
function expectedPayerBalances(entries: readonly LedgerEntry[]): Map<string, number> {
  const unique = [...new Map(entries.map((e) => [e.id, e])).values()].sort(compare);
  const charges = new Map<string, { kind: 'charge' | 'fine'; amount: number; reduced: number; payerId: string | undefined }>();
  for (const e of unique) {
    if (e.type === 'invoice') for (const c of e.charges) charges.set(c.id, { kind: 'charge', amount: c.amount, reduced: 0, payerId: c.payerId });
    if (e.type === 'fine') charges.set(e.id, { kind: 'fine', amount: e.amount, reduced: 0, payerId: e.payerId });
  }
  // Each payment's reversals in ledger order: the first ends it; a later refund naming it, and a
  // later void or cheque return of a refunded one, leave the payer owing what was paid back.
  const payments = new Map(unique.flatMap((e) => (e.type === 'payment' ? [[e.id, e] as const] : [])));
  const reversals = new Map<string, string[]>();
  for (const e of unique) {
    const paymentId = e.type === 'void' || e.type === 'chequeReturn' ? e.paymentId : e.type === 'refund' ? e.paymentId : undefined;
    if (paymentId !== undefined && payments.has(paymentId)) reversals.set(paymentId, [...(reversals.get(paymentId) ?? []), e.id]);
  }
  const first = (paymentId: string | undefined, entryId: string): boolean => paymentId !== undefined && reversals.get(paymentId)?.[0] === entryId;
  const balance = new Map<string, number>();
  const add = (payerId: string | undefined, amount: number) => {
    if (payerId !== undefined) balance.set(payerId, (balance.get(payerId) ?? 0) + amount);
  };
  for (const e of unique) {
    if (e.type === 'discount' || e.type === 'waiver' || e.type === 'writeOff') {
      const charge = charges.get(e.type === 'waiver' ? e.fineId : e.chargeId);
      const fits = charge !== undefined && (e.type === 'writeOff' || charge.kind === (e.type === 'discount' ? 'charge' : 'fine'));
      if (fits) {
        const applied = Math.min(e.amount, charge.amount - charge.reduced);
        charge.reduced += applied;
        add(charge.payerId, -applied);
      }
    }
    if (e.type === 'payment' && !reversals.has(e.id)) add(e.payerId, -e.amount);
    if (e.type === 'refund' && !first(e.paymentId, e.id)) add(e.payerId, e.amount);
    if ((e.type === 'void' || e.type === 'chequeReturn') && payments.has(e.paymentId) && !first(e.paymentId, e.id)) {
      const firstReversal = unique.find((r) => r.id === reversals.get(e.paymentId)?.[0]);
      if (firstReversal?.type === 'refund') add(payments.get(e.paymentId)?.payerId, payments.get(e.paymentId)?.amount ?? 0);
    }
  }
  for (const charge of charges.values()) add(charge.payerId, charge.amount);
  return balance;
}

function snapshot(state: LedgerState, payerIds: readonly string[], studentIds: readonly string[]) {
  const sorted = <T>(map: ReadonlyMap<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    charges: sorted(state.charges),
    payments: sorted(state.payments),
    effects: state.effects,
    anomalies: state.anomalies,
    payers: payerIds.map((p) => [state.payerBalance(p), state.payerCredit(p)]),
    students: studentIds.map((s) => state.studentBalance(s)),
  };
}

describe('deriveLedger properties', () => {
  it('payer balance = charges − capped reductions − active payments + refunds, from the raw documents', () => {
    fc.assert(
      fc.property(arbitraryLedgerHistory(), ({ entries, payerIds }) => {
        const state = deriveLedger(entries);
        const expected = expectedPayerBalances(entries);
        for (const payerId of payerIds) expect(state.payerBalance(payerId)).toBe(expected.get(payerId) ?? 0);
      }),
    );
  });

  it('never leaves a charge with a negative or more-than-billed open amount, and every active payment adds up', () => {
    fc.assert(
      fc.property(arbitraryLedgerHistory(), ({ entries }) => {
        const state = deriveLedger(entries);
        for (const charge of state.charges.values()) {
          expect(charge.open).toBeGreaterThanOrEqual(0);
          expect(charge.open).toBe(charge.amount - charge.discounted - charge.waived - charge.writtenOff - charge.paid);
        }
        for (const payment of state.payments.values()) {
          expect(payment.allocated + payment.credited).toBe(payment.status === 'active' ? payment.amount : 0);
        }
      }),
    );
  });

  it('Σ open of a payer’s charges − their credit = payer balance when their money and their charges stay between them', () => {
    let checked = 0;
    fc.assert(
      fc.property(arbitraryLedgerHistory(), ({ entries, payerIds }) => {
        const state = deriveLedger(entries);
        for (const payerId of payerIds) {
          const mingled = entries.some((e) => {
            if (e.type !== 'payment' && e.type !== 'creditApplication') return false;
            return e.allocations.some((a) => {
              const charge = state.charges.get(a.chargeId);
              if (charge === undefined) return false;
              return (e.payerId === payerId) !== (charge.payerId === payerId);
            });
          });
          if (mingled) continue;
          checked += 1;
          const open = [...state.charges.values()].filter((c) => c.payerId === payerId).reduce((sum, c) => sum + c.open, 0);
          expect(open - state.payerCredit(payerId)).toBe(state.payerBalance(payerId));
        }
      }),
      // At fast-check's default 100 runs the condition held for only 48 payers in one run here
      // (the check below then failed by chance); 300 runs keep it far above the bar.
      { numRuns: 300 },
    );
    // The condition must hold often enough for the property to mean something.
    expect(checked).toBeGreaterThan(50);
  });

  it('gives the identical state for any order of the same documents', () => {
    fc.assert(
      fc.property(arbitraryLedgerHistory(), fc.gen(), ({ entries, payerIds, studentIds }, gen) => {
        const shuffled = gen(fc.shuffledSubarray, entries, { minLength: entries.length, maxLength: entries.length });
        expect(snapshot(deriveLedger(shuffled), payerIds, studentIds)).toEqual(snapshot(deriveLedger(entries), payerIds, studentIds));
      }),
    );
  });
});
