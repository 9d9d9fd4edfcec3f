// The per-document ledger rules: each refusal a bursar could meet, worded so they can act on it,
// and the cross-document situations offline desks create legitimately, which must pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.ts';
import { formatMoney, splitByWeights } from '../money.ts';
import { checkLedgerEntry, createLedgerLookup, readLedgerEntry, tillVariance, type LedgerRuleContext } from './ledger-rules.ts';
import type {
  CashSessionCloseDoc,
  CashSessionOpenDoc,
  ChequeReturnDoc,
  CreditApplicationDoc,
  DiscountDoc,
  FineDoc,
  InvoiceDoc,
  LedgerEntry,
  PaymentDoc,
  RefundDoc,
  VoidDoc,
  WaiverDoc,
  WriteOffDoc,
} from './ledger.ts';

const schoolId = newId();
const student = newId();
const sibling = newId();
const payer = newId();

const common = () => ({ id: newId(), schoolId, currency: 'KES', createdAt: '2025-01-10T08:00:00.000Z', createdBy: newId() });

function invoice(overrides: Partial<InvoiceDoc> = {}): InvoiceDoc {
  return {
    ...common(),
    type: 'invoice',
    studentId: student,
    termId: newId(),
    classId: newId(),
    feeStructureId: newId(),
    issuedOn: '2025-01-06',
    charges: [
      { id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2025-01-31', amount: 1_500_000 },
      { id: newId(), feeCategoryId: newId(), description: 'Lunch', instalment: 'Term 1', dueDate: '2025-01-31', amount: 300_000 },
    ],
    ...overrides,
  };
}

function chargeOf(inv: InvoiceDoc, index = 0) {
  const charge = inv.charges[index];
  if (!charge) throw new Error(`the test invoice has no charge ${String(index)}`);
  return charge;
}

function payment(overrides: Partial<PaymentDoc> = {}): PaymentDoc {
  return {
    ...common(),
    type: 'payment',
    payerId: payer,
    receiptNumber: 'MAIN-D02-000153',
    deviceId: newId(),
    officeId: newId(),
    method: 'cash',
    amount: 100_000,
    offline: false,
    allocations: [],
    ...overrides,
  };
}

function fine(inv: InvoiceDoc, overrides: Partial<FineDoc> = {}): FineDoc {
  return {
    ...common(),
    type: 'fine',
    studentId: inv.studentId,
    chargeId: chargeOf(inv).id,
    ruleId: newId(),
    period: 1,
    accruedOn: '2025-02-01',
    amount: 50_000,
    ...overrides,
  };
}

function ctxWith(...entries: LedgerEntry[]): LedgerRuleContext {
  return { schoolCurrency: 'KES', ...createLedgerLookup(entries) };
}

function messages(entry: LedgerEntry, ctx: LedgerRuleContext): string[] {
  // Intl puts a no-break space between code and amount; tests read it as a plain space.
  return checkLedgerEntry(entry, ctx).map((p) => p.message.replaceAll('\u00a0', ' '));
}

describe('currency', () => {
  it('refuses an entry in another currency than the school’s', () => {
    const problems = checkLedgerEntry({ ...invoice(), currency: 'UGX' }, ctxWith());
    expect(problems).toEqual([{ path: '/currency', message: 'the currency is UGX but this school keeps its accounts in KES' }]);
  });
});

describe('payments', () => {
  const inv = invoice();
  const tuition = chargeOf(inv, 0);
  const lunch = chargeOf(inv, 1);

  it('accepts a payment allocated to the invoice’s charges, with some left as credit', () => {
    const p = payment({
      amount: 1_000_000,
      allocations: [
        { studentId: student, chargeId: lunch.id, amount: 300_000 },
        { studentId: student, chargeId: tuition.id, amount: 600_000 },
      ],
    });
    expect(checkLedgerEntry(p, ctxWith(inv))).toEqual([]);
  });

  it('accepts an unallocated payment (all credit)', () => {
    expect(checkLedgerEntry(payment(), ctxWith())).toEqual([]);
  });

  it('refuses allocations that add up to more than the payment, in the school’s money', () => {
    const p = payment({
      amount: 100_000,
      allocations: [
        { studentId: student, chargeId: tuition.id, amount: 70_000 },
        { studentId: student, chargeId: lunch.id, amount: 50_000 },
      ],
    });
    expect(messages(p, ctxWith(inv))).toEqual(['allocations total KES 1,200.00 but the payment is KES 1,000.00']);
  });

  it('decides the allocation total exactly for any split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 2 }), fc.integer({ min: 0, max: 3 }), (amount, weights, extra) => {
        const parts = splitByWeights(amount + extra, weights);
        const charges = [tuition, lunch];
        const allocations = parts.flatMap((part, i) => {
          const charge = charges[i];
          return part > 0 && charge ? [{ studentId: student, chargeId: charge.id, amount: part }] : [];
        });
        const refused = checkLedgerEntry(payment({ amount, allocations }), ctxWith(inv)).some((p) => p.path === '/allocations');
        return refused === extra > 0;
      }),
    );
  });

  it('refuses the same charge twice in one payment', () => {
    const p = payment({
      allocations: [
        { studentId: student, chargeId: tuition.id, amount: 10_000 },
        { studentId: student, chargeId: tuition.id, amount: 20_000 },
      ],
    });
    expect(checkLedgerEntry(p, ctxWith(inv))).toEqual([
      { path: '/allocations/1/chargeId', message: `charge ${tuition.id} is allocated more than once in this payment; put its amount on one line` },
    ]);
  });

  it('refuses an allocation to a charge that is on no invoice or late fee', () => {
    const unknown = newId();
    const p = payment({ allocations: [{ studentId: student, chargeId: unknown, amount: 10_000 }] });
    expect(messages(p, ctxWith(inv))).toEqual([`allocation 1 is to charge ${unknown}, which is not on any invoice or late fee of this school`]);
  });

  it('refuses an allocation whose student is not the charge’s student', () => {
    const p = payment({ allocations: [{ studentId: sibling, chargeId: tuition.id, amount: 10_000 }] });
    expect(checkLedgerEntry(p, ctxWith(inv))).toEqual([
      { path: '/allocations/0/studentId', message: `allocation 1 is for student ${sibling} but charge ${tuition.id} belongs to student ${student}` },
    ]);
  });

  it('accepts an allocation to a late fee, which is a charge of its own', () => {
    const lateFee = fine(inv);
    const p = payment({ allocations: [{ studentId: student, chargeId: lateFee.id, amount: 50_000 }] });
    expect(checkLedgerEntry(p, ctxWith(inv, lateFee))).toEqual([]);
  });

  it('accepts two payments that together pay a charge more than once (two offline desks)', () => {
    const full = { studentId: student, chargeId: lunch.id, amount: lunch.amount };
    const deskA = payment({ amount: lunch.amount, allocations: [full] });
    const deskB = payment({ amount: lunch.amount, allocations: [full], receiptNumber: 'MAIN-D03-000001' });
    const ctx = ctxWith(inv, deskA);
    expect(checkLedgerEntry(deskB, ctx)).toEqual([]);
  });
});

