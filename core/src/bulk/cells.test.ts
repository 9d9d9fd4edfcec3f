// Cells as people and Excel write them: each coercer gives the value a column needs, or a
// problem that quotes the cell and a fix that says what to write instead.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CellResult,
  cellAmount,
  cellBoolean,
  cellChoice,
  cellDate,
  cellEmail,
  cellInteger,
  cellPhone,
  cellText,
  isBlank,
  normaliseLabel,
} from './cells.ts';
import type { CellValue } from './table.ts';

const utcDate = (year: number, month: number, day: number, hours = 0, minutes = 0): Date => new Date(Date.UTC(year, month - 1, day, hours, minutes));

function problemOf<T>(result: CellResult<T>): { problem: string; fix: string } {
  if (result.ok) throw new Error(`expected a problem, got the value ${JSON.stringify(result.value)}`);
  return { problem: result.problem, fix: result.fix };
}

describe('isBlank', () => {
  it('is true for empty cells and cells of only spaces, including no-break and zero-width ones', () => {
    for (const cell of [null, undefined, '', '   ', '\u00A0', '\t\n', '\u200B', ' \uFEFF ']) expect(isBlank(cell)).toBe(true);
  });

  it('is false for any value, zero and FALSE included', () => {
    for (const cell of ['a', ' 0 ', 0, false, new Date(0)] satisfies CellValue[]) expect(isBlank(cell)).toBe(false);
  });

  it('is true exactly when nothing but spaces and zero-width characters is left, whatever the first character', () => {
    const piece = fc.constantFrom(' ', '\t', '\u00A0', '\u200B', '\uFEFF', '\u2060', 'a', '0', '~', 'é', '\u3000', '\u0000');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const text = pieces.join('');
        expect(isBlank(text)).toBe(text.replace(/[\u200B-\u200D\u2060\uFEFF]/gu, '').trim() === '');
      }),
    );
  });
});

describe('cellText', () => {
  it('trims, makes runs of spaces (no-break ones and line breaks too) one space', () => {
    expect(cellText('  Amina   Wanjiru  ')).toEqual({ ok: true, value: 'Amina Wanjiru' });
    expect(cellText('Amina\u00A0Wanjiru')).toEqual({ ok: true, value: 'Amina Wanjiru' });
    expect(cellText('Grade 4\nEast')).toEqual({ ok: true, value: 'Grade 4 East' });
    expect(cellText('Ngʼangʼa\u200B')).toEqual({ ok: true, value: 'Ngʼangʼa' });
  });

  it('writes numbers as Excel shows them, without float noise or exponents', () => {
    const cases: [number, string][] = [
      [12, '12'],
      [123, '123'], // an admission number 000123 that Excel stored as a number
      [254712345678, '254712345678'],
      [0.1 + 0.2, '0.3'],
      [12.5, '12.5'],
      [-0, '0'],
      [-1234.5, '-1234.5'],
      [1e21, '1000000000000000000000'],
      [1.5e-7, '0.00000015'],
      [2 ** 53 + 2, '9007199254740990'], // past exact integers, 15 digits as Excel keeps
    ];
    for (const [cell, text] of cases) expect(cellText(cell)).toEqual({ ok: true, value: text });
  });

  it('writes booleans as Excel does and date cells as ISO dates', () => {
    expect(cellText(true)).toEqual({ ok: true, value: 'TRUE' });
    expect(cellText(false)).toEqual({ ok: true, value: 'FALSE' });
    expect(cellText(utcDate(2015, 3, 31))).toEqual({ ok: true, value: '2015-03-31' });
    expect(cellText(utcDate(2015, 3, 31, 13, 45))).toEqual({ ok: true, value: '2015-03-31 13:45' });
  });

  it('reads text our exports neutralised as it was typed; other apostrophes stay', () => {
    expect(cellText("'=HYPERLINK(1)")).toEqual({ ok: true, value: '=HYPERLINK(1)' });
    expect(cellText("'-5")).toEqual({ ok: true, value: '-5' });
    expect(cellPhone("'+254 712 345 678", 'KE')).toEqual({ ok: true, value: '+254712345678' });
    expect(cellText("'Akinyi")).toEqual({ ok: true, value: "'Akinyi" });
    expect(cellText("O'Brien")).toEqual({ ok: true, value: "O'Brien" });
  });

  it('says an empty cell is empty', () => {
    for (const cell of [null, '', '  \u00A0 ']) expect(problemOf(cellText(cell)).problem).toBe('The cell is empty');
    expect(problemOf(cellText(new Date(Number.NaN))).problem).toBe('The cell holds an invalid date');
  });
});

