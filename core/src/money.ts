// Money as integer minor units: exact splitting, formatting and parsing of amounts, so that no
// float ever touches a balance and every split adds back up to the whole.
import { CodedError } from './coded-error.ts';
import { currencyExponent } from './currency.ts';

export type MoneyErrorCode = 'unknown-currency' | 'not-integer' | 'invalid-amount' | 'misplaced-separator' | 'too-many-decimals' | 'out-of-range';

/** A money problem with a reason code for callers and a message a cashier can act on. */
export class MoneyError extends CodedError<MoneyErrorCode> {
  override readonly name = 'MoneyError';
}

/** Throws unless `amount` is a safe integer number of minor units (cents, not shillings). */
export function assertMinorUnits(amount: number, what = 'Amount'): void {
  if (!Number.isSafeInteger(amount)) {
    throw new MoneyError(
      'not-integer',
      `${what} must be a whole number of minor units (e.g. cents) but was ${String(amount)}: ` +
        'enter the amount again so it is read with parseMoney',
    );
  }
}

/**
 * Splits `total` into parts proportional to `weights` by the largest-remainder method. The parts
 * always sum to `total`, each is within one unit of its exact share, and leftover units go to
 * the largest remainders, lower index first on ties. A negative total splits like its absolute
 * value, negated.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  assertMinorUnits(total, 'The total to split');
  if (weights.length === 0) {
    throw new MoneyError('invalid-amount', 'There is nothing to split the amount across: add at least one share');
  }
  let weightSum = 0n;
  const bigWeights = weights.map((weight, index) => {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new MoneyError(
        'invalid-amount',
        `Share ${String(index + 1)} is ${String(weight)}: each share must be a whole number of zero or more`,
      );
    }
    weightSum += BigInt(weight);
    return BigInt(weight);
  });
  if (weightSum === 0n) {
    throw new MoneyError('invalid-amount', 'Every share is zero: give at least one share a weight above zero');
  }

  // BigInt because total × weight can pass 2^53 long before either one does.
  const whole = BigInt(Math.abs(total));
  let handedOut = 0n;
  const shares = bigWeights.map((weight, index) => {
    const product = whole * weight;
    const part = product / weightSum;
    handedOut += part;
    return { index, part, remainder: product % weightSum };
  });

  // Fewer leftover units than shares with a non-zero remainder, so zero weights never get one.
  const leftover = Number(whole - handedOut);
  const byRemainder = [...shares].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const share of byRemainder.slice(0, leftover)) share.part += 1n;

  const sign = total < 0 ? -1n : 1n;
  return shares.map((share) => Number(share.part * sign));
}

/** Splits `total` into `parts` near-equal parts; earlier parts get the extra units. */
export function splitEvenly(total: number, parts: number): number[] {
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new MoneyError(
      'invalid-amount',
      `Cannot split into ${String(parts)} parts: choose a whole number of parts, at least 1`,
    );
  }
  return splitByWeights(total, new Array<number>(parts).fill(1));
}