describe('credit applications', () => {
  const inv = invoice();
  const tuition = chargeOf(inv);
  const application = (allocations: CreditApplicationDoc['allocations']): CreditApplicationDoc => ({
    ...common(),
    type: 'creditApplication',
    payerId: payer,
    allocations,
  });

  it('accepts credit applied to a known charge', () => {
    expect(checkLedgerEntry(application([{ studentId: student, chargeId: tuition.id, amount: 5_000 }]), ctxWith(inv))).toEqual([]);
  });

  it('refuses a charge applied twice, an unknown charge and the wrong student', () => {
    const unknown = newId();
    const problems = checkLedgerEntry(
      application([
        { studentId: student, chargeId: tuition.id, amount: 5_000 },
        { studentId: student, chargeId: tuition.id, amount: 5_000 },
        { studentId: student, chargeId: unknown, amount: 5_000 },
        { studentId: sibling, chargeId: chargeOf(inv, 1).id, amount: 5_000 },
      ]),
      ctxWith(inv),
    );
    expect(problems.map((p) => p.path)).toEqual(['/allocations/1/chargeId', '/allocations/2/chargeId', '/allocations/3/studentId']);
    expect(problems[0]?.message).toContain('allocated more than once in this credit application');
  });
});

describe('voids and cheque returns', () => {
  const taken = payment({ method: 'cheque', reference: 'CHQ 004512' });
  const voidOf = (paymentId: string, overrides: Partial<VoidDoc> = {}): VoidDoc => ({
    ...common(),
    type: 'void',
    paymentId,
    payerId: payer,
    reason: 'Typed the wrong amount',
    ...overrides,
  });
  const chequeReturnOf = (paymentId: string, overrides: Partial<ChequeReturnDoc> = {}): ChequeReturnDoc => ({
    ...common(),
    type: 'chequeReturn',
    paymentId,
    payerId: payer,
    returnedOn: '2025-01-20',
    reason: 'Refer to drawer',
    ...overrides,
  });

  it('accepts a void and a cheque return of a recorded cheque payment', () => {
    expect(checkLedgerEntry(voidOf(taken.id), ctxWith(taken))).toEqual([]);
    expect(checkLedgerEntry(chequeReturnOf(taken.id), ctxWith(taken))).toEqual([]);
  });

  it('accepts a second void of the same payment (two desks may both void it)', () => {
    const first = voidOf(taken.id);
    expect(checkLedgerEntry(voidOf(taken.id), ctxWith(taken, first))).toEqual([]);
  });

  it('refuses a void of a payment that is not recorded', () => {
    const unknown = newId();
    expect(checkLedgerEntry(voidOf(unknown), ctxWith(taken))).toEqual([
      { path: '/paymentId', message: `the payment it voids (${unknown}) is not recorded for this school` },
    ]);
  });

  it('refuses a void of something that is not a payment', () => {
    const inv = invoice();
    expect(messages(voidOf(inv.id), ctxWith(inv))).toEqual([`${inv.id} is an invoice, not a payment`]);
  });

  it('refuses a void for another payer than the payment’s', () => {
    const other = newId();
    expect(messages(voidOf(taken.id, { payerId: other }), ctxWith(taken))).toEqual([
      `payment MAIN-D02-000153 was made by payer ${payer}, not payer ${other}`,
    ]);
  });

  it('refuses a cheque return of an unknown payment and of a cash payment', () => {
    const unknown = newId();
    expect(messages(chequeReturnOf(unknown), ctxWith())).toEqual([`the payment it returns (${unknown}) is not recorded for this school`]);
    const cash = payment({ method: 'mobileMoney' });
    expect(messages(chequeReturnOf(cash.id), ctxWith(cash))).toEqual(['payment MAIN-D02-000153 was taken by mobile money, not by cheque']);
  });
});

