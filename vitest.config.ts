// Two vitest projects: fast unit tests beside the code, and the server suite, which
// scripts/test-server.mjs runs once on PGlite and once more on PostgreSQL when
// TEST_DATABASE_URL is set.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // The renderer's platform port resolves to the web adapter, as in the browser build.
        resolve: { alias: { '#platform': fileURLToPath(new URL('renderer/src/platform/web.ts', import.meta.url)) } },
        test: {
          name: 'unit',
          include: ['core/**/*.test.ts', 'renderer/src/**/*.test.{ts,tsx}', 'electron/**/*.test.ts', 'tests/perf/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'server',
          include: ['sync-server/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/sync/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Each file owns one database; two cores, so two files at a time.
          maxWorkers: 2,
        },
      },
    ],
  },
});
