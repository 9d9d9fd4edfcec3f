// Live notices for the person at the desk (an admin's broadcast or message, a payment taken at
// another office, this desk revoked), shown as a dismissable list; and, for owners and admins, a
// form to send a notice to the school's desks.
import { useEffect, useState, type FormEvent } from 'react';
import { mayPerform, roles, type BroadcastRequest, type DeliveryReport, type RealtimeEvent, type Role } from '@feemaster/core';
import { withToken } from '../api/authorized.ts';
import { ApiError, requestJson } from '../api/client.ts';
import { isOfflineSession } from '../api/session.ts';
import { schoolTimeFormatter } from '../components/school-time.ts';
import { liveStream } from '../sync/live-stream.ts';
import type { Desk } from './open-desk.ts';

/** Older notices drop off: the desk is for work, not an inbox. */
const KEEP = 5;

export function Notifications({ desk, onEvent }: { desk: Desk; onEvent?: (event: RealtimeEvent) => void }) {
  const [events, setEvents] = useState<RealtimeEvent[]>([]);
  const formatTime = schoolTimeFormatter(desk.session.school.timezone);

  useEffect(() => {
    const stream = liveStream<RealtimeEvent | 'READY'>({
      url: new URL('/api/v1/realtime/stream', desk.session.serverUrl).toString(),
      tokens: desk.tokens,
      // The replication streams report sign-in and connection problems; notices only stop.
      onUnauthorized: () => undefined,
      onConnectionChange: () => undefined,
    }).subscribe((message) => {
      if (message === 'READY') return;
      onEvent?.(message);
      setEvents((current) => [message, ...current.filter((e) => e.id !== message.id)].slice(0, KEEP));
    });
    return () => stream.unsubscribe();
  }, [desk, onEvent]);

  if (events.length === 0) return null;
  return (
    <section className="notifications" aria-label="Notifications">
      {events.map((event) => (
        <article key={event.id} className={`notification notification-${event.kind}`} data-testid="notification">
          <strong>{event.title}</strong>
          {event.body && <p>{event.body}</p>}
          <p className="muted">
            {formatTime(event.at)}
            {event.from ? ` · from ${event.from.displayName}` : ''}
          </p>
          <button type="button" className="link" aria-label={`Dismiss: ${event.title}`} onClick={() => setEvents((current) => current.filter((e) => e.id !== event.id))}>
            Dismiss
          </button>
        </article>
      ))}
    </section>
  );
}

const audiences: readonly { label: string; roles: readonly Role[] | undefined }[] = [
  { label: 'Everyone at the school', roles: undefined },
  { label: 'Cashiers', roles: ['cashier'] },
  { label: 'Bursars, admins and owners', roles: ['owner', 'admin', 'bursar'] },
];

export function mayBroadcast(desk: Desk): boolean {
  return mayPerform(desk.session.user.role, 'realtime.broadcast', isOfflineSession(desk.session) ? 'offline' : 'online');
}

export function SendNoticeForm({ desk, onClose }: { desk: Desk; onClose: () => void }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [audience, setAudience] = useState(0);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    setResult(null);
    if (!title.trim()) return setError('Give the notice a title: it is what people see first.');
    setBusy(true);
    try {
      const chosen = audiences[audience]?.roles;
      const request: BroadcastRequest = { title: title.trim(), body, ...(chosen ? { roles: roles.filter((r) => chosen.includes(r)) } : {}) };
      const { serverUrl } = desk.tokens.session();
      const report = await withToken(desk.tokens, (token) =>
        requestJson<DeliveryReport>(serverUrl, '/api/v1/realtime/broadcast', { method: 'POST', body: JSON.stringify(request), token }),
      );
      setResult(`Sent. ${report.delivered === 1 ? 'One desk' : `${String(report.delivered)} desks`} connected to this server got it now; desks on other servers of the school get it too.`);
      setTitle('');
      setBody('');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : `The notice was not sent: ${String(caught)}. Try again.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-label="Send a notice" noValidate>
      <h3>Send a notice to the desks</h3>
      <label>Title<input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} required autoFocus /></label>
      <label>Message<textarea value={body} onChange={(e) => setBody(e.target.value)} maxLength={1000} rows={3} /></label>
      <label>
        To
        <select value={audience} onChange={(e) => setAudience(Number(e.target.value))}>
          {audiences.map((a, index) => <option key={a.label} value={index}>{a.label}</option>)}
        </select>
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      {result && <p className="notice" role="status">{result}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Sending…' : 'Send notice'}</button>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
