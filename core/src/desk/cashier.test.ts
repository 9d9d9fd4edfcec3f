// The cashier's arithmetic: a family's dues across siblings, the payment document as the desk
// writes it, and the till's expected cash at closing.
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import { allocatePayment } from '../fees/allocation.ts';
import type { CashSessionOpenDoc, InvoiceDoc, LedgerEntry, PaymentDoc, RefundDoc, VoidDoc } from '../fees/ledger.ts';
import type { Payer } from '../fees/payers.ts';
import { owedAfter, payerAccount } from './payer-account.ts';
import { changeDue, chargedParticulars, methodUnavailable, newPayment, particularsProblems, PaymentNotTakenError, type PaymentParticulars } from './take-payment.ts';
import { openTillOf, summarizeTill } from './till.ts';
import { buildReceipt, paymentParticulars, receiptVerificationCode } from './receipt.ts';
import { voidRegister } from './void-register.ts';

const schoolId = newId();
const cashier = newId();
const deviceId = newId();
const officeId = newId();
const amani = newId();
const baraka = newId();
const at = (date: string) => `${date}T08:00:00.000Z`;
const common = (date = '2025-01-06') => ({ id: newId(), schoolId, currency: 'KES', createdAt: at(date), createdBy: cashier });

function invoice(studentId: string, lines: { amount: number; due: string; what: string }[]): InvoiceDoc {
  return {
    ...common(),
    type: 'invoice',
    studentId,
    termId: newId(),
    classId: newId(),
    feeStructureId: newId(),
    issuedOn: '2025-01-06',
    charges: lines.map((l) => ({ id: newId(), feeCategoryId: newId(), description: l.what, instalment: 'Term 1', dueDate: l.due, amount: l.amount })),
  };
}
const family: Pick<Payer, 'id' | 'students'> = { id: newId(), students: [{ studentId: amani, share: 10_000 }, { studentId: baraka, share: 10_000 }] };
const amaniBill = invoice(amani, [
  { amount: 1_500_000, due: '2025-01-31', what: 'Tuition' },
  { amount: 400_000, due: '2025-03-15', what: 'Transport' },
]);
const barakaBill = invoice(baraka, [{ amount: 1_200_000, due: '2025-01-20', what: 'Tuition' }]);

function payment(amount: number, allocations: PaymentDoc['allocations'], extra: Partial<PaymentDoc> = {}): PaymentDoc {
  return { ...common('2025-01-25'), type: 'payment', payerId: family.id, receiptNumber: 'MAIN-D01-000001', deviceId, officeId, method: 'cash', amount, offline: false, allocations, ...extra };
}

describe('a family at the window', () => {
  it('shows what is due now and later across the children, oldest due first, and the credit', () => {
    const paid = payment(500_000, [{ studentId: baraka, chargeId: barakaBill.charges[0]?.id ?? '', amount: 400_000 }]);
    const account = payerAccount(family, [amaniBill, barakaBill, paid], { now: new Date(at('2025-02-01')), timeZone: 'Africa/Nairobi' });
    expect(account.open.map((c) => [c.studentId === amani ? 'Amani' : 'Baraka', c.description, c.open])).toEqual([
      ['Baraka', 'Tuition', 800_000],
      ['Amani', 'Tuition', 1_500_000],
      ['Amani', 'Transport', 400_000],
    ]);
    expect([account.dueNow, account.dueLater, account.credit]).toEqual([2_300_000, 400_000, 100_000]);
    expect(account.payments.map((p) => p.receiptNumber)).toEqual(['MAIN-D01-000001']);
  });

  it('splits one payment across two siblings oldest first and tells what each still owes', () => {
    const account = payerAccount(family, [amaniBill, barakaBill], { now: new Date(at('2025-02-01')) });
    const { allocations, credit } = allocatePayment({ amount: 2_000_000, charges: account.open, mode: { kind: 'oldest-first' } });
    expect(allocations.map((a) => [a.studentId === amani ? 'Amani' : 'Baraka', a.amount])).toEqual([
      ['Baraka', 1_200_000],
      ['Amani', 800_000],
    ]);
    expect(credit).toBe(0);
    const after = owedAfter(account, allocations);
    expect([after.byStudent.get(baraka), after.byStudent.get(amani), after.total]).toEqual([0, 1_100_000, 1_100_000]);
  });
});

