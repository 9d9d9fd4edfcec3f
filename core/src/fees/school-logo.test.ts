import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId } from '../ids.ts';
import { replicatedCollections } from '../sync/collections.ts';
import type { SettingsDoc } from './reference.ts';
import { decodeBase64, decodeSchoolLogo, encodeBase64, logoImageOf, MAX_LOGO_BYTES, readSchoolLogo, type SchoolLogo } from './school-logo.ts';
import { CREST_JPEG_BASE64, pngImage } from './test-images.ts';

const crestJpeg = (): Uint8Array => {
  const bytes = decodeBase64(CREST_JPEG_BASE64);
  if (!bytes) throw new Error('the crest fixture is not base64');
  return bytes;
};

const settingsWith = (logo: SchoolLogo | undefined): SettingsDoc => {
  const now = new Date().toISOString();
  return {
    id: newId(), schoolId: newId(), kind: 'settings', name: 'School settings', createdAt: now, updatedAt: now,
    data: { currency: 'KES', timezone: 'Africa/Nairobi', receiptHeader: 'Riverside Academy', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true, ...(logo ? { logo } : {}) },
  };
};
const validate = (doc: unknown) => replicatedCollections.reference.validate(doc);

describe('base64', () => {
  it('round-trips any bytes exactly as btoa and Buffer would write them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('refuses text that is not padded standard base64', () => {
    for (const text of ['abc', 'ab=c', 'a===', '@@@@', 'AAAA=AAA', 'ab-_']) expect(decodeBase64(text), text).toBeNull();
  });
});

describe('the school logo', () => {
  it('reads a PNG and a JPEG from their bytes, with their size in pixels', () => {
    expect(logoImageOf(pngImage(120, 80))).toEqual({ mediaType: 'image/png', width: 120, height: 80 });
    expect(logoImageOf(crestJpeg())).toEqual({ mediaType: 'image/jpeg', width: 96, height: 64 });
    const read = readSchoolLogo(crestJpeg());
    expect(read).toEqual({ logo: { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 }, image: { mediaType: 'image/jpeg', width: 96, height: 64 } });
  });

  it('goes by the bytes, not by what the file claims to be', () => {
    const text = new Uint8Array([...'GIF89a not a logo'].map((c) => c.charCodeAt(0)));
    expect(readSchoolLogo(text)).toEqual({ problem: 'This file is not a PNG or JPEG image. Save the logo as PNG or JPEG (in Paint or Preview: Save as… PNG) and choose that file.' });
    expect(readSchoolLogo(new Uint8Array())).toEqual({ problem: 'This file is empty. Choose the logo’s PNG or JPEG file.' });
    // A PNG cut off before its header says how big it is.
    expect(readSchoolLogo(pngImage(10, 10).subarray(0, 20))).toHaveProperty('problem');
    expect(decodeSchoolLogo({ mediaType: 'image/png', base64: CREST_JPEG_BASE64 })).toEqual({ problem: 'The logo is a JPEG image but is labelled image/png. Choose the logo file again.' });
  });

  it('refuses a file over 200 KB or over 2000 pixels a side, saying what to use instead', () => {
    const big = pngImage(300, 300, { noise: true });
    expect(big.length).toBeGreaterThan(MAX_LOGO_BYTES);
    expect(readSchoolLogo(big)).toEqual({ problem: `The logo is ${String(Math.ceil(big.length / 1024))} KB; use a PNG or JPEG under 200 KB, e.g. the logo saved at 600 × 600 pixels or smaller.` });
    // A flat picture of 3000 × 10 pixels packs into a few hundred bytes, but would unpack to a huge one to print.
    expect(readSchoolLogo(pngImage(3000, 10))).toEqual({ problem: 'The logo is 3000 × 10 pixels; use one at most 2000 pixels wide and high, e.g. 600 × 600.' });
    expect(readSchoolLogo(pngImage(2000, 20))).toHaveProperty('logo');
  });
});

describe('a settings document with a logo', () => {
  const png = readSchoolLogo(pngImage(120, 80));
  if (!('logo' in png)) throw new Error(png.problem);

  it('is valid with a PNG, a JPEG or no logo at all (documents from before the logo)', () => {
    expect(validate(settingsWith(undefined))).toEqual([]);
    expect(validate(settingsWith(png.logo))).toEqual([]);
    expect(validate(settingsWith({ mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 }))).toEqual([]);
  });

  it('is refused in plain words when the logo is too big, not an image or mislabelled', () => {
    const big = encodeBase64(pngImage(300, 300, { noise: true }));
    expect(validate(settingsWith({ mediaType: 'image/png', base64: big }))).toEqual([
      { path: '/data/logo', message: expect.stringMatching(/^The logo is \d+ KB; use a PNG or JPEG under 200 KB, e\.g\./) as unknown },
    ]);
    expect(validate(settingsWith({ mediaType: 'image/png', base64: encodeBase64(new Uint8Array([1, 2, 3, 4, 5, 6])) }))).toEqual([
      { path: '/data/logo', message: expect.stringContaining('This file is not a PNG or JPEG image.') as unknown },
    ]);
    expect(validate(settingsWith({ mediaType: 'image/png', base64: CREST_JPEG_BASE64 }))).toEqual([
      { path: '/data/logo', message: 'The logo is a JPEG image but is labelled image/png. Choose the logo file again' },
    ]);
    expect(validate(settingsWith({ mediaType: 'image/png', base64: 'not base64!' }))).toEqual([
      { path: '/data/logo', message: 'The logo is not valid base64 text. Choose the logo file again' },
    ]);
  });

  it('is checked by its schema too: only PNG and JPEG, nothing beside the image', () => {
    const gif = { ...settingsWith(png.logo), data: { ...settingsWith(png.logo).data, logo: { mediaType: 'image/gif', base64: png.logo.base64 } } };
    expect(validate(gif).map((p) => p.path)).toContain('/data/logo/mediaType');
    const extra = { ...settingsWith(png.logo), data: { ...settingsWith(png.logo).data, logo: { ...png.logo, fileName: 'crest.png' } } };
    expect(validate(extra).map((p) => p.message)).toContain('data/logo/fileName is not a known field');
  });

  it('leaves the replica’s RxDB schema as it was: data is one plain object there, checked in full by core', () => {
    expect(replicatedCollections.reference.rxSchema.properties.data).toEqual({ type: 'object' });
    expect(replicatedCollections.reference.schemaVersion).toBe(1);
  });
});
