// Always-visible sync state: network, server connection, changes waiting, last sync.
import { useMemo } from 'react';
import type { SyncStatus, SyncStatusStore } from '../sync/status.ts';
import { useObservable } from './use-observable.ts';

export function describeSync(status: SyncStatus, now = new Date()): { tone: 'ok' | 'warn' | 'error'; headline: string; detail: string } {
  const waiting = status.pending === 0 ? 'All changes saved to the server' : `${status.pending} change${status.pending === 1 ? '' : 's'} waiting to sync`;
  const last = status.lastSyncAt ? `last sync ${formatAgo(new Date(status.lastSyncAt), now)}` : 'not synced yet';
  if (status.server === 'signed-out') return { tone: 'error', headline: 'Signed out', detail: status.error ?? 'Sign in again to sync' };
  if (status.server === 'outdated') return { tone: 'error', headline: 'Update needed', detail: status.error ?? 'Update Fee Master to sync' };
  if (status.network === 'offline') return { tone: 'warn', headline: 'Offline', detail: `${waiting}; ${last}. You can keep working.` };
  if (status.server === 'unreachable') return { tone: 'warn', headline: 'Server unreachable', detail: `${waiting}; ${last}. You can keep working.` };
  if (status.error) return { tone: 'error', headline: 'Sync problem', detail: status.error };
  if (status.server === 'connecting') return { tone: 'warn', headline: 'Connecting…', detail: `${waiting}; ${last}` };
  return { tone: status.pending === 0 ? 'ok' : 'warn', headline: 'Online', detail: `${waiting}; ${last}` };
}

function formatAgo(then: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  return then.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function SyncIndicator({ store }: { store: SyncStatusStore }) {
  const status = useObservable(store.status$, store.current());
  const view = useMemo(() => describeSync(status), [status]);
  return (
    <div
      className={`sync-indicator sync-${view.tone}`}
      data-testid="sync-indicator"
      data-network={status.network}
      data-server={status.server}
      data-pending={status.pending}
      role="status"
      aria-live="polite"
    >
      <span className="sync-dot" aria-hidden="true" />
      <strong>{view.headline}</strong>
      <span className="sync-detail">{view.detail}</span>
      {status.refused > 0 && (
        <span className="sync-note" data-testid="sync-refused">{status.refused} not saved on the server: see the list below</span>
      )}
      {status.overwrittenByServer > 0 && (
        <span className="sync-note">{status.overwrittenByServer} edit(s) combined with a change made on another desk</span>
      )}
      {Object.keys(status.collections).length > 0 && (
        <details className="sync-collections">
          <summary>Per kind of record</summary>
          <ul>
            {Object.entries(status.collections).map(([name, entry]) => (
              <li key={name} data-testid={`last-sync-${name}`}>
                {entry.label} records: {entry.lastSyncAt ? `synced ${formatAgo(new Date(entry.lastSyncAt), new Date())}` : 'not synced yet'}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
