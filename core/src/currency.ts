// ISO 4217 currency codes and their minor-unit exponents, which decide how many integer minor
// units make one major unit (UGX 1 = 1, KES 1 = 100, KWD 1 = 1000).
import { MoneyError } from './money.ts';

// ISO 4217 exponents that differ from 2. CLDR's display digits disagree for some of these
// (ISK, UGX, ...); stored amounts must follow ISO so that a ledger never changes meaning when a
// runtime's ICU data changes.
const NON_DEFAULT_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map(
    (code) => [code, 0] as const,
  ),
  ...['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3] as const),
  ...['CLF', 'UYW'].map((code) => [code, 4] as const),
]);

let supportedCodes: ReadonlySet<string> | undefined;

function intlCurrencyCodes(): ReadonlySet<string> {
  supportedCodes ??= new Set(Intl.supportedValuesOf('currency'));
  return supportedCodes;
}

/**
 * True for a three-letter uppercase code the runtime knows. The ISO funds codes in the exponent
 * table (CLF, UYI, UYW) also count, because ICU leaves them out of its list.
 */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && (intlCurrencyCodes().has(code) || NON_DEFAULT_EXPONENTS.has(code));
}

/** Number of decimal places of the currency's minor unit under ISO 4217. */
export function currencyExponent(code: string): number {
  if (!isCurrencyCode(code)) {
    throw new MoneyError(
      'unknown-currency',
      `Unknown currency '${code}': use an ISO 4217 code such as KES, UGX or KWD`,
    );
  }
  return NON_DEFAULT_EXPONENTS.get(code) ?? 2;
}
