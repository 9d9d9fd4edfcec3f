// Browser tests of every screen in Debian's Chromium (no browser download), against a sync
// server started for the run. The real-Electron smoke test has its own config in tests/electron.
import { defineConfig } from '@playwright/test';
import { E2E_BASE_URL } from './tests/e2e/e2e-env.ts';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LEDGER_HEAVY = ['**/initial-sync.spec.ts', '**/ledger-scope.spec.ts'];

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: E2E_BASE_URL,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  // The specs that fill the school's ledger with thousands of payments run after the others: the
  // server is shared, and every spec's desk is a fresh one that downloads the whole ledger when it
  // signs in. In Chromium 150 that download held up the other specs' first saves for 5–10 s.
  projects: [
    { name: 'desk', testIgnore: LEDGER_HEAVY },
    { name: 'ledger-heavy', testMatch: LEDGER_HEAVY, dependencies: ['desk'] },
  ],
  webServer: {
    command: 'node --import tsx tests/e2e/e2e-server.ts',
    url: `${E2E_BASE_URL}/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
