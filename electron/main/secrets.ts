// The signed-in session (device refresh token and the like), kept in the user data folder
// encrypted with the OS key store through safeStorage. Never written in plaintext.
import { app, safeStorage } from 'electron';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DesktopError } from './desktop-error.ts';
import { isMissingFile, writeFileAtomically } from './user-data-files.ts';

function sessionPath(): string {
  return join(app.getPath('userData'), 'session.bin');
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

export async function saveSession(json: string): Promise<void> {
  await assertEncryptionAvailable();
  const encrypted = await safeStorage.encryptStringAsync(json);
  await writeFileAtomically(sessionPath(), encrypted);
}

export async function loadSession(): Promise<string | null> {
  let encrypted: Buffer;
  try {
    encrypted = await readFile(sessionPath());
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  await assertEncryptionAvailable();
  let decrypted: { result: string; shouldReEncrypt: boolean };
  try {
    decrypted = await safeStorage.decryptStringAsync(encrypted);
  } catch (error) {
    throw new DesktopError(
      'session-unreadable',
      `The saved sign-in could not be decrypted (${String(error)}). Sign in again to replace it.`,
    );
  }
  if (decrypted.shouldReEncrypt) {
    // The OS rotated the key: store the session again under the new key.
    await writeFileAtomically(sessionPath(), await safeStorage.encryptStringAsync(decrypted.result));
  }
  return decrypted.result;
}

export async function clearSession(): Promise<void> {
  await rm(sessionPath(), { force: true });
}
