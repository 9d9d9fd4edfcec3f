// One Server-Sent Events response: headers, heartbeats so proxies keep it open, a periodic
// re-check of the caller (signed out, revoked desk, withdrawn access end it with the reason),
// and clean ending on client close or server shutdown. Used by replication and notifications.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

export interface EventStreamOptions {
  heartbeatMs: number;
  recheckMs: number;
  /** Rejects when the caller may no longer listen. */
  recheck(): Promise<unknown>;
  /** Registers the stream so server shutdown can end it; returns the unregistration. */
  track(end: () => void): () => void;
  /** Runs once when the stream ends, for whatever the caller subscribed. */
  onEnd(): void;
}

export interface EventStream {
  send(data: unknown): void;
  end(): void;
}

export function openEventStream(request: FastifyRequest, reply: FastifyReply, options: EventStreamOptions): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...Object.fromEntries(Object.entries(reply.getHeaders()).filter((entry): entry is [string, string | number | string[]] => entry[1] !== undefined)),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  const end = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearInterval(recheck);
    options.onEnd();
    untrack();
    res.end();
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  const recheck = setInterval(() => {
    options.recheck().then(
      () => undefined,
      (error: unknown) => {
        const message = error instanceof AppError ? error.message : 'Sign in again.';
        res.write(`event: unauthorized\ndata: ${JSON.stringify({ error: 'unauthorized', message })}\n\n`);
        end();
      },
    );
  }, options.recheckMs);
  const untrack = options.track(end);
  request.raw.on('close', end);
  return {
    send(data) {
      if (!closed) res.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    end,
  };
}
