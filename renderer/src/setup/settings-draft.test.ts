import { describe, expect, it } from 'vitest';
import { buildSettingsData, canonicalTimeZone, type SettingsDraft } from './settings-draft.ts';

const draft: SettingsDraft = { currency: 'kes', timezone: 'Africa/Nairobi', receiptHeader: 'Riverside Academy', receiptFooter: 'Thank you', siblingOrder: 'eldest-first', voidOnlyInSameSession: true };

describe('canonicalTimeZone', () => {
  it('knows IANA zones, in their own spelling, and nothing else', () => {
    expect(canonicalTimeZone('Africa/Nairobi')).toBe('Africa/Nairobi');
    expect(canonicalTimeZone(' africa/kampala ')).toBe('Africa/Kampala');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('buildSettingsData', () => {
  it('stores the currency upper case and the zone as the computer spells it', () => {
    expect(buildSettingsData({ ...draft, timezone: 'europe/london' }, { currencyLocked: false, savedCurrency: 'UGX' })).toEqual({
      data: { ...draft, currency: 'KES', timezone: 'Europe/London' },
    });
  });

  it('keeps the currency once the school has ledger entries', () => {
    expect(buildSettingsData({ ...draft, currency: 'USD' }, { currencyLocked: true, savedCurrency: 'KES' })).toEqual({
      problems: { currency: 'The currency stays KES: the school already has bills or payments recorded in it.' },
    });
    expect(buildSettingsData(draft, { currencyLocked: true, savedCurrency: 'KES' })).toHaveProperty('data');
  });

  it('explains an unknown currency or time zone and an over-long receipt text', () => {
    expect(buildSettingsData({ ...draft, currency: 'KSH', timezone: 'Nairobi', receiptFooter: 'x'.repeat(501) }, { currencyLocked: false, savedCurrency: 'KES' })).toEqual({
      problems: {
        currency: '“KSH” is not a currency code: use the three-letter ISO code, like KES, UGX or USD.',
        timezone: '“Nairobi” is not a time zone this computer knows: use a name like Africa/Nairobi, Africa/Kampala or Europe/London.',
        receiptFooter: 'Keep it to 500 characters; it has 501.',
      },
    });
  });
});
