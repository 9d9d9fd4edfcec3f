// Statements as a parent or bursar reads them: dated lines with a running balance that closes at
// the ledger's balance, a bounced cheque shown and taken back, and dues aged by days past due.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLedger } from './ledger-state.ts';
import { ageing, payerStatement, studentStatement, type Statement } from './statements.ts';
import { arbitraryLedgerHistory, testId, testLedger } from './test-ledger.ts';

const id = testId;

function familyYear() {
  const t = testLedger();
  t.invoice({ id: 'inv-amina', student: 'amina', charges: [{ id: 'amina-tuition', amount: 10_000, dueDate: '2025-01-15', payer: 'family' }] });
  t.invoice({ id: 'inv-brian', student: 'brian', charges: [{ id: 'brian-tuition', amount: 8_000, dueDate: '2025-01-15', payer: 'family' }] });
  t.discount({ id: 'sibling', charge: 'brian-tuition', amount: 1_000, source: 'sibling' });
  t.payment({ id: 'cheque', at: '2025-01-10T09:00:00.000Z', payer: 'family', method: 'cheque', amount: 12_000, allocations: [['amina-tuition', 10_000], ['brian-tuition', 2_000]] });
  t.chequeReturn({ id: 'bounced', at: '2025-01-20T09:00:00.000Z', payment: 'cheque', returnedOn: '2025-01-20', reason: 'Insufficient funds' });
  t.payment({ id: 'cash', at: '2025-01-22T09:00:00.000Z', payer: 'family', amount: 6_000, allocations: [['amina-tuition', 6_000]] });
  t.fine({ id: 'fine', at: '2025-02-01T05:00:00.000Z', charge: 'amina-tuition', rule: 'late', period: 1, accruedOn: '2025-02-01', amount: 300, payer: 'family' });
  t.payment({ id: 'extra', at: '2025-02-03T09:00:00.000Z', payer: 'family', amount: 3_000 });
  t.creditApplication({ id: 'apply', at: '2025-02-04T09:00:00.000Z', payer: 'family', allocations: [['brian-tuition', 1_000]] });
  t.refund({ id: 'refund', at: '2025-02-05T09:00:00.000Z', payer: 'family', amount: 500, reason: 'Asked for change back' });
  return t;
}

const lineSummary = (statement: Statement) => statement.lines.map((l) => [l.date, l.kind, l.debit, l.credit, l.balance]);

describe('studentStatement', () => {
  const entries = familyYear().entries();

  it('lists a child’s charges and what paid them, a bounced cheque shown and taken back', () => {
    const statement = studentStatement(entries, id('amina'), { asOf: '2025-02-10' });
    expect(lineSummary(statement)).toEqual([
      ['2025-01-06', 'charge', 10_000, 0, 10_000],
      ['2025-01-10', 'payment', 0, 10_000, 0],
      ['2025-01-20', 'chequeReturn', 10_000, 0, 10_000],
      ['2025-01-22', 'payment', 0, 6_000, 4_000],
      ['2025-02-01', 'fine', 300, 0, 4_300],
    ]);
    expect(statement.lines.map((l) => l.description)).toEqual([
      'Tuition (Full), due 2025-01-15',
      'Payment MAIN-D01-000001 (cheque)',
      'Cheque returned for payment MAIN-D01-000001: Insufficient funds',
      'Payment MAIN-D01-000002 (cash)',
      'Late fee on Tuition, period 1',
    ]);
    expect(statement.lines[1]?.entryId).toBe(id('cheque'));
    expect(statement).toMatchObject({ openingBalance: 0, closingBalance: 4_300, totalDebit: 20_300, totalCredit: 16_000, subject: { kind: 'student', id: id('amina') } });
    expect(statement.closingBalance).toBe(deriveLedger(entries).studentBalance(id('amina')));
    expect(statement.ageing).toEqual({ current: 0, d0_30: 4_300, d31_60: 0, d61_90: 0, d90plus: 0, total: 4_300 });
  });

  it('shows a sibling discount and credit applied on the other child', () => {
    const statement = studentStatement(entries, id('brian'), { asOf: '2025-02-10' });
    expect(lineSummary(statement)).toEqual([
      ['2025-01-06', 'charge', 8_000, 0, 8_000],
      ['2025-01-06', 'discount', 0, 1_000, 7_000],
      ['2025-01-10', 'payment', 0, 2_000, 5_000],
      ['2025-01-20', 'chequeReturn', 2_000, 0, 7_000],
      ['2025-02-04', 'creditApplication', 0, 1_000, 6_000],
    ]);
    expect(statement.lines[1]?.description).toBe('Sibling discount on Tuition');
  });

  it('cuts at the statement date and folds earlier lines into the opening balance', () => {
    expect(studentStatement(entries, id('amina'), { asOf: '2025-01-15' }).closingBalance).toBe(0);
    const since = studentStatement(entries, id('amina'), { asOf: '2025-02-10', from: '2025-01-21' });
    expect(since.openingBalance).toBe(10_000);
    expect(lineSummary(since)).toEqual([
      ['2025-01-22', 'payment', 0, 6_000, 4_000],
      ['2025-02-01', 'fine', 300, 0, 4_300],
    ]);
    expect(since).toMatchObject({ totalDebit: 300, totalCredit: 6_000, closingBalance: 4_300 });
    expect(studentStatement(entries, id('amina'), { asOf: '2025-02-10', termId: id('term-2') }).lines).toEqual([]);
  });

  it('takes a derived state as it is, but refuses one with entries after the statement date', () => {
    const state = deriveLedger(entries, { asOf: '2025-01-31' });
    expect(studentStatement(state, id('amina'), { asOf: '2025-01-31' })).toEqual(studentStatement(entries, id('amina'), { asOf: '2025-01-31' }));
    expect(() => studentStatement(deriveLedger(entries), id('amina'), { asOf: '2025-01-31' })).toThrow(/after the statement date 2025-01-31: derive it as of 2025-01-31/);
  });
});

