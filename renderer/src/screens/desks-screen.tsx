// The school's desks for owners, admins and auditors: each desk's receipt series and where its
// enrolment stands; owners and admins register desks, hand out approval codes and revoke desks.
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { mayPerform, type DeviceApproval, type DeviceSummary } from '@feemaster/core';
import { adminFailure, createAdminApi, type AdminApi, type Office } from '../api/admin-api.ts';
import { schoolTimeFormatter } from '../components/school-time.ts';
import { useServerList } from '../components/use-server-list.ts';
import type { Desk } from '../desk/open-desk.ts';
import { LedgerScopeSetting } from './ledger-scope-setting.tsx';


/** The desk codes the server accepts: they go on every receipt (MAIN-D02-000153). */
const deskCodePattern = /^[A-Z0-9]{1,12}$/;
const MIN_REASON_LENGTH = 3;

export function DesksScreen({ desk, onEnrolThisDesk }: { desk: Desk; onEnrolThisDesk?: (approvalCode: string) => Promise<string> }) {
  const api = useMemo(() => createAdminApi(desk.session.serverUrl, desk.tokens), [desk]);
  const formatTime = useMemo(() => schoolTimeFormatter(desk.session.school.timezone), [desk]);
  const mayManage = mayPerform(desk.session.user.role, 'devices.manage');
  const [registering, setRegistering] = useState(false);
  const [approval, setApproval] = useState<DeviceApproval | null>(null);
  const [revoking, setRevoking] = useState<DeviceSummary | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [issuingFor, setIssuingFor] = useState<string | null>(null);

  // In the server's code order.
  const { list, items: devices, readAgain, show: showDevice } = useServerList(
    useCallback(() => api.devices(), [api]),
    useCallback((error: unknown) => adminFailure(error, 'list the school’s desks'), []),
    (a: DeviceSummary, b: DeviceSummary) => a.id === b.id,
    (a, b) => a.code.localeCompare(b.code),
  );

  const registered = (result: DeviceApproval): void => {
    showDevice(result.device);
    setRegistering(false);
    setNotice(null);
    setActionError(null);
    setApproval(result);
  };

  const issueCode = async (device: DeviceSummary): Promise<void> => {
    setIssuingFor(device.id);
    setNotice(null);
    setActionError(null);
    try {
      const result = await api.newApprovalCode(device.id);
      showDevice(result.device);
      setApproval(result);
    } catch (error) {
      setActionError(adminFailure(error, `give desk ${device.code} a new approval code`));
    } finally {
      setIssuingFor(null);
    }
  };

  const revoked = (device: DeviceSummary): void => {
    showDevice(device);
    setRevoking(null);
    setActionError(null);
    // A code shown for this desk stopped working with the revocation.
    setApproval((shown) => (shown?.device.id === device.id ? null : shown));
    setNotice(`Desk ${device.code} is revoked: its sign-ins have ended and the server refuses it from its next contact.`);
  };

  return (
    <section className="admin desks">
      <div className="toolbar">
        <h2>Desks <span className="count">{devices.length}</span></h2>
        <span className="muted admin-zone">Times in {desk.session.school.timezone}</span>
        <button type="button" className="secondary" onClick={readAgain} disabled={list.status === 'loading'}>Refresh</button>
        {mayManage && !registering && (
          <button type="button" onClick={() => { setRegistering(true); setNotice(null); }}>Register a desk</button>
        )}
      </div>
      {!mayManage && <p className="muted">You can look at the school’s desks; registering and revoking them is for owners and admins.</p>}

      {registering && <RegisterDeskForm api={api} onRegistered={registered} onCancel={() => setRegistering(false)} />}
      {approval && (
        <ApprovalPanel key={approval.approvalCode} approval={approval} formatTime={formatTime} onEnrolThisDesk={onEnrolThisDesk} onEnrolled={readAgain} onDone={() => setApproval(null)} />
      )}
      {revoking && <RevokeDeskForm key={revoking.id} api={api} device={revoking} onRevoked={revoked} onCancel={() => setRevoking(null)} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      {actionError && <p className="error" role="alert">{actionError}</p>}

      {list.status === 'failed' && (
        <div className="error admin-failure" role="alert">
          <p>{list.error}</p>
          <button type="button" className="secondary" onClick={readAgain}>Try again</button>
        </div>
      )}
      {list.status === 'loading' && <p className="muted" role="status">Reading the school’s desks from the server…</p>}
      {list.status === 'ready' && devices.length === 0 && (
        <p className="empty">{mayManage ? 'No desk is registered yet. Register this school’s first desk.' : 'No desk is registered yet.'}</p>
      )}
      {list.status === 'ready' && devices.length > 0 && (
        <table aria-label="Desks" className="admin-table">
          <thead>
            <tr><th>Code</th><th>Name</th><th>Receipt series</th><th>State</th>{mayManage && <th />}</tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id} data-testid="desk-row" data-code={d.code} className={d.revokedAt ? 'revoked' : undefined}>
                <td><strong>{d.code}</strong></td>
                <td>{d.name}</td>
                <td>{d.receiptSeries ?? <span className="muted" title="Receipts need the desk’s office code">no office yet</span>}</td>
                <td><DeskState device={d} formatTime={formatTime} now={list.readAt} /></td>
                {mayManage && (
                  <td>
                    {!d.revokedAt && (
                      <div className="row-actions">
                        <button type="button" className="link" aria-label={`New approval code for desk ${d.code}`} disabled={issuingFor !== null} onClick={() => void issueCode(d)}>
                          {issuingFor === d.id ? 'Issuing…' : 'New approval code'}
                        </button>
                        <button type="button" className="link danger" aria-label={`Revoke desk ${d.code}`} onClick={() => { setRevoking(d); setNotice(null); }}>Revoke</button>
                      </div>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayPerform(desk.session.user.role, 'sync.settings') && <LedgerScopeSetting desk={desk} />}
    </section>
  );
}

function DeskState({ device, formatTime, now }: { device: DeviceSummary; formatTime: (iso: string) => string; now: number }) {
  if (device.revokedAt) {
    return (
      <>
        <span className="status status-revoked">Revoked</span> {formatTime(device.revokedAt)}
        {device.revokedReason && <span className="revoked-reason">: “{device.revokedReason}”</span>}
      </>
    );
  }
  const expiresAt = device.approvalCodeExpiresAt;
  const codeState = expiresAt === null
    ? null
    : Date.parse(expiresAt) > now
      ? `its approval code works until ${formatTime(expiresAt)}`
      : `its approval code expired ${formatTime(expiresAt)}; give it a new one`;
  if (device.enrolledAt) {
    return (
      <>
        <span className="status status-enrolled">Enrolled</span> {formatTime(device.enrolledAt)}
        {codeState && <span className="muted">; to enrol it again, {codeState}</span>}
      </>
    );
  }
  return (
    <>
      <span className="status status-waiting">Waiting for enrolment</span>
      <span className="muted">: {codeState ?? 'it has no approval code; give it a new one'}</span>
    </>
  );
}

function RegisterDeskForm({ api, onRegistered, onCancel }: { api: AdminApi; onRegistered: (approval: DeviceApproval) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [officeId, setOfficeId] = useState('');
  const [offices, setOffices] = useState<{ status: 'loading' } | { status: 'ready'; offices: Office[] } | { status: 'failed'; error: string }>({ status: 'loading' });
  const [reads, setReads] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeHint = useId();

  useEffect(() => {
    let cancelled = false;
    api.offices().then(
      (list) => {
        if (cancelled) return;
        setOffices({ status: 'ready', offices: list });
        // The main office is where most schools put their first desks.
        setOfficeId((chosen) => chosen || (list.find((o) => o.code === 'MAIN') ?? list[0])?.id || '');
      },
      (failure: unknown) => {
        if (!cancelled) setOffices({ status: 'failed', error: adminFailure(failure, 'read the school’s offices') });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, reads]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const trimmed = name.trim();
    const problem = registrationProblem(trimmed, code, officeId);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onRegistered(await api.registerDevice({ name: trimmed, code, officeId }));
    } catch (failure) {
      setError(adminFailure(failure, `register desk ${code}`));
    } finally {
      setBusy(false);
    }
  };

  const officeList = offices.status === 'ready' ? offices.offices : [];
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-label="Register a desk" noValidate>
      <h3>Register a desk</h3>
      <div className="row">
        <label>Desk name<input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} placeholder="Front office desk 2" required autoFocus /></label>
        <div className="field">
          <label>Desk code<input value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} maxLength={12} placeholder="D02" required aria-describedby={codeHint} /></label>
          <p className="hint" id={codeHint}>Upper-case letters and digits; it goes on every receipt of the desk.</p>
        </div>
        <label>
          Office
          <select value={officeId} onChange={(e) => setOfficeId(e.target.value)} disabled={offices.status !== 'ready' || officeList.length === 0} required>
            {offices.status === 'loading' && <option value="">Reading the offices…</option>}
            {offices.status !== 'loading' && officeList.length === 0 && <option value="">No office found</option>}
            {officeList.map((o) => <option key={o.id} value={o.id}>{o.name} ({o.code})</option>)}
          </select>
        </label>
      </div>
      {offices.status === 'failed' && (
        <div className="error admin-failure" role="alert">
          <p>{offices.error}</p>
          <button type="button" className="secondary" onClick={() => { setOffices({ status: 'loading' }); setReads((n) => n + 1); }}>Read the offices again</button>
        </div>
      )}
      {offices.status === 'ready' && officeList.length === 0 && (
        <p className="error" role="alert">The school has no office to put the desk in. Ask an owner to set up an office first.</p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Registering…' : 'Register desk'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** What to correct before the desk can be registered, or null when the form is complete. */
function registrationProblem(name: string, code: string, officeId: string): string | null {
  if (!name) return 'Give the desk a name staff will recognise, like “Front office desk 2”.';
  if (!deskCodePattern.test(code)) return 'A desk code is 1 to 12 upper-case letters and digits, like D02: it goes on every receipt the desk prints.';
  if (!officeId) return 'Choose the office the desk works in: its code starts every receipt number of the desk.';
  return null;
}

type Enrolment = { status: 'idle' } | { status: 'running' } | { status: 'done'; notice: string } | { status: 'failed'; error: string };

function ApprovalPanel({ approval, formatTime, onEnrolThisDesk, onEnrolled, onDone }: {
  approval: DeviceApproval;
  formatTime: (iso: string) => string;
  onEnrolThisDesk: ((approvalCode: string) => Promise<string>) | undefined;
  /** The desk list shows the desk as enrolled once this one is. */
  onEnrolled: () => void;
  onDone: () => void;
}) {
  const { device } = approval;
  const [enrolment, setEnrolment] = useState<Enrolment>({ status: 'idle' });

  const enrolHere = async (enrol: (approvalCode: string) => Promise<string>): Promise<void> => {
    setEnrolment({ status: 'running' });
    try {
      setEnrolment({ status: 'done', notice: await enrol(approval.approvalCode) });
      onEnrolled();
    } catch (error) {
      setEnrolment({ status: 'failed', error: error instanceof Error ? error.message : `This desk could not be enrolled: ${String(error)}. Try again, or type the code on the sign-in screen.` });
    }
  };

  return (
    <section className="card approval" aria-label={`Approval code for desk ${device.code}`}>
      <h3>Approval code for desk {device.code} ({device.name})</h3>
      <p className="approval-code" data-testid="approval-code">{approval.approvalCode}</p>
      <p>
        Type this code on the desk being set up: <strong>Sign-in screen → Enrol this desk</strong>. It works once, until {formatTime(approval.approvalCodeExpiresAt)}.
      </p>
      <p className="muted">
        {device.receiptSeries ? `Its receipt numbers start with ${device.receiptSeries}. ` : ''}
        The code is shown only now; if it is lost or runs out, ask a new approval code from the list below.
      </p>
      {enrolment.status === 'done' && <p className="notice" role="status">{enrolment.notice}</p>}
      {enrolment.status === 'failed' && <p className="error" role="alert">{enrolment.error}</p>}
      <div className="actions">
        {onEnrolThisDesk && enrolment.status !== 'done' && (
          <button type="button" onClick={() => void enrolHere(onEnrolThisDesk)} disabled={enrolment.status === 'running'} aria-busy={enrolment.status === 'running'}>
            {enrolment.status === 'running' ? 'Enrolling…' : 'Enrol this desk with it'}
          </button>
        )}
        <button type="button" className="secondary" onClick={onDone}>Done</button>
      </div>
    </section>
  );
}

function RevokeDeskForm({ api, device, onRevoked, onCancel }: { api: AdminApi; device: DeviceSummary; onRevoked: (device: DeviceSummary) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (reason.trim().length < MIN_REASON_LENGTH) {
      setConfirming(false);
      setError('Say why the desk is revoked, in at least 3 characters (like “Stolen” or “Replaced by D04”): the reason is kept with the desk and in the audit trail.');
      return;
    }
    setError(null);
    if (!confirming) {
      setConfirming(true);
      return;
    }
    setBusy(true);
    try {
      onRevoked(await api.revokeDevice(device.id, reason.trim()));
    } catch (failure) {
      setError(adminFailure(failure, `revoke desk ${device.code}`));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card admin-form danger-zone" onSubmit={(e) => void submit(e)} aria-label={`Revoke desk ${device.code}`} noValidate>
      <h3>Revoke desk {device.code} ({device.name})</h3>
      <label>
        Reason
        <input value={reason} onChange={(e) => { setReason(e.target.value); setConfirming(false); }} maxLength={500} placeholder="Stolen from the front office" required autoFocus />
      </label>
      {confirming && (
        <p className="confirm" role="status">
          Revoke desk {device.code} for good? Its sign-ins end at once, the server refuses it from its next contact and it cannot be enrolled again.
          Work it has not synced yet can no longer reach the server.
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>{busy ? 'Revoking…' : confirming ? `Yes, revoke desk ${device.code}` : 'Revoke desk'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** Formats instants in the school's time zone (or in UTC, said so, if this browser lacks it). */
