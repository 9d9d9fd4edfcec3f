// Live propagation desk A → desk B: desk B listens on the ledger's SSE stream, desk A pushes one
// payment at a time; each sample runs from just before A's push to B receiving the document.
import { createParser } from 'eventsource-parser';
import type { StreamMessage } from '@feemaster/core';
import { LEDGER_STREAM, percentile, pushNew } from './sync-client.ts';

export interface LatencyResult {
  samples: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  max: number;
  mean: number;
  /** Payments that did not reach desk B within the timeout (not in the percentiles). */
  missed: number;
}

interface Listener {
  /** Resolves with the time desk B received the document, or rejects after `timeoutMs`. */
  arrival(id: string, timeoutMs: number): Promise<number>;
  close(): void;
}

async function listen(baseUrl: string, token: string): Promise<Listener> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${LEDGER_STREAM}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`desk B's stream answered HTTP ${String(res.status)}`);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let resolveOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (resolveOpen = resolve));
  const parser = createParser({
    onEvent(event) {
      const at = performance.now();
      const message = JSON.parse(event.data) as StreamMessage<Record<string, unknown>>;
      if (message === 'RESYNC') {
        resolveOpen();
        return;
      }
      for (const doc of message.documents) {
        const id = String(doc.id);
        const waiter = waiting.get(id);
        if (waiter) waiter(at);
        else arrived.set(id, at);
      }
    },
  });
  const body = res.body;
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch (error) {
      if (!controller.signal.aborted) console.error(`desk B's stream failed: ${String(error)}`);
    }
  })();
  // The server says RESYNC once the subscription is in place; only then is the stream listening.
  await opened;
  return {
    arrival(id, timeoutMs) {
      const early = arrived.get(id);
      if (early !== undefined) return Promise.resolve(early);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`payment ${id} did not reach desk B within ${String(timeoutMs)} ms`));
        }, timeoutMs);
        waiting.set(id, (at) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(at);
        });
      });
    },
    close: () => controller.abort(),
  };
}

/**
 * `samples` payments from desk A (pushed to `pushUrl`), each waited for on desk B's stream (from
 * `streamUrl`, the same server or another instance) before the next is taken.
 */
export async function measureLatency(options: {
  pushUrl: string;
  streamUrl: string;
  deskA: string;
  deskB: string;
  samples: number;
  nextPayment: () => Record<string, unknown>;
  timeoutMs?: number;
}): Promise<LatencyResult> {
  const listener = await listen(options.streamUrl, options.deskB);
  const latencies: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < options.samples; i += 1) {
      const payment = options.nextPayment();
      const id = String(payment.id);
      const started = performance.now();
      const arrival = listener.arrival(id, options.timeoutMs ?? 5_000);
      // Observe a timeout now, so it cannot go unhandled while the push is still in flight.
      arrival.catch(() => undefined);
      await pushNew(options.pushUrl, options.deskA, [payment]);
      try {
        latencies.push((await arrival) - started);
      } catch (error) {
        if (!(error instanceof Error && error.message.includes('did not reach desk B'))) throw error;
        missed += 1;
      }
    }
  } finally {
    listener.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: options.samples,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
    missed,
  };
}
