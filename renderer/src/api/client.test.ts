// A request the network holds: given up after its timeout and reported as the server being out of
// reach, which is what the desk tells the cashier and works on through.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, requestJson } from './client.ts';

let server: Server;
let url = '';
beforeAll(async () => {
  // Accepts the connection and never answers, as a link that black-holes traffic does.
  server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = typeof address === 'object' && address ? `http://127.0.0.1:${String(address.port)}` : '';
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('requestJson', () => {
  it('gives up a request the network holds past its timeout, as the server being out of reach', async () => {
    const started = Date.now();
    const failure = await requestJson(url, '/api/v1/sync/settings', { signal: AbortSignal.timeout(200) }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'offline' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('leaves the caller’s own abort to the caller', async () => {
    const controller = new AbortController();
    const pending = requestJson(url, '/api/v1/sync/settings', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