describe('taking a payment', () => {
  const base = { id: newId(), schoolId, currency: 'KES', payerId: family.id, createdBy: cashier, deviceId, officeId, cashSessionId: newId(), receiptNumber: 'MAIN-D01-000007', offline: true, now: new Date(at('2025-02-01')) };
  const cash: PaymentParticulars = { method: 'cash', amount: 150_000, tendered: 200_000 };

  it('asks for what each method needs', () => {
    expect(particularsProblems({ method: 'cheque', amount: 100, cheque: { number: ' ', bank: '', date: '' } }, 'KES').map((p) => p.field)).toEqual(['chequeNumber', 'chequeBank', 'chequeDate']);
    expect(particularsProblems({ method: 'mobileMoney', amount: 100 }, 'KES').map((p) => p.field)).toEqual(['mobileMoneyProvider', 'reference']);
    expect(particularsProblems({ method: 'bankTransfer', amount: 0, reference: 'FT123' }, 'KES').map((p) => p.message)).toEqual(['Enter the amount received']);
    expect(particularsProblems({ method: 'cash', amount: 150_000, tendered: 100_000 }, 'KES').map((p) => p.message.replaceAll('\u00a0', ' '))).toEqual([
      'The cash handed over (KES 1,000.00) is less than the amount (KES 1,500.00)',
    ]);
    expect(changeDue(cash)).toBe(50_000);
    expect(changeDue({ method: 'cash', amount: 100 })).toBe(0);
  });

  it('writes the payment with its receipt number, till, particulars and offline mark', () => {
    const doc = newPayment({ ...base, particulars: cash, allocations: [] });
    expect(doc).toMatchObject({ type: 'payment', receiptNumber: 'MAIN-D01-000007', cashSessionId: base.cashSessionId, method: 'cash', amount: 150_000, tendered: 200_000, offline: true, createdAt: '2025-02-01T08:00:00.000Z' });
    const cheque = newPayment({ ...base, particulars: { method: 'cheque', amount: 300_000, reference: 'ignored', cheque: { number: ' 004512 ', bank: 'Equity Bank', date: '2025-02-01' } }, allocations: [] });
    expect(cheque.cheque).toEqual({ number: '004512', bank: 'Equity Bank', date: '2025-02-01' });
    expect(cheque.reference).toBeUndefined();
    const momo = newPayment({ ...base, particulars: { method: 'mobileMoney', amount: 50_000, mobileMoneyProvider: 'M-Pesa', reference: 'QK45TY7', tendered: 60_000 }, allocations: [] });
    expect([momo.mobileMoneyProvider, momo.reference, momo.tendered]).toEqual(['M-Pesa', 'QK45TY7', undefined]);
    // A card payment once Stripe approved it: its PaymentIntent and the card charged; none on another method.
    const charged = chargedParticulars({ method: 'card', amount: 600_000, reference: 'typed', card: { brand: 'amex', last4: '0005' } }, { intentId: 'pi_3QxY7aBcDeFgHiJk', card: { brand: 'visa', last4: '4242' } });
    expect(charged).toEqual({ method: 'card', amount: 600_000, reference: 'pi_3QxY7aBcDeFgHiJk', card: { brand: 'visa', last4: '4242' } });
    expect(chargedParticulars({ method: 'card', amount: 600_000, card: { brand: 'amex', last4: '0005' } }, { intentId: 'pi_3QxY7aBcDeFgHiJk', card: null })).toEqual({ method: 'card', amount: 600_000, reference: 'pi_3QxY7aBcDeFgHiJk' });
    const card = newPayment({ ...base, offline: false, particulars: charged, allocations: [] });
    expect([card.method, card.reference, card.card]).toEqual(['card', 'pi_3QxY7aBcDeFgHiJk', { brand: 'visa', last4: '4242' }]);
    expect(newPayment({ ...base, particulars: { method: 'bankTransfer', amount: 100, reference: 'FT1', card: { brand: 'visa', last4: '4242' } }, allocations: [] }).card).toBeUndefined();
  });

  it('refuses a payment the cashier has not finished, and allocations over the amount', () => {
    expect(() => newPayment({ ...base, particulars: { method: 'bankTransfer', amount: 100 }, allocations: [] })).toThrow(PaymentNotTakenError);
    const over = () => newPayment({ ...base, particulars: { method: 'cash', amount: 100 }, allocations: [{ studentId: amani, chargeId: newId(), amount: 200 }] });
    expect(over).toThrow(/allocations total/);
  });

  it('keeps card and PayPal for when the desk is online and the provider is connected', () => {
    expect(methodUnavailable('cash', { online: false, providers: new Set() })).toBeNull();
    expect(methodUnavailable('card', { online: false, providers: new Set(['card']) })).toMatch(/^Card payments need a connection/);
    expect(methodUnavailable('card', { online: true, providers: new Set() })).toMatch(/Stripe account connected/);
    expect(methodUnavailable('paypal', { online: true, providers: new Set(['paypal']) })).toBeNull();
  });
});

