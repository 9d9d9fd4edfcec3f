// What one run wrote down while it ran: the payments each desk took and the ones the server
// acknowledged, invariant violations seen on the way (a checkpoint moving back, a refused
// duplicate), and counts of the faults and events that happened, for the coverage check.

export type CounterName =
  | 'pushes'
  | 'failedPushes'
  | 'repeatedPushes'
  | 'twinPushes'
  | 'conflicts'
  | 'pulls'
  | 'failedPulls'
  | 'streamConnects'
  | 'streamDrops'
  | 'replicationErrors'
  | 'rxdbCheckpointBack'
  | 'offlinePeriods'
  | 'overlapEpisodes'
  | 'serverKills'
  | 'killedPushCommitted'
  | 'killedPushLost';

export interface TakenPayment {
  desk: string;
  receiptNumber: string;
}

export interface RunJournal {
  taken: Map<string, TakenPayment>;
  /** Pushes sent and not yet answered, by flight number. */
  inFlight: Map<number, { collection: string; ids: string[] }>;
  acknowledged: Set<string>;
  violations: string[];
  counts: Map<CounterName, number>;
  take(id: string, desk: string, receiptNumber: string): void;
  acknowledge(id: string): void;
  violation(message: string): void;
  count(name: CounterName, by?: number): void;
  pushStarted(collection: string, ids: string[]): number;
  pushEnded(flight: number): void;
}

export function createRunJournal(): RunJournal {
  let flights = 0;
  const journal: RunJournal = {
    taken: new Map(),
    inFlight: new Map(),
    acknowledged: new Set(),
    violations: [],
    counts: new Map(),
    take: (id, desk, receiptNumber) => journal.taken.set(id, { desk, receiptNumber }),
    acknowledge: (id) => journal.acknowledged.add(id),
    violation: (message) => journal.violations.push(message),
    count: (name, by = 1) => journal.counts.set(name, (journal.counts.get(name) ?? 0) + by),
    pushStarted: (collection, ids) => {
      flights += 1;
      journal.inFlight.set(flights, { collection, ids });
      return flights;
    },
    pushEnded: (flight) => journal.inFlight.delete(flight),
  };
  return journal;
}

/** Adds one run's counts into a total (the suite's coverage check reads the total). */
export function addCounts(total: Map<CounterName, number>, run: RunJournal): void {
  for (const [name, n] of run.counts) total.set(name, (total.get(name) ?? 0) + n);
}
