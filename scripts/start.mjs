// `npm start`: the sync server on its embedded database plus the desk app. Where Electron
// cannot start (no binary or no display), the server serves the browser edition and this
// prints its URL.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const port = process.env.PORT ?? '8787';
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) console.warn(`Warning: Fee Master targets Node 24 LTS; this is Node ${process.versions.node}.`);

console.log('Building the desk app…');
const build = spawnSync('npx', ['vite', 'build', '--config', 'renderer/vite.web.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/server.ts', 'start'], {
  stdio: 'inherit',
  env: { ...process.env, PORT: port },
});
const children = [server];
const stopAll = (signal) => {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
server.on('exit', (code) => {
  stopAll('SIGTERM');
  process.exit(code ?? 0);
});

const electronBinary = findElectron();
if (electronBinary.ok) {
  const desktop = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (desktop.status === 0) {
    const app = spawn(electronBinary.path, ['.'], { stdio: 'inherit', env: { ...process.env, FEEMASTER_SERVER_URL: `http://localhost:${port}` } });
    children.push(app);
    app.on('exit', () => stopAll('SIGTERM'));
  }
} else {
  console.log(`\nThe desktop app cannot start here (${electronBinary.why}).`);
  console.log(`Open the desk app in a browser instead: http://localhost:${port}/ (the server prints it again when ready).\n`);
}

function findElectron() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { ok: false, why: 'no display' };
  try {
    // The electron package exports the binary's path and throws when the binary was not downloaded.
    const path = require('electron');
    return typeof path === 'string' ? { ok: true, path } : { ok: false, why: 'electron package has no binary path' };
  } catch (error) {
    return { ok: false, why: `Electron binary not installed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
