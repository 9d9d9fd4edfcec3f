// Reading one cell of an imported sheet as the value a column needs (text, a date, an amount,
// a phone number...), accepting the many ways people and Excel write them, and saying in the
// person's words what is wrong with a cell and how to fix it.
import { parsePhoneNumberFromString, getCountryCallingCode, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { currencyExponent } from '../currency.ts';
import { MoneyError, formatAmount, parseMoney } from '../money.ts';
import type { CellValue } from './table.ts';

// `max` metadata rather than `min`: `min` checks only a number's length, so a mistyped prefix
// would be accepted here and fail later when an SMS is sent. Imports run in a worker, once in a
// while, so the extra ~70 kB of metadata costs little.

/** A cell read as a value, or what is wrong with it: `problem` quotes the cell as typed. */
export type CellResult<T> = { ok: true; value: T } | { ok: false; problem: string; fix: string };

export type DateOrder = 'dmy' | 'mdy';

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const fail = <T>(problem: string, fix: string): CellResult<T> => ({ ok: false, problem, fix });

// Zero-width characters that come along when text is pasted from the web or a PDF.
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/gu;
// \s covers the no-break space (U+00A0) and the other Unicode spaces Excel users paste.
const WHITESPACE_RUN = /\s+/gu;

/** True for an empty cell or one holding only spaces: a value the person did not give. */
export function isBlank(cell: CellValue | undefined): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell !== 'string') return false;
  // Most cells start with a visible ASCII character, which no trimming removes (called for every cell).
  const first = cell.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  return cell.replace(INVISIBLE, '').trim() === '';
}

// Printable ASCII, in which decomposing and dropping marks change nothing.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Text reduced for comparing labels people type: no case, accents, spaces or punctuation. */
export function normaliseLabel(text: string): string {
  // The same result by a shorter road for plain ASCII, the usual case (called for every class, category and status cell).
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** How a cell shows in Excel, as plain text: numbers without float noise, dates as YYYY-MM-DD. */
/** The apostrophe our exports put before text that a spreadsheet would run as a formula (export.ts). */
const NEUTRALISED = /^'(?=[=+\-@\t\r])/;

function shownText(cell: Exclude<CellValue, null>): string {
  // A file exported by Fee Master and imported again reads as it was: '+254… is +254….
  if (typeof cell === 'string') return cell.replace(NEUTRALISED, '').replace(INVISIBLE, '').replace(WHITESPACE_RUN, ' ').trim();
  if (typeof cell === 'number') return plainNumber(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return isoOfDateCell(cell);
}

/** The cell in quotes for a problem message, cut short when it is long. */
function quoted(cell: Exclude<CellValue, null>): string {
  const text = shownText(cell);
  return `"${text.length > 60 ? `${text.slice(0, 57)}…` : text}"`;
}

function emptyCell<T>(): CellResult<T> {
  return fail('The cell is empty', 'Fill in the cell');
}

/**
 * A number as plain digits, never in exponent form: safe integers exactly, anything else to the
 * 15 significant digits Excel keeps, which drops float noise (0.1 + 0.2 reads "0.3").
 */
function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isSafeInteger(value)) return String(value === 0 ? 0 : value);
  const [mantissa = '0', exponentText = '0'] = value.toExponential(14).split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/[-.]/g, '').replace(/0+$/, '') || '0';
  const exponent = Number(exponentText);
  let plain: string;
  if (exponent >= digits.length - 1) plain = digits + '0'.repeat(exponent - digits.length + 1);
  else if (exponent >= 0) plain = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  else plain = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  return negative ? `-${plain}` : plain;
}

function isoOfDateCell(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'an invalid date';
  const iso = date.toISOString();
  // Date cells are read at UTC midnight; a time of day is shown only when the cell has one.
  const time = iso.slice(11, 19);
  if (time === '00:00:00') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}

