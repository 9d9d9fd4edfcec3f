// Holds chosen database transactions of the real server open, so a test can order commits and
// pulls exactly: the server is built on a Database whose `db.transaction` is wrapped, and
// `holdNext` arms a gate for the next transaction that starts (a push, in these tests).
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../../sync-server/src/db/client.ts';

/** Where the held transaction waits: before its BEGIN, or after its work and before COMMIT. */
export type HoldPoint = 'begin' | 'commit';

export interface HeldTransaction {
  /** The server asked for the transaction. */
  requested: Promise<void>;
  /** Inside the transaction (BEGIN done). */
  begun: Promise<void>;
  /** Stopped at the hold point. */
  held: Promise<void>;
  committed: Promise<void>;
  state(): 'armed' | 'requested' | 'begun' | 'held' | 'committed' | 'failed';
  release(): void;
}

export interface TransactionGate {
  /** The database to build the server on. */
  database: Database;
  holdNext(point: HoldPoint): HeldTransaction;
  /** Gates armed and not yet taken by a transaction. */
  armed(): number;
}

interface Gate extends HeldTransaction {
  point: HoldPoint;
  released: Promise<void>;
  mark(state: 'requested' | 'begun' | 'held' | 'committed' | 'failed'): void;
}

function createGate(point: HoldPoint): Gate {
  let current: ReturnType<HeldTransaction['state']> = 'armed';
  const signal = (): { promise: Promise<void>; resolve: () => void } => {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  };
  const requested = signal();
  const begun = signal();
  const held = signal();
  const committed = signal();
  const released = signal();
  return {
    point,
    requested: requested.promise,
    begun: begun.promise,
    held: held.promise,
    committed: committed.promise,
    released: released.promise,
    state: () => current,
    release: released.resolve,
    mark(state) {
      current = state;
      if (state === 'requested') requested.resolve();
      if (state === 'begun') begun.resolve();
      if (state === 'held') held.resolve();
      if (state === 'committed') committed.resolve();
    },
  };
}

export function gateTransactions(database: Database): TransactionGate {
  const queue: Gate[] = [];
  const inner = database.db;
  const transaction: Db['transaction'] = async (run, config) => {
    const gate = queue.shift();
    if (!gate) return inner.transaction(run, config);
    gate.mark('requested');
    if (gate.point === 'begin') {
      gate.mark('held');
      await gate.released;
    }
    try {
      const result = await inner.transaction(async (tx) => {
        gate.mark('begun');
        const value = await run(tx);
        if (gate.point === 'commit') {
          gate.mark('held');
          await gate.released;
        }
        return value;
      }, config);
      gate.mark('committed');
      return result;
    } catch (error) {
      gate.mark('failed');
      throw error;
    }
  };
  const db = new Proxy(inner, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      // Drizzle's methods run on the real instance, not on this proxy.
      return typeof value === 'function' ? (value.bind(target) as unknown) : value;
    },
  });
  return {
    database: { ...database, db },
    holdNext(point) {
      const gate = createGate(point);
      queue.push(gate);
      return gate;
    },
    armed: () => queue.length,
  };
}

/** PostgreSQL sessions of this database waiting for a lock (a push queued behind another). */
export async function lockWaiters(database: Database): Promise<number> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
  return Number(row?.n ?? 0);
}
