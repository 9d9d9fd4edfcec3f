// A list the screen reads from the sync server (desks, staff): loading, ready or failed with a
// message, read again on demand, and one item replaced by the server's answer to an action.
import { useCallback, useEffect, useState } from 'react';

export type ServerList<T> = { status: 'loading' } | { status: 'ready'; items: T[]; readAt: number } | { status: 'failed'; error: string };

export interface ServerListHandle<T> {
  list: ServerList<T>;
  /** The items while ready, else none. */
  items: T[];
  readAgain: () => void;
  /** Puts the server's latest state of one item into the list (matched by `sameItem`), kept in `order`. */
  show: (item: T) => void;
}

export function useServerList<T>(
  read: () => Promise<T[]>,
  failure: (error: unknown) => string,
  sameItem: (a: T, b: T) => boolean,
  order: (a: T, b: T) => number,
): ServerListHandle<T> {
  const [list, setList] = useState<ServerList<T>>({ status: 'loading' });
  const [reads, setReads] = useState(0);

  useEffect(() => {
    let cancelled = false;
    read().then(
      (items) => {
        if (!cancelled) setList({ status: 'ready', items, readAt: Date.now() });
      },
      (error: unknown) => {
        if (!cancelled) setList({ status: 'failed', error: failure(error) });
      },
    );
    return () => {
      cancelled = true;
    };
    // `read` and `failure` change with the screen's API client; a new client reads again.
  }, [read, failure, reads]);

  const readAgain = useCallback((): void => {
    setList({ status: 'loading' });
    setReads((n) => n + 1);
  }, []);

  const show = (item: T): void =>
    setList((current) => {
      if (current.status !== 'ready') return current;
      return { status: 'ready', items: [...current.items.filter((other) => !sameItem(other, item)), item].sort(order), readAt: Date.now() };
    });

  return { list, items: list.status === 'ready' ? list.items : [], readAgain, show };
}
