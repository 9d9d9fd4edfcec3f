// The locked desk: after a few idle minutes (or the Lock button) the screen underneath stays as
// it was, untouchable, until the person signed in unlocks it with their password, or another
// cashier takes over the desk and carries on from the same screen. Both work offline for people
// who signed in on this desk before (the desk's argon2id verifier); without one, the server checks.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { checkVerifier } from '../auth/offline-verifier.ts';
import { checkOfflineSignIn, offlineSession, type DeskEnrolment } from './enrolment.ts';
import type { Desk } from './open-desk.ts';

const IDLE_KEY = 'feemaster.lockAfterMinutes';
const DEFAULT_IDLE_MINUTES = 5;

/** Minutes of no keyboard or pointer input before the desk locks itself; 0 turns it off. */
export function idleMinutes(): number {
  const kept = Number(window.localStorage.getItem(IDLE_KEY) ?? DEFAULT_IDLE_MINUTES);
  return Number.isFinite(kept) && kept >= 0 ? kept : DEFAULT_IDLE_MINUTES;
}

/** Locks after `minutes` without input; returns whether the desk is locked and a way to lock it now. */
export function useIdleLock(minutes: number): { locked: boolean; lock: () => void; unlock: () => void } {
  const [locked, setLocked] = useState(false);
  useEffect(() => {
    if (minutes <= 0 || locked) return;
    let timer = window.setTimeout(() => setLocked(true), minutes * 60_000);
    const active = (): void => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => setLocked(true), minutes * 60_000);
    };
    const events = ['keydown', 'pointerdown', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, active, { passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, active);
    };
  }, [minutes, locked]);
  return { locked, lock: () => setLocked(true), unlock: () => setLocked(false) };
}

/** Whether `password` is the signed-in person's: on this desk's verifier when it has one, else with the server. */
async function passwordMatches(desk: Desk, enrolment: DeskEnrolment | null, password: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { user, serverUrl } = desk.session;
  const account = enrolment?.offlineAccounts.find((a) => a.userId === user.id);
  if (account) return (await checkVerifier(account.verifier, password)) ? { ok: true } : { ok: false, reason: 'That is not your password. Try again.' };
  try {
    await api.login(serverUrl, { email: user.email, password, ...(enrolment ? { deviceId: enrolment.device.id, deviceSecret: enrolment.deviceSecret } : {}) });
    return { ok: true };
  } catch (caught) {
    if (!(caught instanceof ApiError)) throw caught;
    if (caught.code === 'offline') return { ok: false, reason: 'The server cannot be reached to check your password, and you have not signed in on this desk before. Sign out, or wait for the connection.' };
    return { ok: false, reason: caught.message };
  }
}

export function LockScreen({ desk, enrolment, onUnlock, onSwitch, onSignOut }: {
  desk: Desk;
  enrolment: DeskEnrolment | null;
  onUnlock: () => void;
  /** Another person signed in on the locked desk. */
  onSwitch: (session: Session, password: string) => Promise<void>;
  onSignOut: () => void;
}) {
  const [mode, setMode] = useState<'unlock' | 'switch'>('unlock');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const unlock = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await passwordMatches(desk, enrolment, password);
      if (result.ok) onUnlock();
      else setError(result.reason);
    } finally {
      setBusy(false);
    }
  };

  const switchPerson = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { serverUrl, school } = desk.session;
      let session: Session;
      try {
        const login = await api.login(serverUrl, { email, password, schoolId: school.id, ...(enrolment ? { deviceId: enrolment.device.id, deviceSecret: enrolment.deviceSecret } : {}) });
        session = { ...login, serverUrl };
      } catch (caught) {
        if (!(caught instanceof ApiError) || caught.code !== 'offline') throw caught;
        if (!enrolment) throw new ApiError('offline', `${caught.message} Taking over a desk without the server needs an enrolled desk that person has signed in on before.`);
        const check = await checkOfflineSignIn(enrolment, email, password);
        if (!check.ok) throw new ApiError('offline', check.reason);
        session = offlineSession(enrolment, check.account);
      }
      if (session.school.id !== school.id) throw new ApiError('wrong-school', `${session.user.displayName} works for another school on this server; this desk is ${school.name}'s.`);
      await onSwitch(session, password);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="lock-screen" role="dialog" aria-modal="true" aria-label="Desk locked">
      {mode === 'unlock' ? (
        <form className="card narrow" aria-label="Unlock the desk" onSubmit={(e) => void unlock(e)}>
          <h1>Desk locked</h1>
          <p>{desk.session.user.displayName} is signed in. Enter your password to carry on where you left off.</p>
          <label>Password<input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus autoComplete="current-password" /></label>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="actions">
            <button type="submit" disabled={busy} aria-busy={busy}>Unlock</button>
            <button type="button" className="secondary" onClick={() => { setMode('switch'); setPassword(''); setError(null); }}>Switch cashier</button>
            <button type="button" className="link" onClick={onSignOut}>Sign out</button>
          </div>
        </form>
      ) : (
        <form className="card narrow" aria-label="Switch cashier" onSubmit={(e) => void switchPerson(e)}>
          <h1>Switch cashier</h1>
          <p>Sign in to take over this desk; the screen stays as {desk.session.user.displayName} left it.</p>
          <label>Email<input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus autoComplete="username" /></label>
          <label>Password<input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" /></label>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="actions">
            <button type="submit" disabled={busy} aria-busy={busy}>Take over the desk</button>
            <button type="button" className="secondary" onClick={() => { setMode('unlock'); setPassword(''); setError(null); }}>Back</button>
          </div>
        </form>
      )}
    </div>
  );
}
