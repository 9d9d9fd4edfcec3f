// The window opens where the person left it, unless that place is on a screen no longer attached.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  userData: '',
  displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
}));
vi.mock('electron', () => ({
  app: { getPath: () => electron.userData },
  screen: { getAllDisplays: () => electron.displays },
}));

const { loadWindowState, saveWindowState, visibleOnSomeScreen } = await import('./window-state.ts');

beforeEach(async () => {
  electron.userData = await mkdtemp(join(tmpdir(), 'feemaster-window-'));
  electron.displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }];
});
afterEach(async () => {
  await rm(electron.userData, { recursive: true, force: true });
});

describe('window state', () => {
  it('comes back as it was left: size, position and maximized', async () => {
    await saveWindowState({ getNormalBounds: () => ({ x: 120, y: 80, width: 1400, height: 900 }), isMaximized: () => true });
    await expect(loadWindowState()).resolves.toEqual({ bounds: { x: 120, y: 80, width: 1400, height: 900 }, maximized: true });
  });

  it('is not restored onto a screen that was unplugged, nor from a damaged file, nor below the smallest size', async () => {
    await saveWindowState({ getNormalBounds: () => ({ x: 2200, y: 100, width: 1300, height: 800 }), isMaximized: () => false });
    await expect(loadWindowState()).resolves.toBeNull();
    await writeFile(join(electron.userData, 'window-state.json'), '{"bounds":');
    await expect(loadWindowState()).resolves.toBeNull();
    await saveWindowState({ getNormalBounds: () => ({ x: 10, y: 10, width: 300, height: 200 }), isMaximized: () => false });
    await expect(loadWindowState()).resolves.toEqual({ bounds: { x: 10, y: 10, width: 1024, height: 640 }, maximized: false });
  });

  it('counts a window as visible when a good part of it is on some screen', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1040 }, { x: 1920, y: 0, width: 1280, height: 1024 }];
    expect(visibleOnSomeScreen({ x: 2000, y: 50, width: 1000, height: 700 }, screens)).toBe(true);
    expect(visibleOnSomeScreen({ x: 3300, y: 50, width: 1000, height: 700 }, screens)).toBe(false);
    expect(visibleOnSomeScreen({ x: -950, y: 50, width: 1000, height: 700 }, screens)).toBe(false);
    expect(visibleOnSomeScreen({ x: 100, y: -400, width: 1000, height: 700 }, screens)).toBe(false);
  });
});
