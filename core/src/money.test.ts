// Money in integer minor units: splits that always add up, and formatting and parsing that
// round-trip exactly across currencies with 0, 2 and 3 decimals and many locales.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MoneyError,
  type MoneyErrorCode,
  assertMinorUnits,
  formatAmount,
  formatMoney,
  parseMoney,
  splitByWeights,
  splitEvenly,
} from './money.ts';

const MAX = Number.MAX_SAFE_INTEGER;

function moneyErrorOf(action: () => unknown): MoneyError {
  try {
    action();
  } catch (error) {
    if (error instanceof MoneyError) return error;
    throw error;
  }
  throw new Error('expected a MoneyError, but nothing was thrown');
}

function expectMoneyError(action: () => unknown, code: MoneyErrorCode, message?: string | RegExp): void {
  const error = moneyErrorOf(action);
  expect(error.code).toBe(code);
  expect(error.name).toBe('MoneyError');
  if (message !== undefined) expect(error.message).toMatch(message);
}

describe('assertMinorUnits', () => {
  it('accepts safe integers', () => {
    for (const amount of [0, -0, 1, -1, MAX, -MAX]) expect(() => assertMinorUnits(amount)).not.toThrow();
  });

  it('rejects fractions, NaN, infinities and unsafe integers', () => {
    for (const amount of [0.5, 12.34, Number.NaN, Infinity, -Infinity, MAX + 1, -(MAX + 1), 1e300]) {
      expectMoneyError(() => assertMinorUnits(amount), 'not-integer', /whole number of minor units/);
    }
  });

  it('names the value in the message', () => {
    expectMoneyError(() => assertMinorUnits(1.5, 'Fee'), 'not-integer', /^Fee must be .* but was 1\.5/);
  });
});

describe('splitByWeights', () => {
  it('gives leftover units to the largest remainders, not just the first parts', () => {
    expect(splitByWeights(10, [1, 2])).toEqual([3, 7]);
    expect(splitByWeights(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitByWeights(100, [3, 3, 4])).toEqual([30, 30, 40]);
    expect(splitByWeights(7, [1, 1, 5])).toEqual([1, 1, 5]);
    expect(splitByWeights(10, [1, 1, 1, 3])).toEqual([2, 2, 1, 5]);
  });

  it('breaks ties towards the lower index', () => {
    expect(splitByWeights(1, [1, 1])).toEqual([1, 0]);
    expect(splitByWeights(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(splitByWeights(1, [0, 2, 2])).toEqual([0, 1, 0]);
  });

  it('gives nothing to zero weights', () => {
    expect(splitByWeights(101, [1, 0, 1])).toEqual([51, 0, 50]);
    expect(splitByWeights(5, [0, 0, 3])).toEqual([0, 0, 5]);
  });

  it('splits a negative total like its absolute value, negated', () => {
    expect(splitByWeights(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(splitByWeights(-10, [1, 2])).toEqual([-3, -7]);
    expect(Object.is(splitByWeights(-1, [1, 1])[1], 0)).toBe(true);
  });

  it('stays exact where total × weight passes 2^53', () => {
    expect(splitByWeights(MAX, [MAX, MAX - 1])).toEqual([4503599627370496, 4503599627370495]);
    expect(splitByWeights(MAX, [1, MAX])).toEqual([1, MAX - 1]);
    expect(splitByWeights(-MAX, [2, 1])).toEqual([-6004799503160661, -3002399751580330]);
  });

  it('rejects bad totals and weights', () => {
    expectMoneyError(() => splitByWeights(1.5, [1]), 'not-integer');
    expectMoneyError(() => splitByWeights(100, []), 'invalid-amount', /at least one share/);
    expectMoneyError(() => splitByWeights(100, [0, 0]), 'invalid-amount', /Every share is zero/);
    expectMoneyError(() => splitByWeights(100, [1, -1]), 'invalid-amount', /Share 2 is -1/);
    expectMoneyError(() => splitByWeights(100, [1.5]), 'invalid-amount');
    expectMoneyError(() => splitByWeights(100, [Number.NaN]), 'invalid-amount');
    expectMoneyError(() => splitByWeights(100, [MAX + 1]), 'invalid-amount');
  });

  const weightsArb = fc
    .array(fc.oneof(fc.nat(10), fc.nat(1_000_000), fc.maxSafeNat()), { minLength: 1, maxLength: 20 })
    .filter((weights) => weights.some((weight) => weight > 0));
  const totalArb = fc.oneof(fc.integer({ min: -10_000, max: 10_000 }), fc.maxSafeInteger());

  it('parts always sum to the total and stay within one unit of their exact share', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (total, weights) => {
        const parts = splitByWeights(total, weights);
        expect(parts).toHaveLength(weights.length);
        expect(parts.every((part) => Number.isSafeInteger(part))).toBe(true);
        expect(parts.reduce((sum, part) => sum + BigInt(part), 0n)).toBe(BigInt(total));
        const weightSum = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
        parts.forEach((part, index) => {
          // |part - total × w / W| < 1, kept in integers: |part × W - total × w| < W.
          const gap = BigInt(part) * weightSum - BigInt(total) * BigInt(weights[index] ?? 0);
          expect(gap < 0n ? -gap : gap).toBeLessThan(weightSum);
          if (weights[index] === 0) expect(part).toBe(0);
          if (part !== 0) expect(Math.sign(part)).toBe(Math.sign(total));
        });
      }),
    );
  });

  it('rounds up exactly the parts with the largest remainders, lower index first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), weightsArb, (total, weights) => {
        const parts = splitByWeights(total, weights);
        const weightSum = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
        const shares = weights.map((weight, index) => {
          const product = BigInt(total) * BigInt(weight);
          return { index, remainder: product % weightSum, roundedUp: BigInt(parts[index] ?? 0) > product / weightSum };
        });
        for (const up of shares.filter((share) => share.roundedUp)) {
          for (const down of shares.filter((share) => !share.roundedUp)) {
            const upRanksFirst = up.remainder > down.remainder || (up.remainder === down.remainder && up.index < down.index);
            expect(upRanksFirst).toBe(true);
          }
        }
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(totalArb, weightsArb, (total, weights) => {
        expect(splitByWeights(total, weights)).toEqual(splitByWeights(total, [...weights]));
      }),
    );
  });
});

