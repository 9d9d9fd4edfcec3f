// The documents the server refused for good, each with the server's reason and what to do, so
// nothing a cashier saved disappears without a trace.
import type { Observable } from 'rxjs';
import type { QuarantinedDocument } from '../sync/quarantine.ts';
import { useObservable } from './use-observable.ts';

const none: readonly QuarantinedDocument[] = [];

export function RefusedDocuments({ entries$, formatTime }: { entries$: Observable<readonly QuarantinedDocument[]>; formatTime: (iso: string) => string }) {
  const entries = useObservable(entries$, none);
  if (entries.length === 0) return null;
  return (
    <section className="card refused" aria-label="Not saved on the server" data-testid="refused-documents">
      <h3>Not saved on the server</h3>
      <p className="muted">These are kept on this desk. Correct each one and save it again; nothing else waits for them.</p>
      <ul>
        {entries.map((entry) => (
          <li key={entry.id} data-testid="refused-document">
            <strong>{entry.label}</strong>: {entry.reason} <span className="muted">({formatTime(entry.at)})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
