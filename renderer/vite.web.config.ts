// Builds the browser edition of the desk app into out/web, served by the sync server.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { offlineShell } from './build/offline-shell-plugin.ts';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react(), offlineShell()],
  resolve: { alias: { '#platform': resolve(here, 'src/platform/web.ts') } },
  // One bundle is right for a desk app loaded once and then cached for offline use.
  build: { outDir: resolve(here, '../out/web'), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://localhost:8787', '/health': 'http://localhost:8787' } },
});
