// Shutting the server down does not wait on connections that carry no request: a browser's
// preconnected socket (no request yet) or an idle keep-alive one. Node would hold the first until
// its 60-second header timeout, past the server's 10-second forced exit that skips closing the
// database.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { openTestDatabase } from '../test/database.ts';

function opened(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const closedByServer = (socket: Socket): Promise<void> => new Promise((resolve) => socket.once('close', () => resolve()));

describe('server shutdown', () => {
  it('closes connections that carry no request instead of waiting for them', async () => {
    const database = await openTestDatabase();
    try {
      const { app } = await buildApp({ database, setupCode: null, logger: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const preconnected = await opened(port);
      const keptAlive = await opened(port);
      keptAlive.write('GET /api/v1/no-such-endpoint HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await new Promise((resolve) => keptAlive.once('data', resolve));
      const ends = Promise.all([closedByServer(preconnected), closedByServer(keptAlive)]);
      // Without the fix this waits for Node's header timeout (60 s), past the test's timeout.
      await app.close();
      await ends;
      expect(preconnected.destroyed && keptAlive.destroyed).toBe(true);
    } finally {
      await database.close();
    }
  });
});
