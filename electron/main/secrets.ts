// Secrets kept in the user data folder encrypted with the OS key store through safeStorage, never
// in plaintext: the signed-in session (refresh token and the like) and the desk's enrolment
// (its device secret and the offline sign-in verifiers of the people who used it).
import { app, safeStorage } from 'electron';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DesktopError } from './desktop-error.ts';
import { isMissingFile, writeFileAtomically } from './user-data-files.ts';

type SecretFile = 'session.bin' | 'desk.bin';

function secretPath(file: SecretFile): string {
  return join(app.getPath('userData'), file);
}

async function assertEncryptionAvailable(): Promise<void> {
  // The async API replaces the synchronous one deprecated in Electron 45.
  const available = await safeStorage.isAsyncEncryptionAvailable();
  // On Linux without a keyring, "basic_text" encrypts with a hard-coded password: plaintext in effect.
  const plainTextOnLinux = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (!available || plainTextOnLinux) {
    throw new DesktopError(
      'encryption-unavailable',
      'This computer has no secure key store available to Fee Master, so the sign-in cannot be kept. ' +
        'On Windows and macOS sign in to your user account normally; on Linux start a keyring (GNOME Keyring or KWallet). ' +
        'Then restart Fee Master and sign in again.',
    );
  }
}

async function saveSecret(file: SecretFile, json: string): Promise<void> {
  await assertEncryptionAvailable();
  const encrypted = await safeStorage.encryptStringAsync(json);
  await writeFileAtomically(secretPath(file), encrypted);
}

async function loadSecret(file: SecretFile, what: string): Promise<string | null> {
  let encrypted: Buffer;
  try {
    encrypted = await readFile(secretPath(file));
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  await assertEncryptionAvailable();
  let decrypted: { result: string; shouldReEncrypt: boolean };
  try {
    decrypted = await safeStorage.decryptStringAsync(encrypted);
  } catch (error) {
    throw new DesktopError('session-unreadable', `The saved ${what} could not be decrypted (${String(error)}). ${file === 'session.bin' ? 'Sign in again to replace it.' : 'Enrol this desk again with a new approval code.'}`);
  }
  if (decrypted.shouldReEncrypt) {
    // The OS rotated the key: store the secret again under the new key.
    await writeFileAtomically(secretPath(file), await safeStorage.encryptStringAsync(decrypted.result));
  }
  return decrypted.result;
}

export const saveSession = (json: string): Promise<void> => saveSecret('session.bin', json);
export const loadSession = (): Promise<string | null> => loadSecret('session.bin', 'sign-in');
export async function clearSession(): Promise<void> {
  await rm(secretPath('session.bin'), { force: true });
}

export const saveEnrolment = (json: string): Promise<void> => saveSecret('desk.bin', json);
export const loadEnrolment = (): Promise<string | null> => loadSecret('desk.bin', 'desk enrolment');
export async function clearEnrolment(): Promise<void> {
  await rm(secretPath('desk.bin'), { force: true });
}