describe('late fees and waivers', () => {
  const inv = invoice();
  const lateFee = fine(inv);
  const waiverOf = (fineId: string, overrides: Partial<WaiverDoc> = {}): WaiverDoc => ({
    ...common(),
    type: 'waiver',
    studentId: student,
    fineId,
    amount: 20_000,
    reason: 'Parent was in hospital',
    ...overrides,
  });

  it('accepts a late fee on a known charge and a waiver of part or all of it', () => {
    expect(checkLedgerEntry(lateFee, ctxWith(inv))).toEqual([]);
    expect(checkLedgerEntry(waiverOf(lateFee.id), ctxWith(inv, lateFee))).toEqual([]);
    expect(checkLedgerEntry(waiverOf(lateFee.id, { amount: lateFee.amount }), ctxWith(inv, lateFee))).toEqual([]);
  });

  it('refuses a late fee on a charge that is on no invoice, or for another student', () => {
    const unknown = newId();
    expect(messages(fine(inv, { chargeId: unknown }), ctxWith(inv))).toEqual([
      `the late fee is on charge ${unknown}, which is not on any invoice of this school`,
    ]);
    expect(checkLedgerEntry(fine(inv, { studentId: sibling }), ctxWith(inv)).map((p) => p.path)).toEqual(['/studentId']);
  });

  it('refuses a waiver of an unknown late fee, of something else, or for more than the fee', () => {
    const unknown = newId();
    expect(messages(waiverOf(unknown), ctxWith(inv, lateFee))).toEqual([`late fee ${unknown} is not recorded for this school`]);
    expect(messages(waiverOf(inv.id), ctxWith(inv, lateFee))).toEqual([`${inv.id} is an invoice, not a late fee`]);
    expect(messages(waiverOf(lateFee.id, { amount: 50_001 }), ctxWith(inv, lateFee))).toEqual([
      'the waiver of KES 500.01 is more than the late fee of KES 500.00',
    ]);
  });
});