/** The cell as trimmed text with runs of spaces made one; numbers, booleans and dates as Excel shows them. */
export function cellText(cell: CellValue): CellResult<string> {
  if (isBlank(cell) || cell === null) return emptyCell();
  if (cell instanceof Date && Number.isNaN(cell.getTime())) return fail('The cell holds an invalid date', 'Type the value again');
  return ok(shownText(cell));
}

// ---------------------------------------------------------------------------------------------
// Dates

const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
const DAY_MS = 86_400_000;
// Serial 1 is 1900-01-01. Excel counts a 29 February 1900 that never was (serial 60), so from
// serial 61 on, day 0 is 1899-12-30; before it, 1899-12-31.
const SERIAL_DAY_ZERO = Date.UTC(1899, 11, 30);
const LAST_SERIAL = (Date.UTC(MAX_YEAR, 11, 31) - SERIAL_DAY_ZERO) / DAY_MS;

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].flatMap(
    (name, index) => [
      [name, index + 1],
      [name.slice(0, 3), index + 1],
    ],
  ),
).set('sept', 9);
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const TIME = String.raw`(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[ap]m)?(?:z|[+-]\d{2}:?\d{2})?)?`;
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`);
const NUMERIC = new RegExp(String.raw`^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})${TIME}$`);
const DAY_MONTH_NAME = /^(\d{1,2})(?:st|nd|rd|th)?[ ./-]*([a-z]+)\.?,?[ ./-]*(\d{4}|\d{2})$/;
const MONTH_NAME_DAY = /^([a-z]+)\.?[ ./-]*(\d{1,2})(?:st|nd|rd|th)?,?[ ./-]*(\d{4}|\d{2})$/;
const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? /;
const SERIAL_TEXT = /^\d+(?:\.\d+)?$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Two-digit years as Excel reads them when typed: 00–29 are 2000–2029, 30–99 are 1930–1999. */
function fullYear(text: string): number {
  const year = Number(text);
  if (text.length === 4) return year;
  return year <= 29 ? 2000 + year : 1900 + year;
}

function dateFix(order: DateOrder): string {
  return order === 'dmy'
    ? 'Write the date as day/month/year like 31/03/2015, or as 2015-03-31 or 31 Mar 2015'
    : 'Write the date as month/day/year like 03/31/2015, or as 2015-03-31 or Mar 31, 2015';
}

function checkedDate(year: number, month: number, day: number, cell: Exclude<CellValue, null>, order: DateOrder): CellResult<string> {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    return fail(`${quoted(cell)} is not a date between ${String(MIN_YEAR)} and ${String(MAX_YEAR)}`, `Check the year. ${dateFix(order)}`);
  }
  if (month < 1 || month > 12) return fail(`${quoted(cell)} has no month ${String(month)}`, dateFix(order));
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) {
    return fail(
      `${quoted(cell)} is not a real date: ${MONTH_NAMES[month - 1] ?? ''} ${String(year)} has ${String(days)} days`,
      `Check the day and month. ${dateFix(order)}`,
    );
  }
  return ok(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
}

function dateOfSerial(serial: number, cell: Exclude<CellValue, null>, order: DateOrder): CellResult<string> {
  const day = Math.floor(serial);
  if (Number.isInteger(serial) && day >= MIN_YEAR && day <= MAX_YEAR) {
    // As a serial this is a day in 1905, which nobody means; it is a year typed on its own.
    return fail(`${quoted(cell)} is a year, not a date`, dateFix(order));
  }
  if (day === 60) return fail(`${quoted(cell)} is 29 February 1900, a day that did not exist`, dateFix(order));
  if (day < 1 || day > LAST_SERIAL) {
    return fail(`${quoted(cell)} is not a date between ${String(MIN_YEAR)} and ${String(MAX_YEAR)}`, dateFix(order));
  }
  const date = new Date(SERIAL_DAY_ZERO + (day < 60 ? day + 1 : day) * DAY_MS);
  return checkedDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), cell, order);
}

function dateOfText(cell: string, order: DateOrder): CellResult<string> {
  const text = cell.replace(INVISIBLE, '').replace(WHITESPACE_RUN, ' ').trim().toLowerCase();

  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return checkedDate(Number(yearFirst[1]), Number(yearFirst[3]), Number(yearFirst[4]), cell, order);

  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const first = Number(numeric[1]);
    const second = Number(numeric[3]);
    const year = fullYear(numeric[4] ?? '');
    const [day, month] = order === 'dmy' ? [first, second] : [second, first];
    if (month > 12 && day <= 12) {
      // Written the other way round from the order chosen for this import: say so, never guess.
      const asChosen = order === 'dmy' ? 'day/month/year' : 'month/day/year';
      return fail(
        `${quoted(cell)} has no month ${String(month)}: dates in this import are read as ${asChosen}`,
        `Write it as ${order === 'dmy' ? `${String(month)}/${String(day)}` : `${String(day)}/${String(month)}`}/${String(year)}, or choose ${order === 'dmy' ? 'month/day/year' : 'day/month/year'} for this import if the whole file is written that way`,
      );
    }
    return checkedDate(year, month, day, cell, order);
  }

  const words = text.replace(WEEKDAY, '');
  const dayMonth = DAY_MONTH_NAME.exec(words);
  const monthDay = dayMonth ? null : MONTH_NAME_DAY.exec(words);
  const named = dayMonth
    ? { day: dayMonth[1], month: dayMonth[2], year: dayMonth[3] }
    : monthDay
      ? { day: monthDay[2], month: monthDay[1], year: monthDay[3] }
      : null;
  if (named) {
    const month = MONTHS.get(named.month ?? '');
    if (month === undefined) return fail(`${quoted(cell)} has no month called "${named.month ?? ''}"`, dateFix(order));
    return checkedDate(fullYear(named.year ?? ''), month, Number(named.day), cell, order);
  }

  // A date serial stored as text, as some exports and copy-pastes leave it ("42095").
  if (SERIAL_TEXT.test(text)) return dateOfSerial(Number(text), cell, order);
  return fail(`${quoted(cell)} is not a date`, dateFix(order));
}

/**
 * A calendar date as `YYYY-MM-DD`, from a date cell, an Excel date serial (1900 system), or text
 * in the usual forms; ambiguous text like 03/04/2015 is read in `order`. Years 1900–2100.
 */
export function cellDate(cell: CellValue, order: DateOrder): CellResult<string> {
  if (isBlank(cell) || cell === null) return emptyCell();
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return fail('The cell holds an invalid date', dateFix(order));
    // Date cells are read at midnight UTC, so the UTC calendar day is the day Excel shows.
    return checkedDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate(), cell, order);
  }
  if (typeof cell === 'number') return dateOfSerial(cell, cell, order);
  if (typeof cell === 'boolean') return fail(`${quoted(cell)} is not a date`, dateFix(order));
  return dateOfText(cell, order);
}

// ---------------------------------------------------------------------------------------------
// Numbers and money

// Within this of a whole number (or whole minor unit) a float from Excel is that number: formulas
// and binary fractions leave noise like 0.30000000000000004.
const FLOAT_NOISE = 1e-9;
// Group separators people type between thousands: comma, space (any kind), apostrophe, underscore.
const GROUPED_INTEGER = /^[+-]?\d{1,3}(?:[,'_ ]\d{3})+(?:\.0{1,2})?$/u;
const PLAIN_INTEGER = /^[+-]?\d+(?:\.0{1,2})?$/;

/** A whole number from a number cell or digits as text ("12", "1,200", "12.0"). */
export function cellInteger(cell: CellValue): CellResult<number> {
  if (isBlank(cell) || cell === null) return emptyCell();
  const fix = 'Write a whole number in digits, like 12 or 1200';
  if (typeof cell === 'number') {
    const whole = Math.round(cell);
    if (!Number.isFinite(cell) || Math.abs(cell - whole) > FLOAT_NOISE) return fail(`${quoted(cell)} is not a whole number`, fix);
    if (!Number.isSafeInteger(whole)) return fail(`${quoted(cell)} is too large`, 'Check the number; it may have extra digits');
    return ok(whole === 0 ? 0 : whole);
  }
  if (typeof cell !== 'string') return fail(`${quoted(cell)} is not a number`, fix);
  const text = shownText(cell);
  if (!GROUPED_INTEGER.test(text) && !PLAIN_INTEGER.test(text)) {
    return fail(`${quoted(cell)} is not a whole number`, fix);
  }
  const digits = text.replace(/\.0+$/, '').replace(/[,'_ +]/gu, '');
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return fail(`${quoted(cell)} is too large`, 'Check the number; it may have extra digits');
  return ok(value === 0 ? 0 : value);
}

// Informal signs people type that Intl does not list for the currency ("Ksh. 12,500", "N5,000").
// Longest first, so "Kshs" goes whole instead of leaving "s" after "Ksh".
const INFORMAL_SIGNS: Readonly<Record<string, readonly string[]>> = {
  KES: ['Kshs', 'KSh', 'Shs', 'Sh'],
  UGX: ['Ushs', 'USh', 'Shs', 'Sh'],
  TZS: ['Tshs', 'TSh', 'Shs', 'Sh'],
  NGN: ['NGN', 'N'],
  GHS: ['GH₵', 'GH¢', 'GHC', '₵', '¢'],
  ZAR: ['R'],
  INR: ['Rs', '₹'],
  PKR: ['Rs'],
  LKR: ['Rs'],
  RWF: ['FRw', 'RF'],
};

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/gu, '\\$&');
}

function withoutInformalSign(text: string, currency: string): string {
  const signs = INFORMAL_SIGNS[currency];
  if (signs === undefined) return text;
  const alternatives = [...signs].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  // The sign may come with a dot ("Ksh.") and sit before or after the amount, after a minus.
  const before = new RegExp(`^([-\u2212]?)\\s*(?:${alternatives})\\.?\\s*(?=[\\d.,(-])`, 'iu');
  const after = new RegExp(`(?<=[\\d.])\\s*(?:${alternatives})\\.?$`, 'iu');
  return text.replace(before, '$1').replace(after, '');
}

function amountFixes(currency: string): { example: string; decimals: number } {
  const decimals = currencyExponent(currency);
  return { example: formatAmount(12_500 * 10 ** decimals, currency, 'en-US'), decimals };
}

function tooManyDecimals(cell: Exclude<CellValue, null>, currency: string): CellResult<number> {
  const { example, decimals } = amountFixes(currency);
  if (decimals === 0) return fail(`${quoted(cell)} has decimals, but ${currency} amounts are whole numbers`, `Write a whole amount, like ${example}`);
  return fail(
    `${quoted(cell)} has more than ${String(decimals)} decimal place${decimals === 1 ? '' : 's'}`,
    `Write the amount with at most ${String(decimals)} decimal place${decimals === 1 ? '' : 's'}, like ${example}`,
  );
}

/**
 * An amount in integer minor units of `currency` (cents for KES), from a number cell or text
 * such as "12,500.00", "12 500", "KES 12,500", "₦1,000", "(1,200)" or "-1,200". Negative amounts
 * come back negative: whether they are allowed is the caller's rule.
 */
export function cellAmount(cell: CellValue, currency: string): CellResult<number> {
  if (isBlank(cell) || cell === null) return emptyCell();
  const { example } = amountFixes(currency);
  const notAmount = (): CellResult<number> => fail(`${quoted(cell)} is not an amount in ${currency}`, `Write the amount in digits, like ${example}`);
  const tooLarge = (): CellResult<number> => fail(`${quoted(cell)} is too large for an amount`, 'Check the amount; it may have extra digits');

  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return notAmount();
    // The one place a float meets money: it becomes whole minor units here or is refused.
    const scale = 10 ** currencyExponent(currency);
    const minor = Math.round(cell * scale);
    if (!Number.isSafeInteger(minor)) return tooLarge();
    // A few float steps of slack for large amounts, where one step is already above 1e-9.
    const slack = Math.max(FLOAT_NOISE, Math.abs(cell) * 4 * Number.EPSILON);
    if (Math.abs(cell - minor / scale) > slack) return tooManyDecimals(cell, currency);
    return ok(minor === 0 ? 0 : minor);
  }
  if (typeof cell !== 'string') return notAmount();

  let text = shownText(cell);
  // Accountants write a negative amount in brackets: (1,200.00).
  const bracketed = /^\((.*)\)$/u.exec(text);
  if (bracketed) text = bracketed[1]?.trim() ?? '';
  text = withoutInformalSign(text, currency);
  let minor: number;
  try {
    minor = parseMoney(text, currency, 'en-US');
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    if (error.code === 'too-many-decimals') return tooManyDecimals(cell, currency);
    if (error.code === 'out-of-range') return tooLarge();
    // "12500,50" from a sheet that writes decimals with a comma: never read as 1,250,050.
    if (error.code === 'misplaced-separator') {
      return fail(`${quoted(cell)} has a separator that does not group thousands (a decimal comma?)`, `Write the amount with a point for decimals and commas only between thousands, like ${example}`);
    }
    return notAmount();
  }
  if (bracketed) {
    if (minor < 0) return notAmount();
    minor = -minor;
  }
  return ok(minor === 0 ? 0 : minor);
}

// ---------------------------------------------------------------------------------------------
// Phone numbers, e-mail, yes/no and choices

// Built when first needed, so that importing this module does no work.
let regionNames: Intl.DisplayNames | undefined;

function phoneFix(country: CountryCode): string {
  const example = getExampleNumber(country, mobileExamples)?.formatInternational() ?? `+${getCountryCallingCode(country)} …`;
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  return `Write the number with its country code, like ${example} (numbers without one are read as numbers in ${regionNames.of(country) ?? country})`;
}

// Numbers already read, by country and text: siblings share their guardians' numbers, and
// libphonenumber's parse and validity check are most of an import's checking. Bounded, as
// the module lives as long as the desk.
const readNumbers = new Map<string, string | null>();
const READ_NUMBERS_KEPT = 50_000;

function validE164(text: string, country: CountryCode): string | null {
  const key = `${country} ${text}`;
  const known = readNumbers.get(key);
  if (known !== undefined) return known;
  // extract: false, or "0712 345 678 / 0722 111 222" would quietly read as its first number.
  const phone = parsePhoneNumberFromString(text, { defaultCountry: country, extract: false });
  const number = phone?.isValid() === true ? phone.number : null;
  if (readNumbers.size >= READ_NUMBERS_KEPT) readNumbers.clear();
  readNumbers.set(key, number);
  return number;
}

/**
 * A phone number in E.164 (+254712345678). Numbers without a country code are read as
 * `defaultCountry`'s, including ones whose leading 0 Excel dropped (712345678) and ones written
 * with the country code but no + (254712345678 or 00254712345678).
 */
export function cellPhone(cell: CellValue, defaultCountry: CountryCode): CellResult<string> {
  if (isBlank(cell) || cell === null) return emptyCell();
  if (typeof cell === 'boolean' || cell instanceof Date) return fail(`${quoted(cell)} is not a phone number`, phoneFix(defaultCountry));
  const text = shownText(cell);
  const direct = validE164(text, defaultCountry);
  if (direct !== null) return ok(direct);

  if (!text.includes('+')) {
    const digits = text.replace(/[^\d]/g, '');
    const international = digits.startsWith('00') ? digits.slice(2) : digits;
    const withPlus = international.length >= 8 ? validE164(`+${international}`, defaultCountry) : null;
    if (withPlus !== null) return ok(withPlus);
  }
  const parts = text.split(/\s*(?:[/,;&]|\band\b|\bor\b)\s*/u).filter((part) => part !== '');
  if (parts.length > 1 && parts.every((part) => validE164(part, defaultCountry) !== null)) {
    return fail(`${quoted(cell)} holds more than one phone number`, 'Keep one number in this cell; a second guardian’s number goes in its own column');
  }
  return fail(`${quoted(cell)} is not a valid phone number`, phoneFix(defaultCountry));
}

// Simple and sane: one @, no spaces, a dotted domain whose last part has two or more letters.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;

/** An e-mail address, trimmed; "Name <a@b.com>" and "mailto:a@b.com" give the address. */
export function cellEmail(cell: CellValue): CellResult<string> {
  if (isBlank(cell) || cell === null) return emptyCell();
  const fix = 'Write one e-mail address, like name@example.com';
  if (typeof cell !== 'string') return fail(`${quoted(cell)} is not an e-mail address`, fix);
  let text = shownText(cell);
  const angled = /<([^<>]+)>\s*$/u.exec(text);
  if (angled) text = angled[1]?.trim() ?? '';
  text = text.replace(/^mailto:/iu, '');
  if (EMAIL.test(text) && !text.includes('..') && !text.startsWith('.')) return ok(text);
  if ((text.match(/@/gu) ?? []).length > 1) return fail(`${quoted(cell)} holds more than one e-mail address`, 'Keep one e-mail address in this cell');
  return fail(`${quoted(cell)} is not an e-mail address`, fix);
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'x', '✓', '✔']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0']);

/** Yes or no: yes/no, y/n, true/false, 1/0, or an x (or tick) for yes. */
export function cellBoolean(cell: CellValue): CellResult<boolean> {
  if (isBlank(cell) || cell === null) return emptyCell();
  if (typeof cell === 'boolean') return ok(cell);
  const fix = 'Write yes or no';
  if (cell instanceof Date) return fail(`${quoted(cell)} is not yes or no`, fix);
  const word = shownText(cell).toLowerCase().replace(/\.$/u, '');
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`${quoted(cell)} is not yes or no`, fix);
}

/**
 * One of `choices`, whose keys are the words a person may write (compared without case,
 * accents, spaces or punctuation) and whose values are what each means.
 */
export function cellChoice<T>(cell: CellValue, choices: Readonly<Record<string, T>>): CellResult<T> {
  const fix = (): string => `Write one of: ${Object.keys(choices).join(', ')}`;
  if (isBlank(cell) || cell === null) return fail('The cell is empty', fix());
  const wanted = normaliseLabel(shownText(cell));
  const byLabel = choiceLabels(choices);
  if (byLabel.has(wanted)) return ok(byLabel.get(wanted) as T);
  return fail(`${quoted(cell)} is not one of the choices`, fix());
}

// Each set of choices by its words' labels, made once per set (a column's every cell uses the same one).
const choiceIndexes = new WeakMap<object, ReadonlyMap<string, unknown>>();

function choiceLabels<T>(choices: Readonly<Record<string, T>>): ReadonlyMap<string, T> {
  let index = choiceIndexes.get(choices) as ReadonlyMap<string, T> | undefined;
  if (index === undefined) {
    const byLabel = new Map<string, T>();
    for (const [word, value] of Object.entries(choices)) {
      // The first word with a label wins, as it did when the words were tried in order.
      const label = normaliseLabel(word);
      if (!byLabel.has(label)) byLabel.set(label, value);
    }
    index = byLabel;
    choiceIndexes.set(choices, index);
  }
  return index;
}
