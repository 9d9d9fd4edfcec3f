// For owners and admins on the Desks screen: what desks download of the ledger. Desks of a
// school with many years of history can be limited to the active and previous academic years.
import { useEffect, useMemo, useState } from 'react';
import { ledgerScopes, type LedgerScope } from '@feemaster/core';
import { adminFailure, createAdminApi } from '../api/admin-api.ts';
import type { Desk } from '../desk/open-desk.ts';

const choices: Readonly<Record<LedgerScope, string>> = {
  all: 'Every year',
  'recent-years': 'The active and previous academic years',
};

export function LedgerScopeSetting({ desk }: { desk: Desk }) {
  const api = useMemo(() => createAdminApi(desk.session.serverUrl, desk.tokens), [desk]);
  const [scope, setScope] = useState<LedgerScope | null>(null);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.syncSettings().then(
      (settings) => {
        if (!cancelled) setScope(settings.ledgerScope);
      },
      (error: unknown) => {
        if (!cancelled) setMessage({ error: true, text: adminFailure(error, 'read what desks download') });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const change = async (next: LedgerScope): Promise<void> => {
    setSaving(true);
    setMessage(null);
    try {
      setScope((await api.changeSyncSettings({ ledgerScope: next })).ledgerScope);
      setMessage({ error: false, text: 'Saved. Each desk downloads accordingly the next time it opens; the server keeps every year.' });
    } catch (error) {
      setMessage({ error: true, text: adminFailure(error, 'change what desks download') });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" aria-label="What desks download">
      <h3>What desks download of the ledger</h3>
      <p className="muted">Limiting it makes a new desk ready sooner. Balances on a desk then count only those years; statements and reports from the server include every year.</p>
      {scope && (
        <label>
          Ledger years on desks{' '}
          <select value={scope} disabled={saving} onChange={(e) => void change(e.target.value as LedgerScope)}>
            {ledgerScopes.map((s) => (
              <option key={s} value={s}>{choices[s]}</option>
            ))}
          </select>
        </label>
      )}
      {message && <p className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
    </section>
  );
}
