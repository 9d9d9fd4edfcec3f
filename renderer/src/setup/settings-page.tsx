// School settings (owners and admins): currency, time zone, receipt header and footer, the logo,
// how siblings are counted and the void policy. The currency is fixed once the ledger holds entries.
import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { currencyExponent, logoDataUrl, MAX_LOGO_BYTES, MAX_LOGO_PIXELS, type SettingsDoc } from '@feemaster/core';
import { useObservable } from '../components/use-observable.ts';
import type { Desk } from '../desk/open-desk.ts';
import { Field, FormMessages, ReadOnlyNote, writeFailure } from './setup-parts.tsx';
import type { SetupData } from './setup-data.ts';
import { buildSettingsData, chosenLogo, RECEIPT_TEXT_LIMIT, settingsDraftOf, type SettingsDraft } from './settings-draft.ts';
import { referenceDoc, refusalForKind, saveReference, type SetupWriter } from './setup-store.ts';
import type { FieldProblems } from './field-problems.ts';

const timeZones: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function SettingsPage({ desk, writer, data }: { desk: Desk; writer: SetupWriter; data: SetupData }) {
  const ledgerCount$ = useMemo(() => desk.db.ledger.count().$, [desk]);
  const ledgerCount = useObservable<number | null>(ledgerCount$, null);
  const status = useObservable(desk.status.status$, desk.status.current());
  // No entry on the desk proves nothing until its ledger has caught up with the server this session.
  const ledgerCaughtUp = status.collections.ledger?.lastSyncAt != null && status.initialSync?.collections.find((c) => c.name === 'ledger')?.done !== false;
  const settings = data.settings;
  // Kept here: the form starts afresh when the saved settings come back from the replica.
  const [savedVersion, setSavedVersion] = useState<string | null>(null);
  if (!settings) {
    return <p className="empty">The school’s settings have not reached this desk yet: they arrive with the first sync from the server.</p>;
  }
  // Keyed by the stored version: a change saved on another desk shows here as it arrives.
  return (
    <>
      <SettingsForm key={settings.updatedAt} writer={writer} settings={settings} ledgerCount={ledgerCaughtUp ? ledgerCount : null} onSaved={setSavedVersion} />
      {savedVersion === settings.updatedAt && <p className="notice" role="status">Settings saved.</p>}
    </>
  );
}

function withoutLogoProblem(problems: FieldProblems): FieldProblems {
  const { logo: _logo, ...others } = problems;
  return others;
}

/**
 * Why the school's saved logo cannot be printed, or null: the screen refuses such a picture when it
 * is chosen, but one pushed through the server's API is not tried by the printer code until a
 * receipt is printed (without it).
 */
function useSavedLogoProblem(logo: SettingsDoc['data']['logo']): string | null {
  // The answer is kept with the picture it is about, so a new picture shows none until it is tried.
  const [tried, setTried] = useState<{ base64: string; problem: string | null } | null>(null);
  const base64 = logo?.base64;
  const mediaType = logo?.mediaType;
  useEffect(() => {
    if (base64 === undefined || mediaType === undefined) return;
    let current = true;
    void import('../cashier/receipt-pdf.ts').then(({ logoEmbedProblem }) => {
      if (current) setTried({ base64, problem: logoEmbedProblem({ base64, mediaType }) });
    });
    return () => {
      current = false;
    };
  }, [base64, mediaType]);
  return tried !== null && tried.base64 === base64 ? tried.problem : null;
}

