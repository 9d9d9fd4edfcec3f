// Starts a benchmark sync server in its own Node process (server-host.ts) and talks to it over
// IPC: the address and desks once it is ready, and 'close' to shut it down and drop its database.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from '../../sync-server/src/db/client.ts';
import type { BackendKind, ServerInfo } from './bench-server.ts';

export type HostRequest = { mode: 'primary'; backend: BackendKind; desks: number; adminUrl: string; webRoot: string | null } | { mode: 'instance'; target: DatabaseTarget };

export type HostReply =
  | { type: 'ready'; info: ServerInfo; target: DatabaseTarget }
  | { type: 'ready-instance'; baseUrl: string }
  | { type: 'closed' }
  | { type: 'error'; message: string };

const hostScript = fileURLToPath(new URL('./server-host.ts', import.meta.url));

export interface ServerProcess {
  pid: number | undefined;
  close(): Promise<void>;
}

/** Extra Node flags for the server processes (e.g. --cpu-prof), from the benchmark's --profile. */
let serverNodeFlags: string[] = [];
export function setServerNodeFlags(flags: string[]): void {
  serverNodeFlags = flags;
}

function spawnHost(request: HostRequest): { child: ChildProcess; next: () => Promise<HostReply> } {
  const child = fork(hostScript, [JSON.stringify(request)], { execArgv: ['--import', 'tsx', ...serverNodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: HostReply[] = [];
  const waiters: { resolve: (reply: HostReply) => void; reject: (error: Error) => void }[] = [];
  child.on('message', (message: HostReply) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  child.on('exit', (code, signal) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the benchmark server process ended (code ${String(code)}, signal ${String(signal)})`));
  });
  const next = (): Promise<HostReply> => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error('the benchmark server process has ended'));
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  return { child, next };
}

function closer(child: ChildProcess, next: () => Promise<HostReply>): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send('close');
    const answer = await next();
    if (answer.type === 'error') throw new Error(`closing the benchmark server failed:\n${answer.message}`);
    await exited;
  };
}

/** A server on a fresh database with one school and `desks` enrolled desks, each with a cashier signed in. */
export async function startServerProcess(
  backend: BackendKind,
  desks: number,
  adminUrl: string,
  webRoot: string | null,
): Promise<ServerProcess & { info: ServerInfo; target: DatabaseTarget }> {
  const { child, next } = spawnHost({ mode: 'primary', backend, desks, adminUrl, webRoot });
  const first = await next();
  if (first.type === 'error') throw new Error(`the ${backend} benchmark server did not start:\n${first.message}`);
  if (first.type !== 'ready') throw new Error(`the benchmark server sent ${first.type} before it was ready`);
  return { pid: child.pid, info: first.info, target: first.target, close: closer(child, next) };
}

/** A second server instance on an existing PostgreSQL database. */
export async function startInstanceProcess(target: DatabaseTarget): Promise<ServerProcess & { baseUrl: string }> {
  const { child, next } = spawnHost({ mode: 'instance', target });
  const first = await next();
  if (first.type === 'error') throw new Error(`the second server instance did not start:\n${first.message}`);
  if (first.type !== 'ready-instance') throw new Error(`the second instance sent ${first.type} before it was ready`);
  return { pid: child.pid, baseUrl: first.baseUrl, close: closer(child, next) };
}
