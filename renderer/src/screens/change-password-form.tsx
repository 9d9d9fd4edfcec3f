// Changing one's own password from the desk. The server ends the person's other sign-ins; this
// desk forgets its offline record of them, so the old password no longer opens it offline.
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH, type ChangePasswordRequest } from '@feemaster/core';
import { withToken } from '../api/authorized.ts';
import { ApiError, requestJson } from '../api/client.ts';
import type { Desk } from '../desk/open-desk.ts';

export function ChangePasswordForm({ desk, onChanged, onCancel }: {
  desk: Desk;
  /** After the server accepted the new password; resolves once the desk has updated its own records. */
  onChanged: (userId: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    if (next.length < MIN_PASSWORD_LENGTH) return setError(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (next !== repeat) return setError('The two new passwords differ. Type the new password twice, the same way.');
    setBusy(true);
    try {
      const { serverUrl, user } = desk.tokens.session();
      const body: ChangePasswordRequest = { currentPassword: current, newPassword: next };
      await withToken(desk.tokens, (token) => requestJson<null>(serverUrl, '/api/v1/auth/change-password', { method: 'POST', body: JSON.stringify(body), token }));
      await onChanged(user.id);
      setDone(true);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : `The password could not be changed: ${String(caught)}. Try again.`);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <section className="card admin-form" aria-label="Change password">
        <p className="notice" role="status">
          Your password is changed. Your other sign-ins have ended; sign in online once on each desk you use before signing in there without the server.
        </p>
        <button type="button" onClick={onCancel}>Close</button>
      </section>
    );
  }
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} aria-label="Change password" noValidate>
      <h3>Change your password</h3>
      <label>Current password<input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" required autoFocus /></label>
      <label>New password<input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" required /></label>
      <label>New password again<input type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" required /></label>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Changing…' : 'Change password'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