// Building formatters is slow compared with using them, and a statement formats thousands of
// amounts in a handful of locale/currency pairs.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(style: 'currency' | 'decimal', locale: string, currency: string, display: MoneyDisplay = 'symbol'): Intl.NumberFormat {
  const key = `${style}|${locale}|${currency}|${display}`;
  let cached = formatters.get(key);
  if (cached === undefined) {
    const exponent = currencyExponent(currency);
    cached = new Intl.NumberFormat(locale, {
      style,
      ...(style === 'currency' ? { currency, currencyDisplay: display } : {}),
      numberingSystem: 'latn',
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(key, cached);
  }
  return cached;
}

/** The exact decimal text of an amount, e.g. -123405 at exponent 2 is "-1234.05". */
/** The exact decimal text of minor units at an exponent, e.g. -123405 at 2 → "-1234.05". Never via a float. */
export function toDecimalString(minor: number, exponent: number): `${number}` {
  const digits = Math.abs(minor).toString();
  const padded = digits.padStart(exponent + 1, '0');
  const decimal = exponent === 0 ? digits : `${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
  // Only digits, one optional point and a sign, which is what Intl's numeric string type means.
  return `${minor < 0 ? '-' : ''}${decimal}` as `${number}`;
}

/**
 * How the currency is shown: 'symbol' is the locale's usual form (en-US writes NGN 1,500.00),
 * 'narrowSymbol' the sign people use at home (₦1,500.00, GH₵, ₹), as receipts print it.
 */
export type MoneyDisplay = 'symbol' | 'narrowSymbol';

/** Formats minor units with the currency symbol, always with the currency's ISO decimals. */
export function formatMoney(minor: number, currency: string, locale = 'en-US', display: MoneyDisplay = 'symbol'): string {
  assertMinorUnits(minor);
  // Intl formats a decimal string exactly; minor / 10 ** exponent could round.
  return formatter('currency', locale, currency, display).format(toDecimalString(minor, currencyExponent(currency)));
}

/** Formats minor units without the currency symbol, for amount input fields. */
export function formatAmount(minor: number, currency: string, locale = 'en-US'): string {
  assertMinorUnits(minor);
  return formatter('decimal', locale, currency).format(toDecimalString(minor, currencyExponent(currency)));
}

interface AmountSyntax {
  /** Locale digits (Latin and native) to their values. */
  digits: ReadonlyMap<string, string>;
  groups: ReadonlySet<string>;
  decimals: ReadonlySet<string>;
  /** Matches the currency's symbols and code in this locale. */
  currencyPattern: RegExp;
  /** A typical amount in this locale, for error messages. */
  example: string;
}

const syntaxes = new Map<string, AmountSyntax>();

// Bidi marks and other invisible format characters that Intl puts around RTL amounts.
const FORMAT_CHARS = /\p{Cf}/gu;
const WHITESPACE = /\s+/gu;
// East African receipts write "1,500/=" or "1,500/-" for a round amount.
const ROUND_AMOUNT_SUFFIX = /\/[=-]$/u;
const LEADING_SIGN = /^[-\u2212+]/u;

// Leaves '-' alone: it is literal outside a class, and escaping it is a syntax error with 'u'.
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/gu, '\\$&');
}

function amountSyntax(currency: string, locale: string): AmountSyntax {
  const key = `${locale}|${currency}`;
  const cached = syntaxes.get(key);
  if (cached !== undefined) return cached;

  const digits = new Map<string, string>();
  for (let value = 0; value <= 9; value++) digits.set(String(value), String(value));
  const native = new Intl.NumberFormat(locale, { useGrouping: false });
  for (let value = 0; value <= 9; value++) {
    const glyph = native.format(value);
    if ([...glyph].length === 1) digits.set(glyph, String(value));
  }

  // A cashier may type Latin or native digits, with the matching separators for either. Some
  // locales separate money differently from plain numbers (fr-CH writes 1'234.50 CHF but 1'234,5).
  const groups = new Set<string>();
  const decimals = new Set<string>();
  for (const numberingSystem of ['latn', undefined]) {
    for (const style of ['decimal', 'currency'] as const) {
      // One fraction digit forced, or currencies ICU shows without decimals would hide theirs.
      const options: Intl.NumberFormatOptions = {
        style,
        ...(style === 'currency' ? { currency } : {}),
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      };
      if (numberingSystem !== undefined) options.numberingSystem = numberingSystem;
      for (const part of new Intl.NumberFormat(locale, options).formatToParts(12345.6)) {
        if (part.type === 'group') groups.add(part.value);
        if (part.type === 'decimal') decimals.add(part.value);
      }
    }
  }
  for (const decimal of decimals) groups.delete(decimal);

  const symbols = new Set<string>([currency]);
  for (const currencyDisplay of ['symbol', 'narrowSymbol', 'code'] as const) {
    const parts = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay }).formatToParts(1);
    for (const part of parts) {
      const symbol = part.value.replace(FORMAT_CHARS, '').trim();
      if (part.type === 'currency' && symbol !== '') symbols.add(symbol);
    }
  }
  // Longest first, so "US$" goes whole instead of leaving "US" behind after "$".
  const alternatives = [...symbols].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const currencyPattern = new RegExp(alternatives.join('|'), 'giu');

  const exponent = currencyExponent(currency);
  const exampleMinor = exponent === 0 ? 1500 : 1234 * 10 ** exponent + 5 * 10 ** (exponent - 1);
  const syntax: AmountSyntax = {
    digits,
    groups,
    decimals,
    currencyPattern,
    example: formatAmount(exampleMinor, currency, locale),
  };
  syntaxes.set(key, syntax);
  return syntax;
}

/** A whole part's groups as separators split it: 1–3 digits, then groups of 2 or 3, the last of 3. */
function wellGrouped(groups: readonly number[]): boolean {
  const first = groups[0] ?? 0;
  const last = groups.at(-1) ?? 0;
  return first >= 1 && first <= 3 && last === 3 && groups.slice(1, -1).every((digits) => digits === 2 || digits === 3);
}

/**
 * Reads an amount as a cashier types it, or as formatMoney/formatAmount wrote it, in `locale`,
 * returning minor units. Whitespace counts as a group separator; group separators must group the
 * whole part in threes (or twos before the last three), so "12,50" is refused, not read as 1,250.
 * More decimals than the currency
 * has are refused, never rounded; for 0-decimal currencies (UGX, JPY) any decimal separator is
 * refused, even "1,500.00", because "1.000" may well mean a thousand.
 */
export function parseMoney(input: string, currency: string, locale = 'en-US'): number {
  const exponent = currencyExponent(currency);
  const syntax = amountSyntax(currency, locale);
  const unreadable = (): MoneyError =>
    new MoneyError(
      'invalid-amount',
      `Could not read '${input}' as an amount in ${currency}: type digits only, like ${syntax.example}`,
    );

  // Whitespace becomes one plain space, which then counts as a group separator.
  let text = input
    .replace(FORMAT_CHARS, '')
    .replace(syntax.currencyPattern, '')
    .replace(WHITESPACE, ' ')
    .trim()
    .replace(ROUND_AMOUNT_SUFFIX, '')
    // "12,500 /=": the space before the suffix is no group separator.
    .trimEnd();
  if (text === '') {
    throw new MoneyError('invalid-amount', `Enter an amount, like ${syntax.example}`);
  }

  // The sign may be followed by a space where a currency symbol stood ("-KES 12" → "- 12").
  const negative = /^[-\u2212]/u.test(text);
  text = text.replace(LEADING_SIGN, '').trimStart();

  let integerDigits = '';
  let fractionDigits = '';
  let decimalSeen = false;
  // Digits of each group of the whole part, split where a group separator stands.
  const groups: number[] = [0];
  let separator: string | null = null;
  for (const char of text) {
    const digit = syntax.digits.get(char);
    if (digit !== undefined) {
      if (decimalSeen) fractionDigits += digit;
      else {
        integerDigits += digit;
        groups[groups.length - 1] = (groups.at(-1) ?? 0) + 1;
      }
    } else if (!decimalSeen && (char === ' ' || syntax.groups.has(char))) {
      separator ??= char;
      groups.push(0);
    } else if (syntax.decimals.has(char)) {
      if (decimalSeen) {
        throw new MoneyError(
          'invalid-amount',
          `'${input}' has more than one decimal separator '${char}': type at most one, like ${syntax.example}`,
        );
      }
      decimalSeen = true;
    } else if ((char !== ' ' && !syntax.groups.has(char)) || decimalSeen) {
      throw unreadable();
    }
  }
  if (integerDigits === '' && fractionDigits === '') throw unreadable();
  // Separators group the whole part in threes (in twos before the last three, as in India): one
  // anywhere else is most likely a decimal mark of another convention ("12,50"), never dropped.
  if (separator !== null && !wellGrouped(groups)) {
    const mark = separator === ' ' ? 'a space' : `'${separator}'`;
    throw new MoneyError(
      'misplaced-separator',
      `'${input}' has ${mark} where it does not group thousands: digits come in threes after it, like ${syntax.example}${separator === ' ' ? '' : `. If ${mark} is meant as the decimal mark, type the amount as ${syntax.example} is written`}`,
    );
  }

  if (decimalSeen && exponent === 0) {
    throw new MoneyError(
      'too-many-decimals',
      `${currency} amounts have no decimal places: type a whole amount, like ${syntax.example}`,
    );
  }
  if (fractionDigits.length > exponent) {
    throw new MoneyError(
      'too-many-decimals',
      `${currency} amounts have at most ${String(exponent)} decimal places: '${input}' has ${String(fractionDigits.length)}`,
    );
  }

  // Built from the digit strings so that no binary fraction is ever involved.
  const magnitude = BigInt(`${integerDigits || '0'}${fractionDigits.padEnd(exponent, '0')}`);
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyError(
      'out-of-range',
      `'${input}' is too large: amounts can be at most ${formatMoney(Number.MAX_SAFE_INTEGER, currency, locale)}`,
    );
  }
  return Number(negative ? -magnitude : magnitude);
}
