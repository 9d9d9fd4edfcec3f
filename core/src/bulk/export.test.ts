// The export writers as a bursar and a script see their files: CSV that Excel opens with accents
// and formulas defused, an XLSX whose cells read back with their types, JSON with exact money,
// and long exports that report progress and stop when cancelled.
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import Papa from 'papaparse';
import readXlsxFile from 'read-excel-file/universal';
import { describe, expect, it } from 'vitest';
import {
  ExportError,
  collectExport,
  exportCsv,
  exportFileName,
  exportJson,
  exportRows,
  exportXlsx,
  minorUnitsToDecimal,
  neutraliseFormula,
  type ExportColumn,
  type ExportOptions,
  type ExportProgress,
} from './export.ts';

interface Line {
  name: string | null;
  amount: number | null;
  due: string | null;
  at: string | null;
  count: number | null;
  offline: boolean | null;
}

const columns: readonly ExportColumn<Line>[] = [
  { key: 'name', header: 'Name', type: 'text' },
  { key: 'amount', header: 'Amount', type: 'money' },
  { key: 'due', header: 'Due date', type: 'date' },
  { key: 'at', header: 'Taken at', type: 'instant' },
  { key: 'count', header: 'Count', type: 'integer' },
  { key: 'offline', header: 'Offline', type: 'boolean' },
];

const line = (fields: Partial<Line>): Line => ({ name: null, amount: null, due: null, at: null, count: null, offline: null, ...fields });
const text = (bytes: Uint8Array): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
const KES: ExportOptions = { currency: 'KES' };

async function errorOf(work: Promise<unknown>): Promise<ExportError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ExportError) return error;
    throw error;
  }
  throw new Error('expected an ExportError, but the export finished');
}

async function readBack(bytes: Uint8Array): Promise<{ sheet: string; data: readonly (readonly unknown[])[] }> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const [first] = await readXlsxFile(copy.buffer, { trim: false });
  if (!first) throw new Error('the workbook has no sheet');
  return { sheet: first.sheet, data: first.data };
}

describe('neutraliseFormula', () => {
  it.each(['=SUM(A1:A9)', '+254712345678', '-2+3', '@cmd', '\tindented', '\rreturn'])('puts an apostrophe before %j', (value) => {
    expect(neutraliseFormula(value)).toBe(`'${value}`);
  });

  it.each(['Amani Otieno', "'quoted", ' =spaced first', '12=12', '', 'José'])('leaves %j alone', (value) => {
    expect(neutraliseFormula(value)).toBe(value);
  });
});

describe('minorUnitsToDecimal', () => {
  it.each([
    [1250000, 2, '12500.00'],
    [-1250, 2, '-12.50'],
    [5, 2, '0.05'],
    [-5, 3, '-0.005'],
    [0, 2, '0.00'],
    [1500, 0, '1500'],
    [-1500, 0, '-1500'],
    [Number.MAX_SAFE_INTEGER, 2, '90071992547409.91'],
  ])('writes %i at %i decimals as %s', (minor, exponent, decimal) => {
    expect(minorUnitsToDecimal(minor, exponent)).toBe(decimal);
  });
});

