// One realistic term, end to end through the real functions, checked against a table worked
// out by hand: three classes; the Otieno family's three children with a 10 % sibling discount on
// tuition from the 2nd child; a staff child with 50 % off tuition; a mid-term joiner billed pro
// rata; partial payments across siblings; a cheque that bounces; late fees and a waiver; an
// overpayment kept as credit; a refund. Amounts are KES cents.
import { describe, expect, it } from 'vitest';
import type { Student } from '../schemas/students.ts';
import { allocatePayment } from './allocation.ts';
import { refundCredit, returnCheque, waiveFine } from './corrections.ts';
import type { FeeStructure } from './fee-structures.ts';
import { issueTermInvoices } from './invoicing.ts';
import { accrueLateFees } from './late-fees.ts';
import type { Allocation, InvoiceDoc, LedgerEntry, PaymentDoc, PaymentMethod } from './ledger.ts';
import { deriveLedger } from './ledger-state.ts';
import type { Payer } from './payers.ts';
import type { DiscountRuleDoc, LateFeeRuleDoc, SettingsDoc, TermDoc } from './reference.ts';
import { studentStatement, payerStatement } from './statements.ts';
import { testId } from './test-ledger.ts';

const schoolId = testId('hillside');
const bursar = testId('bursar');
const desk = testId('desk-1');
const office = testId('main');
const KES = 'KES';
const stamp = (date: string) => ({ createdAt: `${date}T09:00:00.000Z`, updatedAt: `${date}T09:00:00.000Z` });

const cat = { tuition: testId('tuition'), transport: testId('transport'), meals: testId('meals') };
const cls = { g1: testId('grade-1'), g2: testId('grade-2'), g3: testId('grade-3') };
const term: TermDoc = {
  id: testId('term-1'), schoolId, kind: 'term', name: 'Term 1 2026',
  data: { academicYearId: testId('2026'), startDate: '2026-01-05', endDate: '2026-04-05' }, ...stamp('2025-12-01'),
};
const settings: SettingsDoc = {
  id: testId('settings'), schoolId, kind: 'settings', name: 'Settings',
  data: { currency: KES, timezone: 'Africa/Nairobi', receiptHeader: 'Hillside', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true },
  ...stamp('2025-12-01'),
};
const instalments = [
  { label: 'Instalment 1', dueDate: '2026-01-15', weight: 1 },
  { label: 'Instalment 2', dueDate: '2026-02-15', weight: 1 },
];
const structure = (name: string, classId: string, lines: [string, number][]): FeeStructure => ({
  id: testId(`structure-${name}`), schoolId, name, termId: term.id, classId, instalments,
  lines: lines.map(([feeCategoryId, amount]) => ({ feeCategoryId, description: Object.keys(cat).find((k) => cat[k as keyof typeof cat] === feeCategoryId) ?? '?', amount })),
  ...stamp('2025-12-01'),
});
const structures = [
  structure('G1', cls.g1, [[cat.tuition, 2_000_000], [cat.meals, 400_000]]),
  structure('G2', cls.g2, [[cat.tuition, 2_400_000], [cat.meals, 400_000]]),
  structure('G3', cls.g3, [[cat.tuition, 3_000_000], [cat.transport, 600_000]]),
];
const rules: DiscountRuleDoc[] = [
  { id: testId('sibling-rule'), schoolId, kind: 'discountRule', name: 'Sibling 10 %', data: { type: 'sibling', fromChild: 2, basisPoints: 1000, feeCategoryIds: [cat.tuition] }, ...stamp('2025-12-01') },
  { id: testId('staff-rule'), schoolId, kind: 'discountRule', name: 'Staff child 50 %', data: { type: 'staffChild', value: { mode: 'percent', basisPoints: 5000 }, feeCategoryIds: [cat.tuition] }, ...stamp('2025-12-01') },
];
const lateFeeRule: LateFeeRuleDoc = {
  id: testId('late-fee'), schoolId, kind: 'lateFeeRule', name: 'Late fee KES 500',
  data: { graceDays: 7, periodDays: 30, value: { mode: 'fixed', amount: 50_000 }, cap: 100_000, feeCategoryIds: [] }, ...stamp('2025-12-01'),
};