describe('normaliseLabel', () => {
  it('drops case, accents, spaces, punctuation and underscores', () => {
    expect(normaliseLabel('Adm. No')).toBe('admno');
    expect(normaliseLabel('ADMISSION_NUMBER')).toBe('admissionnumber');
    expect(normaliseLabel('  Prénom / Élève ')).toBe('prenomeleve');
    expect(normaliseLabel('Date-of-Birth (dd/mm/yyyy)')).toBe('dateofbirthddmmyyyy');
  });

  it('reduces plain ASCII and any other text by the same rule', () => {
    const fullRule = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)) }), (any, ascii) => {
      expect(normaliseLabel(any)).toBe(fullRule(any));
      expect(normaliseLabel(ascii)).toBe(fullRule(ascii));
    }));
  });
});

describe('cellDate', () => {
  const date = (cell: CellValue, order: 'dmy' | 'mdy' = 'dmy'): CellResult<string> => cellDate(cell, order);

  it('reads a date cell as its calendar day', () => {
    expect(date(utcDate(2015, 3, 31))).toEqual({ ok: true, value: '2015-03-31' });
    expect(date(utcDate(2015, 3, 31, 23, 59))).toEqual({ ok: true, value: '2015-03-31' });
  });

  it('reads Excel serial numbers, with the 1900 leap-year bug', () => {
    expect(date(42094)).toEqual({ ok: true, value: '2015-03-31' });
    expect(date(42094.75)).toEqual({ ok: true, value: '2015-03-31' });
    expect(date(1)).toEqual({ ok: true, value: '1900-01-01' });
    expect(date(59)).toEqual({ ok: true, value: '1900-02-28' });
    expect(date(61)).toEqual({ ok: true, value: '1900-03-01' });
    expect(date(73415)).toEqual({ ok: true, value: '2100-12-31' });
    expect(problemOf(date(60)).problem).toBe('"60" is 29 February 1900, a day that did not exist');
  });

  it('refuses serials outside 1900–2100 and a year on its own', () => {
    expect(problemOf(date(0)).problem).toBe('"0" is not a date between 1900 and 2100');
    expect(problemOf(date(-3)).problem).toBe('"-3" is not a date between 1900 and 2100');
    expect(problemOf(date(73416)).problem).toBe('"73416" is not a date between 1900 and 2100');
    expect(problemOf(date(2015)).problem).toBe('"2015" is a year, not a date');
    expect(problemOf(date('2015')).problem).toBe('"2015" is a year, not a date');
  });

  it('reads the usual ways of writing a date as text', () => {
    const texts = [
      '2015-03-31',
      '2015/3/31',
      '31/03/2015',
      '31-03-2015',
      '31.03.2015',
      '31/3/15',
      '31 Mar 2015',
      '31 march 2015',
      '31-Mar-15',
      '31st March 2015',
      'March 31, 2015',
      'Mar 31 2015',
      'Tuesday, 31 March 2015',
      'Tuesday, March 31, 2015',
      '2015-03-31 00:00:00',
      '2015-03-31T00:00:00',
      '2015-03-31T00:00:00.000Z',
      '31/03/2015 10:30',
      '42094',
      '  31/03/2015\u00A0',
    ];
    for (const text of texts) expect({ text, result: date(text) }).toEqual({ text, result: { ok: true, value: '2015-03-31' } });
    expect(date('30 Sept 2015')).toEqual({ ok: true, value: '2015-09-30' });
  });

  it('reads two-digit years as Excel does: 00–29 are 2000s, 30–99 are 1900s', () => {
    expect(date('1/2/29')).toEqual({ ok: true, value: '2029-02-01' });
    expect(date('1/2/30')).toEqual({ ok: true, value: '1930-02-01' });
    expect(date('1/2/00')).toEqual({ ok: true, value: '2000-02-01' });
    expect(date('5 Jan 99')).toEqual({ ok: true, value: '1999-01-05' });
  });

  it('reads ambiguous dates in the order chosen for the import', () => {
    expect(date('03/04/2015', 'dmy')).toEqual({ ok: true, value: '2015-04-03' });
    expect(date('03/04/2015', 'mdy')).toEqual({ ok: true, value: '2015-03-04' });
    expect(date('3/31/2015', 'mdy')).toEqual({ ok: true, value: '2015-03-31' });
  });

  it('says when a date is written the other way round from the order chosen', () => {
    expect(problemOf(date('3/31/2015', 'dmy'))).toEqual({
      problem: '"3/31/2015" has no month 31: dates in this import are read as day/month/year',
      fix: 'Write it as 31/3/2015, or choose month/day/year for this import if the whole file is written that way',
    });
    expect(problemOf(date('31/3/2015', 'mdy'))).toEqual({
      problem: '"31/3/2015" has no month 31: dates in this import are read as month/day/year',
      fix: 'Write it as 3/31/2015, or choose day/month/year for this import if the whole file is written that way',
    });
  });

  it('refuses impossible dates with the formats it accepts', () => {
    expect(problemOf(date('31/02/2015'))).toEqual({
      problem: '"31/02/2015" is not a real date: February 2015 has 28 days',
      fix: 'Check the day and month. Write the date as day/month/year like 31/03/2015, or as 2015-03-31 or 31 Mar 2015',
    });
    expect(date('29/02/2016')).toEqual({ ok: true, value: '2016-02-29' });
    expect(problemOf(date('29/02/2015')).problem).toBe('"29/02/2015" is not a real date: February 2015 has 28 days');
    expect(problemOf(date('2015-13-01')).problem).toBe('"2015-13-01" has no month 13');
    expect(problemOf(date('13/13/2015')).problem).toBe('"13/13/2015" has no month 13');
    expect(problemOf(date('1899-12-31')).problem).toBe('"1899-12-31" is not a date between 1900 and 2100');
    expect(problemOf(date('31 Foo 2015')).problem).toBe('"31 Foo 2015" has no month called "foo"');
  });

  it('refuses what is not a date, quoting it as typed', () => {
    expect(problemOf(date('next Tuesday'))).toEqual({
      problem: '"next Tuesday" is not a date',
      fix: 'Write the date as day/month/year like 31/03/2015, or as 2015-03-31 or 31 Mar 2015',
    });
    expect(problemOf(date('next Tuesday', 'mdy')).fix).toBe('Write the date as month/day/year like 03/31/2015, or as 2015-03-31 or Mar 31, 2015');
    expect(problemOf(date(true)).problem).toBe('"TRUE" is not a date');
    expect(problemOf(date(new Date(Number.NaN))).problem).toBe('The cell holds an invalid date');
    expect(problemOf(date('  ')).problem).toBe('The cell is empty');
  });
});

