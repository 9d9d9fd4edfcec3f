import { describe, expect, it } from 'vitest';
import { checkVerifier, createVerifier, VERIFIER_PARAMS } from './offline-verifier.ts';

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