describe('discounts and write-offs', () => {
  const inv = invoice();
  const tuition = chargeOf(inv);
  const discount = (overrides: Partial<DiscountDoc> = {}): DiscountDoc => ({
    ...common(),
    type: 'discount',
    studentId: student,
    invoiceId: inv.id,
    chargeId: tuition.id,
    source: 'sibling',
    amount: 150_000,
    ...overrides,
  });
  const writeOff = (overrides: Partial<WriteOffDoc> = {}): WriteOffDoc => ({
    ...common(),
    type: 'writeOff',
    studentId: student,
    chargeId: tuition.id,
    amount: 150_000,
    reason: 'Family relocated, uncollectable',
    ...overrides,
  });

  it('accepts a discount and a write-off within the charge', () => {
    expect(checkLedgerEntry(discount(), ctxWith(inv))).toEqual([]);
    expect(checkLedgerEntry(writeOff({ amount: tuition.amount }), ctxWith(inv))).toEqual([]);
  });

  it('refuses a discount on an unknown invoice, a charge not on it, the wrong student or more than the charge', () => {
    const unknown = newId();
    expect(messages(discount({ invoiceId: unknown }), ctxWith(inv))).toEqual([`invoice ${unknown} is not recorded for this school`]);
    expect(messages(discount({ chargeId: unknown }), ctxWith(inv))).toEqual([`charge ${unknown} is not on invoice ${inv.id}`]);
    expect(messages(discount({ studentId: sibling }), ctxWith(inv))).toEqual([`invoice ${inv.id} is for student ${student}, not student ${sibling}`]);
    expect(messages(discount({ amount: 1_500_001 }), ctxWith(inv))).toEqual(['the discount of KES 15,000.01 is more than the charge of KES 15,000.00 (Tuition)']);
  });

  it('refuses a write-off of an unknown charge or of more than the charge', () => {
    const unknown = newId();
    expect(messages(writeOff({ chargeId: unknown }), ctxWith(inv))).toEqual([`charge ${unknown} is not on any invoice or late fee of this school`]);
    expect(messages(writeOff({ amount: 1_500_001 }), ctxWith(inv))).toEqual(['the write-off of KES 15,000.01 is more than the charge of KES 15,000.00 (Tuition)']);
    expect(checkLedgerEntry(writeOff({ studentId: sibling }), ctxWith(inv)).map((p) => p.path)).toEqual(['/studentId']);
  });
});

describe('invoices and refunds', () => {
  it('refuses an invoice with the same charge id twice, or a charge id already on another invoice', () => {
    const first = invoice();
    const tuition = chargeOf(first);
    const twice = invoice({ charges: [tuition, { ...chargeOf(first, 1), id: tuition.id }] });
    expect(messages(twice, ctxWith())).toEqual([`charge ${tuition.id} appears more than once on the invoice; give each charge its own id`]);
    const reused = invoice({ charges: [tuition] });
    expect(messages(reused, ctxWith(first))).toEqual([`charge ${tuition.id} is already on invoice ${first.id}`]);
  });

  it('accepts the same invoice checked again after it was stored', () => {
    const inv = invoice();
    expect(checkLedgerEntry(inv, ctxWith(inv))).toEqual([]);
  });

  it('accepts a refund in the school’s currency', () => {
    const refund: RefundDoc = { ...common(), type: 'refund', payerId: payer, amount: 20_000, method: 'mobileMoney', reason: 'Left the school' };
    expect(checkLedgerEntry(refund, ctxWith())).toEqual([]);
  });
});

