// A TCP proxy between one desk and the sync server that misbehaves like a bad office network:
// per connection it may add latency, cut the connection after some bytes, or black-hole it
// (accept, then forward nothing more); it can also take the desk offline (refuse or swallow
// every connection). Each connection's fault is drawn from its own fork of the run's PRNG.
import { createServer, connect, type Socket } from 'node:net';
import type { Prng } from './prng.ts';

export type Direction = 'up' | 'down';

export type ConnectionFault =
  | { kind: 'none' }
  | { kind: 'delay'; ms: number }
  | { kind: 'cut'; direction: Direction; afterBytes: number }
  | { kind: 'blackhole'; direction: Direction; afterBytes: number };

/** 'refuse': connections are reset at once; 'blackhole': accepted and never answered. */
export type OfflineMode = 'refuse' | 'blackhole';

export interface ProxyStats {
  connections: number;
  refused: number;
  delayed: number;
  cut: number;
  blackholed: number;
}

export interface FaultProxy {
  url: string;
  stats: ProxyStats;
  /** Goes offline (open connections are cut) or back online. */
  setOffline(mode: OfflineMode | null): void;
  /** Swallows everything the server sends, on open and new connections (its answers are lost). */
  swallowResponses(swallow: boolean): void;
  /** Refuses new connections but leaves open ones alone (the server is down for a moment). */
  refuseNew(refuse: boolean): void;
  /** Whether new connections draw a fault; off, they pass untouched. */
  setFaults(enabled: boolean): void;
  /** Points new connections at another server port (a restarted server). */
  setTarget(port: number): void;
  /** Cuts every open connection, as a network that comes back after dropping its state. */
  cutAll(): void;
  /** Called with the request line of each HTTP request the desk sends upstream. */
  onRequest(listener: (requestLine: string) => void): () => void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  targetPort: number;
  prng: Prng;
  /** Probability that a new connection gets a fault while faults are on. */
  faultRate: number;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let targetPort = options.targetPort;
  let offline: OfflineMode | null = null;
  let faults = false;
  let refusing = false;
  let muted = false;
  let connectionIndex = 0;
  const open = new Set<Socket>();
  const listeners = new Set<(requestLine: string) => void>();
  const stats: ProxyStats = { connections: 0, refused: 0, delayed: 0, cut: 0, blackholed: 0 };

  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A reset peer is the point of this proxy; the socket is closed either way.
    socket.on('error', () => socket.destroy());
  };

  const drawFault = (prng: Prng): ConnectionFault => {
    if (!faults || !prng.chance(options.faultRate)) return { kind: 'none' };
    const direction: Direction = prng.chance(0.6) ? 'down' : 'up';
    // Small byte counts land in the headers, larger ones inside a body or a live stream.
    const afterBytes = prng.chance(0.3) ? prng.int(0, 200) : prng.int(200, 6000);
    switch (prng.pick(['delay', 'delay', 'cut', 'cut', 'blackhole'] as const)) {
      case 'delay':
        return { kind: 'delay', ms: prng.int(1, 60) };
      case 'cut':
        return { kind: 'cut', direction, afterBytes };
      case 'blackhole':
        return { kind: 'blackhole', direction, afterBytes };
    }
  };

  const server = createServer((client) => {
    track(client);
    stats.connections += 1;
    const prng = options.prng.fork(connectionIndex++);
    if (offline === 'refuse' || refusing) {
      stats.refused += 1;
      client.resetAndDestroy();
      return;
    }
    if (offline === 'blackhole') {
      stats.blackholed += 1;
      client.on('data', () => undefined);
      return;
    }
    const fault = drawFault(prng);
    if (fault.kind === 'delay') stats.delayed += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    let swallowed = false;
    const forward = (direction: Direction, from: Socket, to: Socket): void => {
      let sent = 0;
      let due = 0;
      const queue: { at: number; chunk: Buffer }[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      let ended = false;
      const pump = (): void => {
        timer = undefined;
        while (queue[0] && queue[0].at <= Date.now()) {
          const item = queue.shift();
          if (item && !to.destroyed) to.write(item.chunk);
        }
        if (queue[0]) timer = setTimeout(pump, Math.max(0, queue[0].at - Date.now()));
        else if (ended && !swallowed) to.end();
      };
      const write = (chunk: Buffer): void => {
        if (fault.kind !== 'delay') {
          to.write(chunk);
          return;
        }
        due = Math.max(due, Date.now() + fault.ms);
        queue.push({ at: due, chunk });
        timer ??= setTimeout(pump, Math.max(0, due - Date.now()));
      };
      from.on('data', (chunk: Buffer) => {
        if (direction === 'up') announce(chunk);
        if (swallowed || (muted && direction === 'down')) return;
        if ((fault.kind === 'cut' || fault.kind === 'blackhole') && fault.direction === direction && sent + chunk.length > fault.afterBytes) {
          const head = chunk.subarray(0, Math.max(0, fault.afterBytes - sent));
          if (head.length > 0) to.write(head);
          sent = fault.afterBytes;
          if (fault.kind === 'cut') {
            stats.cut += 1;
            // Let the partial chunk leave before the reset.
            setImmediate(() => {
              client.destroy();
              upstream.destroy();
            });
          } else {
            stats.blackholed += 1;
            swallowed = true;
          }
          return;
        }
        sent += chunk.length;
        write(chunk);
      });
      from.on('end', () => {
        ended = true;
        if (!swallowed && queue.length === 0) to.end();
      });
    };
    forward('up', client, upstream);
    forward('down', upstream, client);
  });

  const announce = (chunk: Buffer): void => {
    if (listeners.size === 0) return;
    const text = chunk.subarray(0, 200).toString('latin1');
    const match = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS) (\S+) HTTP\/1\.[01]\r\n/.exec(text);
    if (!match) return;
    for (const listener of listeners) listener(`${match[1] ?? ''} ${match[2] ?? ''}`);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fault proxy has no TCP port');
  const cutAll = (): void => {
    for (const socket of open) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    stats,
    setOffline(mode) {
      offline = mode;
      if (mode) cutAll();
    },
    swallowResponses(swallow) {
      muted = swallow;
    },
    refuseNew(refuse) {
      refusing = refuse;
    },
    setFaults(enabled) {
      faults = enabled;
    },
    setTarget(port) {
      targetPort = port;
    },
    cutAll,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        cutAll();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