describe('payerStatement', () => {
  const entries = familyYear().entries();

  it('is the family’s account: charges, every payment and its reversal, refunds; credit shown apart', () => {
    const statement = payerStatement(entries, id('family'), { asOf: '2025-02-10' });
    expect(lineSummary(statement)).toEqual([
      ['2025-01-06', 'charge', 10_000, 0, 10_000],
      ['2025-01-06', 'charge', 8_000, 0, 18_000],
      ['2025-01-06', 'discount', 0, 1_000, 17_000],
      ['2025-01-10', 'payment', 0, 12_000, 5_000],
      ['2025-01-20', 'chequeReturn', 12_000, 0, 17_000],
      ['2025-01-22', 'payment', 0, 6_000, 11_000],
      ['2025-02-01', 'fine', 300, 0, 11_300],
      ['2025-02-03', 'payment', 0, 3_000, 8_300],
      ['2025-02-05', 'refund', 500, 0, 8_800],
    ]);
    const state = deriveLedger(entries);
    expect(statement.closingBalance).toBe(state.payerBalance(id('family')));
    expect(statement.credit).toBe(1_500);
    expect(statement.ageing.total - 1_500).toBe(8_800);
  });

  it('for one term lists what was applied to that term’s charges and closes at what is still open', () => {
    const statement = payerStatement(entries, id('family'), { asOf: '2025-02-10', termId: id('term-1') });
    expect(statement.lines.map((l) => [l.kind, l.debit, l.credit])).toEqual([
      ['charge', 10_000, 0],
      ['charge', 8_000, 0],
      ['discount', 0, 1_000],
      ['payment', 0, 12_000],
      ['chequeReturn', 12_000, 0],
      ['payment', 0, 6_000],
      ['fine', 300, 0],
      ['creditApplication', 0, 1_000],
    ]);
    expect(statement.closingBalance).toBe(10_300);
    expect(statement.credit).toBeUndefined();
  });
});