describe('cellInteger', () => {
  it('reads whole numbers from numbers and from text with thousands separators', () => {
    const cases: [CellValue, number][] = [
      [12, 12],
      [12.0000000001, 12],
      [-0, 0],
      ['12', 12],
      [' 007 ', 7],
      ['1,200', 1200],
      ['1 200', 1200],
      ['1\u00A0200', 1200],
      ['12.0', 12],
      ['-5', -5],
      ['+5', 5],
    ];
    for (const [cell, value] of cases) expect(cellInteger(cell)).toEqual({ ok: true, value });
  });

  it('refuses fractions, words and numbers too large to be exact', () => {
    expect(problemOf(cellInteger(12.5))).toEqual({ problem: '"12.5" is not a whole number', fix: 'Write a whole number in digits, like 12 or 1200' });
    expect(problemOf(cellInteger('12.5')).problem).toBe('"12.5" is not a whole number');
    expect(problemOf(cellInteger('1,20')).problem).toBe('"1,20" is not a whole number');
    expect(problemOf(cellInteger('twelve')).problem).toBe('"twelve" is not a whole number');
    expect(problemOf(cellInteger(true)).problem).toBe('"TRUE" is not a number');
    expect(problemOf(cellInteger(1e20)).problem).toBe('"100000000000000000000" is too large');
  });
});

