// The audit trail for owners, admins and auditors: who did what, from which desk, with the
// record before and after; filters, paging, the chain check and exports. Read from the server.
import { Fragment, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { IdString, type AuditEntry, type AuditExportFormat, type AuditFilterQuery, type AuditVerifyReport } from '@feemaster/core';
import { ApiError } from '../api/client.ts';
import { createAuditApi, saveFile } from '../api/audit-api.ts';
import { schoolTimeFormatter } from '../components/school-time.ts';
import type { Desk } from '../desk/open-desk.ts';

const PAGE_SIZE = 50;

interface FilterForm {
  action: string;
  entityType: string;
  userId: string;
  from: string;
  to: string;
}
const noFilters: FilterForm = { action: '', entityType: '', userId: '', from: '', to: '' };

type Trail =
  | { status: 'loading'; entries: AuditEntry[]; nextCursor: string | null }
  | { status: 'ready'; entries: AuditEntry[]; nextCursor: string | null }
  | { status: 'failed'; entries: AuditEntry[]; nextCursor: string | null; error: string };

type Check = { status: 'idle' } | { status: 'running' } | { status: 'done'; report: AuditVerifyReport } | { status: 'failed'; error: string };

type Export = { status: 'idle' } | { status: 'running'; format: AuditExportFormat } | { status: 'done'; filename: string } | { status: 'failed'; error: string };

const userIdPattern = new RegExp(IdString.pattern ?? '^.+$');

export function AuditScreen({ desk }: { desk: Desk }) {
  const api = useMemo(() => createAuditApi(desk.session.serverUrl, desk.tokens), [desk]);
  const formatTime = useMemo(() => schoolTimeFormatter(desk.session.school.timezone, 'medium'), [desk]);
  const [form, setForm] = useState<FilterForm>(noFilters);
  const [formError, setFormError] = useState<string | null>(null);
  const [applied, setApplied] = useState<AuditFilterQuery>({});
  const [trail, setTrail] = useState<Trail>({ status: 'loading', entries: [], nextCursor: null });
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [check, setCheck] = useState<Check>({ status: 'idle' });
  const [exporting, setExporting] = useState<Export>({ status: 'idle' });
  // Only the newest search may fill the table: an older, slower answer is dropped.
  const latestSearch = useRef(0);

  const search = async (filters: AuditFilterQuery, cursor: string | null): Promise<void> => {
    const ticket = ++latestSearch.current;
    const kept = cursor === null ? [] : trail.entries;
    setTrail({ status: 'loading', entries: kept, nextCursor: cursor });
    try {
      const page = await api.logs(filters, { cursor: cursor ?? undefined, limit: PAGE_SIZE });
      if (ticket !== latestSearch.current) return;
      setTrail({ status: 'ready', entries: [...kept, ...page.entries], nextCursor: page.nextCursor });
    } catch (error) {
      if (ticket !== latestSearch.current) return;
      setTrail({ status: 'failed', entries: kept, nextCursor: cursor, error: failureMessage(error, 'read the audit trail') });
    }
  };

  useEffect(() => {
    let cancelled = false;
    const ticket = ++latestSearch.current;
    const current = () => !cancelled && ticket === latestSearch.current;
    api.logs({}, { limit: PAGE_SIZE }).then(
      (page) => {
        if (current()) setTrail({ status: 'ready', entries: page.entries, nextCursor: page.nextCursor });
      },
      (error: unknown) => {
        if (current()) setTrail({ status: 'failed', entries: [], nextCursor: null, error: failureMessage(error, 'read the audit trail') });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const apply = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = filtersOf(form);
    if (typeof parsed === 'string') {
      setFormError(parsed);
      return;
    }
    setFormError(null);
    setApplied(parsed);
    setExpanded(new Set());
    void search(parsed, null);
  };

  const clear = (): void => {
    setForm(noFilters);
    setFormError(null);
    setApplied({});
    setExpanded(new Set());
    void search({}, null);
  };

  const onlyUser = (userId: string): void => {
    const next = { ...form, userId };
    const parsed = filtersOf(next);
    setForm(next);
    if (typeof parsed === 'string') {
      setFormError(parsed);
      return;
    }
    setFormError(null);
    setApplied(parsed);
    void search(parsed, null);
  };

  const verify = async (): Promise<void> => {
    setCheck({ status: 'running' });
    try {
      setCheck({ status: 'done', report: await api.verify() });
    } catch (error) {
      setCheck({ status: 'failed', error: failureMessage(error, 'check the audit chain') });
    }
  };

  const exportTrail = async (format: AuditExportFormat): Promise<void> => {
    setExporting({ status: 'running', format });
    try {
      const file = await api.exportFile(applied, format);
      saveFile(file);
      setExporting({ status: 'done', filename: file.filename });
    } catch (error) {
      setExporting({ status: 'failed', error: failureMessage(error, 'export the audit trail') });
    }
  };

  const toggle = (seq: number): void => {
    const next = new Set(expanded);
    if (!next.delete(seq)) next.add(seq);
    setExpanded(next);
  };

  const set = (name: keyof FilterForm) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });
  const filtered = Object.keys(applied).length > 0;
  const you = desk.session.user;

  return (
    <section className="audit">
      <div className="toolbar">
        <h2>Audit trail <span className="count">{trail.entries.length}{trail.nextCursor ? '+' : ''}</span></h2>
        <span className="muted audit-zone">Times in {desk.session.school.timezone}</span>
        <button type="button" className="secondary" onClick={() => void verify()} disabled={check.status === 'running'}>
          {check.status === 'running' ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" className="secondary" onClick={() => void exportTrail('csv')} disabled={exporting.status === 'running'}>Export CSV</button>
        <button type="button" className="secondary" onClick={() => void exportTrail('json')} disabled={exporting.status === 'running'}>Export JSON</button>
      </div>

      <CheckResult check={check} formatTime={formatTime} />
      {exporting.status === 'running' && <p className="notice" role="status">Preparing the {exporting.format.toUpperCase()} export…</p>}
      {exporting.status === 'done' && <p className="notice" role="status">Downloaded {exporting.filename}{filtered ? ' (the entries matching the filters shown)' : ''}.</p>}
      {exporting.status === 'failed' && <p className="error" role="alert">{exporting.error}</p>}

      <form className="card audit-filters" onSubmit={apply} aria-label="Audit filters">
        <div className="row">
          <label>Action starts with<input value={form.action} onChange={set('action')} placeholder="students. or ledger.payment" maxLength={100} /></label>
          <label>Entity type<input value={form.entityType} onChange={set('entityType')} placeholder="students" maxLength={64} /></label>
          <label>User id<input value={form.userId} onChange={set('userId')} placeholder="full id of the user" maxLength={36} /></label>
          <label>From<input type="date" value={form.from} onChange={set('from')} /></label>
          <label>To<input type="date" value={form.to} onChange={set('to')} /></label>
        </div>
        {formError && <p className="error" role="alert">{formError}</p>}
        <div className="actions">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={clear}>Clear filters</button>
        </div>
      </form>

      {trail.status === 'failed' && (
        <div className="error audit-failure" role="alert">
          <p>{trail.error}</p>
          <button type="button" className="secondary" onClick={() => void search(applied, trail.nextCursor)}>Try again</button>
        </div>
      )}

      {trail.entries.length === 0 ? (
        trail.status === 'ready' && <p className="empty">{filtered ? 'No audit entry matches these filters.' : 'The audit trail is empty.'}</p>
      ) : (
        <table aria-label="Audit entries" className="audit-table">
          <thead>
            <tr><th>Time</th><th>Who</th><th>Action</th><th>Entity</th><th>Device</th><th /></tr>
          </thead>
          <tbody>
            {trail.entries.map((entry) => {
              const open = expanded.has(entry.seq);
              const who = entry.actorUserId === you.id ? you.displayName : entry.actorUserId ? shortId(entry.actorUserId) : 'system';
              return (
                <Fragment key={entry.seq}>
                  <tr data-testid="audit-row" data-action={entry.action}>
                    <td title={entry.deviceTime ? `Desk clock: ${formatTime(entry.deviceTime)}` : undefined}>{formatTime(entry.at)}</td>
                    <td>
                      {entry.actorUserId ? (
                        <button type="button" className="link" title={entry.actorUserId} aria-label={`Show only entries by ${who}`} onClick={() => onlyUser(entry.actorUserId ?? '')}>
                          {who}
                        </button>
                      ) : who}
                      {entry.actorRole && <span className="muted"> ({entry.actorRole})</span>}
                    </td>
                    <td><code>{entry.action}</code></td>
                    <td title={entry.entityId ?? undefined}>{entry.entityType ?? '—'}{entry.entityId ? ` ${shortId(entry.entityId)}` : ''}</td>
                    <td title={entry.deviceId ?? undefined}>{entry.deviceId ? shortId(entry.deviceId) : '—'}</td>
                    <td>
                      <button type="button" className="link" aria-expanded={open} aria-label={`${open ? 'Hide' : 'Show'} the change of entry ${entry.seq}`} onClick={() => toggle(entry.seq)}>
                        {open ? 'Hide' : 'Details'}
                      </button>
                    </td>
                  </tr>
                  {open && (
                    <tr className="audit-details" data-testid="audit-details">
                      <td colSpan={6}>
                        <div className="audit-changes">
                          <div><h4>Before</h4><pre>{entry.before === null ? 'Nothing: this created it.' : asJson(entry.before)}</pre></div>
                          <div><h4>After</h4><pre>{entry.after === null ? 'Nothing recorded.' : asJson(entry.after)}</pre></div>
                        </div>
                        <p className="muted">
                          Entry {entry.seq} · {entry.actorRole ?? 'no role'} {entry.actorUserId ?? ''}
                          {entry.ip ? ` · from ${entry.ip}` : ''}
                          {entry.deviceTime ? ` · desk clock ${formatTime(entry.deviceTime)}` : ''}
                        </p>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}

      <div className="audit-paging">
        {trail.status === 'loading' && <p className="muted" role="status">Reading the audit trail from the server…</p>}
        {trail.status === 'ready' && trail.nextCursor && (
          <button type="button" className="secondary" onClick={() => void search(applied, trail.nextCursor)}>Load more</button>
        )}
        {trail.status === 'ready' && !trail.nextCursor && trail.entries.length > 0 && <p className="muted">That is every matching entry.</p>}
      </div>
    </section>
  );
}

function CheckResult({ check, formatTime }: { check: Check; formatTime: (iso: string) => string }) {
  if (check.status === 'failed') return <p className="error" role="alert">{check.error}</p>;
  if (check.status !== 'done') return null;
  const { report } = check;
  const from = report.checkpoint ? ` since the signed checkpoint at entry ${report.checkpoint.upToSeq} (${formatTime(report.checkpoint.createdAt)})` : '';
  if (report.ok) {
    return (
      <p className="verify verify-ok" role="status">
        The audit chain is intact: {report.entries} {report.entries === 1 ? 'entry' : 'entries'} checked{from}, none edited, deleted or inserted.
      </p>
    );
  }
  return (
    <div className="verify verify-broken" role="alert">
      <p>
        <strong>The audit chain is broken</strong>
        {report.broken ? ` at entry ${report.broken.seq} (${report.broken.problem}): ${report.broken.reason}` : ''}
      </p>
      <p>{report.entries} {report.entries === 1 ? 'entry was' : 'entries were'} checked{from}. Export the trail now to keep a copy, and tell the school owner: the log was changed outside Fee Master.</p>
    </div>
  );
}

/** The filters to send, or the sentence saying what to correct. */
function filtersOf(form: FilterForm): AuditFilterQuery | string {
  const filters: AuditFilterQuery = {};
  const action = form.action.trim();
  const entityType = form.entityType.trim();
  const userId = form.userId.trim().toLowerCase();
  if (action) filters.action = action;
  if (entityType) filters.entityType = entityType;
  if (userId) {
    if (!userIdPattern.test(userId)) return 'A user id is the full 36-character id (like 0190a1b2-…); click a name in the table to filter by that user.';
    filters.userId = userId;
  }
  if (form.from) filters.from = form.from;
  if (form.to) filters.to = form.to;
  if (form.from && form.to && form.from > form.to) return 'The From date is after the To date; swap them or clear one.';
  return filters;
}

function failureMessage(error: unknown, what: string): string {
  if (error instanceof ApiError) {
    if (error.code === 'offline') return `The audit trail lives on the sync server; connect to read it. This desk cannot reach the server right now, so it cannot ${what}: check the network, then try again.`;
    if (error.status === 403) return error.message;
    return `Could not ${what}: ${error.message}`;
  }
  return `Could not ${what}: ${error instanceof Error ? error.message : String(error)}. Try again; if it keeps failing, tell your administrator.`;
}

/** The tail of an id: UUIDv7s made minutes apart share their leading (time) digits. */
function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id;
}

function asJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