describe('CSV', () => {
  it('writes a BOM, a header, CRLF lines, quoted fields and typed values exactly', async () => {
    const rows = [
      line({ name: 'Otieno, Amani', amount: 1250000, due: '2025-01-31', at: '2025-01-31T06:05:00.000Z', count: 3, offline: true }),
      line({ name: 'Zoë "Zizi" Núñez', amount: -1250, count: -2, offline: false }),
      line({ name: 'Two\r\nlines' }),
      line({}),
    ];
    const csv = text(await collectExport(exportCsv(columns, rows, KES)));
    expect(csv).toBe(
      '\ufeffName,Amount,Due date,Taken at,Count,Offline\r\n' +
        '"Otieno, Amani",12500.00,2025-01-31,2025-01-31T06:05:00.000Z,3,TRUE\r\n' +
        '"Zoë ""Zizi"" Núñez",-12.50,,,-2,FALSE\r\n' +
        '"Two\r\nlines",,,,,\r\n' +
        ',,,,,\r\n',
    );
  });

  it('neutralises each of the six formula starts in text, and leaves a negative amount a number', async () => {
    const names = ['=HYPERLINK("http://x","y")', '+1+1', '-1-1', '@SUM(1)', '\tcmd', '\rcmd'];
    const csv = text(await collectExport(exportCsv(columns, names.map((name) => line({ name, amount: -5 })), KES)));
    expect(csv).toBe(
      '\ufeffName,Amount,Due date,Taken at,Count,Offline\r\n' +
        '"\'=HYPERLINK(""http://x"",""y"")",-0.05,,,,\r\n' +
        "'+1+1,-0.05,,,,\r\n" +
        "'-1-1,-0.05,,,,\r\n" +
        "'@SUM(1),-0.05,,,,\r\n" +
        '"\'\tcmd",-0.05,,,,\r\n' +
        // A field holding a carriage return is quoted (RFC 4180), apostrophe inside the quotes.
        '"\'\rcmd",-0.05,,,,\r\n',
    );
  });

  it('quotes a field holding a semicolon or tab, so an Excel that splits lists on ";" cannot start a formula inside it', async () => {
    const csv = text(await collectExport(exportCsv(columns, [line({ name: 'Otieno;=10*10' }), line({ name: "Amani;=cmd|' /C calc'!A0" }), line({ name: 'Wafula\t=1+1' })], KES)));
    expect(csv).toBe(
      '\ufeffName,Amount,Due date,Taken at,Count,Offline\r\n' +
        '"Otieno;=10*10",,,,,\r\n' +
        '"Amani;=cmd|\' /C calc\'!A0",,,,,\r\n' +
        '"Wafula\t=1+1",,,,,\r\n',
    );
    // Split on ";" (and tabs) outside quotes, as such an Excel does: no piece starts a formula.
    const pieces = csv
      .slice(1)
      .split('\r\n')
      .flatMap((row) => {
        const found: string[] = [''];
        let quoted = false;
        for (const char of row) {
          if (char === '"') quoted = !quoted;
          if (!quoted && (char === ';' || char === '\t')) found.push('');
          else found[found.length - 1] += char;
        }
        return found;
      });
    expect(pieces.filter((piece) => /^[=+@-]/.test(piece))).toEqual([]);
    expect(csv.replaceAll('"', '').split('\r\n').flatMap((row) => row.split(/[;\t]/)).filter((piece) => /^[=+@-]/.test(piece))).toEqual(['=10*10,,,,,', "=cmd|' /C calc'!A0,,,,,", '=1+1,,,,,']);
  });

  it('writes money with the currency’s own decimals', async () => {
    const amounts = [line({ amount: 150000 }), line({ amount: -1 })];
    const column = [columns[1] as ExportColumn<Line>];
    expect(text(await collectExport(exportCsv(column, amounts, { currency: 'UGX' })))).toBe('\ufeffAmount\r\n150000\r\n-1\r\n');
    expect(text(await collectExport(exportCsv(column, amounts, { currency: 'KWD' })))).toBe('\ufeffAmount\r\n150.000\r\n-0.001\r\n');
  });

  it('gives every text back, neutralised, when the file is read again (property)', async () => {
    const pair: readonly ExportColumn<{ name: string | null; tag: string | null }>[] = [
      { key: 'name', header: 'Name', type: 'text' },
      { key: 'tag', header: 'Tag', type: 'text' },
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('=1+1', '-3', '\t', '\r', '"', ',', ';', 'a;=1+1', '\r\n', '\n')), { minLength: 1, maxLength: 8 }), async (names) => {
        const csv = text(await collectExport(exportCsv(pair, names.map((name) => ({ name, tag: 'x' })), KES)));
        expect(csv.startsWith('\ufeff')).toBe(true);
        const parsed = Papa.parse<string[]>(csv.slice(1), { delimiter: ',', newline: '\r\n' });
        expect(parsed.errors).toEqual([]);
        const rows = parsed.data.filter((row, index) => index > 0 && !(row.length === 1 && row[0] === ''));
        expect(rows).toEqual(names.map((name) => [neutraliseFormula(name), 'x']));
      }),
      { numRuns: 300 },
    );
  });
});