function SettingsForm({ writer, settings, ledgerCount, onSaved }: {
  writer: SetupWriter;
  settings: SettingsDoc;
  /** Ledger entries on this desk; null until the desk has caught up with the server's. */
  ledgerCount: number | null;
  onSaved: (version: string) => void;
}) {
  const [draft, setDraft] = useState<SettingsDraft>(() => settingsDraftOf(settings.data));
  const [problems, setProblems] = useState<FieldProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [logoNote, setLogoNote] = useState<string | null>(null);
  const savedLogoProblem = useSavedLogoProblem(draft.logo && draft.logo.base64 === settings.data.logo?.base64 ? settings.data.logo : undefined);
  const refusal = refusalForKind(writer, 'settings');
  const readOnly = refusal !== null;
  // Until the count is known the currency is treated as fixed: never offer what may corrupt amounts.
  const currencyLocked = ledgerCount === null || ledgerCount > 0;
  const set = <K extends keyof SettingsDraft>(name: K, value: SettingsDraft[K]): void => {
    setDraft((d) => ({ ...d, [name]: value }));
  };

  const chooseLogo = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    // Cleared so that choosing the same file again (after removing it) is seen as a choice.
    input.value = '';
    if (!file) return;
    setLogoNote(null);
    const refuse = (problem: string): void => setProblems((p) => ({ ...p, logo: problem }));
    const chosen = chosenLogo(file.name, new Uint8Array(await file.arrayBuffer()));
    if ('problem' in chosen) {
      refuse(chosen.problem);
      return;
    }
    // The receipt printer's own check: a picture it cannot embed would stop every receipt.
    const printProblem = (await import('../cashier/receipt-pdf.ts')).logoPrintProblem(chosen.logo);
    if (printProblem !== null) {
      refuse(`${file.name}: ${printProblem}`);
      return;
    }
    setProblems(withoutLogoProblem);
    set('logo', chosen.logo);
    setLogoNote(chosen.note);
  };

  const removeLogo = (): void => {
    set('logo', null);
    setProblems(withoutLogoProblem);
    setLogoNote(settings.data.logo ? 'The logo is removed: save the settings to print receipts without it.' : null);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const built = buildSettingsData(draft, { currencyLocked, savedCurrency: settings.data.currency });
    if ('problems' in built) {
      setProblems(built.problems);
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      const stored = await saveReference(writer, referenceDoc({ kind: 'settings', name: settings.name, data: built.data }, settings, writer.schoolId, new Date()));
      onSaved(stored.updatedAt);
    } catch (caught) {
      setError(writeFailure(caught, 'The settings'));
    } finally {
      setBusy(false);
    }
  };

  const minorUnit = currencyExponent(settings.data.currency) === 0 ? `whole ${settings.data.currency}` : `${settings.data.currency} minor units (cents)`;
  const currencyHint = currencyLocked
    ? ledgerCount === null
      ? 'Fixed for now: whether the school has any bill or payment yet is known once this desk has caught up with the server.'
      : `The currency can no longer change: this desk holds ${String(ledgerCount)} ledger ${ledgerCount === 1 ? 'entry' : 'entries'} (bills, payments…), and every amount is stored as a whole number of ${minorUnit}. Under another currency each of those amounts would mean something else.`
    : 'Choose it before the first bill or payment: every amount is stored in this currency’s smallest unit, so it cannot change once the ledger has entries.';

  return (
    <form className="card setup-form" onSubmit={(e) => void submit(e)} aria-label="School settings" noValidate>
      <ReadOnlyNote refusal={refusal} />
      <fieldset disabled={readOnly || busy} className="setup-fieldset">
        <div className="row">
          <Field label="Currency" error={problems.currency} hint={currencyHint}>
            {(control) => (
              <input {...control} value={draft.currency} onChange={(e) => set('currency', e.target.value)} readOnly={currencyLocked} maxLength={3} autoComplete="off" className="setup-short" />
            )}
          </Field>
          <Field label="Time zone" error={problems.timezone} hint="Where the school is: it decides which day a payment falls on, and the times on receipts.">
            {(control) => (
              <>
                <input {...control} value={draft.timezone} onChange={(e) => set('timezone', e.target.value)} list="setup-time-zones" autoComplete="off" />
                <datalist id="setup-time-zones">
                  {timeZones.map((zone) => <option key={zone} value={zone} />)}
                </datalist>
              </>
            )}
          </Field>
        </div>
        <Field label="Receipt header" error={problems.receiptHeader} hint={`Printed at the top of every receipt (up to ${String(RECEIPT_TEXT_LIMIT)} characters): the school’s name, address, phone.`}>
          {(control) => <textarea {...control} value={draft.receiptHeader} onChange={(e) => set('receiptHeader', e.target.value)} rows={3} />}
        </Field>
        <Field label="Receipt footer" error={problems.receiptFooter} hint="Printed at the bottom: bank details, a thank-you, the refund policy.">
          {(control) => <textarea {...control} value={draft.receiptFooter} onChange={(e) => set('receiptFooter', e.target.value)} rows={3} />}
        </Field>
        <Field
          label="School logo"
          error={problems.logo}
          hint={`A PNG or JPEG under ${String(MAX_LOGO_BYTES / 1024)} KB, at most ${String(MAX_LOGO_PIXELS)} pixels a side (about 600 × 600 is plenty). Printed at the top of receipts, Z-reports, statements and the void register, also when the desk is offline.`}
        >
          {(control) => (
            <div className="setup-logo">
              {draft.logo ? (
                <img src={logoDataUrl(draft.logo)} alt="The school’s logo as receipts print it" className="setup-logo-preview" />
              ) : (
                <p className="muted setup-logo-none">No logo: receipts print the school’s name alone.</p>
              )}
              <div className="setup-logo-actions">
                <input {...control} type="file" accept="image/png,image/jpeg" onChange={(e) => void chooseLogo(e)} />
                {draft.logo && <button type="button" className="secondary" onClick={removeLogo}>Remove logo</button>}
              </div>
              {logoNote && <p className="notice setup-logo-note">{logoNote}</p>}
              {savedLogoProblem && (
                <p className="notice warning setup-logo-note" role="alert">
                  The saved logo cannot be printed ({savedLogoProblem}), so receipts, Z-reports, statements and the void register print without it. Choose the logo again as a PNG or JPEG, or remove it.
                </p>
              )}
            </div>
          )}
        </Field>
        <div className="row">
          <Field label="Sibling order" hint="Who counts as the second, third… child of a family for the sibling discount.">
            {(control) => (
              <select {...control} value={draft.siblingOrder} onChange={(e) => set('siblingOrder', e.target.value === 'admission-order' ? 'admission-order' : 'eldest-first')}>
                <option value="eldest-first">Eldest child first</option>
                <option value="admission-order">In order of admission</option>
              </select>
            )}
          </Field>
          <div className="setup-field setup-check">
            <label>
              <input type="checkbox" checked={draft.voidOnlyInSameSession} onChange={(e) => set('voidOnlyInSameSession', e.target.checked)} />
              Cashiers void only in the till session the payment was taken in
            </label>
            <p className="hint">Later corrections then go to a bursar or admin.</p>
          </div>
        </div>
      </fieldset>
      <FormMessages error={error} />
      {!readOnly && (
        <div className="actions">
          <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save settings'}</button>
        </div>
      )}
    </form>
  );
}
