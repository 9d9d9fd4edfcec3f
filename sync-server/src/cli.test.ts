// The server as an operator runs it: `init` on the embedded database, refusing a second run,
// then `start` answering /health and shutting down cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url));
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'feemaster-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return { ...rest, FEEMASTER_DATA_DIR: dataDir, FEEMASTER_WEB_ROOT: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', serverEntry, ...args], { env: env() });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const initArgs = ['init', '--school', 'Mount Elgon School', '--currency', 'UGX', '--timezone', 'Africa/Kampala', '--owner-email', 'head@elgon.example', '--owner-password', 'a-long-passphrase'];

describe('npm run server -- init / start', () => {
  it('sets up a school once and refuses the second time', async () => {
    const first = await run(initArgs);
    expect(first.output).toContain('Set up "Mount Elgon School"');
    expect(first.code).toBe(0);
    const second = await run(initArgs);
    expect(second.code).toBe(1);
    expect(second.output).toContain('already set up for "Mount Elgon School"');
    // Two cold starts of the embedded database; on a loaded 2-core machine each can take 15 s.
  }, 90_000);

  it('explains missing options', async () => {
    const res = await run(['init', '--school', 'X']);
    expect(res.code).toBe(2);
    expect(res.output).toContain('Missing --currency, --timezone, --owner-email, --owner-password');
  });

  it('starts on the embedded database, reports pglite on /health and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], { env: env() });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        const match = /sync server (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('close', () => reject(new Error(`server exited early:\n${output}`)));
    });
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; database: { kind: string } };
    expect(health).toMatchObject({ status: 'ok', database: { kind: 'pglite', reachable: true }, setupRequired: false });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
