// The main window opens where the person left it: size, position and maximized, kept in the user
// data folder. A position on a screen that is no longer attached is not restored.
import { app, screen, type BrowserWindow, type Rectangle } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFile, writeFileAtomically } from './user-data-files.ts';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 1024, height: 640 } as const;

function statePath(): string {
  return join(app.getPath('userData'), 'window-state.json');
}

function isRectangle(value: unknown): value is Rectangle {
  if (typeof value !== 'object' || value === null) return false;
  const fields = new Map(Object.entries(value));
  return ['x', 'y', 'width', 'height'].every((key) => Number.isSafeInteger(fields.get(key)));
}

/** Whether at least a corner's worth of the window lies on an attached screen's work area. */
export function visibleOnSomeScreen(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  const margin = 100;
  return workAreas.some(
    (area) => bounds.x + margin <= area.x + area.width && bounds.x + bounds.width - margin >= area.x && bounds.y >= area.y - margin / 2 && bounds.y + margin <= area.y + area.height,
  );
}

/** The saved state when it is sound and still on a screen; otherwise null (the default size, centred). */
export async function loadWindowState(): Promise<WindowState | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(statePath(), 'utf8'));
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return null;
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || !('bounds' in parsed) || !isRectangle(parsed.bounds)) return null;
  const bounds = { ...parsed.bounds, width: Math.max(parsed.bounds.width, MIN_SIZE.width), height: Math.max(parsed.bounds.height, MIN_SIZE.height) };
  if (!visibleOnSomeScreen(bounds, screen.getAllDisplays().map((d) => d.workArea))) return null;
  return { bounds, maximized: 'maximized' in parsed && parsed.maximized === true };
}

export async function saveWindowState(window: Pick<BrowserWindow, 'getNormalBounds' | 'isMaximized'>): Promise<void> {
  const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
  await writeFileAtomically(statePath(), JSON.stringify(state));
}
