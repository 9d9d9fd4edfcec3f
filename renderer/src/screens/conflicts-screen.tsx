// Sync conflicts for owners and admins: two desks changed the same field of a record; for each,
// what it was before, what this server had, what the desk wanted and what was kept, and the
// decision to keep it or apply the desk's values (sent to every desk as a new version).
import { useCallback, useMemo, useState } from 'react';
import type { ConflictField, SyncConflict } from '@feemaster/core';
import { adminFailure, createAdminApi } from '../api/admin-api.ts';
import { schoolTimeFormatter } from '../components/school-time.ts';
import { useServerList } from '../components/use-server-list.ts';
import type { Desk } from '../desk/open-desk.ts';

/** "/lastName" → "Last name"; "/data/receiptFooter" → "Receipt footer"; "/_deleted" → "Removed". */
export function fieldName(path: string): string {
  if (path.startsWith('/data/logo')) return path === '/data/logo/mediaType' ? 'Logo file type' : 'School logo';
  const last = path.split('/').at(-1) ?? path;
  if (last === '_deleted') return 'Removed';
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A field's value as a person reads it. */
export function showValue(field: ConflictField, side: 'base' | 'server' | 'desk'): string {
  const value = field[side];
  if (field.path === '/_deleted') return value === true ? 'removed' : 'kept';
  if (value === undefined || value === null || value === '') return '(empty)';
  // A logo is named by what it is, not shown as its hundreds of thousands of base64 characters.
  if (field.path === '/data/logo/base64' && typeof value === 'string') return `a picture of ${String(Math.ceil((value.length * 3) / 4 / 1024))} KB`;
  if (field.path === '/data/logo' && typeof value === 'object' && 'base64' in value && typeof value.base64 === 'string') {
    return `${'mediaType' in value && value.mediaType === 'image/jpeg' ? 'a JPEG' : 'a PNG'} picture of ${String(Math.ceil((value.base64.length * 3) / 4 / 1024))} KB`;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function ConflictsScreen({ desk, onChanged }: { desk: Desk; onChanged: () => void }) {
  const api = useMemo(() => createAdminApi(desk.session.serverUrl, desk.tokens), [desk]);
  const formatTime = useMemo(() => schoolTimeFormatter(desk.session.school.timezone), [desk]);
  const [showAll, setShowAll] = useState(false);
  const [deciding, setDeciding] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { list, items, readAgain, show } = useServerList(
    useCallback(async () => (await api.conflicts(showAll ? 'all' : 'open')).conflicts, [api, showAll]),
    useCallback((error: unknown) => adminFailure(error, 'list the sync conflicts'), []),
    (a: SyncConflict, b: SyncConflict) => a.id === b.id,
    (a, b) => b.createdAt.localeCompare(a.createdAt),
  );

  const decide = async (conflict: SyncConflict, keep: 'server' | 'desk'): Promise<void> => {
    setDeciding(conflict.id);
    setActionError(null);
    try {
      show(await api.decideConflict(conflict.id, keep));
      onChanged();
    } catch (error) {
      setActionError(adminFailure(error, `decide the conflict on ${conflict.label}`));
    } finally {
      setDeciding(null);
    }
  };

  return (
    <section className="card" aria-label="Sync conflicts">
      <h2>Sync conflicts</h2>
      <p className="muted">
        Two desks changed the same detail of a record before they had seen each other&apos;s change. The version that reached the server first was kept and every other change was saved. Check each one: keep it, or use the desk&apos;s values instead.
      </p>
      <label className="inline">
        <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> Show decided conflicts too
      </label>
      <button type="button" className="secondary" onClick={readAgain}>Refresh</button>
      {actionError && <p className="error" role="alert">{actionError}</p>}
      {list.status === 'loading' && <p className="muted">Loading…</p>}
      {list.status === 'failed' && <p className="error" role="alert">{list.error}</p>}
      {list.status === 'ready' && items.length === 0 && <p data-testid="no-conflicts">{showAll ? 'No sync conflicts so far.' : 'No open sync conflicts.'}</p>}
      {items.map((conflict) => (
        <article key={conflict.id} className="conflict" data-testid="conflict">
          <h3>{conflict.label}</h3>
          <p className="muted">
            Changed by {conflict.user.displayName} · reached the server {formatTime(conflict.createdAt)}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Detail</th>
                <th scope="col">Before</th>
                <th scope="col">On the server</th>
                <th scope="col">{conflict.user.displayName}&apos;s desk</th>
                <th scope="col">Kept</th>
              </tr>
            </thead>
            <tbody>
              {conflict.fields.map((field) => (
                <tr key={field.path}>
                  <th scope="row">{fieldName(field.path)}</th>
                  <td>{showValue(field, 'base')}</td>
                  <td>{showValue(field, 'server')}</td>
                  <td>{showValue(field, 'desk')}</td>
                  <td data-testid="conflict-kept">{conflict.decision === 'desk' ? showValue(field, 'desk') : showValue(field, field.kept)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {conflict.decision ? (
            <p data-testid="conflict-decision">
              Decided {conflict.decidedAt ? formatTime(conflict.decidedAt) : ''}: {conflict.decision === 'desk' ? "the desk's values were applied" : 'kept as it was'}.
            </p>
          ) : (
            <div className="actions">
              <button type="button" onClick={() => void decide(conflict, 'server')} disabled={deciding !== null}>Keep as it is</button>
              <button type="button" className="secondary" onClick={() => void decide(conflict, 'desk')} disabled={deciding !== null} aria-busy={deciding === conflict.id}>
                Use the desk&apos;s values
              </button>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}
