import { describe, expect, it } from 'vitest';
import type { ConflictField } from '@feemaster/core';
import { fieldName, showValue } from './conflicts-screen.tsx';

describe('a sync conflict as the admin reads it', () => {
  it('names fields in words and shows a logo by what it is, not by its base64', () => {
    expect(fieldName('/data/receiptFooter')).toBe('Receipt footer');
    expect(fieldName('/data/logo/base64')).toBe('School logo');
    expect(fieldName('/data/logo/mediaType')).toBe('Logo file type');
    const base64 = 'A'.repeat(4 * 1024 * 10);
    const field = { path: '/data/logo/base64', base: base64, server: base64.slice(0, 4 * 512), desk: undefined, kept: 'server' } satisfies ConflictField;
    expect(showValue(field, 'base')).toBe('a picture of 30 KB');
    expect(showValue(field, 'server')).toBe('a picture of 2 KB');
    expect(showValue(field, 'desk')).toBe('(empty)');
    const whole = { path: '/data/logo', server: { mediaType: 'image/jpeg', base64 }, desk: null, kept: 'server' } satisfies ConflictField;
    expect(showValue(whole, 'server')).toBe('a JPEG picture of 30 KB');
  });
});
