// Instants shown in the school's own time zone (not the desk's), as every screen must show them.

/** A formatter for ISO instants in `timeZone`; an unknown zone falls back to UTC and says so. */
export function schoolTimeFormatter(timeZone: string, timeStyle: 'short' | 'medium' = 'short'): (iso: string) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle });
  } catch (error) {
    // A time zone this browser does not know: show UTC and say so, rather than no times at all.
    if (!(error instanceof RangeError)) throw error;
    const utc = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium', timeStyle });
    return (iso) => `${formatOrRaw(utc, iso)} UTC`;
  }
  return (iso) => formatOrRaw(format, iso);
}

function formatOrRaw(format: Intl.DateTimeFormat, iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format.format(date);
}
