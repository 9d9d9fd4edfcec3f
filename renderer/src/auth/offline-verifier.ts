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
  /**
   * 64: the derivation is 64 bytes, the first half the hash and the second a key that only this
   * password gives, sealing what the desk keeps for the person (a manager's refund-approval key).
   * Absent on verifiers made before (32 bytes, hash only).
   */
  dkLen?: 64;
}

/** What the password opens: the check, and the key of a 64-byte verifier. */
export type VerifierCheck = { ok: false } | { ok: true; key: Uint8Array | null };

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane (about half a second here). */
export const VERIFIER_PARAMS = { t: 2, m: 19_456, p: 1 } as const;

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, params: { t: number; m: number; p: number }, dkLen: 32 | 64): Promise<Uint8Array> {
  // asyncTick yields to the event loop so the sign-in screen keeps painting while it works.
  return argon2idAsync(new TextEncoder().encode(password.normalize('NFC')), salt, { t: params.t, m: params.m, p: params.p, dkLen, asyncTick: 10 });
}

/** A verifier of the password and the key it alone opens (one argon2id run for both). */
export async function createKeyedVerifier(password: string, params: { t: number; m: number; p: number } = VERIFIER_PARAMS): Promise<{ verifier: PasswordVerifier; key: Uint8Array }> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const bytes = await derive(password, salt, params, 64);
  return { verifier: { algorithm: 'argon2id', ...params, salt: toBase64(salt), hash: toBase64(bytes.slice(0, 32)), dkLen: 64 }, key: bytes.slice(32) };
}

export async function createVerifier(password: string, params: { t: number; m: number; p: number } = VERIFIER_PARAMS): Promise<PasswordVerifier> {
  return (await createKeyedVerifier(password, params)).verifier;
}

/** Checks the password in constant time; a 64-byte verifier also gives back its key. */
export async function openVerifier(verifier: PasswordVerifier, password: string): Promise<VerifierCheck> {
  if (verifier.algorithm !== 'argon2id') return { ok: false };
  const expected = fromBase64(verifier.hash);
  const dkLen = verifier.dkLen === 64 ? 64 : 32;
  const bytes = await derive(password, fromBase64(verifier.salt), verifier, dkLen);
  const actual = bytes.slice(0, 32);
  if (actual.length !== expected.length) return { ok: false };
  let difference = 0;
  for (let i = 0; i < actual.length; i++) difference |= (actual[i] ?? 0) ^ (expected[i] ?? 0);
  if (difference !== 0) return { ok: false };
  return { ok: true, key: dkLen === 64 ? bytes.slice(32) : null };
}

export async function checkVerifier(verifier: PasswordVerifier, password: string): Promise<boolean> {
  return (await openVerifier(verifier, password)).ok;
}

/** Something sealed with a verifier's key (AES-256-GCM), base64. */
export interface Sealed {
  iv: string;
  data: string;
}

async function aesKey(key: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', Uint8Array.from(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function sealWith(key: Uint8Array, plain: Uint8Array): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await aesKey(key), Uint8Array.from(plain)));
  return { iv: toBase64(iv), data: toBase64(data) };
}

/** The sealed bytes, or null when the key is not the one they were sealed with (or they were altered). */
export async function openSealed(key: Uint8Array, sealed: Sealed): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: Uint8Array.from(fromBase64(sealed.iv)) }, await aesKey(key), Uint8Array.from(fromBase64(sealed.data))));
  } catch {
    return null;
  }
}
