// The desk's live pull stream, as the desk reads it: Server-Sent Events over fetch with the
// bearer token in a header, parsed with eventsource-parser, reconnecting with exponential
// backoff. The server starts every connection with RESYNC, which makes RxDB pull what was missed.
import { createParser } from 'eventsource-parser';
import { Observable } from 'rxjs';

export interface LiveStreamOptions<M> {
  url: string;
  token: string;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Each connection's messages, in arrival order (for the checkpoint invariant). */
  onMessage(connection: number, message: M): void;
  onConnect(): void;
  /** The connection ended or failed (the reason, for the run's statistics). */
  onDrop(reason: string): void;
}

/** `M` is what each event's JSON data holds (a batch or "RESYNC", or one wrapped with its collection). */
export function liveStream<M>(options: LiveStreamOptions<M>): Observable<M> {
  return new Observable<M>((subscriber) => {
    const controller = new AbortController();
    let attempt = 0;
    let connection = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const stopped = (): boolean => controller.signal.aborted;

    const scheduleReconnect = (): void => {
      if (stopped()) return;
      const delay = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** attempt);
      attempt += 1;
      retryTimer = setTimeout(() => void connect(), delay);
    };

    const connect = async (): Promise<void> => {
      const current = ++connection;
      try {
        const response = await fetch(options.url, {
          headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`stream answered ${String(response.status)}`);
        options.onConnect();
        attempt = 0;
        const parser = createParser({
          onEvent(event) {
            const message = JSON.parse(event.data) as M;
            options.onMessage(current, message);
            subscriber.next(message);
          },
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch (error) {
        // A cut, reset or refused connection: the desk reconnects, whatever the cause.
        if (stopped()) return;
        options.onDrop(error instanceof Error ? error.message : String(error));
        scheduleReconnect();
        return;
      }
      if (stopped()) return;
      options.onDrop('the server ended the stream');
      scheduleReconnect();
    };
    void connect();

    return () => {
      clearTimeout(retryTimer);
      controller.abort();
    };
  });
}
