// The saved session must be encrypted at rest, or not saved at all.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const KEY = 0x5a;

const electron = vi.hoisted(() => ({
  userData: '',
  available: true,
  backend: 'gnome_libsecret',
  shouldReEncrypt: false,
  keyVersion: 1,
}));

function xor(data: Uint8Array): Buffer {
  return Buffer.from(data.map((byte) => byte ^ KEY));
}

vi.mock('electron', () => ({
  app: { getPath: () => electron.userData },
  safeStorage: {
    isAsyncEncryptionAvailable: () => Promise.resolve(electron.available),
    getSelectedStorageBackend: () => electron.backend,
    // A stand-in cipher: reversible, keyed by version, and never the plaintext bytes.
    encryptStringAsync: (text: string) =>
      Promise.resolve(Buffer.concat([Buffer.from([electron.keyVersion]), xor(Buffer.from(text, 'utf8'))])),
    decryptStringAsync: (data: Buffer) => {
      if (data[0] !== 1 && data[0] !== 2) return Promise.reject(new Error('Error while decrypting the ciphertext'));
      return Promise.resolve({ result: xor(data.subarray(1)).toString('utf8'), shouldReEncrypt: electron.shouldReEncrypt });
    },
  },
}));

const { clearEnrolment, clearSession, loadEnrolment, loadSession, saveEnrolment, saveSession } = await import('./secrets.ts');

const session = JSON.stringify({ refreshToken: 'rt-7f3c9a-very-secret', deviceId: 'D02' });
const sessionFile = (): string => join(electron.userData, 'session.bin');

beforeEach(async () => {
  electron.userData = await mkdtemp(join(tmpdir(), 'feemaster-secrets-'));
  electron.available = true;
  electron.backend = 'gnome_libsecret';
  electron.shouldReEncrypt = false;
  electron.keyVersion = 1;
});

afterEach(async () => {
  await rm(electron.userData, { recursive: true, force: true });
});

describe('session secrets', () => {
  it('loads nothing before anything is saved', async () => {
    await expect(loadSession()).resolves.toBeNull();
  });

  it('round-trips the session through safeStorage without writing plaintext', async () => {
    await saveSession(session);
    const onDisk = await readFile(sessionFile());
    expect(onDisk.includes(Buffer.from('rt-7f3c9a-very-secret'))).toBe(false);
    expect(onDisk.includes(Buffer.from(session))).toBe(false);
    expect(await readdir(electron.userData)).toEqual(['session.bin']);
    await expect(loadSession()).resolves.toBe(session);
  });

  it('refuses to save, and writes nothing, when encryption is unavailable', async () => {
    electron.available = false;
    await expect(saveSession(session)).rejects.toThrow(/\[encryption-unavailable\]/);
    expect(await readdir(electron.userData)).toEqual([]);
  });

  it('treats Linux basic_text (a hard-coded key) as unavailable', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    Object.defineProperty(process, 'platform', { value: 'linux' });
    electron.backend = 'basic_text';
    try {
      await expect(saveSession(session)).rejects.toThrow(/\[encryption-unavailable\]/);
      expect(await readdir(electron.userData)).toEqual([]);
    } finally {
      if (platform !== undefined) Object.defineProperty(process, 'platform', platform);
    }
  });

  it('refuses to load when encryption has become unavailable', async () => {
    await saveSession(session);
    electron.available = false;
    await expect(loadSession()).rejects.toThrow(/\[encryption-unavailable\]/);
  });

  it('reports a session it cannot decrypt and asks the user to sign in again', async () => {
    await writeFile(sessionFile(), Buffer.from([9, 9, 9]));
    await expect(loadSession()).rejects.toThrow(/\[session-unreadable\].*[Ss]ign in again/);
  });

  it('re-encrypts under the new key when the OS asks for it', async () => {
    await saveSession(session);
    electron.shouldReEncrypt = true;
    electron.keyVersion = 2;
    await expect(loadSession()).resolves.toBe(session);
    expect((await readFile(sessionFile()))[0]).toBe(2);
  });

  it('clears the saved session', async () => {
    await saveSession(session);
    await clearSession();
    await expect(loadSession()).resolves.toBeNull();
    await expect(clearSession()).resolves.toBeUndefined();
  });
});

describe('desk enrolment secrets', () => {
  const enrolment = JSON.stringify({ device: { id: 'd1', code: 'D02' }, deviceSecret: 'ds-41b7-very-secret', offlineAccounts: [{ verifier: { hash: 'h' } }] });

  it('keeps the enrolment in its own encrypted file, apart from the session, and survives sign-out', async () => {
    await saveEnrolment(enrolment);
    await saveSession(session);
    expect((await readdir(electron.userData)).sort()).toEqual(['desk.bin', 'session.bin']);
    expect((await readFile(join(electron.userData, 'desk.bin'))).includes(Buffer.from('ds-41b7-very-secret'))).toBe(false);
    await clearSession();
    await expect(loadEnrolment()).resolves.toBe(enrolment);
    await clearEnrolment();
    await expect(loadEnrolment()).resolves.toBeNull();
  });

  it('refuses to keep the device secret when encryption is unavailable', async () => {
    electron.available = false;
    await expect(saveEnrolment(enrolment)).rejects.toThrow(/\[encryption-unavailable\]/);
    expect(await readdir(electron.userData)).toEqual([]);
  });

  it('asks for a new approval code when the enrolment cannot be decrypted', async () => {
    await writeFile(join(electron.userData, 'desk.bin'), Buffer.from([9, 9, 9]));
    await expect(loadEnrolment()).rejects.toThrow(/\[session-unreadable\].*approval code/);
  });
});
