// First run in the browser: create the school and its owner with the code the server printed.
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH } from '@feemaster/core';
import { ApiError, api } from '../api/client.ts';

const defaultZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function SetupScreen({ serverUrl, onDone }: { serverUrl: string; onDone: (email: string) => void }) {
  const [form, setForm] = useState({ setupCode: '', schoolName: '', currency: 'KES', timezone: defaultZone, ownerName: '', ownerEmail: '', ownerPassword: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.setup(serverUrl, { ...form, currency: form.currency.trim().toUpperCase() });
      onDone(form.ownerEmail);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Setup failed unexpectedly. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="card narrow">
      <h1>Set up Fee Master</h1>
      <p className="muted">No school is set up on this server yet. Enter the setup code shown in the sync server’s console.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="First-run setup">
        <label>Setup code<input {...field('setupCode')} required autoFocus autoComplete="off" /></label>
        <label>School name<input {...field('schoolName')} required minLength={2} /></label>
        <div className="row">
          <label>Currency (ISO code)<input {...field('currency')} required maxLength={3} minLength={3} /></label>
          <label>Time zone<input {...field('timezone')} required /></label>
        </div>
        <label>Your name<input {...field('ownerName')} required /></label>
        <label>Your email<input {...field('ownerEmail')} type="email" required /></label>
        <label>Password (at least {MIN_PASSWORD_LENGTH} characters)<input {...field('ownerPassword')} type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Setting up…' : 'Create school'}</button>
      </form>
    </main>
  );
}
