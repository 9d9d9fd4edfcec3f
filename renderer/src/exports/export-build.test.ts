// An export built as the desk's worker builds it, from a small school's documents: the rows the
// selection picks, written out as the file the bursar opens.
import { describe, expect, it } from 'vitest';
import { collectExport, type ClassDoc, type ExportFormat, type ExportSource, type Payer, type PaymentDoc, type Student, type VoidDoc } from '@feemaster/core';
import { buildExport, exportNeeds } from './export-build.ts';
import type { ExportSelection } from './export-form.ts';

const at = '2026-01-02T06:00:00.000Z';
const schoolId = '01900000-0000-7000-8000-000000000001';
const ids = { grade4: '01900000-0000-7000-8000-000000000010', office: '01900000-0000-7000-8000-000000000011', desk: '01900000-0000-7000-8000-000000000012', cashier: '01900000-0000-7000-8000-000000000013', family: '01900000-0000-7000-8000-000000000014' };
let next = 100;
const newId = (): string => `01900000-0000-7000-8000-${String((next += 1)).padStart(12, '0')}`;

const grade4: ClassDoc = { id: ids.grade4, schoolId, kind: 'class', name: 'Grade 4 East', data: {}, createdAt: at, updatedAt: at };
const student = (admissionNumber: string, firstName: string, lastName: string, classId?: string): Student => ({ id: newId(), schoolId, admissionNumber, firstName, lastName, status: 'active', ...(classId ? { classId } : {}), createdAt: at, updatedAt: at });
const amina = student('ADM-1', 'Amina', 'Otieno', ids.grade4);
const brian = student('ADM-2', 'Brian', 'Otieno');
const family: Payer = { id: ids.family, schoolId, kind: 'family', name: 'Zoë Núñez', contacts: [{ type: 'phone', value: '+254712345678' }], preferredChannel: 'sms', students: [{ studentId: amina.id, share: 10_000 }, { studentId: brian.id, share: 10_000 }], createdAt: at, updatedAt: at };

function payment(seq: number, method: PaymentDoc['method'], amount: number, createdAt: string, reference?: string): PaymentDoc {
  return { id: newId(), schoolId, currency: 'KES', createdAt, createdBy: ids.cashier, type: 'payment', payerId: family.id, receiptNumber: `MAIN-D01-${String(seq).padStart(6, '0')}`, deviceId: ids.desk, officeId: ids.office, method, amount, offline: false, allocations: [], ...(reference ? { reference } : {}) };
}
const cash = payment(1, 'cash', 1_250_050, '2026-01-05T07:00:00.000Z');
const mpesa = payment(2, 'mobileMoney', 300_000, '2026-01-06T07:00:00.000Z', '=HYPERLINK("x")');
const voided = payment(3, 'bankTransfer', 99_900, '2026-01-07T07:00:00.000Z', 'FT123');
const voiding: VoidDoc = { id: newId(), schoolId, currency: 'KES', createdAt: '2026-01-07T08:00:00.000Z', createdBy: ids.cashier, type: 'void', paymentId: voided.id, payerId: family.id, reason: 'Keyed twice' };

const source: ExportSource = {
  students: [amina, brian],
  payers: [family],
  reference: [
    grade4,
    { id: ids.office, schoolId, kind: 'office', name: 'Main office', data: { code: 'MAIN' }, createdAt: at, updatedAt: at },
    { id: ids.desk, schoolId, kind: 'device', name: 'Front desk', data: { officeId: ids.office, code: 'D01' }, createdAt: at, updatedAt: at },
  ],
  ledger: [cash, mpesa, voided, voiding],
  staffNames: new Map([[ids.cashier, 'Grace Wanjiru']]),
};

async function csvLines(selection: ExportSelection, format: ExportFormat = 'csv'): Promise<string[]> {
  const built = buildExport(selection, source, 'Africa/Nairobi');
  const bytes = await collectExport(built.write(format, { currency: 'KES', timeZone: 'Africa/Nairobi' }));
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).replace(/^\ufeff/u, '').split('\r\n').filter((line) => line !== '');
}

describe('an export built on the desk', () => {
  it('lists the students without a class when the screen showed "No class"', async () => {
    const lines = await csvLines({ kind: 'students', withoutClass: true, filters: {} });
    expect(lines).toHaveLength(2);
    // A phone number starting with + is text a spreadsheet would run as a formula: it gets an apostrophe.
    expect(lines[1]).toBe('ADM-2,Brian,Otieno,,,,,active,,FALSE,Zoë Núñez,\'+254712345678');
    expect(await csvLines({ kind: 'students', withoutClass: false, filters: { classId: ids.grade4 } })).toEqual([lines[0], 'ADM-1,Amina,Otieno,,,Grade 4 East,,active,,FALSE,Zoë Núñez,\'+254712345678']);
  });

  it('leaves a voided payment out unless asked, and defuses a reference that reads as a formula', async () => {
    const standing = await csvLines({ kind: 'payments', filters: {} });
    expect(standing.map((line) => line.split(',')[0])).toEqual(['Receipt number', 'MAIN-D01-000001', 'MAIN-D01-000002']);
    expect(standing[1]).toContain(',Zoë Núñez,,Cash,,,12500.50,KES,FALSE,Grace Wanjiru,Main office,Front desk,active,,');
    expect(standing[2]).toContain(',Mobile money,"\'=HYPERLINK(""x"")",');
    const all = await csvLines({ kind: 'payments', filters: { includeVoided: true } });
    expect(all[3]).toContain('MAIN-D01-000003,2026-01-07,');
    expect(all[3]).toContain(',999.00,KES,FALSE,Grace Wanjiru,Main office,Front desk,voided,Keyed twice,');
  });

  it('reads only payments and what reverses them for a payments export', () => {
    expect(exportNeeds.payments.ledger).toEqual(['payment', 'void', 'chequeReturn', 'refund']);
    expect(exportNeeds.students.ledger).toBe('none');
  });

  it('counts the rows it will write', () => {
    expect(buildExport({ kind: 'payments', filters: { from: '2026-01-06' } }, source, 'Africa/Nairobi').rows).toBe(1);
  });
});