describe('payment particulars', () => {
  it('accepts cash tendered over the amount, cheque particulars and a mobile-money service on their own methods', () => {
    expect(checkLedgerEntry(payment({ amount: 100_000, tendered: 150_000 }), ctxWith())).toEqual([]);
    expect(checkLedgerEntry(payment({ method: 'cheque', cheque: { number: '004512', bank: 'KCB', date: '2025-01-10' } }), ctxWith())).toEqual([]);
    expect(checkLedgerEntry(payment({ method: 'mobileMoney', mobileMoneyProvider: 'M-Pesa', reference: 'QK45TY7' }), ctxWith())).toEqual([]);
  });

  it('refuses cash tendered below the amount or on another method, and particulars on the wrong method', () => {
    expect(messages(payment({ amount: 100_000, tendered: 90_000 }), ctxWith())).toEqual(['the cash tendered (KES 900.00) is less than the payment of KES 1,000.00']);
    expect(messages(payment({ method: 'bankTransfer', tendered: 200_000 }), ctxWith())).toEqual(['cash tendered is recorded for cash payments only, not bank transfer']);
    expect(messages(payment({ cheque: { number: '1', bank: 'KCB', date: '2025-01-10' } }), ctxWith())).toEqual(['cheque particulars belong to a cheque payment, not cash']);
    expect(messages(payment({ method: 'cheque', mobileMoneyProvider: 'M-Pesa' }), ctxWith())).toEqual(['a mobile-money service belongs to a mobile-money payment, not cheque']);
    expect(messages(payment({ method: 'mobileMoney', mobileMoneyProvider: 'M-Pesa', reference: 'QK45TY7', card: { brand: 'visa', last4: '4242' } }), ctxWith())).toEqual(['the card charged belongs to a card payment, not mobile money']);
    expect(checkLedgerEntry(payment({ method: 'card', reference: 'pi_3QxY7aBcDeFgHiJk', card: { brand: 'visa', last4: '4242' } }), ctxWith())).toEqual([]);
  });

  it('takes a card payment online only, naming the Stripe PaymentIntent it was charged as', () => {
    expect(checkLedgerEntry(payment({ method: 'card', reference: 'pi_3QxY7aBcDeFgHiJk' }), ctxWith())).toEqual([]);
    expect(messages(payment({ method: 'card', reference: 'pi_3QxY7aBcDeFgHiJk', offline: true }), ctxWith())).toEqual(['a card payment is charged through Stripe while online, so it cannot be marked as taken offline']);
    expect(messages(payment({ method: 'card' }), ctxWith())).toEqual(['a card payment names the Stripe PaymentIntent it was charged as (pi_…), not nothing']);
    expect(messages(payment({ method: 'card', reference: 'CARD-1234' }), ctxWith())).toEqual(["a card payment names the Stripe PaymentIntent it was charged as (pi_…), not 'CARD-1234'"]);
  });
});

