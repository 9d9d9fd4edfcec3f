// Opening balances from the old books: one "balance brought forward" bill per student, split over
// the student's payers, the same file twice adding nothing, a changed balance or a credit refused
// with what to do instead, and the balance counting in the family's account like any bill.
import { describe, expect, it } from 'vitest';
import { deriveLedger } from '../fees/ledger-state.ts';
import type { Payer } from '../fees/payers.ts';
import type { TermDoc } from '../fees/reference.ts';
import { keyedId } from '../ids.ts';
import { formatMoney } from '../money.ts';
import type { Student } from '../schemas/students.ts';
import { openingBalanceInvoiceId, planBalanceImport, type BalanceImportContext } from './balance-import.ts';
import { readTable } from './read-table.ts';

const schoolId = keyedId('bal:school');
const NOW = '2026-01-02T08:00:00.000Z';
const base = { schoolId, createdAt: NOW, updatedAt: NOW };
const term: TermDoc = { ...base, id: keyedId('bal:term'), kind: 'term', name: 'Term 1 2026', data: { academicYearId: keyedId('bal:year'), startDate: '2026-01-05', endDate: '2026-04-03' } };
const student = (n: number, admissionNumber: string): Student => ({ ...base, id: keyedId(`bal:student:${String(n)}`), admissionNumber, firstName: `Child${String(n)}`, lastName: 'Otieno', classId: keyedId('bal:class'), status: 'active' });
const [amani, baraka, chebet] = [student(1, '0042'), student(2, 'B-7'), student(3, 'C-9')];
const family: Payer = { ...base, id: keyedId('bal:family'), kind: 'family', name: 'Otieno family', contacts: [], preferredChannel: 'none', students: [{ studentId: amani.id, share: 10_000 }, { studentId: baraka.id, share: 10_000 }] };
const sponsor: Payer = { ...base, id: keyedId('bal:sponsor'), kind: 'sponsor', name: 'Rotary', contacts: [], preferredChannel: 'none', students: [{ studentId: baraka.id, share: 5_000 }] };

const ctx = (existing: BalanceImportContext['existing'] = new Map()): BalanceImportContext => ({
  schoolId, currency: 'KES', term, asOf: '2025-12-31', students: [amani, baraka, chebet], payers: [family, sponsor], existing, createdBy: keyedId('bal:bursar'), now: NOW,
});
const kes = (minor: number): string => formatMoney(minor, 'KES');
const csv = (text: string) => readTable(new TextEncoder().encode(text), 'balances.csv');

describe('opening balances', () => {
  it('brings each balance forward as one bill, split over the payers, and adds nothing the second time', async () => {
    const file = 'Adm No,Fee balance,Note\n42,"12,500.00",\nB-7,3000,Arrears 2025 (term 3)\nC-9,0,\n';
    const plan = planBalanceImport(await csv(file), ctx());
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => [r.row, r.admissionNumber, r.amount, r.action])).toEqual([
      [2, '0042', 1_250_000, 'create'],
      [3, 'B-7', 300_000, 'create'],
      [4, 'C-9', 0, 'unchanged'],
    ]);
    expect(plan.summary).toEqual({ create: 2, unchanged: 1, total: 1_550_000 });
    const [first, second] = plan.invoices;
    expect(first).toMatchObject({ id: openingBalanceInvoiceId(amani.id), type: 'invoice', studentId: amani.id, termId: term.id, issuedOn: '2025-12-31', currency: 'KES' });
    expect(first?.charges.map((c) => [c.description, c.instalment, c.dueDate, c.amount, c.payerId])).toEqual([['Balance brought forward', 'Opening balance', '2025-12-31', 1_250_000, family.id]]);
    // Baraka's family (100 %) and sponsor (50 %) share his bills two to one (shares past 100 % are
    // scaled down, as charge-split.ts does for every bill): his balance is shared the same way.
    expect(second?.charges.map((c) => [c.description, c.amount, c.payerId === family.id ? 'family' : 'sponsor']).sort()).toEqual([
      ['Arrears 2025 (term 3)', 100_000, 'sponsor'],
      ['Arrears 2025 (term 3)', 200_000, 'family'],
    ]);
    const state = deriveLedger(plan.invoices);
    expect(state.payerBalance(family.id)).toBe(1_450_000);
    expect(state.studentBalance(baraka.id)).toBe(300_000);

    const again = planBalanceImport(await csv(file), ctx(new Map(plan.invoices.map((inv) => [inv.id, inv]))));
    expect(again.errors).toEqual([]);
    expect(again.invoices).toEqual([]);
    expect(again.summary).toEqual({ create: 0, unchanged: 3, total: 0 });
  });

  it('refuses a changed balance, a credit, an unknown student and a student twice, naming each row', async () => {
    const imported = planBalanceImport(await csv('Admission number,Balance owed\nB-7,3000\n'), ctx());
    const plan = planBalanceImport(await csv('Admission number,Balance owed\nB-7,3500\n0042,-200\nZ-1,100\nC-9,10\nC-9,20\n'), ctx(new Map(imported.invoices.map((inv) => [inv.id, inv]))));
    expect(plan.errors).toEqual([
      { row: 2, column: 'B "Balance owed"', problem: `Child2 Otieno's opening balance of ${kes(300_000)} was brought forward on 2025-12-31; it cannot be changed to ${kes(350_000)}`, fix: 'Correct a balance on the student’s account (a discount or write-off, or a new charge) instead of importing it again' },
      { row: 3, column: 'B "Balance owed"', problem: `${kes(-20_000)} is a credit, which cannot be brought forward as a balance`, fix: 'Leave the row out and record the money held for the family as a payment at the till' },
      { row: 4, column: 'A "Admission number"', problem: 'No student has admission number Z-1', fix: 'Import or add the student first, or correct the number' },
      { row: 6, column: 'A "Admission number"', problem: 'Child3 Otieno already has a balance in row 5', fix: 'Keep one row per student: add the amounts together' },
    ]);
  });
});
