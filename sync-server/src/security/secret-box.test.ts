import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBoxError, createSecretBox, secretKeyFromEnv } from './secret-box.ts';

const key = randomBytes(32);
const box = createSecretBox(key);
const MPESA_SECRET = 'sk_live_Z3JhY2Utd2Fuaml5dQ==';

/** Flips one bit in the base64url part `index` of a sealed value. */
function flipBit(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secret box (AES-256-GCM)', () => {
  it('round-trips text, including non-ASCII, and never shows the plaintext', () => {
    for (const secret of [MPESA_SECRET, '', 'Ω≈ç √ 🤫', 'x'.repeat(10_000)]) {
      const sealed = box.seal(secret, 'mpesa.consumerSecret');
      if (secret) expect(sealed).not.toContain(secret);
      expect(box.open(sealed, 'mpesa.consumerSecret')).toBe(secret);
    }
  });

  it('uses a fresh IV per message, so equal secrets do not look equal', () => {
    const a = box.seal(MPESA_SECRET);
    const b = box.seal(MPESA_SECRET);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it.each([
    ['the IV', 1],
    ['the ciphertext', 2],
    ['the tag', 3],
  ])('detects a change to %s', (_what, index) => {
    const sealed = box.seal(MPESA_SECRET);
    expect(() => box.open(flipBit(sealed, index))).toThrow(SecretBoxError);
    expect(() => box.open(flipBit(sealed, index))).toThrow(/could not be decrypted/);
  });

  it('refuses a secret moved to another setting, and a wrong key', () => {
    const sealed = box.seal(MPESA_SECRET, 'mpesa.consumerSecret');
    expect(() => box.open(sealed, 'sms.apiKey')).toThrow(/belongs to another setting/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'mpesa.consumerSecret')).toThrow(/FEEMASTER_SECRET_KEY is not the key/);
  });

  it('refuses values cut short or not written by Fee Master', () => {
    const sealed = box.seal(MPESA_SECRET);
    expect(() => box.open(sealed.split('.').slice(0, 3).join('.'))).toThrow(/not in the expected format/);
    expect(() => box.open(MPESA_SECRET)).toThrow(/not in the expected format/);
    expect(() => box.open(sealed.replace(/\.[^.]+$/, '.AAAA'))).toThrow(/wrong IV or tag length/);
  });
});

describe('FEEMASTER_SECRET_KEY', () => {
  it('accepts 32 bytes of base64', () => {
    const text = randomBytes(32).toString('base64');
    expect(secretKeyFromEnv(text).equals(Buffer.from(text, 'base64'))).toBe(true);
    expect(secretKeyFromEnv(`  ${text}\n`)).toHaveLength(32);
  });

  it.each([
    ['missing', undefined, /is not set.*openssl rand -base64 32/],
    ['empty', '  ', /is not set/],
    ['too short', randomBytes(16).toString('base64'), /must be 32 bytes in base64 \(44 characters\), but it decodes to 16 bytes/],
    ['too long', randomBytes(64).toString('base64'), /decodes to 64 bytes/],
    ['not base64', 'this is not base64 at all!', /is not base64/],
  ])('says what is wrong when it is %s', (_what, value, message) => {
    expect(() => secretKeyFromEnv(value)).toThrow(SecretBoxError);
    expect(() => secretKeyFromEnv(value)).toThrow(message);
  });

  it('a box cannot be made from a key of the wrong length', () => {
    expect(() => createSecretBox(randomBytes(31))).toThrow(/must be 32 bytes/);
  });
});