describe('cellAmount', () => {
  it('reads number cells as minor units, dropping float noise only', () => {
    expect(cellAmount(12500, 'KES')).toEqual({ ok: true, value: 1_250_000 });
    expect(cellAmount(0.1 + 0.2, 'KES')).toEqual({ ok: true, value: 30 });
    expect(cellAmount(12345678.12, 'KES')).toEqual({ ok: true, value: 1_234_567_812 });
    expect(cellAmount(10000000.1 + 0.2, 'KES')).toEqual({ ok: true, value: 1_000_000_030 });
    expect(cellAmount(-1200.5, 'KES')).toEqual({ ok: true, value: -120_050 });
    expect(cellAmount(1500, 'UGX')).toEqual({ ok: true, value: 1500 });
    expect(cellAmount(1.234, 'KWD')).toEqual({ ok: true, value: 1234 });
    expect(cellAmount(-0, 'KES')).toEqual({ ok: true, value: 0 });
  });

  it('refuses more decimals than the currency has', () => {
    expect(problemOf(cellAmount(12.345, 'KES'))).toEqual({
      problem: '"12.345" has more than 2 decimal places',
      fix: 'Write the amount with at most 2 decimal places, like 12,500.00',
    });
    expect(problemOf(cellAmount('12.345', 'KES')).problem).toBe('"12.345" has more than 2 decimal places');
    expect(problemOf(cellAmount(1500.5, 'UGX'))).toEqual({
      problem: '"1500.5" has decimals, but UGX amounts are whole numbers',
      fix: 'Write a whole amount, like 12,500',
    });
    expect(problemOf(cellAmount('1,500.50', 'UGX')).problem).toBe('"1,500.50" has decimals, but UGX amounts are whole numbers');
    expect(problemOf(cellAmount(1.2345, 'KWD')).fix).toBe('Write the amount with at most 3 decimal places, like 12,500.000');
  });

  it('reads amounts typed as text, with separators, currency signs and negatives', () => {
    const cases: [string, string, number][] = [
      ['12,500.00', 'KES', 1_250_000],
      ['12 500', 'KES', 1_250_000],
      ['12\u00A0500', 'KES', 1_250_000],
      ['KES 12,500', 'KES', 1_250_000],
      ['Ksh 12,500', 'KES', 1_250_000],
      ['Ksh. 12,500', 'KES', 1_250_000],
      ['Kshs 1,000/=', 'KES', 100_000],
      ['12 500 /=', 'KES', 1_250_000],
      ['UGX 1,500,000 /-', 'UGX', 1_500_000],
      ['12,500 KES', 'KES', 1_250_000],
      ['₦1,000', 'NGN', 100_000],
      ['N5,000', 'NGN', 500_000],
      ['USh 20,000', 'UGX', 20_000],
      ['(1,200.50)', 'KES', -120_050],
      ['-1,200', 'KES', -120_000],
      ['-KES 1,200', 'KES', -120_000],
      ['0', 'KES', 0],
      ['.5', 'KES', 50],
    ];
    for (const [cell, currency, value] of cases) expect({ cell, result: cellAmount(cell, currency) }).toEqual({ cell, result: { ok: true, value } });
  });

  it('refuses what is not an amount in the currency', () => {
    expect(problemOf(cellAmount('abc', 'KES'))).toEqual({ problem: '"abc" is not an amount in KES', fix: 'Write the amount in digits, like 12,500.00' });
    expect(problemOf(cellAmount('USD 100', 'KES')).problem).toBe('"USD 100" is not an amount in KES');
    expect(problemOf(cellAmount('12.500,00', 'KES')).problem).toBe('"12.500,00" is not an amount in KES');
    // A decimal comma (a ;-separated CSV from a European-locale Excel) is refused, never read 100 times too large.
    for (const cell of ['12500,50', '1 250,00', '3,5', '1,2,3']) {
      expect(problemOf(cellAmount(cell, 'KES')), cell).toEqual({
        problem: `"${cell}" has a separator that does not group thousands (a decimal comma?)`,
        fix: 'Write the amount with a point for decimals and commas only between thousands, like 12,500.00',
      });
    }
    expect(problemOf(cellAmount('1,5', 'UGX')).problem).toBe('"1,5" has a separator that does not group thousands (a decimal comma?)');
    expect(problemOf(cellAmount('(-5)', 'KES')).problem).toBe('"(-5)" is not an amount in KES');
    expect(problemOf(cellAmount(true, 'KES')).problem).toBe('"TRUE" is not an amount in KES');
    expect(problemOf(cellAmount(utcDate(2015, 3, 31), 'KES')).problem).toBe('"2015-03-31" is not an amount in KES');
    expect(problemOf(cellAmount(1e17, 'KES')).problem).toBe('"100000000000000000" is too large for an amount');
    expect(problemOf(cellAmount('99999999999999999', 'KES')).problem).toBe('"99999999999999999" is too large for an amount');
  });
});