describe('the till', () => {
  const opening: CashSessionOpenDoc = { ...common('2025-02-01'), type: 'cashSessionOpen', deviceId, officeId, float: 200_000 };
  const inTill = (amount: number, method: PaymentDoc['method'], seq: number): PaymentDoc =>
    payment(amount, [], { method, cashSessionId: opening.id, receiptNumber: `MAIN-D01-${String(seq).padStart(6, '0')}` });
  const p1 = inTill(150_000, 'cash', 7);
  const p2 = inTill(300_000, 'cheque', 8);
  const p3 = inTill(80_000, 'cash', 9);
  const voidP3: VoidDoc = { ...common('2025-02-01'), type: 'void', paymentId: p3.id, payerId: family.id, cashSessionId: opening.id, reason: 'Wrong family' };
  const elsewhere = payment(999_999, [], { cashSessionId: newId() });

  it('expects the float and the payments that were not voided, per method', () => {
    const summary = summarizeTill(opening, [p3, p1, p2, voidP3, elsewhere]);
    expect(summary.expected).toEqual([{ method: 'cash', amount: 350_000 }, { method: 'cheque', amount: 300_000 }]);
    expect(summary.byMethod).toEqual([{ method: 'cash', count: 1, amount: 150_000 }, { method: 'cheque', count: 1, amount: 300_000 }]);
    expect(summary.taken).toBe(450_000);
    expect(summary.voids.map((v) => [v.receiptNumber, v.voided?.reason])).toEqual([['MAIN-D01-000009', 'Wrong family']]);
    expect(summary.receipts).toEqual({ first: 'MAIN-D01-000007', last: 'MAIN-D01-000009', count: 3 });
  });

  it('takes refunds paid out of the till off what it should hold, per method, and lists them for the Z-report', () => {
    const earlier = payment(120_000, [], { receiptNumber: 'MAIN-D01-000003' });
    const approval = { approvedBy: newId(), approvedAt: at('2025-02-01'), keyIssuedAt: 1_738_000_000, signature: 'A'.repeat(43) };
    const cashBack: RefundDoc = { ...common('2025-02-01'), type: 'refund', payerId: family.id, amount: 120_000, method: 'cash', reason: 'Left the school', paymentId: earlier.id, cashSessionId: opening.id, deviceId, approval };
    const mobileBack: RefundDoc = { ...common('2025-02-01'), type: 'refund', payerId: family.id, amount: 5_000, method: 'mobileMoney', reason: 'Overpaid', cashSessionId: opening.id, deviceId };
    const otherTill: RefundDoc = { ...cashBack, id: newId(), cashSessionId: newId() };
    const summary = summarizeTill(opening, [p1, p2, earlier, cashBack, mobileBack, otherTill]);
    expect(summary.expected).toEqual([{ method: 'cash', amount: 200_000 + 150_000 - 120_000 }, { method: 'cheque', amount: 300_000 }, { method: 'mobileMoney', amount: 0 }]);
    expect(summary.refunds.map((r) => [r.receiptNumber, r.method, r.amount, r.approvedBy])).toEqual([
      ['MAIN-D01-000003', 'cash', 120_000, approval.approvedBy],
      [undefined, 'mobileMoney', 5_000, undefined],
    ]);
    // Payments taken in the till are what it took; refunds are money out, not less taken.
    expect(summary.taken).toBe(450_000);
  });

  it('finds the desk’s till that is still open', () => {
    const entries: LedgerEntry[] = [opening];
    expect(openTillOf(deviceId, entries)?.id).toBe(opening.id);
    expect(openTillOf(newId(), entries)).toBeNull();
    entries.push({ ...common('2025-02-01'), type: 'cashSessionClose', cashSessionId: opening.id, deviceId, officeId, expected: [], counted: [] });
    expect(openTillOf(deviceId, entries)).toBeNull();
  });
});

