// The desk's local check of a password for offline sign-in: an argon2id hash made right after a
// successful online sign-in (OWASP parameters), compared in constant time. Pure JavaScript
// (@noble/hashes), so it needs neither WebAssembly nor eval under the desktop app's CSP.
import { argon2idAsync } from '@noble/hashes/argon2.js';

export interface PasswordVerifier {
  algorithm: 'argon2id';
  /** Iterations, memory in KiB, parallelism. */
  t: number;
  m: number;
  p: number;
  salt: string;
  hash: string;
}

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane (about half a second here). */
export const VERIFIER_PARAMS = { t: 2, m: 19_456, p: 1 } as const;

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, params: { t: number; m: number; p: number }): Promise<Uint8Array> {
  // asyncTick yields to the event loop so the sign-in screen keeps painting while it works.
  return argon2idAsync(new TextEncoder().encode(password.normalize('NFC')), salt, { ...params, dkLen: 32, asyncTick: 10 });
}

export async function createVerifier(password: string, params: { t: number; m: number; p: number } = VERIFIER_PARAMS): Promise<PasswordVerifier> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { algorithm: 'argon2id', ...params, salt: toBase64(salt), hash: toBase64(await derive(password, salt, params)) };
}

export async function checkVerifier(verifier: PasswordVerifier, password: string): Promise<boolean> {
  if (verifier.algorithm !== 'argon2id') return false;
  const expected = fromBase64(verifier.hash);
  const actual = await derive(password, fromBase64(verifier.salt), verifier);
  if (actual.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < actual.length; i++) difference |= (actual[i] ?? 0) ^ (expected[i] ?? 0);
  return difference === 0;
}
