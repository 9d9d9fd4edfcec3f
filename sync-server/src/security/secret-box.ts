// Encryption at rest for provider keys and OAuth tokens: AES-256-GCM with a key from
// FEEMASTER_SECRET_KEY, a fresh random IV per message, and an authentication tag so a changed
// ciphertext (or one moved to another field, via the context) is refused, never decrypted.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_HELP = 'Create one with: openssl rand -base64 32';

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export interface SecretBox {
  /** `context` names what the secret is for (e.g. 'mpesa.consumerSecret'); opening must name the same. */
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

/** The 32-byte key from FEEMASTER_SECRET_KEY (base64), or an error that says how to make one. */
export function secretKeyFromEnv(value: string | undefined, name = 'FEEMASTER_SECRET_KEY'): Buffer {
  const text = value?.trim();
  if (!text) throw new SecretBoxError(`${name} is not set, so provider keys cannot be stored encrypted. ${KEY_HELP}`);
  // Node's base64 decoder skips characters it does not know; check the text first so a typo is caught.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new SecretBoxError(`${name} is not base64. ${KEY_HELP}`);
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new SecretBoxError(`${name} must be ${KEY_BYTES} bytes in base64 (44 characters), but it decodes to ${key.length} bytes. ${KEY_HELP}`);
  }
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`The secret key must be ${KEY_BYTES} bytes, got ${key.length}. ${KEY_HELP}`);
  return {
    seal(plaintext, context = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, context = '') {
      const [version, iv, ciphertext, tag, ...rest] = sealed.split('.');
      if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) {
        throw new SecretBoxError('A stored secret is not in the expected format (v1.iv.ciphertext.tag); it was not written by Fee Master or was cut short.');
      }
      const ivBytes = Buffer.from(iv, 'base64url');
      const tagBytes = Buffer.from(tag, 'base64url');
      if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
        throw new SecretBoxError('A stored secret is not in the expected format (wrong IV or tag length); it was changed or cut short.');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
      decipher.setAuthTag(tagBytes);
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SecretBoxError(
          'A stored secret could not be decrypted: it was changed, belongs to another setting, or FEEMASTER_SECRET_KEY is not the key it was encrypted with.',
          { cause: error },
        );
      }
    },
  };
}
