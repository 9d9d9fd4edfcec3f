// Real-Electron smoke test, run only by the desktop CI workflow (it needs the Electron binary
// and a prior `electron-vite build`). Kept apart from the browser suite in tests/e2e.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  workers: 1,
  retries: process.env.CI === undefined ? 0 : 1,
  reporter: [['list'], ['html', { open: 'never', outputFolder: '../../playwright-report/electron' }]],
  outputDir: '../../test-results/electron',
});
