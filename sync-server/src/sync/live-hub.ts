// In-process fan-out of committed changes to open live streams, per school and collection.
import type { StreamBatch, StreamMessage } from '@feemaster/core';

type Batch = StreamBatch<Record<string, unknown>>;
/** `client`: the desk whose upload this batch is, when its own stream may skip it. */
type Listener = (message: StreamMessage<Record<string, unknown>>, client: string | null) => void;

export interface LiveHub {
  publish(schoolId: string, collection: string, batch: Batch, client?: string | null): void;
  subscribe(schoolId: string, collection: string, listener: Listener): () => void;
  /** Whether a stream of this instance follows the collection of that school now. */
  listening(schoolId: string, collection: string): boolean;
  /** Tells every open stream to pull again (changes may have been missed). */
  resyncAll(): void;
  /** Open subscriptions, for health and tests. */
  size(): number;
}

export function createLiveHub(): LiveHub {
  const listeners = new Map<string, Set<Listener>>();
  const key = (schoolId: string, collection: string): string => `${schoolId}\u0000${collection}`;
  return {
    publish(schoolId, collection, batch, client = null) {
      for (const listener of listeners.get(key(schoolId, collection)) ?? []) listener(batch, client);
    },
    subscribe(schoolId, collection, listener) {
      const k = key(schoolId, collection);
      const set = listeners.get(k) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(k, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(k);
      };
    },
    listening(schoolId, collection) {
      return listeners.has(key(schoolId, collection));
    },
    resyncAll() {
      for (const set of listeners.values()) for (const listener of set) listener('RESYNC', null);
    },
    size() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
}