describe('the receipt', () => {
  const students = new Map([
    [amani, { name: 'Amani Otieno', admissionNumber: 'ADM-104' }],
    [baraka, { name: 'Baraka Otieno', admissionNumber: 'ADM-105' }],
  ]);
  const payer = { ...family, name: 'Grace Otieno' };
  const school = { name: 'Riverside Academy', currency: 'KES', timezone: 'Africa/Nairobi', header: 'P.O. Box 1, Kisumu', footer: 'Thank you' };
  const split = payment(
    2_100_000,
    [
      { studentId: baraka, chargeId: barakaBill.charges[0]?.id ?? '', amount: 1_200_000 },
      { studentId: amani, chargeId: amaniBill.charges[0]?.id ?? '', amount: 800_000 },
    ],
    { tendered: 2_200_000, offline: true },
  );

  it('lists the fee items paid per child, the change, what the family owes after it, and the offline mark', () => {
    const later = payment(100_000, [{ studentId: amani, chargeId: amaniBill.charges[0]?.id ?? '', amount: 100_000 }], { createdAt: at('2025-03-01'), receiptNumber: 'MAIN-D01-000002' });
    const receipt = buildReceipt({ payment: split, payer, students, entries: [amaniBill, barakaBill, split, later], school, cashierName: 'Jane Cashier' });
    expect(receipt).toMatchObject({
      receiptNumber: 'MAIN-D01-000001',
      takenAt: '25 Jan 2025, 11:00',
      payerName: 'Grace Otieno',
      lines: [
        { studentName: 'Baraka Otieno', description: 'Tuition (Term 1)', amount: 1_200_000 },
        { studentName: 'Amani Otieno', description: 'Tuition (Term 1)', amount: 800_000 },
      ],
      toCredit: 100_000,
      method: 'Cash',
      particulars: null,
      amount: 2_100_000,
      tendered: 2_200_000,
      change: 100_000,
      // Amani's tuition 700,000 + transport 400,000; the later payment is not counted.
      balanceAfter: 1_100_000,
      offline: true,
      voided: null,
    });
    expect(receipt.students.map((s) => s.admissionNumber)).toEqual(['ADM-105', 'ADM-104']);
    expect(receipt.verificationCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  });

  it('says VOID with the reason once the payment is voided, and the code changes with what was recorded', () => {
    const voided: VoidDoc = { ...common('2025-01-25'), type: 'void', paymentId: split.id, payerId: family.id, reason: 'Wrong family' };
    const receipt = buildReceipt({ payment: split, payer, students, entries: [amaniBill, barakaBill, split, voided], school, cashierName: 'Jane Cashier' });
    expect(receipt.voided).toEqual({ reason: 'Wrong family' });
    expect(receiptVerificationCode({ ...split, amount: split.amount + 1 })).not.toBe(receiptVerificationCode(split));
    expect(receiptVerificationCode({ ...split })).toBe(receiptVerificationCode(split));
  });

  it('writes each method’s particulars', () => {
    expect(paymentParticulars(payment(1, [], { method: 'cheque', cheque: { number: '004512', bank: 'Equity Bank', date: '2025-01-25' } }))).toBe('Cheque 004512, Equity Bank, dated 2025-01-25');
    expect(paymentParticulars(payment(1, [], { method: 'mobileMoney', mobileMoneyProvider: 'M-Pesa', reference: 'QK45TY7' }))).toBe('M-Pesa QK45TY7');
    expect(paymentParticulars(payment(1, [], { method: 'bankTransfer', reference: 'FT2412' }))).toBe('Ref FT2412');
    const card = { method: 'card', reference: 'pi_3QxY7aBcDeFgHiJk' } as const;
    expect(paymentParticulars(payment(1, [], { ...card, card: { brand: 'visa', last4: '4242' } }))).toBe('Visa •••• 4242, charged through Stripe, pi_3QxY7aBcDeFgHiJk');
    expect(paymentParticulars(payment(1, [], { ...card, card: { brand: 'amex', last4: '0005' } }))).toBe('American Express •••• 0005, charged through Stripe, pi_3QxY7aBcDeFgHiJk');
    expect(paymentParticulars(payment(1, [], { ...card, card: { brand: 'link_card', last4: '1234' } }))).toBe('Link card •••• 1234, charged through Stripe, pi_3QxY7aBcDeFgHiJk');
    expect(paymentParticulars(payment(1, [], card))).toBe('Charged through Stripe, pi_3QxY7aBcDeFgHiJk');
  });
});

describe('the void register', () => {
  const taken = (seq: number, at: string, amount: number) => payment(amount, [], { id: newId(), createdAt: at, receiptNumber: `MAIN-D01-${String(seq).padStart(6, '0')}` });
  const voidOf = (p: PaymentDoc, at: string, reason: string): VoidDoc => ({ ...common(), createdAt: at, type: 'void', paymentId: p.id, payerId: p.payerId, reason });

  it('lists each voided payment once, in the days asked for, in the school’s time zone, with the total', () => {
    const a = taken(1, '2025-02-03T06:00:00.000Z', 150_000);
    const b = taken(2, '2025-02-03T07:00:00.000Z', 80_000);
    const c = taken(3, '2025-02-10T07:00:00.000Z', 20_000);
    const entries: LedgerEntry[] = [
      a, b, c,
      voidOf(b, '2025-02-03T08:00:00.000Z', 'Wrong family'),
      // A second desk voided it too: one line, at the first void.
      voidOf(b, '2025-02-03T09:30:00.000Z', 'Duplicate'),
      // 23:30 UTC on the 3rd is the 4th in Nairobi: outside the 3rd.
      voidOf(a, '2025-02-03T23:30:00.000Z', 'Cheque bounced at the counter'),
      voidOf(c, '2025-02-10T08:00:00.000Z', 'Typed 200 for 20'),
    ];
    const register = voidRegister(entries, { from: '2025-02-03', to: '2025-02-03', timeZone: 'Africa/Nairobi' });
    expect(register.lines.map((l) => [l.receiptNumber, l.amount, l.reason, l.voidedOn])).toEqual([['MAIN-D01-000002', 80_000, 'Wrong family', '2025-02-03']]);
    expect(voidRegister(entries, { from: '2025-02-01', to: '2025-02-28', timeZone: 'Africa/Nairobi' }).total).toBe(250_000);
    const orphan = voidOf(taken(9, '2025-02-03T06:00:00.000Z', 1), '2025-02-03T10:00:00.000Z', 'Older year');
    expect(voidRegister([orphan], { from: '2025-02-03', to: '2025-02-03' }).unmatched).toEqual([orphan]);
  });

  it('lists refunds of payments beside the voids, with how the money went back and who approved it', () => {
    const a = taken(4, '2025-02-03T06:00:00.000Z', 150_000);
    const b = taken(5, '2025-02-03T07:00:00.000Z', 80_000);
    const approvedBy = newId();
    const refund: RefundDoc = {
      ...common(),
      createdAt: '2025-02-05T08:00:00.000Z',
      type: 'refund',
      payerId: a.payerId,
      amount: 150_000,
      method: 'bankTransfer',
      reason: 'Left the school',
      paymentId: a.id,
      approval: { approvedBy, approvedAt: '2025-02-05T08:00:00.000Z', keyIssuedAt: 1_738_000_000, signature: 'A'.repeat(43) },
    };
    const credit: RefundDoc = { ...common(), createdAt: '2025-02-05T09:00:00.000Z', type: 'refund', payerId: b.payerId, amount: 1_000, method: 'cash', reason: 'Overpaid' };
    const register = voidRegister([a, b, voidOf(b, '2025-02-05T07:00:00.000Z', 'Wrong family'), refund, credit], { from: '2025-02-05', to: '2025-02-05' });
    expect(register.lines.map((l) => [l.kind, l.receiptNumber, l.amount, l.refundMethod, l.approvedBy, l.reason])).toEqual([
      ['void', 'MAIN-D01-000005', 80_000, undefined, undefined, 'Wrong family'],
      ['refund', 'MAIN-D01-000004', 150_000, 'bankTransfer', approvedBy, 'Left the school'],
    ]);
    expect(register.total).toBe(230_000);
  });
});
