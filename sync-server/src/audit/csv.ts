// CSV for audit exports (RFC 4180 quoting, CRLF rows), safe to open in a spreadsheet.
import type { AuditEntry } from './queries.ts';

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'action',
  'actorUserId',
  'actorRole',
  'deviceId',
  'officeId',
  'deviceTime',
  'entityType',
  'entityId',
  'before',
  'after',
  'ip',
  'userAgent',
  'offlineSessionId',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

/** Excel reads a UTF-8 file without this mark as the local code page and garbles names. */
export const UTF8_BOM = '\ufeff';

export function csvHeader(): string {
  return csvLine(AUDIT_CSV_COLUMNS);
}

export function csvRow(entry: AuditEntry): string {
  return csvLine(AUDIT_CSV_COLUMNS.map((column) => entry[column]));
}

function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // A cell starting like a formula would be run by a spreadsheet (CSV injection): make it text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
