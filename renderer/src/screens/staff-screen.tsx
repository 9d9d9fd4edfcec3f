// The school's staff for owners, admins and auditors: who works here, in which role, and whether
// they still have access; owners and admins add people, change roles, withdraw access, reset passwords.
import { Fragment, useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH, mayPerform, roles, type AddMemberRequest, type MemberSummary, type Role } from '@feemaster/core';
import { adminFailure, createAdminApi, type AdminApi } from '../api/admin-api.ts';
import type { Desk } from '../desk/open-desk.ts';
import { schoolTimeFormatter } from '../components/school-time.ts';
import { useServerList } from '../components/use-server-list.ts';


const roleTitles: Readonly<Record<Role, string>> = { owner: 'Owner', admin: 'Admin', bursar: 'Bursar', cashier: 'Cashier', auditor: 'Auditor' };
const emailPattern = /^[^\s@]+@[^\s@]+$/;

export function StaffScreen({ desk }: { desk: Desk }) {
  const api = useMemo(() => createAdminApi(desk.session.serverUrl, desk.tokens), [desk]);
  const formatTime = useMemo(() => schoolTimeFormatter(desk.session.school.timezone), [desk]);
  const { role: yourRole, id: yourId } = desk.session.user;
  const mayManage = mayPerform(yourRole, 'users.manage');
  const mayResetPasswords = mayPerform(yourRole, 'users.reset-password');
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // In the server's name order.
  const { list, items: members, readAgain, show } = useServerList(
    useCallback(() => api.members(), [api]),
    useCallback((error: unknown) => adminFailure(error, 'list the school’s staff'), []),
    (a: MemberSummary, b: MemberSummary) => a.userId === b.userId,
    (a, b) => a.displayName.toLowerCase().localeCompare(b.displayName.toLowerCase()),
  );

  const showMember = (member: MemberSummary, saying: string): void => {
    show(member);
    setNotice(saying);
  };
  return (
    <section className="admin staff">
      <div className="toolbar">
        <h2>Staff <span className="count">{members.length}</span></h2>
        <span className="muted admin-zone">Times in {desk.session.school.timezone}</span>
        <button type="button" className="secondary" onClick={readAgain} disabled={list.status === 'loading'}>Refresh</button>
        {mayManage && !adding && <button type="button" onClick={() => { setAdding(true); setNotice(null); }}>Add a person</button>}
      </div>
      {!mayManage && <p className="muted">You can look at the school’s staff; adding people and changing roles or access is for owners and admins.</p>}

      {adding && (
        <AddPersonForm
          api={api}
          onAdded={(member, saying) => {
            setAdding(false);
            showMember(member, saying);
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {notice && <p className="notice" role="status">{notice}</p>}

      {list.status === 'failed' && (
        <div className="error admin-failure" role="alert">
          <p>{list.error}</p>
          <button type="button" className="secondary" onClick={readAgain}>Try again</button>
        </div>
      )}
      {list.status === 'loading' && <p className="muted" role="status">Reading the school’s staff from the server…</p>}
      {list.status === 'ready' && members.length > 0 && (
        <table aria-label="Staff" className="admin-table">
          <thead>
            <tr><th>Name</th><th>Email</th><th>Role</th><th>Access</th>{mayManage && <th />}</tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <StaffRow
                // A new role from the server starts the row's role choice afresh.
                key={`${m.userId}:${m.role}`}
                member={m}
                yours={m.userId === yourId}
                mayManage={mayManage}
                mayResetPassword={mayResetPasswords}
                api={api}
                formatTime={formatTime}
                onChanged={showMember}
                onNotice={setNotice}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Panel = 'none' | 'withdraw' | 'reset-password';

function StaffRow({ member, yours, mayManage, mayResetPassword, api, formatTime, onChanged, onNotice }: {
  member: MemberSummary;
  yours: boolean;
  mayManage: boolean;
  mayResetPassword: boolean;
  api: AdminApi;
  formatTime: (iso: string) => string;
  onChanged: (member: MemberSummary, saying: string) => void;
  onNotice: (saying: string | null) => void;
}) {
  const [role, setRole] = useState<Role>(member.role);
  const [panel, setPanel] = useState<Panel>('none');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = member.displayName;
  const withdrawn = member.disabledAt !== null;
  const controls = mayManage && !yours;

  const change = async (request: { role: Role } | { disabled: boolean }, what: string, saying: (updated: MemberSummary) => string): Promise<void> => {
    setBusy(true);
    setError(null);
    onNotice(null);
    try {
      const updated = await api.updateMember(member.userId, request);
      setPanel('none');
      onChanged(updated, saying(updated));
    } catch (failure) {
      setError(adminFailure(failure, what));
    } finally {
      setBusy(false);
    }
  };

  const saveRole = (): Promise<void> =>
    change({ role }, `change the role of ${name}`, (updated) => `${name} is now ${withArticle(updated.role)}; the new role applies from their next request to the server.`);
  const withdraw = (): Promise<void> =>
    change({ disabled: true }, `withdraw the access of ${name}`, () => `${name} no longer has access to the school: their sign-ins here have ended. Restore access to let them back in.`);
  const restore = (): Promise<void> =>
    change({ disabled: false }, `restore the access of ${name}`, () => `${name} has access to the school again and can sign in as ${withArticle(member.role)}.`);

  const open = (next: Panel): void => {
    setPanel(panel === next ? 'none' : next);
    setError(null);
  };

  return (
    <Fragment>
      <tr data-testid="staff-row" data-email={member.email} className={withdrawn ? 'withdrawn' : undefined}>
        <td>{name}{yours && <span className="muted"> (you)</span>}</td>
        <td>{member.email}</td>
        <td>
          {controls ? (
            <span className="role-choice">
              <select aria-label={`Role of ${name}`} value={role} onChange={(e) => setRole(roleOf(e.target.value, member.role))} disabled={busy}>
                {roles.map((r) => <option key={r} value={r}>{roleTitles[r]}</option>)}
              </select>
              <button type="button" className="secondary" onClick={() => void saveRole()} disabled={busy || role === member.role} aria-label={`Save the role of ${name}`}>Save role</button>
            </span>
          ) : (
            roleTitles[member.role]
          )}
        </td>
        <td>
          {member.disabledAt
            ? <><span className="status status-withdrawn">Access withdrawn</span> {formatTime(member.disabledAt)}</>
            : <><span className="status status-active">Has access</span> <span className="muted">since {formatTime(member.addedAt)}</span></>}
        </td>
        {mayManage && (
          <td>
            {yours ? (
              <span className="muted">Another owner or admin changes your role and access.</span>
            ) : (
              <div className="row-actions">
                {withdrawn ? (
                  <button type="button" className="link" onClick={() => void restore()} disabled={busy} aria-label={`Restore access of ${name}`}>Restore access</button>
                ) : (
                  <button type="button" className="link danger" onClick={() => open('withdraw')} disabled={busy} aria-expanded={panel === 'withdraw'} aria-label={`Withdraw access of ${name}`}>Withdraw access</button>
                )}
                {mayResetPassword && (
                  <button type="button" className="link" onClick={() => open('reset-password')} disabled={busy} aria-expanded={panel === 'reset-password'} aria-label={`Reset password of ${name}`}>Reset password</button>
                )}
              </div>
            )}
          </td>
        )}
      </tr>
      {controls && panel === 'withdraw' && (
        <tr className="row-panel">
          <td colSpan={5}>
            <div className="confirm" role="group" aria-label={`Withdraw the access of ${name}`}>
              <p>
                Withdraw {name}’s access to the school? Their sign-ins here end at once and they cannot sign in to this school any more. Their account stays
                (it may work for another school), and you can restore access later.
              </p>
              <div className="actions">
                <button type="button" className="danger" onClick={() => void withdraw()} disabled={busy}>{busy ? 'Withdrawing…' : 'Yes, withdraw access'}</button>
                <button type="button" className="secondary" onClick={() => setPanel('none')}>Cancel</button>
              </div>
            </div>
          </td>
        </tr>
      )}
      {controls && mayResetPassword && panel === 'reset-password' && (
        <tr className="row-panel">
          <td colSpan={5}>
            <ResetPasswordForm
              api={api}
              member={member}
              onDone={(saying) => {
                setPanel('none');
                onNotice(saying);
              }}
              onCancel={() => setPanel('none')}
            />
          </td>
        </tr>
      )}
      {error && (
        <tr className="row-panel">
          <td colSpan={5}><p className="error" role="alert">{error}</p></td>
        </tr>
      )}
    </Fragment>
  );
}

function ResetPasswordForm({ api, member, onDone, onCancel }: { api: AdminApi; member: MemberSummary; onDone: (saying: string) => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hint = useId();
  const name = member.displayName;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (password.length < MIN_PASSWORD_LENGTH) {
      setError(`A password has at least ${MIN_PASSWORD_LENGTH} characters; a few words in a row are easy to remember and hard to guess.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.resetPassword(member.userId, password);
      onDone(`${name}’s password is changed and their sign-ins have ended. Give them the new password in person; they can change it once signed in.`);
    } catch (failure) {
      setError(adminFailure(failure, `reset the password of ${name}`));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form inline-form" onSubmit={(e) => void submit(e)} aria-label={`Reset the password of ${name}`} noValidate>
      <div className="field">
        <label>New password<input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} maxLength={200} required autoFocus aria-describedby={hint} /></label>
        <p className="hint" id={hint}>At least {MIN_PASSWORD_LENGTH} characters. {name}’s sign-ins end when it is set, on every desk.</p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Setting…' : 'Set the new password'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function AddPersonForm({ api, onAdded, onCancel }: { api: AdminApi; onAdded: (member: MemberSummary, saying: string) => void; onCancel: () => void }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const passwordHint = useId();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const request: AddMemberRequest = { email: email.trim(), displayName: displayName.trim(), role };
    if (!emailPattern.test(request.email)) {
      setError('Give the person’s email address, like amina@school.example: they sign in with it.');
      return;
    }
    if (!request.displayName) {
      setError('Give the person’s name as colleagues know it; it is shown in the audit trail.');
      return;
    }
    if (password !== '' && password.length < MIN_PASSWORD_LENGTH) {
      setError(`A first password has at least ${MIN_PASSWORD_LENGTH} characters. Leave it empty only for someone who already has a Fee Master account at another school.`);
      return;
    }
    if (password !== '') request.password = password;
    setBusy(true);
    setError(null);
    try {
      const member = await api.addMember(request);
      const signIn = request.password
        ? `They sign in with ${member.email} and the first password you gave them; ask them to change it.`
        : `They sign in with their own Fee Master password and choose this school.`;
      onAdded(member, `${member.displayName} is on the staff as ${withArticle(member.role)}. ${signIn}`);
    } catch (failure) {
      setError(adminFailure(failure, `add ${request.displayName}`));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-label="Add a person" noValidate>
      <h3>Add a person to the staff</h3>
      <div className="row">
        <label>Email<input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" maxLength={254} required autoFocus /></label>
        <label>Name<input value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={120} required /></label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(roleOf(e.target.value, role))}>
            {roles.map((r) => <option key={r} value={r}>{roleTitles[r]}</option>)}
          </select>
        </label>
      </div>
      <div className="field">
        <label>First password<input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" maxLength={200} aria-describedby={passwordHint} /></label>
        <p className="hint" id={passwordHint}>
          At least {MIN_PASSWORD_LENGTH} characters, for someone new to Fee Master; they can change it after signing in. Leave it empty for someone who already has
          a Fee Master account at another school: they keep signing in with their own password.
        </p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add to staff'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function roleOf(value: string, fallback: Role): Role {
  return roles.find((r) => r === value) ?? fallback;
}

function withArticle(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}
