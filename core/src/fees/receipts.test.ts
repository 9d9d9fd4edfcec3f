// Receipt numbers per device: format and parse, the next number of a series (voids included,
// never reused) and the gaps an auditor looks for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaymentEntry } from './ledger.ts';
import { findSeriesGaps, formatReceiptNumber, nextReceiptNumber, parseReceiptNumber, seriesNumbers } from './receipts.ts';

const receiptPattern = new RegExp(PaymentEntry.properties.receiptNumber.pattern ?? '');
const paid = (...receiptNumbers: string[]) => receiptNumbers.map((receiptNumber) => ({ receiptNumber }));
const codeArb = fc.stringMatching(/^[A-Z0-9]{1,12}$/);

describe('formatReceiptNumber and parseReceiptNumber', () => {
  it('writes at least six digits, more once the series needs them', () => {
    expect(formatReceiptNumber('MAIN', 'D02', 153)).toBe('MAIN-D02-000153');
    expect(formatReceiptNumber('MAIN', 'D02', 1)).toBe('MAIN-D02-000001');
    expect(formatReceiptNumber('EAST', 'D1', 1_234_567)).toBe('EAST-D1-1234567');
  });

  it('refuses codes and numbers that cannot be printed on a receipt', () => {
    expect(() => formatReceiptNumber('main', 'D02', 1)).toThrow(/Office code "main"/);
    expect(() => formatReceiptNumber('MAIN', 'D-2', 1)).toThrow(/Device code "D-2"/);
    expect(() => formatReceiptNumber('MAIN', 'D02', 0)).toThrow(/numbered 1, 2, 3/);
    expect(() => formatReceiptNumber('MAIN', 'D02', 2.5)).toThrow(/numbered 1, 2, 3/);
  });

  it('reads a receipt number back into its parts', () => {
    expect(parseReceiptNumber('MAIN-D02-000153')).toEqual({ officeCode: 'MAIN', deviceCode: 'D02', seq: 153, series: 'MAIN-D02' });
    for (const text of ['MAIN-D02-00153', 'main-D02-000153', 'MAIN-D02-', 'MAIN-000153', 'MAIN-D02-000153 ', `MAIN-D02-${'9'.repeat(20)}`]) {
      expect(parseReceiptNumber(text)).toBeUndefined();
    }
  });

  it('round-trips and always matches the payment schema', () => {
    fc.assert(
      fc.property(codeArb, codeArb, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (office, device, seq) => {
        const text = formatReceiptNumber(office, device, seq);
        expect(receiptPattern.test(text)).toBe(true);
        expect(parseReceiptNumber(text)).toEqual({ officeCode: office, deviceCode: device, seq, series: `${office}-${device}` });
      }),
    );
  });
});

describe('nextReceiptNumber', () => {
  it('starts a new device at 000001', () => {
    expect(nextReceiptNumber({ officeCode: 'MAIN', deviceCode: 'D02', payments: [] })).toBe('MAIN-D02-000001');
  });

  it('continues after the highest number of this device only, voided payments included', () => {
    // 000005 was voided: its payment stays in the ledger, so its number stays used.
    const payments = paid('MAIN-D02-000001', 'MAIN-D02-000005', 'MAIN-D02-000002', 'MAIN-D03-000009', 'EAST-D02-000044', 'MAIN-D021-000050');
    expect(nextReceiptNumber({ officeCode: 'MAIN', deviceCode: 'D02', payments })).toBe('MAIN-D02-000006');
    expect(nextReceiptNumber({ officeCode: 'MAIN', deviceCode: 'D03', payments })).toBe('MAIN-D03-000010');
  });

  it('never hands out a number twice, whatever order the series was taken in', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('D01', 'D02', 'D03'), { maxLength: 60 }), (devices) => {
        const payments: { receiptNumber: string }[] = [];
        for (const device of devices) payments.push({ receiptNumber: nextReceiptNumber({ officeCode: 'MAIN', deviceCode: device, payments }) });
        expect(new Set(payments.map((p) => p.receiptNumber)).size).toBe(payments.length);
        for (const device of ['D01', 'D02', 'D03']) {
          expect(findSeriesGaps(payments, `MAIN-${device}`)).toEqual([]);
          expect(seriesNumbers(payments, `MAIN-${device}`)).toHaveLength(devices.filter((d) => d === device).length);
        }
      }),
    );
  });
});

describe('findSeriesGaps', () => {
  it('lists the numbers missing below the highest, for this series only', () => {
    const payments = paid('MAIN-D02-000007', 'MAIN-D02-000002', 'MAIN-D02-000001', 'MAIN-D02-000005', 'MAIN-D03-000003', 'MAIN-D02-000005');
    expect(findSeriesGaps(payments, 'MAIN-D02')).toEqual([3, 4, 6]);
    expect(findSeriesGaps(payments, 'MAIN-D02-')).toEqual([3, 4, 6]);
    expect(findSeriesGaps(payments, 'MAIN-D03')).toEqual([1, 2]);
    expect(findSeriesGaps(payments, 'MAIN-D04')).toEqual([]);
  });

  it('finds exactly the numbers taken out of a complete series', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 40 }), (highest, picks) => {
        const removed = new Set(picks.map((pick) => (pick % highest) + 1).filter((seq) => seq !== highest));
        const payments = [];
        for (let seq = 1; seq <= highest; seq++) if (!removed.has(seq)) payments.push({ receiptNumber: formatReceiptNumber('MAIN', 'D02', seq) });
        expect(findSeriesGaps(payments, 'MAIN-D02')).toEqual([...removed].sort((a, b) => a - b));
      }),
    );
  });

  it('points at a mistyped number instead of listing millions of gaps', () => {
    expect(() => findSeriesGaps(paid('MAIN-D02-000001', 'MAIN-D02-9000000'), 'MAIN-D02')).toThrow(/mistyped receipt number/);
  });
});