describe('cellPhone', () => {
  it('reads the ways Kenyan numbers arrive from a spreadsheet as E.164', () => {
    const cells: CellValue[] = ['0712 345 678', '0712345678', '712345678', 712345678, '+254 712-345-678', '(0712) 345678', '254712345678', 254712345678, '00254712345678', '+254 (0) 712 345678'];
    for (const cell of cells) expect({ cell, result: cellPhone(cell, 'KE') }).toEqual({ cell, result: { ok: true, value: '+254712345678' } });
  });

  it('keeps a number from another country when it carries its country code', () => {
    expect(cellPhone('+255 712 345 678', 'KE')).toEqual({ ok: true, value: '+255712345678' });
    expect(cellPhone('0803 123 4567', 'NG')).toEqual({ ok: true, value: '+2348031234567' });
  });

  it('refuses numbers that are not valid, with an example in the school’s country', () => {
    expect(problemOf(cellPhone('0712 345', 'KE'))).toEqual({
      problem: '"0712 345" is not a valid phone number',
      fix: 'Write the number with its country code, like +254 712 123456 (numbers without one are read as numbers in Kenya)',
    });
    expect(problemOf(cellPhone('call me', 'KE')).problem).toBe('"call me" is not a valid phone number');
    expect(problemOf(cellPhone(true, 'KE')).problem).toBe('"TRUE" is not a phone number');
  });

  it('reads the same text as each country’s number, also when read again', () => {
    for (let round = 0; round < 2; round++) {
      expect(cellPhone('0712 345 678', 'KE')).toEqual({ ok: true, value: '+254712345678' });
      expect(cellPhone('0712 345 678', 'TZ')).toEqual({ ok: true, value: '+255712345678' });
      expect(problemOf(cellPhone('0712 345 678', 'NG')).problem).toBe('"0712 345 678" is not a valid phone number');
    }
  });

  it('says when a cell holds two numbers rather than reading the first', () => {
    expect(problemOf(cellPhone('0712 345 678 / 0722 111 222', 'KE'))).toEqual({
      problem: '"0712 345 678 / 0722 111 222" holds more than one phone number',
      fix: 'Keep one number in this cell; a second guardian’s number goes in its own column',
    });
  });
});

describe('cellBoolean', () => {
  it('reads yes and no in their usual spellings', () => {
    for (const cell of ['yes', 'Yes', 'Y', 'true', 'TRUE', '1', 'x', 'X', '✓', ' yes. ', true, 1] satisfies CellValue[]) {
      expect(cellBoolean(cell)).toEqual({ ok: true, value: true });
    }
    for (const cell of ['no', 'No', 'n', 'false', '0', false, 0] satisfies CellValue[]) expect(cellBoolean(cell)).toEqual({ ok: true, value: false });
  });

  it('refuses anything else', () => {
    expect(problemOf(cellBoolean('maybe'))).toEqual({ problem: '"maybe" is not yes or no', fix: 'Write yes or no' });
    expect(problemOf(cellBoolean(2)).problem).toBe('"2" is not yes or no');
    expect(problemOf(cellBoolean(utcDate(2015, 3, 31))).problem).toBe('"2015-03-31" is not yes or no');
  });
});

describe('cellChoice', () => {
  const statuses = { active: 'active', left: 'left', 'Transferred out': 'left' } as const;

  it('matches without case, spaces or punctuation', () => {
    expect(cellChoice(' ACTIVE ', statuses)).toEqual({ ok: true, value: 'active' });
    expect(cellChoice('transferred-out', statuses)).toEqual({ ok: true, value: 'left' });
  });

  it('takes the first of two words that read alike', () => {
    expect(cellChoice('Day-Scholar', { 'day scholar': 'day', dayscholar: 'boarder' })).toEqual({ ok: true, value: 'day' });
  });

  it('lists the choices in the fix', () => {
    expect(problemOf(cellChoice('gone', statuses))).toEqual({ problem: '"gone" is not one of the choices', fix: 'Write one of: active, left, Transferred out' });
    expect(problemOf(cellChoice(null, statuses))).toEqual({ problem: 'The cell is empty', fix: 'Write one of: active, left, Transferred out' });
  });
});

describe('cellEmail', () => {
  it('reads an address, trimmed, from the forms people paste', () => {
    expect(cellEmail(' Amina.W@Example.co.ke ')).toEqual({ ok: true, value: 'Amina.W@Example.co.ke' });
    expect(cellEmail('Amina Wanjiru <amina@example.com>')).toEqual({ ok: true, value: 'amina@example.com' });
    expect(cellEmail('mailto:amina@example.com')).toEqual({ ok: true, value: 'amina@example.com' });
  });

  it('refuses what is not one address', () => {
    for (const cell of ['amina@example', 'amina example.com', 'amina @example.com', 'amina..w@example.com', '@example.com', 'amina@-example.com']) {
      expect(problemOf(cellEmail(cell))).toEqual({ problem: `"${cell}" is not an e-mail address`, fix: 'Write one e-mail address, like name@example.com' });
    }
    expect(problemOf(cellEmail('a@example.com; b@example.com')).problem).toBe('"a@example.com; b@example.com" holds more than one e-mail address');
    expect(problemOf(cellEmail(12)).problem).toBe('"12" is not an e-mail address');
  });
});
