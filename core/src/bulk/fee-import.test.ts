// Fee structures from a bursar's spreadsheet: amounts typed every which way, due dates as Excel
// dates or text, a split per instalment; one structure per term, class and category; the exact
// structures planned and the exact problems reported.
import { describe, expect, it } from 'vitest';
import type { FeeStructure } from '../fees/fee-structures.ts';
import type { ClassDoc, FeeCategoryDoc, StudentCategoryDoc, TermDoc } from '../fees/reference.ts';
import { newId } from '../ids.ts';
import { planFeeImport, type FeeImportContext } from './fee-import.ts';
import { readTable } from './read-table.ts';
import { buildXlsx, excelSerial, gridCells } from './test-xlsx.ts';

const schoolId = newId();
const NOW = '2026-01-02T08:00:00.000Z';
const base = { schoolId, createdAt: NOW, updatedAt: NOW };
const term1: TermDoc = { ...base, id: newId(), kind: 'term', name: 'Term 1 2026', data: { academicYearId: newId(), startDate: '2026-01-05', endDate: '2026-04-03' } };
const g4: ClassDoc = { ...base, id: newId(), kind: 'class', name: 'Grade 4 East', data: { code: 'G4E' } };
const g5: ClassDoc = { ...base, id: newId(), kind: 'class', name: 'Grade 5 West', data: { code: 'G5W' } };
const boarder: StudentCategoryDoc = { ...base, id: newId(), kind: 'studentCategory', name: 'Boarder', data: { code: 'BRD' } };
const tuition: FeeCategoryDoc = { ...base, id: newId(), kind: 'feeCategory', name: 'Tuition', data: { code: 'TUI' } };
const transport: FeeCategoryDoc = { ...base, id: newId(), kind: 'feeCategory', name: 'Transport', data: { code: 'TRN' } };
const boarding: FeeCategoryDoc = { ...base, id: newId(), kind: 'feeCategory', name: 'Boarding', data: { code: 'BRD' } };

function context(structures: FeeStructure[] = []): FeeImportContext {
  let n = 0;
  return {
    schoolId, currency: 'KES', dateOrder: 'dmy', terms: [term1], classes: [g4, g5], studentCategories: [boarder], feeCategories: [tuition, transport, boarding], structures, now: NOW,
    newId: () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  };
}

const workbook = buildXlsx({
  sheets: [
    {
      name: 'Fees 2026',
      merges: ['A1:G1'],
      cells: [
        { ref: 'A1', value: 'Fee schedule — Term 1 2026' },
        ...gridCells(
          [
            ['Term', 'Class', 'Category', 'Vote head', 'Amount', 'Due dates', 'Split'],
            ['Term 1 2026', 'Grade 4 East', null, 'Tuition', 'KES 15,000.00', '31/01/2026; 31/03/2026', '60;40'],
            ['term 1 2026', 'G4E', null, 'Transport', 4500, '31/01/2026;31/03/2026', '60%;40%'],
            ['Term 1 2026', 'Grade 4 East', 'Boarder', 'Tuition', '15000', null, null],
            ['Term 1 2026', 'Grade 4 East', 'Boarder', 'Boarding', 'Ksh 20 000', null, null],
          ],
          'A3',
        ),
        { ref: 'F6', value: excelSerial('2026-01-31'), style: 'date' },
        { ref: 'F7', value: excelSerial('2026-01-31'), style: 'date' },
      ],
    },
  ],
});