describe('tills (cash sessions)', () => {
  const deviceId = newId();
  const officeId = newId();
  const opening: CashSessionOpenDoc = { ...common(), type: 'cashSessionOpen', deviceId, officeId, float: 500_000 };
  const closing = (overrides: Partial<CashSessionCloseDoc> = {}): CashSessionCloseDoc => ({
    ...common(),
    type: 'cashSessionClose',
    cashSessionId: opening.id,
    deviceId,
    officeId,
    expected: [{ method: 'cash', amount: 1_200_000 }, { method: 'cheque', amount: 300_000 }],
    counted: [{ method: 'cash', amount: 1_200_000 }, { method: 'cheque', amount: 300_000 }],
    ...overrides,
  });

  it('accepts a payment in a till opened on its desk, and a closing that balances', () => {
    expect(checkLedgerEntry(opening, ctxWith())).toEqual([]);
    expect(checkLedgerEntry(payment({ deviceId, cashSessionId: opening.id }), ctxWith(opening))).toEqual([]);
    expect(checkLedgerEntry(closing(), ctxWith(opening))).toEqual([]);
  });

  it('refuses a payment or closing in a till never opened, or opened on another desk', () => {
    expect(messages(payment({ deviceId, cashSessionId: opening.id }), ctxWith())).toEqual([`the till it names (${opening.id}) was never opened at this school`]);
    const elsewhere = payment({ cashSessionId: opening.id });
    expect(messages(elsewhere, ctxWith(opening))).toEqual([`the till ${opening.id} was opened on another desk (${deviceId})`]);
    const inv = invoice();
    expect(messages(closing({ cashSessionId: inv.id }), ctxWith(inv))).toEqual([`${inv.id} is an invoice, not a till opening`]);
  });

  it('asks for the reason of a variance and refuses a method counted twice', () => {
    const short = closing({ counted: [{ method: 'cash', amount: 1_150_000 }, { method: 'cheque', amount: 300_000 }] });
    expect(messages(short, ctxWith(opening))).toEqual(['what was counted differs from what was expected; give the reason for the difference']);
    expect(checkLedgerEntry({ ...short, varianceReason: 'KES 500 note taken as change twice' }, ctxWith(opening))).toEqual([]);
    const twice = closing({ counted: [{ method: 'cash', amount: 1_000_000 }, { method: 'cash', amount: 200_000 }, { method: 'cheque', amount: 300_000 }] });
    expect(messages(twice, ctxWith(opening))).toEqual(['cash is counted twice; give one amount per method']);
  });

  it('accepts a refund of a whole payment out of a till opened on its desk, and refuses one that is not all of it, for another payer, or of no payment', () => {
    const paid = payment({ amount: 150_000 });
    const refund = (overrides: Partial<RefundDoc> = {}): RefundDoc => ({
      ...common(),
      type: 'refund',
      payerId: payer,
      amount: 150_000,
      method: 'cash',
      reason: 'Paid for the wrong child',
      paymentId: paid.id,
      deviceId,
      cashSessionId: opening.id,
      ...overrides,
    });
    expect(checkLedgerEntry(refund(), ctxWith(opening, paid))).toEqual([]);
    expect(messages(refund({ amount: 100_000 }), ctxWith(opening, paid))).toEqual([
      "a refund of payment MAIN-D02-000153 pays back all of it (KES 1,500.00), not KES 1,000.00; refund part of it from the payer's credit instead",
    ]);
    const other = newId();
    expect(messages(refund({ payerId: other }), ctxWith(opening, paid))).toEqual([`payment MAIN-D02-000153 was made by payer ${payer}, not payer ${other}`]);
    expect(messages(refund(), ctxWith(opening))).toEqual([`the payment it refunds (${paid.id}) is not recorded for this school`]);
    expect(messages(refund({ paymentId: opening.id }), ctxWith(opening))).toEqual([`${opening.id} is a till opening, not a payment`]);
    expect(messages(refund({ deviceId: newId() }), ctxWith(opening, paid))).toEqual([`the till ${opening.id} was opened on another desk (${deviceId})`]);
    const approval = { approvedBy: newId(), approvedAt: '2025-01-10T08:05:00.000Z', keyIssuedAt: 1_736_000_000, signature: 'A'.repeat(43) };
    const { deviceId: _none, cashSessionId: _till, ...anywhere } = refund({ approval });
    expect(messages(anywhere, ctxWith(paid))).toEqual(['a manager’s approval is entered on a desk: the refund must name the desk it was approved on']);
  });

  it('sets expected beside counted per method, a method missing on one side as 0', () => {
    expect(tillVariance([{ method: 'cash', amount: 100 }, { method: 'cheque', amount: 50 }], [{ method: 'cash', amount: 90 }, { method: 'mobileMoney', amount: 5 }])).toEqual([
      { method: 'cash', expected: 100, counted: 90, variance: -10 },
      { method: 'cheque', expected: 50, counted: 0, variance: -50 },
      { method: 'mobileMoney', expected: 0, counted: 5, variance: 5 },
    ]);
  });
});

describe('readLedgerEntry', () => {
  it('reads a stored entry without its replication fields and rejects a malformed one', () => {
    const inv = invoice();
    expect(readLedgerEntry({ ...inv, _deleted: false, _rev: '1-a' })).toEqual(inv);
    expect(readLedgerEntry({ ...inv, charges: [] })).toBeUndefined();
    expect(readLedgerEntry({ ...payment(), amount: 0 })).toBeUndefined();
  });
});

describe('messages', () => {
  it('format amounts with the school’s currency decimals', () => {
    const p = payment({ currency: 'KWD', amount: 1_000, allocations: [{ studentId: student, chargeId: newId(), amount: 1_001 }] });
    const problems = checkLedgerEntry(p, { schoolCurrency: 'KWD', ...createLedgerLookup() });
    expect(problems[0]?.message).toBe(`allocations total ${formatMoney(1_001, 'KWD')} but the payment is ${formatMoney(1_000, 'KWD')}`);
  });
});