describe('splitEvenly', () => {
  it('gives the extra units to the earlier parts', () => {
    expect(splitEvenly(100, 3)).toEqual([34, 33, 33]);
    expect(splitEvenly(5, 3)).toEqual([2, 2, 1]);
    expect(splitEvenly(2, 4)).toEqual([1, 1, 0, 0]);
    expect(splitEvenly(-5, 3)).toEqual([-2, -2, -1]);
    expect(splitEvenly(0, 2)).toEqual([0, 0]);
    expect(splitEvenly(MAX, 1)).toEqual([MAX]);
  });

  it('rejects a part count that is not a positive whole number', () => {
    for (const parts of [0, -1, 1.5, Number.NaN]) {
      expectMoneyError(() => splitEvenly(100, parts), 'invalid-amount', /whole number of parts/);
    }
  });

  it('makes parts that sum to the total, differ by at most one, and never grow', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10_000, max: 10_000 }), fc.maxSafeInteger()), fc.integer({ min: 1, max: 60 }), (total, count) => {
        const parts = splitEvenly(total, count);
        expect(parts).toHaveLength(count);
        expect(parts.reduce((sum, part) => sum + BigInt(part), 0n)).toBe(BigInt(total));
        const magnitudes = parts.map((part) => Math.abs(part));
        expect(Math.max(...magnitudes) - Math.min(...magnitudes)).toBeLessThanOrEqual(1);
        magnitudes.slice(1).forEach((magnitude, index) => {
          expect(magnitude).toBeLessThanOrEqual(magnitudes[index] ?? 0);
        });
      }),
    );
  });
});