describe('fee structures from a spreadsheet', () => {
  it('groups the lines of each term, class and category into one structure with its instalments', async () => {
    const plan = planFeeImport(await readTable(workbook, 'fees.xlsx'), context());
    expect(plan.errors).toEqual([]);
    expect(plan.headerRow).toBe(3);
    expect(plan.summary).toEqual({ create: 2, update: 0, unchanged: 0, lines: 4 });
    expect(plan.structures.create.map((s) => ({ name: s.name, classId: s.classId, category: s.studentCategoryId ?? null, lines: s.lines, instalments: s.instalments }))).toEqual([
      {
        name: 'Grade 4 East — Term 1 2026',
        classId: g4.id,
        category: null,
        lines: [
          { feeCategoryId: tuition.id, description: 'Tuition', amount: 1_500_000 },
          { feeCategoryId: transport.id, description: 'Transport', amount: 450_000 },
        ],
        instalments: [
          { label: 'Instalment 1', dueDate: '2026-01-31', weight: 60 },
          { label: 'Instalment 2', dueDate: '2026-03-31', weight: 40 },
        ],
      },
      {
        name: 'Grade 4 East — Term 1 2026',
        classId: g4.id,
        category: boarder.id,
        lines: [
          { feeCategoryId: tuition.id, description: 'Tuition', amount: 1_500_000 },
          { feeCategoryId: boarding.id, description: 'Boarding', amount: 2_000_000 },
        ],
        instalments: [{ label: 'Full term', dueDate: '2026-01-31', weight: 1 }],
      },
    ]);
  });

  it('changes nothing the second time, and updates a structure whose amounts changed', async () => {
    const first = planFeeImport(await readTable(workbook, 'fees.xlsx'), context());
    const again = planFeeImport(await readTable(workbook, 'fees.xlsx'), context(first.structures.create));
    expect(again.summary).toEqual({ create: 0, update: 0, unchanged: 2, lines: 4 });
    expect(again.structures).toEqual({ create: [], update: [] });
    const raised = new TextEncoder().encode('Term,Class,Fee category,Amount,Due dates\nTerm 1 2026,G4E,Tuition,16000,2026-01-31\n');
    const plan = planFeeImport(await readTable(raised, 'raise.csv'), context(first.structures.create));
    expect(plan.errors).toEqual([]);
    expect(plan.structures.update.map((c) => [c.before.id, c.after.lines, c.after.instalments])).toEqual([
      [first.structures.create[0]?.id, [{ feeCategoryId: tuition.id, description: 'Tuition', amount: 1_600_000 }], [{ label: 'Full term', dueDate: '2026-01-31', weight: 1 }]],
    ]);
  });

  it('names every problem by row and column', async () => {
    const csv = [
      'Term,Class,Fee category,Amount,Due dates,Split',
      'Term 1 2026,G4E,Tuition,15000.005,2026-01-31,',
      'Term 3 2031,G4E,Tuition,15000,2026-01-31,',
      'Term 1 2026,G5W,Tuition,15000,2026-01-31; 2026-03-31,50;30;20',
      'Term 1 2026,G5W,Transport,4000,2026-03-31; 2026-01-31,',
      'Term 1 2026,G4E,Lunch,0,2026-01-31,',
      'Term 1 2026,G5W,Tuition,15000,2026-02-28,',
      'Term 1 2026,G5W,Tuition,15000,2026-02-28,',
    ].join('\n');
    const plan = planFeeImport(await readTable(new TextEncoder().encode(csv), 'bad.csv'), context());
    expect(plan.errors).toEqual([
      { row: 2, column: 'D "Amount"', problem: '"15000.005" has more than 2 decimal places', fix: 'Write the amount with at most 2 decimal places, like 12,500.00' },
      { row: 3, column: 'A "Term"', problem: 'There is no term "Term 3 2031"', fix: 'Write one of the term names or codes set up for the school, or add "Term 3 2031" under Setup first' },
      { row: 4, column: 'F "Split"', problem: '"50;30;20" does not give one whole number per instalment (2)', fix: 'Write 2 whole numbers separated by ";", like 50;50, or leave it blank for equal parts' },
      { row: 5, column: 'E "Due dates"', problem: 'The due dates are not in order', fix: 'Write the instalments’ due dates from the first to the last' },
      { row: 6, column: 'C "Fee category"', problem: 'There is no fee category "Lunch"', fix: 'Write one of the fee category names or codes set up for the school, or add "Lunch" under Setup first' },
      { row: 6, column: 'D "Amount"', problem: 'The amount is zero or less', fix: 'Write the amount billed; leave out fee lines a class does not pay' },
      { row: 8, column: 'C "Fee category"', problem: 'Tuition is already billed to Grade 5 West — Term 1 2026 in row 7', fix: 'Keep one row per fee category for each class, term and category: add the amounts together or delete the extra row' },
    ]);
    expect(plan.rows.filter((r) => r.action !== 'error').map((r) => r.row)).toEqual([7]);
  });

  it('refuses lines of one structure with different instalments', async () => {
    const csv = 'Term,Class,Fee category,Amount,Due dates\nTerm 1 2026,G4E,Tuition,15000,2026-01-31\nTerm 1 2026,G4E,Transport,4000,2026-02-28\n';
    const plan = planFeeImport(await readTable(new TextEncoder().encode(csv), 'mixed.csv'), context());
    expect(plan.errors).toEqual([
      { row: 3, column: 'E "Due dates"', problem: 'The instalments differ from row 2, another line of Grade 4 East — Term 1 2026', fix: 'Give every line of one class, term and category the same due dates and split' },
    ]);
  });
});
