import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, type SettingsDoc } from '@feemaster/core';
import { CREST_JPEG_BASE64, pngImage } from '../../../core/src/fees/test-images.ts';
import { buildSettingsData, canonicalTimeZone, chosenLogo, settingsDraftOf, type SettingsDraft } from './settings-draft.ts';

const draft: SettingsDraft = { currency: 'kes', timezone: 'Africa/Nairobi', receiptHeader: 'Riverside Academy', receiptFooter: 'Thank you', siblingOrder: 'eldest-first', voidOnlyInSameSession: true, logo: null };
const unlocked = { currencyLocked: false, savedCurrency: 'KES' };

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
      data: { currency: 'KES', timezone: 'Europe/London', receiptHeader: 'Riverside Academy', receiptFooter: 'Thank you', siblingOrder: 'eldest-first', voidOnlyInSameSession: true },
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

describe('the logo on the settings form', () => {
  const saved: SettingsDoc['data'] = { currency: 'KES', timezone: 'Africa/Nairobi', receiptHeader: '', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true, logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 } };

  it('keeps the saved logo when other settings change, and leaves it out once removed', () => {
    const form = settingsDraftOf(saved);
    expect(form.logo).toEqual(saved.logo);
    expect(buildSettingsData({ ...form, receiptFooter: 'Thank you' }, unlocked)).toEqual({ data: { ...saved, receiptFooter: 'Thank you' } });
    const built = buildSettingsData({ ...form, logo: null }, unlocked);
    expect(built).toHaveProperty('data');
    expect('data' in built && 'logo' in built.data).toBe(false);
    expect(settingsDraftOf({ ...saved, logo: undefined }).logo).toBeNull();
  });

  it('takes a PNG or JPEG file, saying what it is, and refuses anything else by name with what to do', () => {
    const png = pngImage(240, 120);
    expect(chosenLogo('crest.png', png)).toEqual({ logo: { mediaType: 'image/png', base64: encodeBase64(png) }, note: `crest.png (PNG, 240 × 120 pixels, ${String(Math.max(1, Math.round(png.length / 1024)))} KB) is chosen: save the settings to keep it.` });
    const jpeg = decodeBase64(CREST_JPEG_BASE64) ?? new Uint8Array();
    expect(chosenLogo('crest.jpg', jpeg)).toEqual({ logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 }, note: 'crest.jpg (JPEG, 96 × 64 pixels, 2 KB) is chosen: save the settings to keep it.' });
    // A PNG by name only.
    expect(chosenLogo('crest.png', new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      problem: 'crest.png: This file is not a PNG or JPEG image. Save the logo as PNG or JPEG (in Paint or Preview: Save as… PNG) and choose that file.',
    });
    expect(chosenLogo('photo.png', pngImage(300, 300, { noise: true }))).toEqual({ problem: expect.stringMatching(/^photo\.png: The logo is \d+ KB; use a PNG or JPEG under 200 KB, e\.g\. the logo saved at 600 × 600 pixels or smaller\.$/) as unknown });
  });
});
