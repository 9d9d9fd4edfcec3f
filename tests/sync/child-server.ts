// The real sync server as a child process (`server.ts`, as an office runs it), so a test can
// kill it with SIGKILL in the middle of a push and start it again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TOKEN_TTL_SECONDS } from './school.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** A liveness guard: PGlite boots in seconds, even on a busy machine. */
const START_DEADLINE_MS = 120_000;

export type ChildDatabase = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface ChildServer {
  port: number;
  url: string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), resolved once the process is gone. */
  stop(): Promise<void>;
}

export async function startChildServer(database: ChildDatabase): Promise<ChildServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', FEEMASTER_WEB_ROOT: '', LOG_LEVEL: 'warn', FEEMASTER_ACCESS_TOKEN_TTL: String(TOKEN_TTL_SECONDS) };
  // The test runner's loader options are not the server's.
  delete env.NODE_OPTIONS;
  delete env.DATABASE_URL;
  delete env.FEEMASTER_DATA_DIR;
  if (database.kind === 'postgres') env.DATABASE_URL = database.url;
  // config.ts keeps PGlite's files in <FEEMASTER_DATA_DIR>/pglite.
  else env.FEEMASTER_DATA_DIR = database.dataDir;
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/src/server.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await waitUntilListening(child);
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { port, url: `http://127.0.0.1:${String(port)}`, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

function waitUntilListening(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let output = '';
    let listening = false;
    // A server that neither listens nor exits (a data directory it cannot open) fails the run.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the sync server did not start within ${String(START_DEADLINE_MS / 1000)} s:\n${output}`));
    }, START_DEADLINE_MS);
    // Keeps reading after start-up too, so a full pipe never blocks the server's logging.
    const onData = (chunk: Buffer): void => {
      if (listening) return;
      output += chunk.toString('utf8');
      const match = /Fee Master sync server http:\/\/[^\s:]+:(\d+)/.exec(output);
      if (!match) return;
      listening = true;
      clearTimeout(timer);
      resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the sync server exited (${String(code ?? signal)}) before listening:\n${output}`));
    });
  });
}
