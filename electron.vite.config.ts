// electron-vite build of the desktop app: main (ESM, Node) → out/main, the sandboxed
// preload (one self-contained CommonJS file) → out/preload, the React renderer → out/renderer.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      // Nothing is installed beside the packaged app (no runtime dependencies), so bundle everything.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only 'electron' and a few built-ins, not files or
      // packages, and cannot be an ES module; the root package is "type": "module", hence .cjs.
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [
      react(),
      {
        // electron-vite defaults to base './'; the app is served from the root of
        // app://fee-master/, and absolute asset paths keep deep links (/students/42) loadable.
        name: 'fee-master:absolute-base',
        config: () => ({ base: '/' }),
      },
    ],
    resolve: {
      alias: { '#platform': resolve(root, 'renderer/src/platform/electron.ts') },
    },
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
});
