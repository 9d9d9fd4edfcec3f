import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId, splitStructureIntoCharges, type FeeStructure } from '@feemaster/core';
import { buildFeeStructure, instalmentTotals, newInstalment, newLine, previewStructure, type FeeStructureDraft, type StructureContext } from './fee-structure-draft.ts';

const schoolId = newId();
const term = newId();
const grade4 = newId();
const tuition = newId();
const meals = newId();

const draft = (over: Partial<FeeStructureDraft> = {}): FeeStructureDraft => ({
  name: 'Grade 4 — Term 1',
  termId: term,
  classId: grade4,
  studentCategoryId: '',
  lines: [
    { ...newLine(), feeCategoryId: tuition, description: 'Tuition', amount: '15,000.00' },
    { ...newLine(), feeCategoryId: meals, description: 'Lunch', amount: '2,500.01' },
  ],
  instalments: [
    { ...newInstalment('First instalment', '60'), dueDate: '2031-01-15' },
    { ...newInstalment('Second instalment', '40'), dueDate: '2031-03-01' },
  ],
  ...over,
});

const context = (over: Partial<StructureContext> = {}): StructureContext => ({
  currency: 'KES',
  schoolId,
  existing: null,
  structures: [],
  termExists: (id) => id === term,
  classExists: (id) => id === grade4,
  categoryExists: () => false,
  feeCategoryExists: (id) => id === tuition || id === meals,
  describe: () => 'Grade 4 in Term 1 for students of any category',
  now: new Date('2031-01-02T08:00:00Z'),
  ...over,
});

describe('previewStructure', () => {
  it('shows what each instalment comes to and the total per student, in minor units', () => {
    // 1,500,000 → 900,000 + 600,000; 250,001 → 150,001 + 100,000 (the odd cent to the larger remainder).
    expect(previewStructure(draft(), 'KES')).toEqual({ instalments: [1_050_001, 700_000], total: 1_750_001, unreadLines: 0 });
  });

  it('leaves out lines whose amount does not read yet, and waits for every weight', () => {
    const typing = draft({ lines: [...draft().lines, { ...newLine(), amount: '12.345' }] });
    expect(previewStructure(typing, 'KES')).toMatchObject({ total: 1_750_001, unreadLines: 1 });
    expect(previewStructure(draft({ instalments: [newInstalment('A', 'x')] }), 'KES').instalments).toBeNull();
  });

  it('equals what invoicing bills per instalment, for any amounts and weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 6 }),
        (amounts, weights) => {
          const structure: FeeStructure = {
            id: newId(), schoolId, name: 'S', termId: term, classId: grade4, createdAt: '2031-01-01T00:00:00.000Z', updatedAt: '2031-01-01T00:00:00.000Z',
            lines: amounts.map((amount) => ({ feeCategoryId: tuition, description: 'Fee', amount })),
            instalments: weights.map((weight, i) => ({ label: `I${String(i)}`, dueDate: '2031-02-01', weight })),
          };
          const charges = splitStructureIntoCharges(structure, { invoiceId: newId(), studentId: newId(), payers: [] });
          const billed = weights.map((_, i) => charges.filter((c) => c.instalment === `I${String(i)}`).reduce((sum, c) => sum + c.amount, 0));
          expect(instalmentTotals(amounts, weights)).toEqual(billed);
        },
      ),
    );
  });
});

describe('buildFeeStructure', () => {
  it('builds the document invoicing reads, amounts in minor units', () => {
    const built = buildFeeStructure(draft({ name: '  Grade 4 — Term 1 ' }), context());
    if (!('structure' in built)) throw new Error(JSON.stringify(built));
    expect(built.structure).toMatchObject({
      schoolId,
      name: 'Grade 4 — Term 1',
      termId: term,
      classId: grade4,
      lines: [{ feeCategoryId: tuition, description: 'Tuition', amount: 1_500_000 }, { feeCategoryId: meals, description: 'Lunch', amount: 250_001 }],
      instalments: [{ label: 'First instalment', dueDate: '2031-01-15', weight: 60 }, { label: 'Second instalment', dueDate: '2031-03-01', weight: 40 }],
      createdAt: '2031-01-02T08:00:00.000Z',
    });
    expect(built.structure).not.toHaveProperty('studentCategoryId');
  });

  it('explains each problem beside its row: amounts, weights, labels and dates', () => {
    const built = buildFeeStructure(
      draft({
        name: '',
        lines: [{ ...newLine(), feeCategoryId: '', description: ' ', amount: '15.001' }],
        instalments: [{ ...newInstalment('Due', '0'), dueDate: '' }, { ...newInstalment('due', '1'), dueDate: '2031-01-01' }],
      }),
      context(),
    );
    expect(built).toEqual({
      other: [],
      problems: {
        name: 'Give the structure a name, like Grade 4 — Term 1.',
        'lines.0.feeCategoryId': 'Choose the fee category.',
        'lines.0.description': 'Describe the fee, like Tuition.',
        'lines.0.amount': "KES amounts have at most 2 decimal places: '15.001' has 3",
        'instalments.0.dueDate': 'Enter the date this instalment is due.',
        'instalments.0.weight': expect.stringMatching(/^Enter a whole number from 1 to 10000: instalments share each fee/) as unknown,
        'instalments.1.label': 'Another instalment is already called due: statements would not tell them apart.',
      },
    });
  });

  it('refuses a second structure for the same term, class and category, which invoicing could not choose between', () => {
    const first = buildFeeStructure(draft(), context());
    if (!('structure' in first)) throw new Error('the first structure should build');
    const second = buildFeeStructure(draft({ name: 'Another' }), context({ structures: [first.structure] }));
    expect(second).toMatchObject({ problems: { classId: '“Grade 4 — Term 1” already bills Grade 4 in Term 1 for students of any category: a student can have only one structure per term, so edit that one or archive it first.' } });
    // Editing the structure itself, or once the other is archived, is fine.
    expect(buildFeeStructure(draft(), context({ structures: [first.structure], existing: first.structure }))).toHaveProperty('structure');
    expect(buildFeeStructure(draft(), context({ structures: [{ ...first.structure, archived: true }] }))).toHaveProperty('structure');
  });
});
