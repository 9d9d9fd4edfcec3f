// Sign-in: online against the sync server, as this enrolled desk when it is one; when the server
// cannot be reached, against the desk's own record of people who signed in on it before.
import { useState, type FormEvent } from 'react';
import type { ErrorBody } from '@feemaster/core';
import { platform } from '#platform';
import { ApiError, api } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { checkOfflineSignIn, deskLabel, enrolThisDesk, offlineSession, type DeskEnrolment } from '../desk/enrolment.ts';

export interface SignedIn {
  session: Session;
  /** Kept only until the desk has made its offline verifier from it; never stored. */
  password: string;
}

export function SignInScreen({ serverUrl, notice, enrolment, onSignedIn, onServerChange, onEnrolled, onDeskRevoked }: {
  serverUrl: string;
  notice: string | null;
  /** This desk's enrolment with this server, or null while it is not enrolled. */
  enrolment: DeskEnrolment | null;
  onSignedIn: (signedIn: SignedIn) => void;
  onServerChange: (url: string) => void;
  onEnrolled: (enrolment: DeskEnrolment) => void;
  /** The server says this desk was revoked: the desk forgets its enrolment and offline records. */
  onDeskRevoked: () => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [server, setServer] = useState(serverUrl);
  const [schools, setSchools] = useState<NonNullable<ErrorBody['schools']>>([]);
  const [schoolId, setSchoolId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [enrolling, setEnrolling] = useState(false);

  const signInOffline = async (desk: DeskEnrolment): Promise<void> => {
    const check = await checkOfflineSignIn(desk, email, password);
    if (!check.ok) {
      setError(check.reason);
      return;
    }
    onSignedIn({ session: offlineSession(desk, check.account), password });
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (platform.canChooseServer && server !== serverUrl) onServerChange(server);
      const desk = enrolment?.serverUrl === server ? enrolment : null;
      const response = await api.login(server, {
        email,
        password,
        ...(desk ? { deviceId: desk.device.id, deviceSecret: desk.deviceSecret } : {}),
        ...(schoolId ? { schoolId } : {}),
      });
      onSignedIn({ session: { ...response, serverUrl: server }, password });
    } catch (caught) {
      if (!(caught instanceof ApiError)) {
        setError('Sign-in failed unexpectedly. Try again.');
      } else if (caught.code === 'offline') {
        if (enrolment) await signInOffline(enrolment);
        else setError(`${caught.message} Signing in without the server needs an enrolled desk that you have signed in on before.`);
      } else if (caught.code === 'choose-school') {
        setSchools(caught.schools);
        setSchoolId(caught.schools[0]?.id ?? '');
        setError(caught.message);
      } else {
        if (caught.code === 'device-revoked') onDeskRevoked();
        setError(caught.message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="card narrow">
      <h1>Fee Master</h1>
      {enrolment ? (
        <p className="muted" data-testid="desk-identity">
          Desk {deskLabel(enrolment)} ({enrolment.device.name}) of {enrolment.school.name}. People who signed in here before can also sign in while the server is unreachable.
        </p>
      ) : (
        <p className="muted">Sign in to this desk. Enrol it with an approval code to let people sign in here while the server is unreachable.</p>
      )}
      {notice && <p className="notice">{notice}</p>}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        {platform.canChooseServer && (
          <label>
            Sync server
            <input value={server} onChange={(e) => setServer(e.target.value)} type="url" required />
          </label>
        )}
        <label>
          Email
          <input value={email} onChange={(e) => setEmail(e.target.value)} type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input value={password} onChange={(e) => setPassword(e.target.value)} type="password" autoComplete="current-password" required />
        </label>
        {schools.length > 0 && (
          <label>
            School
            <select value={schoolId} onChange={(e) => setSchoolId(e.target.value)}>
              {schools.map((s) => (
                <option key={s.id} value={s.id}>{`${s.name} (${s.role})`}</option>
              ))}
            </select>
          </label>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      {!enrolment && !enrolling && (
        <button type="button" className="secondary" onClick={() => setEnrolling(true)}>Enrol this desk</button>
      )}
      {enrolling && <EnrolDeskForm serverUrl={server} onEnrolled={onEnrolled} onCancel={() => setEnrolling(false)} />}
    </main>
  );
}

/** The approval code an admin read out (Desks → Register a desk) makes this computer that desk. */
function EnrolDeskForm({ serverUrl, onEnrolled, onCancel }: { serverUrl: string; onEnrolled: (enrolment: DeskEnrolment) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onEnrolled(await enrolThisDesk(serverUrl, code));
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Enrolment failed unexpectedly. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Enrol this desk">
      <p className="muted">An owner or admin registers the desk (Desks → Register a desk) and gives you its one-time approval code.</p>
      <label>
        Approval code
        <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="K7QM-4TXP-9BWC" autoComplete="off" required />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Enrolling…' : 'Enrol desk'}</button>
      <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
    </form>
  );
}
