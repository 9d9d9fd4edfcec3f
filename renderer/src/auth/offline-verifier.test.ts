import { describe, expect, it } from 'vitest';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { checkVerifier, createKeyedVerifier, createVerifier, openSealed, openVerifier, sealWith, VERIFIER_PARAMS } from './offline-verifier.ts';

describe('offline password verifier', () => {
  it('accepts the password it was made from and nothing else, with the OWASP argon2id parameters', async () => {
    const verifier = await createVerifier('correct-horse-battery');
    expect(verifier).toMatchObject({ algorithm: 'argon2id', ...VERIFIER_PARAMS });
    expect(JSON.stringify(verifier)).not.toContain('correct-horse');
    expect(await checkVerifier(verifier, 'correct-horse-battery')).toBe(true);
    expect(await checkVerifier(verifier, 'correct-horse-batterY')).toBe(false);
    expect(await checkVerifier(verifier, '')).toBe(false);
  });

  it('salts every verifier, and treats composed and decomposed accents as the same password', async () => {
    const fast = { t: 1, m: 64, p: 1 };
    const a = await createVerifier('Zoë-passphrase', fast);
    const b = await createVerifier('Zoë-passphrase', fast);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await checkVerifier(a, 'Zoe\u0308-passphrase')).toBe(true);
  });
});

describe('keyed verifier', () => {
  const fast = { t: 1, m: 64, p: 1 };

  it('gives back the same key for the right password only, and still opens verifiers made before keys', async () => {
    const { verifier, key } = await createKeyedVerifier('manager-passphrase', fast);
    expect(verifier.dkLen).toBe(64);
    expect(JSON.stringify(verifier)).not.toContain(btoa(String.fromCharCode(...key)));
    const opened = await openVerifier(verifier, 'manager-passphrase');
    expect(opened.ok && opened.key).toEqual(key);
    expect(await openVerifier(verifier, 'manager-passphrasE')).toEqual({ ok: false });
    // A verifier from before keys (32 bytes): the password checks, there is no key.
    const { dkLen: _none, ...older } = await createVerifier('old-passphrase', fast);
    const oldHash = await argon2idAsync(new TextEncoder().encode('old-passphrase'), Uint8Array.from(atob(older.salt), (c) => c.charCodeAt(0)), { ...fast, dkLen: 32 });
    const made = { ...older, hash: btoa(String.fromCharCode(...oldHash)) };
    expect(await openVerifier(made, 'old-passphrase')).toEqual({ ok: true, key: null });
  });

  it('seals bytes that only the same key opens, and refuses altered ones', async () => {
    const { key } = await createKeyedVerifier('manager-passphrase', fast);
    const { key: other } = await createKeyedVerifier('manager-passphrase', fast);
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    const sealed = await sealWith(key, secret);
    expect(await openSealed(key, sealed)).toEqual(secret);
    expect(await openSealed(other, sealed)).toBeNull();
    const flipped = atob(sealed.data);
    const altered = { ...sealed, data: btoa(String.fromCharCode(flipped.charCodeAt(0) ^ 1) + flipped.slice(1)) };
    expect(await openSealed(key, altered)).toBeNull();
  });
});
