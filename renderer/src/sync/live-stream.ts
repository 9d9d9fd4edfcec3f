// Reads the server's Server-Sent Events over fetch (so the bearer token travels in a header,
// which EventSource cannot do) and reconnects with backoff. Each (re)connection starts with
// the server's RESYNC, which makes RxDB pull whatever was missed. Notifications use it too.
import { createParser } from 'eventsource-parser';
import { Observable } from 'rxjs';
import { ApiError } from '../api/client.ts';
import type { AccessTokens } from '../api/access-token.ts';

export interface LiveStreamOptions {
  url: string;
  tokens: AccessTokens;
  /** Called when the server ends the stream because the sign-in is no longer valid. */
  onUnauthorized(message: string): void;
  onConnectionChange(connected: boolean, reason?: string): void;
  maxBackoffMs?: number;
}

/** `M` is what each event's JSON data holds (replication: a batch or "RESYNC"). */
export function liveStream<M>(options: LiveStreamOptions): Observable<M> {
  return new Observable<M>((subscriber) => {
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

    /** After the server refused the token: refresh and reconnect, or report the desk signed out. */
    const reauthorize = async (rejected: string): Promise<void> => {
      try {
        await options.tokens.afterUnauthorized(rejected);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthorized') {
          options.onUnauthorized(error.message);
          return;
        }
        options.onConnectionChange(false, error instanceof Error ? error.message : String(error));
        scheduleReconnect();
        return;
      }
      if (!stopped) void connect();
    };

    const connect = async (): Promise<void> => {
      const signal = controller.signal;
      try {
        const token = await options.tokens.current();
        const response = await fetch(options.url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal });
        if (response.status === 401) {
          await reauthorize(token);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        options.onConnectionChange(true);
        attempt = 0;
        let unauthorized = false;
        const parser = createParser({
          onEvent(event) {
            if (event.event === 'unauthorized') {
              // The token expired or was revoked while the stream was open.
              unauthorized = true;
              return;
            }
            subscriber.next(JSON.parse(event.data) as M);
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
        if (unauthorized) {
          await reauthorize(token);
          return;
        }
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