describe('XLSX', () => {
  it('reads back with real dates, numeric money, booleans and neutralised text', async () => {
    const rows = [
      line({ name: '=HYPERLINK("http://evil.example","Click")', amount: -1250, due: '2025-01-31', at: '2025-01-31T21:30:00.000Z', count: 7, offline: true }),
      line({ name: '  José <&> Zoë  ', amount: 1234567, due: '2024-02-29', count: 0, offline: false }),
      line({ name: 'bell\u0007 and \uD800 dropped' }),
    ];
    const bytes = await collectExport(exportXlsx(columns, rows, { currency: 'KES', timeZone: 'Africa/Nairobi', sheetName: 'Payments' }));
    const { sheet, data } = await readBack(bytes);
    expect(sheet).toBe('Payments');
    expect(data[0]).toEqual(['Name', 'Amount', 'Due date', 'Taken at', 'Count', 'Offline']);
    const [first, second, third] = data.slice(1);
    expect(first?.[0]).toBe('\'=HYPERLINK("http://evil.example","Click")');
    expect(first?.[1]).toBe(-12.5);
    expect(first?.[2]).toEqual(new Date('2025-01-31T00:00:00.000Z'));
    // 21:30 UTC is 00:30 the next day in Nairobi: the sheet shows the school's clock.
    const taken = first?.[3];
    expect(taken).toBeInstanceOf(Date);
    expect(Math.abs((taken as Date).getTime() - Date.parse('2025-02-01T00:30:00.000Z'))).toBeLessThan(1000);
    expect(first?.slice(4)).toEqual([7, true]);
    expect(second?.slice(0, 3)).toEqual(['  José <&> Zoë  ', 12345.67, new Date('2024-02-29T00:00:00.000Z')]);
    expect(second?.slice(4)).toEqual([0, false]);
    expect(third?.[0]).toBe('bell and  dropped');
    expect(third?.slice(1)).toEqual([null, null, null, null, null]);
  });

  it('formats money with the currency’s decimals and streams many batches into one valid sheet', async () => {
    const rows = Array.from({ length: 2_345 }, (_, i) => line({ name: `Row ${String(i)}`, amount: i * 1001 - 5000, due: '2025-03-01' }));
    const chunks: Uint8Array[] = [];
    for await (const chunk of exportXlsx(columns, rows, { currency: 'KWD', batchRows: 100 })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    const whole = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.length;
    }
    const { data } = await readBack(whole);
    expect(data).toHaveLength(2_346);
    expect(data[1]?.slice(0, 2)).toEqual(['Row 0', -5]);
    expect(data[2_345]?.slice(0, 2)).toEqual(['Row 2344', 2341.344]);
    const styles = new TextDecoder().decode(unzipSync(whole)['xl/styles.xml']);
    expect(styles).toContain('formatCode="#,##0.000"');
    expect(styles).toContain('formatCode="yyyy-mm-dd"');
  });

  it('writes text of every UTF-8 width as it was, emoji included', async () => {
    const names = ['ASCII only', 'Zoë Muñoz', '€ 1,000 and ½', '学生 王小明', 'Amani 😀 Otieno', '😀', 'a\u00A0b'];
    const { data } = await readBack(await collectExport(exportXlsx(columns, names.map((name) => line({ name })), KES)));
    expect(data.slice(1).map((row) => row[0])).toEqual(names);
  });

  it('refuses a sheet name Excel cannot hold', async () => {
    const error = await errorOf(collectExport(exportXlsx(columns, [line({})], { currency: 'KES', sheetName: 'Payments: January/February' })));
    expect(error.code).toBe('bad-option');
    expect(error.message).toContain('cannot name a worksheet');
  });
});

describe('JSON', () => {
  it('writes one flat object per row: money as exact decimals with the currency, text as it is', async () => {
    const rows = [line({ name: '=1+1', amount: 1250000, due: '2025-01-31', at: '2025-01-31T06:05:00.000Z', count: 3, offline: true }), line({ amount: -5 })];
    const parsed: unknown = JSON.parse(text(await collectExport(exportJson(columns, rows, KES))));
    expect(parsed).toEqual([
      { name: '=1+1', amount: '12500.00', due: '2025-01-31', at: '2025-01-31T06:05:00.000Z', count: 3, offline: true, currency: 'KES' },
      { name: null, amount: '-0.05', due: null, at: null, count: null, offline: null, currency: 'KES' },
    ]);
  });

  it('writes an empty array for no rows, and no currency field when nothing is money', async () => {
    expect(JSON.parse(text(await collectExport(exportJson(columns, [], KES))))).toEqual([]);
    const names = [columns[0] as ExportColumn<Line>];
    expect(JSON.parse(text(await collectExport(exportRows('json', names, [line({ name: 'A' })], KES))))).toEqual([{ name: 'A' }]);
  });
});

