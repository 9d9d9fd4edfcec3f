// The header row is found below titles and blank rows, and headers match however people write
// them; what cannot be matched is listed for the person to map by hand.
import { describe, expect, it } from 'vitest';
import { describeColumn, findHeader, mappingFromHeaders, normaliseHeader } from './header.ts';
import { type CellValue, type ImportField, ImportFileError, type SheetTable } from './table.ts';

type Key = 'admissionNumber' | 'name' | 'dateOfBirth' | 'phone' | 'className';

const fields: readonly ImportField<Key>[] = [
  { key: 'admissionNumber', header: 'Admission number', synonyms: ['adm no', 'admission no', 'adm'], required: true, hint: '' },
  { key: 'name', header: 'Full name', synonyms: ['name', 'student name', 'nom de l’élève'], required: true, hint: '' },
  { key: 'dateOfBirth', header: 'Date of birth', synonyms: ['dob'], required: false, hint: '' },
  { key: 'phone', header: 'Phone', synonyms: ['mobile', 'tel'], required: false, hint: '' },
  { key: 'className', header: 'Class', synonyms: ['grade', 'form'], required: false, hint: '' },
];

function table(rows: CellValue[][], sheetName = 'Students'): SheetTable {
  return { format: 'xlsx', sheetName, rows: rows.map((cells, index) => ({ rowNumber: index + 1, cells })) };
}

function importErrorOf(action: () => unknown): ImportFileError {
  try {
    action();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error('expected an ImportFileError, but nothing was thrown');
}

describe('findHeader', () => {
  it('skips a merged title and a blank row to the header in row 3', () => {
    const sheet = table([
      ['St Mary’s School — Students 2026', null, null, null, null],
      [null, null, null, null, null],
      ['Adm. No', 'Student Name', 'D.O.B', 'Mobile', 'Notes'],
      ['00123', 'Amina', '31/03/2015', '0712345678', null],
    ]);
    expect(findHeader(sheet, fields)).toEqual({
      headerIndex: 2,
      headerRow: 3,
      headers: ['Adm. No', 'Student Name', 'D.O.B', 'Mobile', 'Notes'],
      mapping: { admissionNumber: 0, name: 1, dateOfBirth: 2, phone: 3 },
      unmapped: [{ index: 4, header: 'Notes' }],
      missing: [],
    });
  });

  it('reports the spreadsheet row number, not the index, when the table starts lower', () => {
    const sheet: SheetTable = { format: 'csv', sheetName: 'a.csv', rows: [{ rowNumber: 7, cells: ['ADMISSION_NUMBER', 'name'] }] };
    const header = findHeader(sheet, fields);
    expect(header.headerIndex).toBe(0);
    expect(header.headerRow).toBe(7);
  });

  it('matches headers without case, accents, spaces, punctuation, underscores or a hint in brackets', () => {
    const sheet = table([['admission no', 'NOM DE L’ELEVE', 'Date of Birth (dd/mm/yyyy)', ' TEL. ', 'grade']]);
    expect(findHeader(sheet, fields).mapping).toEqual({ admissionNumber: 0, name: 1, dateOfBirth: 2, phone: 3, className: 4 });
  });

  it('picks the row naming the most fields over an earlier row naming fewer', () => {
    const sheet = table([
      ['Class', 'Form'],
      ['Adm', 'Name', 'Class', 'Phone'],
    ]);
    const header = findHeader(sheet, fields);
    expect(header.headerRow).toBe(2);
    expect(header.mapping).toEqual({ admissionNumber: 0, name: 1, className: 2, phone: 3 });
  });

  it('accepts a row with one required field, lists the required fields it lacks', () => {
    const header = findHeader(table([['Title'], ['Adm', 'Surname']]), fields);
    expect(header.headerRow).toBe(2);
    expect(header.mapping).toEqual({ admissionNumber: 0 });
    expect(header.unmapped).toEqual([{ index: 1, header: 'Surname' }]);
    expect(header.missing.map((field) => field.key)).toEqual(['name']);
  });

  it('leaves a second column with the same field’s name for the person to map', () => {
    const header = findHeader(table([['Adm', 'Name', 'Phone', 'Mobile', null]]), fields);
    expect(header.mapping).toEqual({ admissionNumber: 0, name: 1, phone: 2 });
    expect(header.unmapped).toEqual([{ index: 3, header: 'Mobile' }]);
    expect(header.headers).toEqual(['Adm', 'Name', 'Phone', 'Mobile', '']);
  });

  it('does not take one optional header alone for the header row', () => {
    const error = importErrorOf(() => findHeader(table([['Class'], ['4E']]), fields));
    expect(error.message).toBe('No row of column headers was found in the first 20 rows of "Students"');
    expect(error.fix).toBe('Put one row of column headers above the data, named Admission number, Full name (and any of Date of birth, Phone, Class)');
  });

  it('looks only in the first 20 rows that have something in them', () => {
    const notes: CellValue[][] = Array.from({ length: 20 }, (_, index) => [`Note ${String(index + 1)}`]);
    expect(() => findHeader(table([[null], ...notes, ['Adm', 'Name']]), fields)).toThrow(ImportFileError);
    expect(findHeader(table([[null], [null], ...notes.slice(1), ['Adm', 'Name']]), fields).headerRow).toBe(22);
  });

  it('says when the sheet has nothing in it', () => {
    expect(importErrorOf(() => findHeader(table([[null], ['  ']], 'Blank'), fields)).message).toBe('"Blank" has nothing in it');
  });
});

describe('mappingFromHeaders', () => {
  it('maps the headers as the person left them on the mapping screen', () => {
    expect(mappingFromHeaders(['', 'dob', 'Adm No', 'adm no'], fields)).toEqual({ dateOfBirth: 1, admissionNumber: 2 });
  });
});

describe('normaliseHeader and describeColumn', () => {
  it('makes the spellings of one header equal', () => {
    for (const header of ['Adm. No', 'ADM_NO', 'adm no', ' Adm-No ']) expect(normaliseHeader(header)).toBe('admno');
  });

  it('names a column by letter and header as the person sees it', () => {
    expect(describeColumn(2, 'Date of birth')).toBe('C "Date of birth"');
    expect(describeColumn(27, ' Phone ')).toBe('AB "Phone"');
    expect(describeColumn(0, '')).toBe('A');
  });
});
