// The server URL setting: validated, persisted, and never able to stop the app starting.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ userData: '' }));
vi.mock('electron', () => ({ app: { getPath: () => electron.userData } }));

const { getServerUrl, parseServerUrl, setServerUrl } = await import('./settings.ts');

beforeEach(async () => {
  electron.userData = await mkdtemp(join(tmpdir(), 'feemaster-settings-'));
  delete process.env.FEEMASTER_SERVER_URL;
});

afterEach(async () => {
  delete process.env.FEEMASTER_SERVER_URL;
  vi.restoreAllMocks();
  await rm(electron.userData, { recursive: true, force: true });
});

describe('parseServerUrl', () => {
  it.each([
    ['https://fees.example.org', 'https://fees.example.org'],
    ['https://fees.example.org/', 'https://fees.example.org'],
    ['  http://10.0.0.5:8787/fees/  ', 'http://10.0.0.5:8787/fees'],
    ['HTTPS://Fees.Example.org', 'https://fees.example.org'],
  ])('accepts %s', (input, expected) => {
    expect(parseServerUrl(input)).toBe(expected);
  });

  it.each(['ftp://fees.example.org', 'file:///C:/fees', 'javascript:alert(1)', '//fees.example.org', 'https://u:p@fees.example.org', 'https://fees.example.org/?next=x', 'https://fees.example.org/#x', ''])(
    'rejects %s',
    (input) => {
      expect(() => parseServerUrl(input)).toThrow(/\[invalid-argument\]/);
    },
  );
});

describe('server URL setting', () => {
  it('defaults to the local sync server', async () => {
    await expect(getServerUrl()).resolves.toBe('http://localhost:8787');
  });

  it('defaults to FEEMASTER_SERVER_URL when it is a valid URL', async () => {
    process.env.FEEMASTER_SERVER_URL = 'https://sync.school.example/';
    await expect(getServerUrl()).resolves.toBe('https://sync.school.example');
  });

  it('ignores an invalid FEEMASTER_SERVER_URL, with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    process.env.FEEMASTER_SERVER_URL = 'file:///etc/passwd';
    await expect(getServerUrl()).resolves.toBe('http://localhost:8787');
    expect(warn).toHaveBeenCalledOnce();
  });

  it('persists a chosen URL as JSON in the user data folder', async () => {
    await setServerUrl('https://fees.example.org/');
    await expect(getServerUrl()).resolves.toBe('https://fees.example.org');
    expect(JSON.parse(await readFile(join(electron.userData, 'settings.json'), 'utf8'))).toEqual({
      serverUrl: 'https://fees.example.org',
    });
  });

  it('falls back to the default when the settings file is damaged, with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await writeFile(join(electron.userData, 'settings.json'), '{"serverUrl": ');
    await expect(getServerUrl()).resolves.toBe('http://localhost:8787');
    expect(warn).toHaveBeenCalledOnce();
  });
});
