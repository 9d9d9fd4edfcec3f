// Downloadable templates for the imports: the columns the import reads, under our headers, with
// one example row the school overwrites. Written by the same writers as the exports.
import { collectExport, exportMimeTypes, exportRows, type ExportColumn } from './export.ts';
import { studentImportFields, type StudentImportKey } from './student-import.ts';
import { feeImportFields, type FeeImportKey } from './fee-import.ts';
import { balanceImportFields, type BalanceImportKey } from './balance-import.ts';

export interface TemplateFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

const studentExample: Record<StudentImportKey, string> = {
  admissionNumber: 'ADM-0001',
  firstName: 'Amani',
  lastName: 'Otieno',
  otherNames: 'Wanjiku',
  dateOfBirth: '2015-03-31',
  class: 'Grade 4 East',
  category: 'Day scholar',
  joinedOn: '2025-01-06',
  status: 'active',
  staffChild: 'no',
  guardianName: 'Mary Otieno',
  guardianPhone: '0712 345 678',
  guardianEmail: 'mary.otieno@example.com',
  guardianRelationship: 'Mother',
  secondGuardianName: 'John Otieno',
  secondGuardianPhone: '0722 000 111',
};

/** The students import template as an Excel workbook or a CSV file. */
export async function studentImportTemplate(format: 'xlsx' | 'csv'): Promise<TemplateFile> {
  const columns: ExportColumn<Record<StudentImportKey, string>>[] = studentImportFields.map((field) => ({ key: field.key, header: field.header, type: 'text', width: Math.max(14, field.header.length + 2) }));
  const bytes = await collectExport(exportRows(format, columns, [studentExample], { currency: 'USD', sheetName: 'Students' }));
  return { fileName: `students-import-template.${format}`, mimeType: exportMimeTypes[format], bytes };
}

const feeExample: Record<FeeImportKey, string>[] = [
  { term: 'Term 1 2026', class: 'Grade 4 East', category: '', feeCategory: 'Tuition', description: 'Tuition fee', amount: '15,000.00', dueDates: '2026-01-31; 2026-03-31', split: '60;40' },
  { term: 'Term 1 2026', class: 'Grade 4 East', category: '', feeCategory: 'Transport', description: '', amount: '4,500.00', dueDates: '2026-01-31; 2026-03-31', split: '60;40' },
];

/** The fee structures import template: one row per fee line of a term, class and category. */
export async function feeImportTemplate(format: 'xlsx' | 'csv'): Promise<TemplateFile> {
  const columns: ExportColumn<Record<FeeImportKey, string>>[] = feeImportFields.map((field) => ({ key: field.key, header: field.header, type: 'text', width: Math.max(14, field.header.length + 2) }));
  const bytes = await collectExport(exportRows(format, columns, feeExample, { currency: 'USD', sheetName: 'Fee structures' }));
  return { fileName: `fee-structures-import-template.${format}`, mimeType: exportMimeTypes[format], bytes };
}

/** The opening balances template: one row per student and what they owed in the old books. */
export async function balanceImportTemplate(format: 'xlsx' | 'csv'): Promise<TemplateFile> {
  const columns: ExportColumn<Record<BalanceImportKey, string>>[] = balanceImportFields.map((field) => ({ key: field.key, header: field.header, type: 'text', width: Math.max(14, field.header.length + 2) }));
  const rows: Record<BalanceImportKey, string>[] = [
    { admissionNumber: 'ADM-0001', amount: '12,500.00', description: '' },
    { admissionNumber: 'ADM-0002', amount: '0', description: '' },
  ];
  const bytes = await collectExport(exportRows(format, columns, rows, { currency: 'USD', sheetName: 'Opening balances' }));
  return { fileName: `opening-balances-import-template.${format}`, mimeType: exportMimeTypes[format], bytes };
}