const student = (name: string, classId: string, extra: Partial<Student> = {}): Student => ({
  id: testId(name), schoolId, admissionNumber: name.toUpperCase(), firstName: name, lastName: 'Test', classId, status: 'active', ...stamp('2025-12-01'), ...extra,
});
const amani = student('amani', cls.g3, { dateOfBirth: '2014-02-01' });
const baraka = student('baraka', cls.g2, { dateOfBirth: '2016-05-10' });
const chiku = student('chiku', cls.g1, { dateOfBirth: '2018-09-20' });
const dalia = student('dalia', cls.g2, { staffChild: true });
const eli = student('eli', cls.g1, { joinedOn: '2026-02-04' });

const payer = (name: string, kind: Payer['kind'], children: Student[]): Payer => ({
  id: testId(name), schoolId, kind, name, contacts: [], preferredChannel: 'sms',
  students: children.map((s) => ({ studentId: s.id, share: 10_000 })), ...stamp('2025-12-01'),
});
const otieno = payer('otieno-family', 'family', [amani, baraka, chiku]);
const daliaGuardian = payer('dalia-guardian', 'guardian', [dalia]);
const eliGuardian = payer('eli-guardian', 'guardian', [eli]);
const payers = [otieno, daliaGuardian, eliGuardian];

describe('one term at Hillside, hand-computed', () => {
  const ledger: LedgerEntry[] = [];
  const invoiced: InvoiceDoc[] = [];
  let receipt = 0;

  const issue = (classId: string, students: Student[], issuedOn: string) => {
    const result = issueTermInvoices({
      schoolId, currency: KES, termId: term.id, classId, term, students, structures, payers, discountRules: rules, settings,
      existing: { invoices: invoiced }, issuedOn, createdBy: bursar, deviceId: desk, now: `${issuedOn}T07:00:00.000Z`,
    });
    invoiced.push(...result.invoices);
    ledger.push(...result.invoices, ...result.discounts);
    return result;
  };
  const chargeOf = (who: Student, category: string, instalment: string) => {
    const invoice = ledger.find((e): e is InvoiceDoc => e.type === 'invoice' && e.studentId === who.id);
    const charge = invoice?.charges.find((c) => c.feeCategoryId === category && c.instalment === instalment);
    if (!charge) throw new Error(`no ${instalment} charge for ${who.firstName}`);
    return charge.id;
  };
  const pay = (payerId: string, date: string, method: PaymentMethod, amount: number, allocations: Allocation[]): PaymentDoc => {
    const payment: PaymentDoc = {
      id: testId(`payment-${(receipt += 1)}`), schoolId, currency: KES, createdAt: `${date}T10:00:00.000Z`, createdBy: bursar, deviceId: desk,
      type: 'payment', payerId, receiptNumber: `MAIN-D01-${String(receipt).padStart(6, '0')}`, officeId: office, method, amount, offline: false, allocations,
    };
    ledger.push(payment);
    return payment;
  };
  const oldestFirst = (payerId: string, amount: number, asOf: string) => {
    const state = deriveLedger(ledger, { asOf });
    const open = [...state.charges.values()].filter((c) => c.payerId === payerId && c.open > 0);
    return allocatePayment({ amount, charges: open, mode: { kind: 'oldest-first' } });
  };
  const who = (date: string) => ({ schoolId, currency: KES, createdBy: bursar, deviceId: desk, now: `${date}T11:00:00.000Z` });

  it('issues the term: discounts by sibling order and staff flag, the joiner pro rata, re-running adds nothing', () => {
    expect(issue(cls.g1, [amani, baraka, chiku, dalia], '2026-01-05').failures).toEqual([]);
    issue(cls.g2, [amani, baraka, chiku, dalia], '2026-01-05');
    issue(cls.g3, [amani, baraka, chiku, dalia], '2026-01-05');
    // Eli joins on 4 February (day 31 of 91): 61/91 of the term = 6703 bp.
    const again = issue(cls.g1, [amani, baraka, chiku, dalia, eli], '2026-02-04');
    expect(again.skipped.map((s) => s.studentId)).toEqual([chiku.id]);
    expect(again.invoices).toHaveLength(1);
    expect(again.invoices[0]?.proration).toEqual({ joinedOn: '2026-02-04', basisPoints: 6703 });

    const billed = (s: Student) => ledger.filter((e): e is InvoiceDoc => e.type === 'invoice' && e.studentId === s.id).flatMap((i) => i.charges).reduce((t, c) => t + c.amount, 0);
    const discounted = (s: Student) => ledger.reduce((t, e) => t + (e.type === 'discount' && e.studentId === s.id ? e.amount : 0), 0);
    expect([amani, baraka, chiku, dalia, eli].map((s) => [s.firstName, billed(s), discounted(s)])).toEqual([
      ['amani', 3_600_000, 0],
      ['baraka', 2_800_000, 240_000],
      ['chiku', 2_400_000, 200_000],
      ['dalia', 2_800_000, 1_200_000],
      ['eli', 1_608_720, 0],
    ]);
  });

  it('takes the term’s payments, a bounced cheque, late fees and a waiver; statements match the table on 10 Feb', () => {
    // 10 Jan, cash 30,000.00: the family chooses how it is spread over the three children.
    pay(otieno.id, '2026-01-10', 'cash', 3_000_000, [
      { studentId: amani.id, chargeId: chargeOf(amani, cat.tuition, 'Instalment 1'), amount: 1_500_000 },
      { studentId: amani.id, chargeId: chargeOf(amani, cat.transport, 'Instalment 1'), amount: 300_000 },
      { studentId: baraka.id, chargeId: chargeOf(baraka, cat.tuition, 'Instalment 1'), amount: 1_080_000 },
      { studentId: chiku.id, chargeId: chargeOf(chiku, cat.tuition, 'Instalment 1'), amount: 120_000 },
    ]);
    // 12 Jan, a cheque of 11,800.00, oldest first: exactly what is left of instalment 1.
    const chequeSplit = oldestFirst(otieno.id, 1_180_000, '2026-01-12');
    expect(chequeSplit.credit).toBe(0);
    const cheque = pay(otieno.id, '2026-01-12', 'cheque', 1_180_000, chequeSplit.allocations);
    // 12 Jan, Dalia's guardian pays 17,000.00 for a 16,000.00 bill: 1,000.00 credit.
    const dalias = oldestFirst(daliaGuardian.id, 1_700_000, '2026-01-12');
    pay(daliaGuardian.id, '2026-01-12', 'cash', 1_700_000, dalias.allocations);
    expect(dalias.credit).toBe(100_000);
    // 4 Feb, Eli's guardian pays the pro-rated bill on admission.
    pay(eliGuardian.id, '2026-02-04', 'mobileMoney', 1_608_720, oldestFirst(eliGuardian.id, 1_608_720, '2026-02-04').allocations);
    // 1 Feb, the bank returns the cheque: instalment 1 reopens for Baraka and Chiku.
    ledger.push(returnCheque({ ...who('2026-02-01'), state: deriveLedger(ledger), paymentId: cheque.id, returnedOn: '2026-02-01', reason: 'Returned by bank: insufficient funds' }));

    // 10 Feb: 26 days overdue, past the 7 grace days → one KES 500 fine per open instalment-1 charge.
    const fines = accrueLateFees({ state: deriveLedger(ledger, { asOf: '2026-02-10' }), rules: [lateFeeRule], asOf: '2026-02-10', ...who('2026-02-10') });
    expect(fines.map((f) => [f.studentId, f.amount, f.accruedOn])).toEqual(
      expect.arrayContaining([[baraka.id, 50_000, '2026-01-23'], [chiku.id, 50_000, '2026-01-23'], [chiku.id, 50_000, '2026-01-23']]),
    );
    expect(fines).toHaveLength(3);
    ledger.push(...fines);
    expect(accrueLateFees({ state: deriveLedger(ledger, { asOf: '2026-02-10' }), rules: [lateFeeRule], asOf: '2026-02-10', ...who('2026-02-10') })).toEqual([]);

    const feb10 = deriveLedger(ledger, { asOf: '2026-02-10' });
    const table = [amani, baraka, chiku, dalia, eli].map((s) => [s.firstName, feb10.studentBalance(s.id)]);
    expect(table).toEqual([
      ['amani', 1_800_000], //  3,600,000 − 1,800,000 paid
      ['baraka', 1_530_000], // 2,800,000 − 240,000 sibling + 50,000 fine − 1,080,000 paid
      ['chiku', 2_180_000], //  2,400,000 − 200,000 sibling + 100,000 fines − 120,000 paid
      ['dalia', 0],
      ['eli', 0],
    ]);
    const chikuStatement = studentStatement(ledger, chiku.id, { asOf: '2026-02-10' });
    expect(chikuStatement.closingBalance).toBe(2_180_000);
    expect(chikuStatement.ageing).toMatchObject({ current: 1_100_000, d0_30: 1_080_000, d31_60: 0, d61_90: 0, d90plus: 0 });
    expect(feb10.payerBalance(otieno.id)).toBe(5_510_000); // 8,950,000 charges − 440,000 discounts − 3,000,000 paid (cheque returned)
    expect(feb10.payerCredit(daliaGuardian.id)).toBe(100_000);
    expect(feb10.payments.get(cheque.id)?.status).toBe('returned');
  });

  it('waives a fine, takes an overpayment as credit, refunds a credit; the term closes as the table says', () => {
    const fineOnChikuMeals = ledger.find((e) => e.type === 'fine' && e.studentId === chiku.id && e.chargeId === chargeOf(chiku, cat.meals, 'Instalment 1'));
    if (!fineOnChikuMeals) throw new Error('expected a fine on Chiku’s meals');
    ledger.push(waiveFine({ ...who('2026-02-12'), state: deriveLedger(ledger), fineId: fineOnChikuMeals.id, amount: 50_000, reason: 'Bursar waived: family bereavement' }));
    // 20 Feb, mobile money 59,600.00 oldest first: clears everything (54,600.00) and leaves 5,000.00 credit.
    const final = oldestFirst(otieno.id, 5_960_000, '2026-02-20');
    expect(final.credit).toBe(500_000);
    pay(otieno.id, '2026-02-20', 'mobileMoney', 5_960_000, final.allocations);
    // 2 Mar, Dalia's guardian is refunded the 1,000.00 credit by bank transfer.
    ledger.push(refundCredit({ ...who('2026-03-02'), state: deriveLedger(ledger), payerId: daliaGuardian.id, amount: 100_000, method: 'bankTransfer', reason: 'Overpayment returned to guardian' }));

    const end = deriveLedger(ledger, { asOf: '2026-03-31' });
    expect([amani, baraka, chiku, dalia, eli].map((s) => end.studentBalance(s.id))).toEqual([0, 0, 0, 0, 0]);
    expect(payers.map((p) => [p.name, end.payerBalance(p.id), end.payerCredit(p.id)])).toEqual([
      ['otieno-family', -500_000, 500_000], // 8,950,000 − 440,000 − 50,000 waived − 8,960,000 paid
      ['dalia-guardian', 0, 0], //             2,800,000 − 1,200,000 − 1,700,000 paid + 100,000 refunded
      ['eli-guardian', 0, 0],
    ]);
    const family = payerStatement(ledger, otieno.id, { asOf: '2026-03-31' });
    expect(family.closingBalance).toBe(-500_000);
    expect(family.totalDebit - family.totalCredit).toBe(-500_000);
    expect(end.anomalies).toEqual([]);
    // The same documents in reverse order give the same balances.
    const reversed = deriveLedger([...ledger].reverse(), { asOf: '2026-03-31' });
    expect(payers.map((p) => reversed.payerBalance(p.id))).toEqual([-500_000, 0, 0]);
  });
});
