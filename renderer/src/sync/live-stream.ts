// Reads the server's Server-Sent Events over fetch (so the bearer token travels in a header,
// which EventSource cannot do) and reconnects with backoff. Each (re)connection starts with
// the server's RESYNC, which makes RxDB pull whatever was missed.
import { createParser } from 'eventsource-parser';
import { Observable } from 'rxjs';
import type { StreamMessage } from '@feemaster/core';

export interface LiveStreamOptions {
  url: string;
  token: string;
  /** Called when the server ends the stream because the sign-in is no longer valid. */
  onUnauthorized(message: string): void;
  onConnectionChange(connected: boolean, reason?: string): void;
  maxBackoffMs?: number;
}

export function liveStream<T>(options: LiveStreamOptions): Observable<StreamMessage<T>> {
  return new Observable<StreamMessage<T>>((subscriber) => {
    let controller = new AbortController();
    let stopped = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const scheduleReconnect = (): void => {
      if (stopped) return;
      const delay = Math.min(options.maxBackoffMs ?? 15_000, 500 * 2 ** attempt);
      attempt += 1;
      retryTimer = setTimeout(() => void connect(), delay);
    };
    // Coming back online should not wait for the backoff.
    const onOnline = (): void => {
      clearTimeout(retryTimer);
      attempt = 0;
      controller.abort();
      controller = new AbortController();
      void connect();
    };
    globalThis.addEventListener('online', onOnline);

    const connect = async (): Promise<void> => {
      const signal = controller.signal;
      try {
        const response = await fetch(options.url, { headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' }, signal });
        if (response.status === 401) {
          options.onUnauthorized('Your sign-in has expired. Sign in again to keep syncing.');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        options.onConnectionChange(true);
        attempt = 0;
        let unauthorized = false;
        const parser = createParser({
          onEvent(event) {
            if (event.event === 'unauthorized') {
              unauthorized = true;
              const body = JSON.parse(event.data) as { message?: string };
              options.onUnauthorized(body.message ?? 'Sign in again to keep syncing.');
              return;
            }
            subscriber.next(JSON.parse(event.data) as StreamMessage<T>);
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
        if (unauthorized) return;
        if (stopped || signal.aborted) return;
        options.onConnectionChange(false, 'The live connection to the sync server closed.');
      } catch (error) {
        if (stopped || signal.aborted) return;
        options.onConnectionChange(false, error instanceof Error ? error.message : String(error));
      }
      scheduleReconnect();
    };
    void connect();

    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      globalThis.removeEventListener('online', onOnline);
      controller.abort();
    };
  });
}
