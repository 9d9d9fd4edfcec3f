// A failure the renderer can act on. The message crosses IPC as text, so it carries its
// reason code in brackets: `[invalid-argument] Server URL must …`.
import type { DesktopErrorCode } from '../preload/bridge.ts';

export class DesktopError extends Error {
  override readonly name = 'DesktopError';

  constructor(
    readonly code: DesktopErrorCode,
    detail: string,
  ) {
    super(`[${code}] ${detail}`);
  }
}
