// Sign-in: online, once per desk; afterwards the desk reopens from its saved session.
import { useState, type FormEvent } from 'react';
import { platform } from '#platform';
import { ApiError, api } from '../api/client.ts';
import type { Session } from '../api/session.ts';

export function SignInScreen({ serverUrl, notice, onSignedIn, onServerChange }: {
  serverUrl: string;
  notice: string | null;
  onSignedIn: (session: Session) => void;
  onServerChange: (url: string) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [server, setServer] = useState(serverUrl);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (platform.canChooseServer && server !== serverUrl) onServerChange(server);
      const response = await api.login(server, email, password);
      onSignedIn({ ...response, serverUrl: server });
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Sign-in failed unexpectedly. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="card narrow">
      <h1>Fee Master</h1>
      <p className="muted">Sign in to this desk. After the first sign-in the desk also works offline.</p>
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
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