describe('long exports', () => {
  const many = (count: number): Line[] => Array.from({ length: count }, (_, i) => line({ name: `Student ${String(i)}`, amount: i }));

  it.each(['csv', 'xlsx', 'json'] as const)('reports progress after each batch, up to the total (%s)', async (format) => {
    const seen: ExportProgress[] = [];
    await collectExport(exportRows(format, columns, many(2_500), { currency: 'KES', batchRows: 1_000, onProgress: (p) => seen.push(p) }));
    expect(seen.map((p) => p.rowsDone)).toEqual([1_000, 2_000, 2_500]);
    expect(seen.every((p) => p.total === 2_500)).toBe(true);
    expect(seen.map((p) => p.bytes)).toEqual([...seen.map((p) => p.bytes)].sort((a, b) => a - b));
    expect(seen.at(-1)?.bytes).toBeGreaterThan(0);
  });

  it('reports an unknown total for a stream of rows unless told', async () => {
    async function* rows(): AsyncGenerator<Line> {
      yield* many(3);
    }
    const seen: ExportProgress[] = [];
    await collectExport(exportCsv(columns, rows(), { currency: 'KES', onProgress: (p) => seen.push(p) }));
    expect(seen).toEqual([{ rowsDone: 3, total: null, bytes: expect.any(Number) as number }]);
    const told: ExportProgress[] = [];
    await collectExport(exportCsv(columns, rows(), { currency: 'KES', total: 3, onProgress: (p) => told.push(p) }));
    expect(told[0]?.total).toBe(3);
  });

  it.each(['csv', 'xlsx', 'json'] as const)('stops mid-way when cancelled, reading no further rows (%s)', async (format) => {
    const controller = new AbortController();
    let read = 0;
    function* rows(): Generator<Line> {
      for (let i = 0; i < 10_000; i += 1) {
        read += 1;
        yield line({ name: `Row ${String(i)}` });
      }
    }
    const onProgress = (p: ExportProgress): void => {
      if (p.rowsDone >= 2_000) controller.abort();
    };
    const error = await errorOf(collectExport(exportRows(format, columns, rows(), { currency: 'KES', batchRows: 1_000, signal: controller.signal, onProgress })));
    expect(error.code).toBe('cancelled');
    expect(error.message).toContain('cancelled');
    expect(read).toBeLessThan(3_100);
  });

  it('does not start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await errorOf(collectExport(exportXlsx(columns, many(10), { currency: 'KES', signal: controller.signal })))).code).toBe('cancelled');
  });
});

describe('wrong input', () => {
  it('names the row and column of a value that does not fit its column', async () => {
    const rows = [line({ amount: 5 }), line({ amount: 12.5 })];
    const error = await errorOf(collectExport(exportCsv(columns, rows, KES)));
    expect(error.code).toBe('bad-value');
    expect(error.message).toBe('Row 3, column "Amount": 12.5 is not a whole number of minor units; the export stopped there');
    const date = await errorOf(collectExport(exportXlsx(columns, [line({ due: '2025-02-30' })], KES)));
    expect(date.message).toContain('"2025-02-30" is not a calendar date');
  });

  it('refuses an unknown currency with the currency module’s own advice', async () => {
    await expect(collectExport(exportCsv(columns, [], { currency: 'XYZ' }))).rejects.toThrow(/Unknown currency 'XYZ'/);
  });
});

describe('exportFileName', () => {
  it('names the file by kind, school-local day and format', () => {
    expect(exportFileName('payments', 'xlsx', '2025-01-31')).toBe('payments-2025-01-31.xlsx');
    expect(exportFileName('students', 'csv', '2024-02-29')).toBe('students-2024-02-29.csv');
    expect(() => exportFileName('students', 'csv', '31/01/2025')).toThrow(RangeError);
  });
});
