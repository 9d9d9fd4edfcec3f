// Fuzzing the students import: whatever the bytes or the cells, it never crashes. It either
// refuses the file with a readable reason, or plans an import whose every student and family is a
// valid document, or lists readable row errors, in which case it plans nothing to write.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId } from '../ids.ts';
import { replicatedCollections } from '../sync/collections.ts';
import type { ClassDoc } from '../fees/reference.ts';
import { readTable } from './read-table.ts';
import { planStudentImport, studentImportFields, type StudentImportContext, type StudentImportPlan } from './student-import.ts';
import { ImportFileError, type CellValue, type SheetTable } from './table.ts';

const schoolId = newId();
const NOW = '2026-03-01T08:00:00.000Z';
const classDoc: ClassDoc = { id: newId(), schoolId, kind: 'class', name: 'Grade 4 East', data: { code: 'G4E' }, createdAt: NOW, updatedAt: NOW };
const ctx: StudentImportContext = { schoolId, defaultCountry: 'KE', dateOrder: 'dmy', students: [], payers: [], classes: [classDoc], categories: [], now: NOW, newId };

/** What the property promises about any plan. */
function checkPlan(plan: StudentImportPlan, dataRows: ReadonlySet<number>): void {
  for (const error of plan.errors) {
    expect(dataRows.has(error.row), `error row ${String(error.row)}`).toBe(true);
    expect(error.problem.trim().length).toBeGreaterThan(5);
    expect(error.fix.trim().length).toBeGreaterThan(5);
  }
  for (const student of [...plan.students.create, ...plan.students.update.map((c) => c.after)]) {
    expect(replicatedCollections.students.validate(student)).toEqual([]);
  }
  for (const payer of [...plan.payers.create, ...plan.payers.update.map((c) => c.after)]) {
    expect(replicatedCollections.payers.validate(payer)).toEqual([]);
  }
  const rowsWithErrors = new Set(plan.errors.map((e) => e.row));
  expect(plan.rows.filter((r) => r.action === 'error').map((r) => r.row).every((row) => rowsWithErrors.has(row))).toBe(true);
}

async function planOrRefuse(run: () => Promise<StudentImportPlan> | StudentImportPlan): Promise<StudentImportPlan | null> {
  try {
    return await run();
  } catch (error) {
    // The only failure allowed: the file as a whole, with what to do about it.
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).message.length).toBeGreaterThan(10);
    expect((error as ImportFileError).fix.length).toBeGreaterThan(10);
    return null;
  }
}

const cell: fc.Arbitrary<CellValue> = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('0712 345 678', '+254712345678', '12', 'Grade 4 East', 'g4e', '31/02/2015', '2015-03-31', '42095', 'active', 'left', 'yes', 'x', '=1+1', '  A-1 ', 'ADM/001', 'mary@example.com', '@', '-'),
  fc.double({ noNaN: false }),
  fc.integer({ min: -1e6, max: 1e10 }),
  fc.boolean(),
  fc.date({ min: new Date('1890-01-01'), max: new Date('2200-01-01'), noInvalidDate: false }),
);

describe('the students import under fuzzing', () => {
  it('any grid of cells under the template header: valid documents or readable row errors, never a crash', async () => {
    const header = studentImportFields.map((f) => f.header);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 0, maxLength: header.length + 2 }), { minLength: 1, maxLength: 12 }), async (grid) => {
        const table: SheetTable = { format: 'xlsx', sheetName: 'Fuzz', rows: [{ rowNumber: 1, cells: header }, ...grid.map((cells, i) => ({ rowNumber: i + 2, cells }))] };
        const plan = await planOrRefuse(() => planStudentImport(table, ctx));
        if (plan) checkPlan(plan, new Set(grid.map((_, i) => i + 2)));
      }),
      { numRuns: 300 },
    );
  });

  it('any bytes named .csv or .xlsx: a plan or a readable refusal, never a crash', async () => {
    const header = new TextEncoder().encode(`${studentImportFields.map((f) => f.header).join(',')}\n`);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.constantFrom('a.csv', 'a.xlsx', 'a.txt'), async (bytes, withHeader, name) => {
        const file = withHeader ? Uint8Array.from([...header, ...bytes]) : bytes;
        const plan = await planOrRefuse(async () => planStudentImport(await readTable(file, name), ctx));
        if (plan) checkPlan(plan, new Set(Array.from({ length: 10_000 }, (_, i) => i + 1)));
      }),
      { numRuns: 300 },
    );
  });
});
