// The term-invoicing preview: bills per student less automatic discounts, totals per class and
// overall, students already billed skipped, a class without a fee structure listed with its
// reason while the other class is still billed.
import { describe, expect, it } from 'vitest';
import { keyedId, type ClassDoc, type DiscountRuleDoc, type FeeStructure, type Payer, type SettingsDoc, type Student, type TermDoc } from '@feemaster/core';
import { planInvoiceRun, type InvoiceRunInput } from './invoice-run.ts';

const NOW = '2026-01-03T07:30:00.000Z';
const SCHOOL = keyedId('run:school');
const base = { schoolId: SCHOOL, createdAt: NOW, updatedAt: NOW };
const term: TermDoc = { ...base, id: keyedId('run:term'), kind: 'term', name: 'Term 1 2026', data: { academicYearId: keyedId('run:year'), startDate: '2026-01-05', endDate: '2026-04-03' } };
const settings: SettingsDoc = { ...base, id: keyedId('run:settings'), kind: 'settings', name: 'Settings', data: { currency: 'KES', timezone: 'Africa/Nairobi', receiptHeader: '', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true } };
const g4: ClassDoc = { ...base, id: keyedId('run:g4'), kind: 'class', name: 'Grade 4', data: {} };
const g5: ClassDoc = { ...base, id: keyedId('run:g5'), kind: 'class', name: 'Grade 5', data: {} };
const tuition = keyedId('run:tuition');
const structure: FeeStructure = {
  ...base, id: keyedId('run:structure:g4'), name: 'Grade 4 — Term 1', termId: term.id, classId: g4.id,
  lines: [{ feeCategoryId: tuition, description: 'Tuition', amount: 1_000_000 }],
  instalments: [{ label: 'Full term', dueDate: '2026-01-31', weight: 1 }],
};
const student = (n: number, classId: string, extra: Partial<Student> = {}): Student => ({ ...base, id: keyedId(`run:student:${String(n)}`), admissionNumber: `R-${String(n)}`, firstName: `Child${String(n)}`, lastName: 'Otieno', classId, status: 'active', dateOfBirth: `201${String(n)}-01-01`, ...extra });
const [elder, younger, billed, other] = [student(1, g4.id), student(2, g4.id), student(3, g4.id), student(4, g5.id)];
const family: Payer = { ...base, id: keyedId('run:family'), kind: 'family', name: 'Otieno family', contacts: [], preferredChannel: 'none', students: [elder, younger].map((s) => ({ studentId: s.id, share: 10_000 })) };
const sibling: DiscountRuleDoc = { ...base, id: keyedId('run:sibling'), kind: 'discountRule', name: 'Second child', data: { type: 'sibling', fromChild: 2, basisPoints: 1_000, feeCategoryIds: [] } };

function input(over: Partial<InvoiceRunInput> = {}): InvoiceRunInput {
  return {
    schoolId: SCHOOL, currency: 'KES', term, classes: [g4, g5], students: [elder, younger, billed, other], structures: [structure], payers: [family], discountRules: [sibling], settings,
    existingInvoices: [{ id: keyedId(`invoice:${billed.id}:${term.id}:${structure.id}`), studentId: billed.id, termId: term.id, classId: g4.id, feeStructureId: structure.id }], issuedOn: '2026-01-05', createdBy: keyedId('run:bursar'), now: NOW, ...over,
  };
}

describe('planning a term invoice run', () => {
  it('bills each student less discounts, totals per class, skips the billed and explains the rest', () => {
    const run = planInvoiceRun(input());
    const [grade4, grade5] = run.classes;
    expect(grade4?.bills.map((b) => [b.admissionNumber, b.billed, b.discounts, b.net])).toEqual([
      ['R-1', 1_000_000, 0, 1_000_000],
      ['R-2', 1_000_000, 100_000, 900_000],
    ]);
    expect(grade4?.totals).toEqual({ billed: 2_000_000, discounts: 100_000, net: 1_900_000 });
    expect(grade4?.skipped).toEqual([{ studentId: billed.id, name: 'Child3 Otieno' }]);
    expect(grade5?.bills).toEqual([]);
    expect(grade5?.failures).toEqual([{ studentId: other.id, admissionNumber: 'R-4', name: 'Child4 Otieno', reason: 'No fee structure for term "Term 1 2026", this class: add one (or one for all categories of the class), then issue again' }]);
    expect(run.totals).toEqual({ students: 2, billed: 2_000_000, discounts: 100_000, net: 1_900_000, failures: 1, skipped: 1 });
    expect(run.invoices).toHaveLength(2);
    expect(run.discounts.map((d) => [d.studentId, d.amount])).toEqual([[younger.id, 100_000]]);
  });

  it('names the class a student was billed in before moving, and bills them no more', () => {
    const moved = { ...billed, classId: g5.id };
    const g5Structure = { ...structure, id: keyedId('run:structure:g5'), classId: g5.id };
    const run = planInvoiceRun(input({ students: [elder, younger, moved, other], structures: [structure, g5Structure] }));
    const [, grade5] = run.classes;
    expect(grade5?.skipped).toEqual([{ studentId: billed.id, name: 'Child3 Otieno', billedIn: 'Grade 4' }]);
    expect(grade5?.bills.map((b) => b.admissionNumber)).toEqual(['R-4']);
    expect(run.invoices.filter((i) => i.studentId === billed.id)).toEqual([]);
    // A class not in this run (archived since, say) is named from every class's names.
    const alone = planInvoiceRun(input({ classes: [g5], students: [moved], structures: [structure, g5Structure], allClassNames: new Map([[g4.id, 'Grade 4 (2025)']]) }));
    expect(alone.classes[0]?.skipped).toEqual([{ studentId: billed.id, name: 'Child3 Otieno', billedIn: 'Grade 4 (2025)' }]);
  });

  it('reports a batch problem for the class instead of throwing', () => {
    const run = planInvoiceRun(input({ currency: 'UGX' }));
    expect(run.classes.map((c) => c.problem)).toEqual([
      "The school's currency is KES, not UGX: reload the settings and issue again",
      "The school's currency is KES, not UGX: reload the settings and issue again",
    ]);
    expect(run.invoices).toEqual([]);
  });
});
