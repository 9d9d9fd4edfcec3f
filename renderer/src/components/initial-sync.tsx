// A fresh desk's first download of the school's data, collection by collection; it resumes
// where it stopped after the app is closed or the network drops.
import type { SyncStatusStore } from '../sync/status.ts';
import { useObservable } from './use-observable.ts';

export function InitialSyncProgress({ store }: { store: SyncStatusStore }) {
  const { initialSync } = useObservable(store.status$, store.current());
  if (!initialSync) return null;
  const done = initialSync.collections.filter((c) => c.done).length;
  return (
    <section className="card initial-sync" aria-label="Downloading the school's data" data-testid="initial-sync">
      <h3>Downloading the school&apos;s data to this desk</h3>
      <p className="muted">
        {done} of {initialSync.collections.length} kinds of record ready. You can start working; what is not here yet appears as it arrives, and an interrupted download continues where it stopped.
      </p>
      <ul>
        {initialSync.collections.map((c) => (
          <li key={c.name} data-testid={`initial-sync-${c.name}`} data-done={c.done}>
            <span>{c.label} records</span>{' '}
            {c.total !== null && c.total > 0 ? (
              <progress max={c.total} value={Math.min(c.local, c.total)} aria-label={`${c.label} records`} />
            ) : null}{' '}
            <span className="muted">{c.done ? `${c.local.toLocaleString()} ready` : c.total !== null ? `${Math.min(c.local, c.total).toLocaleString()} of ${c.total.toLocaleString()}` : `${c.local.toLocaleString()} so far`}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
