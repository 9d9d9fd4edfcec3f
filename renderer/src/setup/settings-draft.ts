// The school's settings form: currency, time zone, receipt texts, the logo and the two policies,
// checked in plain words before the settings document is written.
import { isCurrencyCode, readSchoolLogo, type LogoImage, type SchoolLogo, type SettingsDoc } from '@feemaster/core';
import type { FieldProblems } from './field-problems.ts';

export type SettingsData = SettingsDoc['data'];

export interface SettingsDraft {
  currency: string;
  timezone: string;
  receiptHeader: string;
  receiptFooter: string;
  siblingOrder: SettingsData['siblingOrder'];
  voidOnlyInSameSession: boolean;
  /** Null: no logo (or the saved one removed). */
  logo: SchoolLogo | null;
}

export const RECEIPT_TEXT_LIMIT = 500;

export function settingsDraftOf(data: SettingsData): SettingsDraft {
  return { ...data, logo: data.logo ?? null };
}

/** A file chosen as the logo: the logo and what to say of it, or why it will not do. */
export function chosenLogo(fileName: string, bytes: Uint8Array): { logo: SchoolLogo; note: string } | { problem: string } {
  const read = readSchoolLogo(bytes);
  if ('problem' in read) return { problem: `${fileName}: ${read.problem}` };
  return { logo: read.logo, note: `${fileName} (${describeLogo(read.image, bytes.length)}) is chosen: save the settings to keep it.` };
}

export function describeLogo(image: LogoImage, bytes: number): string {
  const kind = image.mediaType === 'image/png' ? 'PNG' : 'JPEG';
  return `${kind}, ${String(image.width)} × ${String(image.height)} pixels, ${String(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** The IANA name of a time zone as this computer's time-zone data spells it, or null if it knows none of that name. */
export function canonicalTimeZone(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * The settings to store, or what is wrong. `savedCurrency` is kept when the currency is locked
 * (the school has ledger entries): each amount is a whole number of that currency's minor units.
 */
export function buildSettingsData(draft: SettingsDraft, lock: { currencyLocked: boolean; savedCurrency: string }): { data: SettingsData } | { problems: FieldProblems } {
  const problems: FieldProblems = {};
  const currency = draft.currency.trim().toUpperCase();
  if (lock.currencyLocked && currency !== lock.savedCurrency) {
    problems.currency = `The currency stays ${lock.savedCurrency}: the school already has bills or payments recorded in it.`;
  } else if (!isCurrencyCode(currency)) {
    problems.currency = `“${draft.currency.trim()}” is not a currency code: use the three-letter ISO code, like KES, UGX or USD.`;
  }
  const timezone = canonicalTimeZone(draft.timezone);
  if (timezone === null) {
    problems.timezone = draft.timezone.trim() === ''
      ? 'Enter the school’s time zone, like Africa/Nairobi.'
      : `“${draft.timezone.trim()}” is not a time zone this computer knows: use a name like Africa/Nairobi, Africa/Kampala or Europe/London.`;
  }
  for (const field of ['receiptHeader', 'receiptFooter'] as const) {
    if (draft[field].length > RECEIPT_TEXT_LIMIT) {
      problems[field] = `Keep it to ${String(RECEIPT_TEXT_LIMIT)} characters; it has ${String(draft[field].length)}.`;
    }
  }
  if (Object.keys(problems).length > 0 || timezone === null) return { problems };
  return {
    data: {
      currency,
      timezone,
      receiptHeader: draft.receiptHeader,
      receiptFooter: draft.receiptFooter,
      siblingOrder: draft.siblingOrder,
      voidOnlyInSameSession: draft.voidOnlyInSameSession,
      ...(draft.logo ? { logo: draft.logo } : {}),
    },
  };
}