describe('formatMoney', () => {
  it('prints the sign people use at home when asked for the narrow symbol, as receipts do', () => {
    const narrow = (minor: number, currency: string) => formatMoney(minor, currency, 'en-US', 'narrowSymbol');
    expect([narrow(150_000, 'NGN'), narrow(150_000, 'GHS'), narrow(150_000, 'INR'), narrow(1_500, 'UGX'), narrow(1_500_250, 'KWD')]).toEqual(['₦1,500.00', 'GH₵1,500.00', '₹1,500.00', 'UGX\u00a01,500', 'KWD\u00a01,500.250']);
    expect(formatMoney(150_000, 'NGN').replace('\u00a0', ' ')).toBe('NGN 1,500.00');
  });

  it('formats with the ISO number of decimals', () => {
    expect(formatMoney(123450, 'KES', 'en-KE')).toContain('1,234.50');
    expect(formatMoney(1500, 'UGX')).toBe('UGX\u00a01,500');
    expect(formatMoney(1234500, 'KWD')).toBe('KWD\u00a01,234.500');
    expect(formatMoney(-123405, 'USD')).toBe('-$1,234.05');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(0, 'BHD')).toBe('BHD\u00a00.000');
    expect(formatMoney(10000, 'CLF')).toBe('CLF\u00a01.0000');
    expect(formatMoney(123450, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(formatMoney(123450, 'KES', 'en-IN')).toContain('1,234.50');
  });

  it('keeps ISO decimals where ICU would drop them', () => {
    expect(formatMoney(150000, 'IDR')).toBe('IDR\u00a01,500.00');
  });

  it('is exact at the edge of the safe range', () => {
    expect(formatMoney(MAX, 'USD')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(-MAX, 'UGX')).toBe('-UGX\u00a09,007,199,254,740,991');
    expect(formatMoney(MAX, 'KWD')).toBe('KWD\u00a09,007,199,254,740.991');
  });

  it('uses Latin digits even in Arabic locales', () => {
    expect(formatMoney(1234500, 'KWD', 'ar-KW')).toMatch(/1,234\.500/);
  });

  it('refuses non-integer amounts and unknown currencies', () => {
    expectMoneyError(() => formatMoney(12.5, 'KES'), 'not-integer');
    expectMoneyError(() => formatMoney(100, 'XYZ'), 'unknown-currency', /use an ISO 4217 code/);
  });
});

describe('formatAmount', () => {
  it('formats without the currency symbol', () => {
    expect(formatAmount(123450, 'KES')).toBe('1,234.50');
    expect(formatAmount(123450, 'KES', 'de-DE')).toBe('1.234,50');
    expect(formatAmount(1500, 'UGX')).toBe('1,500');
    expect(formatAmount(-1, 'KWD')).toBe('-0.001');
    expect(formatAmount(12345678, 'KES', 'en-IN')).toBe('1,23,456.78');
  });
});

describe('parseMoney', () => {
  it('reads what a cashier types', () => {
    expect(parseMoney('1,234.50', 'KES')).toBe(123450);
    expect(parseMoney('1234.5', 'KES')).toBe(123450);
    expect(parseMoney('1234', 'KES')).toBe(123400);
    expect(parseMoney('  1234  ', 'KES')).toBe(123400);
    expect(parseMoney('.5', 'KES')).toBe(50);
    expect(parseMoney('5.', 'KES')).toBe(500);
    expect(parseMoney('0', 'KES')).toBe(0);
    expect(parseMoney('007', 'UGX')).toBe(7);
    expect(parseMoney('1.234', 'KWD')).toBe(1234);
    expect(parseMoney('+12', 'KES')).toBe(1200);
  });

  it('reads negative amounts with a hyphen or a Unicode minus', () => {
    expect(parseMoney('-12', 'KES')).toBe(-1200);
    expect(parseMoney('\u221212.05', 'KES')).toBe(-1205);
    expect(parseMoney('KES -12', 'KES')).toBe(-1200);
    expect(parseMoney('-KES 12', 'KES')).toBe(-1200);
    expect(parseMoney('- 12', 'KES')).toBe(-1200);
    expect(Object.is(parseMoney('-0', 'KES'), 0)).toBe(true);
  });

  it('strips the currency symbol or code, in any case', () => {
    expect(parseMoney('KES 1,000', 'KES')).toBe(100000);
    expect(parseMoney('kes1000', 'KES')).toBe(100000);
    expect(parseMoney('Ksh 1,000', 'KES', 'en-KE')).toBe(100000);
    expect(parseMoney('KSh 1,000.5', 'KES', 'sw-KE')).toBe(100050);
    expect(parseMoney('$12.34', 'USD')).toBe(1234);
    expect(parseMoney('1,500/=', 'UGX')).toBe(1500);
    expect(parseMoney('UGX 1,500/-', 'UGX')).toBe(1500);
    expect(parseMoney('12,500 /=', 'KES')).toBe(1250000);
    expect(parseMoney('1,500 /-', 'UGX')).toBe(1500);
  });

  it('uses the separators of the locale', () => {
    expect(parseMoney('1.234,5', 'KES', 'de-DE')).toBe(123450);
    expect(parseMoney('1 234,50', 'KES', 'fr-FR')).toBe(123450);
    expect(parseMoney('1\u00a0234,50', 'KES', 'fr-FR')).toBe(123450);
    expect(parseMoney('1\u202f234,50', 'KES', 'fr-FR')).toBe(123450);
    expect(parseMoney('1,23,456.78', 'KES', 'en-IN')).toBe(12345678);
    // A German "1.234" is one thousand two hundred and thirty-four.
    expect(parseMoney('1.234', 'UGX', 'de-DE')).toBe(1234);
  });

  it('refuses a group separator that does not group thousands, never reading "12,50" as 1,250', () => {
    expect(parseMoney('1,234,567.50', 'KES')).toBe(123456750);
    expect(parseMoney('12 345', 'KES', 'en-KE')).toBe(1234500);
    expect(parseMoney('1.234.567,5', 'EUR', 'de-DE')).toBe(123456750);
    const refused = (input: string, currency: string, locale: string): string => {
      try {
        return `read as ${String(parseMoney(input, currency, locale))}`;
      } catch (error) {
        return error instanceof MoneyError ? `${error.code}: ${error.message}` : String(error);
      }
    };
    expect(refused('12,50', 'KES', 'en-KE')).toBe("misplaced-separator: '12,50' has ',' where it does not group thousands: digits come in threes after it, like 1,234.50. If ',' is meant as the decimal mark, type the amount as 1,234.50 is written");
    expect(refused('12.50', 'EUR', 'de-DE')).toBe("misplaced-separator: '12.50' has '.' where it does not group thousands: digits come in threes after it, like 1.234,50. If '.' is meant as the decimal mark, type the amount as 1.234,50 is written");
    expect(refused('12 50', 'KES', 'en-KE')).toBe("misplaced-separator: '12 50' has a space where it does not group thousands: digits come in threes after it, like 1,234.50");
    for (const input of ['1,5', '12500,50', '1,2,3', '1,,000', '1234,567', ',500', '1,000,00', '1, 000']) {
      expect(refused(input, 'KES', 'en-KE'), input).toMatch(/^misplaced-separator: .* where it does not group thousands/);
    }
    expect(refused('1,5', 'UGX', 'en-UG')).toMatch(/^misplaced-separator: '1,5' has ','/);
  });

  it('reads money separators where a locale writes money unlike plain numbers', () => {
    // fr-CH writes 1'234,5 for a number but 1'234.50 for money, and cashiers see both.
    expect(formatMoney(123450, 'CHF', 'fr-CH')).toMatch(/^1.234\.50\u00a0CHF$/);
    expect(parseMoney(formatMoney(123450, 'CHF', 'fr-CH'), 'CHF', 'fr-CH')).toBe(123450);
    expect(parseMoney('1234,5', 'CHF', 'fr-CH')).toBe(123450);
  });

  it('reads native Arabic digits and separators', () => {
    expect(parseMoney('١٬٢٣٤٫٥٠٠', 'KWD', 'ar-KW')).toBe(1234500);
    expect(parseMoney('1,234.500 د.ك.', 'KWD', 'ar-KW')).toBe(1234500);
  });

  it('refuses empty input and anything that is not an amount', () => {
    expectMoneyError(() => parseMoney('', 'KES'), 'invalid-amount', /Enter an amount, like 1,234\.50/);
    expectMoneyError(() => parseMoney('   ', 'KES'), 'invalid-amount', /Enter an amount/);
    expectMoneyError(() => parseMoney('KES', 'KES'), 'invalid-amount', /Enter an amount/);
    for (const input of ['abc', '12abc', '1O0', '$100', '-', '.', ',', '--5', '5-', '(5)', '1e5', '12.3,4', '12.3 4', '1,234.5 USD', '- -5']) {
      expectMoneyError(() => parseMoney(input, 'KES'), 'invalid-amount', /type digits only, like 1,234\.50/);
    }
  });

  it('refuses a second decimal separator', () => {
    expectMoneyError(() => parseMoney('1.2.3', 'KES'), 'invalid-amount', /more than one decimal separator '\.'/);
    expectMoneyError(() => parseMoney('1,2,3', 'KES', 'de-DE'), 'invalid-amount', /more than one decimal separator ','/);
  });

  it('refuses more decimals than the currency has, instead of rounding', () => {
    expectMoneyError(() => parseMoney('1,234.505', 'KES'), 'too-many-decimals', 'KES amounts have at most 2 decimal places');
    expectMoneyError(() => parseMoney('1.2345', 'KWD'), 'too-many-decimals', 'KWD amounts have at most 3 decimal places');
    expectMoneyError(() => parseMoney('0.001', 'USD'), 'too-many-decimals');
  });

  it('refuses any decimal separator for 0-decimal currencies, even with zeros', () => {
    // "1.000" typed in en-US may well mean a thousand shillings, so it is never read as 1.
    for (const input of ['1,500.00', '1.000', '1500.', '1.5']) {
      expectMoneyError(() => parseMoney(input, 'UGX'), 'too-many-decimals', /UGX amounts have no decimal places: type a whole amount, like 1,500/);
    }
    expectMoneyError(() => parseMoney('1500,0', 'JPY', 'de-DE'), 'too-many-decimals', /JPY amounts have no decimal places/);
  });

  it('refuses amounts beyond the safe integer range', () => {
    expect(parseMoney('9,007,199,254,740,991', 'UGX')).toBe(MAX);
    expect(parseMoney('-90,071,992,547,409.91', 'KES')).toBe(-MAX);
    expectMoneyError(() => parseMoney('9007199254740992', 'UGX'), 'out-of-range', /too large.*9,007,199,254,740,991/);
    expectMoneyError(() => parseMoney('90071992547409.92', 'KES'), 'out-of-range');
    expectMoneyError(() => parseMoney('1'.repeat(40), 'KES'), 'out-of-range');
  });

  it('refuses unknown currencies', () => {
    expectMoneyError(() => parseMoney('100', 'XYZ'), 'unknown-currency');
  });

  const currencies = ['UGX', 'KES', 'USD', 'KWD', 'JPY', 'BHD'] as const;
  const locales = ['en-US', 'de-DE', 'fr-FR', 'en-IN', 'sw-KE', 'ar-KW', 'hi-IN'] as const;
  const amountArb = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger());

  it('reads back exactly what formatMoney and formatAmount wrote', () => {
    fc.assert(
      fc.property(amountArb, fc.constantFrom(...currencies), fc.constantFrom(...locales), (minor, currency, locale) => {
        expect(parseMoney(formatMoney(minor, currency, locale), currency, locale)).toBe(minor);
        expect(parseMoney(formatAmount(minor, currency, locale), currency, locale)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every currency and locale pair at the extremes', () => {
    for (const currency of currencies) {
      for (const locale of locales) {
        for (const minor of [0, 1, -1, 999, 1000, 123456789, MAX, -MAX]) {
          expect(parseMoney(formatMoney(minor, currency, locale), currency, locale), `${currency} ${locale} ${String(minor)}`).toBe(minor);
          expect(parseMoney(formatAmount(minor, currency, locale), currency, locale), `${currency} ${locale} ${String(minor)}`).toBe(minor);
        }
      }
    }
  });
});
