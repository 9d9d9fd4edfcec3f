// School-local calendar dates (YYYY-MM-DD): due dates, term days, ageing. Pure day arithmetic
// with no time of day, so no time zone or daylight saving can shift a day.

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01; throws a RangeError a person can act on for anything but a real date (2025-02-30). */
export function dayNumber(date: string): number {
  const match = DATE_PATTERN.exec(date);
  const day = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`'${date}' is not a calendar date: write it as YYYY-MM-DD, e.g. 2025-01-31`);
  }
  return day / DAY_MS;
}

/** Throws a RangeError a person can act on unless `date` is a real YYYY-MM-DD calendar date. */
export function assertCalendarDate(date: string): void {
  dayNumber(date);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The calendar date `days` days after `date`. */
export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an ISO instant in a time zone (UTC when none is given). */
export function localDate(instant: string, timeZone?: string): string {
  if (timeZone === undefined || timeZone === 'UTC') return instant.slice(0, 10);
  let format = dateFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(instant.slice(0, 23).replace(/Z?$/u, 'Z')));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