describe('a family’s statement of its children’s own accounts', () => {
  it('counts the charges billed to no payer as the family’s, and a sponsor’s payment on them as paid', () => {
    const t = testLedger();
    t.invoice({ id: 'inv-zuri', student: 'zuri', charges: [{ id: 'zuri-tuition', amount: 10_000, dueDate: '2025-01-15' }] });
    t.payment({ id: 'family-cash', at: '2025-01-10T09:00:00.000Z', payer: 'family', amount: 4_000, allocations: [['zuri-tuition', 4_000]] });
    t.payment({ id: 'sponsor', at: '2025-01-12T09:00:00.000Z', payer: 'sponsor', amount: 5_000, allocations: [['zuri-tuition', 5_000]] });
    const entries = t.entries();
    const family = payerStatement(entries, id('family'), { asOf: '2025-02-01', studentIds: [id('zuri')] });
    expect(lineSummary(family)).toEqual([
      ['2025-01-06', 'charge', 10_000, 0, 10_000],
      ['2025-01-10', 'payment', 0, 4_000, 6_000],
      ['2025-01-12', 'payment', 0, 5_000, 1_000],
    ]);
    expect(family.ageing.total).toBe(1_000);
    // Without the family's students it is the payer's own money only, as before.
    expect(lineSummary(payerStatement(entries, id('family'), { asOf: '2025-02-01' }))).toEqual([['2025-01-10', 'payment', 0, 4_000, -4_000]]);
  });

  it('counts a sponsor’s credit applied to the children’s own fees as paid, and the family’s own credit moves as before', () => {
    const t = testLedger();
    t.invoice({ id: 'inv-zuri', student: 'zuri', charges: [{ id: 'zuri-tuition', amount: 50_000, dueDate: '2025-01-15' }] });
    t.invoice({ id: 'inv-books', student: 'zuri', charges: [{ id: 'zuri-books', amount: 10_000, dueDate: '2025-01-15', payer: 'sponsor' }] });
    t.payment({ id: 'sponsor', at: '2025-01-12T09:00:00.000Z', payer: 'sponsor', amount: 30_000, allocations: [['zuri-books', 10_000]] });
    t.creditApplication({ at: '2025-01-13T09:00:00.000Z', payer: 'sponsor', allocations: [['zuri-tuition', 20_000]] });
    t.payment({ id: 'family-cash', at: '2025-01-14T09:00:00.000Z', payer: 'family', amount: 8_000, allocations: [] });
    t.creditApplication({ at: '2025-01-15T09:00:00.000Z', payer: 'family', allocations: [['zuri-tuition', 5_000]] });
    const entries = t.entries();
    const state = deriveLedger(entries);
    const family = payerStatement(entries, id('family'), { asOf: '2025-02-01', studentIds: [id('zuri')] });
    expect(lineSummary(family)).toEqual([
      ['2025-01-06', 'charge', 50_000, 0, 50_000],
      ['2025-01-13', 'creditApplication', 0, 20_000, 30_000],
      ['2025-01-14', 'payment', 0, 8_000, 22_000],
    ]);
    // The family owes what is open on the tuition (25,000) less its 3,000 of credit left.
    expect(state.charges.get(id('zuri-tuition'))?.open).toBe(25_000);
    expect(family.closingBalance).toBe(25_000 - 3_000);
    expect(family.ageing.total).toBe(25_000);
  });
});

describe('ageing', () => {
  it('buckets open amounts by days past due: not yet due, 0–30, 31–60, 61–90, over 90', () => {
    const t = testLedger();
    const due = ['2025-03-01', '2025-02-28', '2025-01-29', '2025-01-28', '2024-12-30', '2024-12-29', '2024-11-30', '2024-11-29'];
    t.invoice({ student: 'amina', charges: due.map((dueDate, i) => ({ id: `c${String(i)}`, amount: 2 ** i, dueDate })) });
    t.payment({ payer: 'family', amount: 2 ** 8, allocations: [] });
    const charges = deriveLedger(t.entries()).charges.values();
    expect(ageing(charges, '2025-02-28')).toEqual({ current: 1, d0_30: 6, d31_60: 24, d61_90: 96, d90plus: 128, total: 255 });
  });
});

describe('statement properties', () => {
  it('every statement runs line by line in date order and closes at the ledger’s balance', () => {
    fc.assert(
      fc.property(arbitraryLedgerHistory(), ({ entries, payerIds, studentIds }) => {
        const asOf = '2099-12-31';
        const state = deriveLedger(entries, { asOf });
        const checkRun = (statement: Statement) => {
          let balance = statement.openingBalance;
          let date = '';
          for (const line of statement.lines) {
            balance += line.debit - line.credit;
            expect(line.balance).toBe(balance);
            expect(line.date >= date).toBe(true);
            expect(line.debit + line.credit).toBeGreaterThan(0);
            date = line.date;
          }
          expect(statement.closingBalance).toBe(balance);
        };
        for (const studentId of studentIds) {
          const statement = studentStatement(state, studentId, { asOf });
          checkRun(statement);
          expect(statement.closingBalance).toBe(state.studentBalance(studentId));
          expect(statement.ageing.total).toBe(state.studentBalance(studentId));
          const term = studentStatement(state, studentId, { asOf, termId: id('term-0'), from: '2025-01-20' });
          checkRun(term);
          expect(term.closingBalance).toBe(state.studentBalance(studentId, { termId: id('term-0') }));
        }
        for (const payerId of payerIds) {
          const statement = payerStatement(state, payerId, { asOf });
          checkRun(statement);
          expect(statement.closingBalance).toBe(state.payerBalance(payerId));
          const term = payerStatement(state, payerId, { asOf, termId: id('term-1') });
          checkRun(term);
          const open = [...state.charges.values()].filter((c) => c.payerId === payerId && c.termId === id('term-1')).reduce((sum, c) => sum + c.open, 0);
          expect(term.closingBalance).toBe(open);
        }
      }),
    );
  });
});
