// Child process that runs one sync server for the benchmark, so the server has its own event
// loop (as pouchdb-server, the peer, has its own process) and the desks' HTTP work does not
// share it. Started by server-process.ts; tells it the server's address over IPC; closes on
// 'close', and also when the benchmark goes away (Ctrl-C, a crash) so no database is left behind.
import { openBenchDatabase, startBenchServer, startSecondInstance } from './bench-server.ts';
import type { HostReply, HostRequest } from './server-process.ts';

function reply(message: HostReply): void {
  if (process.connected && process.send) process.send(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

let closeAll: (() => Promise<void>) | null = null;
let closing: Promise<void> | null = null;

/** Closes the server and removes its database once, however the end was asked for. */
function shutdown(): Promise<void> {
  closing ??= (closeAll ? closeAll() : Promise.resolve()).then(
    () => {
      reply({ type: 'closed' });
      if (process.connected) process.disconnect();
    },
    (error: unknown) => {
      reply({ type: 'error', message: describe(error) });
      process.exitCode = 1;
      if (process.connected) process.disconnect();
    },
  );
  return closing;
}

async function main(request: HostRequest): Promise<void> {
  if (request.mode === 'primary') {
    const bench = await openBenchDatabase(request.backend, request.adminUrl);
    closeAll = () => bench.dispose();
    const running = await startBenchServer(bench, request.desks, request.webRoot);
    closeAll = async () => {
      await running.close();
      await bench.dispose();
    };
    reply({ type: 'ready', info: { baseUrl: running.baseUrl, school: running.school, ownerToken: running.ownerToken, desks: running.desks }, target: bench.target });
  } else {
    const instance = await startSecondInstance(request.target);
    closeAll = () => instance.close();
    reply({ type: 'ready-instance', baseUrl: instance.baseUrl });
  }
}

process.on('message', (message: unknown) => {
  if (message === 'close') void shutdown();
});
// The benchmark ended without asking (crashed or interrupted): clean up all the same.
process.on('disconnect', () => void shutdown());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown());

const [, , requestJson] = process.argv;
if (!requestJson) throw new Error('server-host.ts needs its request as the first argument (JSON)');
main(JSON.parse(requestJson) as HostRequest).catch(async (error: unknown) => {
  reply({ type: 'error', message: describe(error) });
  process.exitCode = 1;
  await shutdown();
});
