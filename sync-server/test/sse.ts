// For server tests: a live stream opened over real HTTP, read event by event.
import { expect } from 'vitest';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface OpenStream {
  /** The next event, waiting for it if none has arrived yet. */
  next: () => Promise<EventSourceMessage>;
  close: () => void;
}

/** A collection's replication stream. */
export function openStream(baseUrl: string, token: string, collection = 'students', schemaVersion = 1): Promise<OpenStream> {
  return openStreamAt(baseUrl, `/api/v1/sync/${collection}/${String(schemaVersion)}/stream`, token);
}

export async function openStreamAt(baseUrl: string, path: string, token: string): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const queue: EventSourceMessage[] = [];
  const waiters: ((m: EventSourceMessage) => void)[] = [];
  const parser = createParser({
    onEvent(message) {
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    },
  });
  const body = res.body;
  if (!body) throw new Error('no body');
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    next: () => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
    close: () => controller.abort(),
  };
}
