// ISO 4217 exponents, including the currencies where ICU's display digits disagree with ISO.
import { describe, expect, it } from 'vitest';
import { currencyExponent, isCurrencyCode } from './currency.ts';
import { MoneyError } from './money.ts';

describe('isCurrencyCode', () => {
  it('accepts ISO codes the runtime knows', () => {
    for (const code of ['KES', 'UGX', 'KWD', 'USD', 'EUR', 'JPY', 'TZS']) expect(isCurrencyCode(code)).toBe(true);
  });

  it('accepts the ISO funds codes ICU leaves out', () => {
    for (const code of ['CLF', 'UYI', 'UYW']) expect(isCurrencyCode(code)).toBe(true);
  });

  it('rejects lowercase, wrong length and made-up codes', () => {
    for (const code of ['kes', 'Kes', 'KE', 'KESH', '', ' KES', 'XYZ', 'K3S']) expect(isCurrencyCode(code)).toBe(false);
  });
});

describe('currencyExponent', () => {
  it('is 2 for ordinary currencies', () => {
    for (const code of ['KES', 'USD', 'EUR', 'TZS', 'ZAR']) expect(currencyExponent(code)).toBe(2);
  });

  it('is 0, 3 and 4 for the ISO exceptions', () => {
    for (const code of ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']) {
      expect(currencyExponent(code), code).toBe(0);
    }
    for (const code of ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']) expect(currencyExponent(code), code).toBe(3);
    for (const code of ['CLF', 'UYW']) expect(currencyExponent(code), code).toBe(4);
  });

  it('follows ISO, not ICU display digits, where they disagree', () => {
    // ICU shows these without decimals; ISO (and so the ledger) keeps minor units.
    expect(currencyExponent('IDR')).toBe(2);
    expect(currencyExponent('COP')).toBe(2);
    expect(currencyExponent('PKR')).toBe(2);
    expect(currencyExponent('IQD')).toBe(3);
  });

  it('throws unknown-currency with advice for codes it does not know', () => {
    for (const code of ['XYZ', 'kes', '']) {
      let caught: unknown;
      try {
        currencyExponent(code);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MoneyError);
      expect(caught).toMatchObject({ code: 'unknown-currency' });
    }
    expect(() => currencyExponent('XYZ')).toThrow("Unknown currency 'XYZ': use an ISO 4217 code such as KES, UGX or KWD");
  });
});
