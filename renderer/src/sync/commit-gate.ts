// The writes a cashier waits for: a payment being numbered and stored. The desk's bookkeeping
// after an upload (its count of waiting changes, RxDB's replication state) waits until none is in
// progress, so it does not share IndexedDB and the main thread with a commit; it runs a few
// milliseconds later instead.
let inProgress = 0;
let waiting: (() => void)[] = [];

/** Runs a commit; bookkeeping asked for meanwhile waits for it (and any other) to end. */
export async function asCommit<T>(work: () => Promise<T>): Promise<T> {
  inProgress += 1;
  try {
    return await work();
  } finally {
    inProgress -= 1;
    if (inProgress === 0) {
      const ready = waiting;
      waiting = [];
      for (const resume of ready) resume();
    }
  }
}

/** Resolves at once when no commit is in progress, else when the last one ends. */
export function afterCommits(): Promise<void> {
  return inProgress === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
}
