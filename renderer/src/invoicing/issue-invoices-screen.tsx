// Issuing a term's invoices for one or more classes: choose the term and classes, read the
// preview (each student's bill less automatic discounts, totals per class, who is skipped and
// who cannot be billed and why), then issue. A student's problem never blocks the others, and
// issuing again skips whoever is billed already. Works offline; the invoices sync later.
import { useMemo, useState, type FormEvent } from 'react';
import { formatMoney, localDate, refusalToWrite, type ClassDoc, type DiscountRuleDoc, type FeeStructure, type InvoiceDoc, type LedgerEntry, type Payer, type ReferenceDoc, type SettingsDoc, type Student, type TermDoc } from '@feemaster/core';
import { isOfflineSession } from '../api/session.ts';
import { useObservable } from '../components/use-observable.ts';
import { ledgerEntryOf, withLedgerKeys } from '../db/ledger-keys.ts';
import type { Desk } from '../desk/open-desk.ts';
import { planInvoiceRun, type InvoiceRun } from './invoice-run.ts';

type Step = { kind: 'form' } | { kind: 'preview'; run: InvoiceRun } | { kind: 'issuing' } | { kind: 'issued'; count: number; students: number } | { kind: 'failed'; message: string };

export function IssueInvoicesScreen({ desk }: { desk: Desk }) {
  const references$ = useMemo(() => desk.db.reference.find({ selector: { kind: { $in: ['term', 'class', 'settings', 'discountRule'] } } }).$, [desk]);
  const references = useObservable(references$, []);
  const refs = useMemo(() => references.map((d) => d.toJSON() as ReferenceDoc).filter((r) => r.archived !== true), [references]);
  const terms = useMemo(() => refs.filter((r): r is TermDoc => r.kind === 'term').sort((a, b) => b.data.startDate.localeCompare(a.data.startDate)), [refs]);
  const classes = useMemo(() => refs.filter((r): r is ClassDoc => r.kind === 'class').sort((a, b) => a.name.localeCompare(b.name)), [refs]);
  const settings = refs.find((r): r is SettingsDoc => r.kind === 'settings');
  const currency = desk.session.school.currency;
  const [termId, setTermId] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [issuedOn, setIssuedOn] = useState(() => localDate(new Date().toISOString(), settings?.data.timezone));
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const refusal = refusalToWrite(desk.session.user.role, 'ledger', { type: 'invoice' }, isOfflineSession(desk.session) ? 'offline' : 'online');
  const money = (minor: number): string => formatMoney(minor, currency);

  const preview = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const term = terms.find((t) => t.id === (termId || terms[0]?.id));
    const picked = classes.filter((c) => chosen.has(c.id));
    if (!term) return setStep({ kind: 'failed', message: 'Set up the term first (Setup → Years and terms).' });
    if (picked.length === 0) return setStep({ kind: 'failed', message: 'Tick the classes to invoice.' });
    if (!settings) return setStep({ kind: 'failed', message: 'The school settings have not reached this desk yet; wait for the sync and try again.' });
    const [students, structures, payers, invoices] = await Promise.all([
      desk.db.students.find().exec(),
      desk.db.feeStructures.find({ selector: { termId: term.id } }).exec(),
      desk.db.payers.find().exec(),
      desk.db.ledger.find({ selector: { type: 'invoice' } }).exec(),
    ]);
    const run = planInvoiceRun({
      schoolId: desk.session.school.id,
      currency,
      term,
      classes: picked,
      students: students.map((d) => d.toJSON() as Student),
      structures: structures.map((d) => d.toJSON() as FeeStructure),
      payers: payers.map((d) => d.toJSON() as Payer),
      discountRules: refs.filter((r): r is DiscountRuleDoc => r.kind === 'discountRule'),
      settings,
      existingInvoices: invoices.map((d) => ledgerEntryOf(d)).filter((e): e is InvoiceDoc => e.type === 'invoice'),
      allClassNames: new Map(references.map((d) => d.toJSON() as ReferenceDoc).flatMap((r) => (r.kind === 'class' ? [[r.id, r.name] as const] : []))),
      issuedOn,
      createdBy: desk.session.user.id,
      ...(desk.device ? { deviceId: desk.device.id } : {}),
      now: new Date().toISOString(),
    });
    setStep({ kind: 'preview', run });
  };

  const issue = async (run: InvoiceRun): Promise<void> => {
    setStep({ kind: 'issuing' });
    const entries: LedgerEntry[] = [...run.invoices, ...run.discounts];
    void desk.pending.ledger.markMany(entries.map((e) => ({ id: e.id, updatedAt: e.createdAt }))).catch((error: unknown) => console.warn('Issued, but not counted as waiting to sync:', error));
    const result = await desk.db.ledger.bulkInsert(entries.map((entry) => withLedgerKeys(entry)));
    // Issued entries are ledger entries: never taken back. A write that failed is issued by running again
    // (the students already billed are skipped), so the bursar is told how far it got.
    if (result.error.length > 0) {
      // Not written, so not waiting to sync: their marks go (a settle clears a mark at or after its time).
      const failed = new Set(result.error.map((e) => e.documentId));
      await desk.pending.ledger.settle(entries.filter((e) => failed.has(e.id)).map((e) => ({ id: e.id, updatedAt: e.createdAt })));
      setStep({ kind: 'failed', message: `${String(result.success.length)} of ${String(entries.length)} entries were issued; ${String(result.error.length)} could not be written on this desk. Preview and issue again: those already billed are skipped.` });
      return;
    }
    setStep({ kind: 'issued', count: run.invoices.length, students: run.totals.students });
  };

  if (refusal) return <section className="invoicing"><h2>Term invoices</h2><p className="notice">{`You cannot issue invoices: ${refusal}.`}</p></section>;

  return (
    <section className="invoicing">
      <h2>Term invoices</h2>
      <form className="card" aria-label="Issue term invoices" onSubmit={(e) => void preview(e)}>
        <div className="row">
          <label>
            Term
            <select value={termId || terms[0]?.id || ''} onChange={(e) => { setTermId(e.target.value); setStep({ kind: 'form' }); }}>
              {terms.length === 0 && <option value="">No term set up</option>}
              {terms.map((t) => <option key={t.id} value={t.id}>{t.name} ({t.data.startDate} – {t.data.endDate})</option>)}
            </select>
          </label>
          <label>
            Issued on
            <input type="date" value={issuedOn} onChange={(e) => setIssuedOn(e.target.value)} required />
          </label>
        </div>
        <fieldset>
          <legend>Classes</legend>
          <label className="inline">
            <input type="checkbox" checked={classes.length > 0 && chosen.size === classes.length} onChange={() => { setChosen(chosen.size === classes.length ? new Set() : new Set(classes.map((c) => c.id))); setStep({ kind: 'form' }); }} />
            All classes
          </label>
          {classes.map((c) => (
            <label key={c.id} className="inline">
              <input type="checkbox" checked={chosen.has(c.id)} onChange={() => { const next = new Set(chosen); if (!next.delete(c.id)) next.add(c.id); setChosen(next); setStep({ kind: 'form' }); }} />
              {c.name}
            </label>
          ))}
        </fieldset>
        <div className="actions"><button type="submit">Preview</button></div>
      </form>
      {step.kind === 'failed' && <p className="error" role="alert">{step.message}</p>}
      {step.kind === 'issuing' && <p role="status">Issuing…</p>}
      {step.kind === 'issued' && <p className="notice" role="status">{step.count} invoice{step.count === 1 ? '' : 's'} issued to {step.students} student{step.students === 1 ? '' : 's'}. They sync to the server {navigator.onLine ? 'now' : 'when the desk is back online'}.</p>}
      {step.kind === 'preview' && <RunPreview run={step.run} money={money} onIssue={() => void issue(step.run)} />}
    </section>
  );
}

function RunPreview({ run, money, onIssue }: { run: InvoiceRun; money: (minor: number) => string; onIssue: () => void }) {
  return (
    <div className="invoice-preview" aria-label="Invoice preview" role="region">
      <table className="admin-table" aria-label="Totals per class">
        <thead>
          <tr><th>Class</th><th>Students billed</th><th>Billed</th><th>Discounts</th><th>Net</th><th>Already billed</th><th>Cannot bill</th></tr>
        </thead>
        <tbody>
          {run.classes.map((c) => (
            <tr key={c.classId} data-testid="class-total">
              <td>{c.className}</td>
              <td>{c.bills.length}</td>
              <td>{money(c.totals.billed)}</td>
              <td>{money(c.totals.discounts)}</td>
              <td>{money(c.totals.net)}</td>
              <td>{c.skipped.length}</td>
              <td>{c.problem ? 'whole class' : c.failures.length}</td>
            </tr>
          ))}
          <tr className="total"><td>All</td><td>{run.totals.students}</td><td>{money(run.totals.billed)}</td><td>{money(run.totals.discounts)}</td><td>{money(run.totals.net)}</td><td>{run.totals.skipped}</td><td>{run.totals.failures}</td></tr>
        </tbody>
      </table>
      {run.classes.flatMap((c) => [...(c.problem ? [{ key: c.classId, text: `${c.className}: ${c.problem}` }] : []), ...c.failures.map((f) => ({ key: f.studentId, text: `${c.className}, ${f.name} (${f.admissionNumber}): ${f.reason}` }))]).length > 0 && (
        <div role="alert" className="invoice-failures">
          <p className="error">These students will not be billed (the others will):</p>
          <ul className="compact">
            {run.classes.map((c) => c.problem && <li key={c.classId}>{c.className}: {c.problem}</li>)}
            {run.classes.flatMap((c) => c.failures.map((f) => <li key={f.studentId} data-testid="invoice-failure">{c.className}, {f.name} ({f.admissionNumber}): {f.reason}</li>))}
          </ul>
        </div>
      )}
      {run.classes.some((c) => c.skipped.some((k) => k.billedIn !== undefined)) && (
        <div role="note" className="notice warning invoice-moved">
          <p>Billed for this term already in another class (moved since), so not billed again; adjust that bill by hand (a fine or a waiver) if the move changes the fees:</p>
          <ul className="compact">
            {run.classes.flatMap((c) => c.skipped.flatMap((k) => (k.billedIn === undefined ? [] : [<li key={k.studentId} data-testid="invoice-moved">{c.className}, {k.name}: billed in {k.billedIn}</li>])))}
          </ul>
        </div>
      )}
      {run.classes.map((c) => c.bills.length > 0 && (
        <details key={c.classId}>
          <summary>{c.className}: {c.bills.length} student{c.bills.length === 1 ? '' : 's'}</summary>
          <table className="admin-table" aria-label={`Bills of ${c.className}`}>
            <thead><tr><th>Admission no.</th><th>Student</th><th>Billed</th><th>Discounts</th><th>Net</th></tr></thead>
            <tbody>
              {c.bills.map((b) => (
                <tr key={b.studentId} data-testid="student-bill"><td>{b.admissionNumber}</td><td>{b.name}</td><td>{money(b.billed)}</td><td>{money(b.discounts)}</td><td>{money(b.net)}</td></tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      <div className="actions">
        <button type="button" onClick={onIssue} disabled={run.invoices.length === 0}>
          {run.invoices.length === 0 ? 'Nothing to issue' : `Issue ${String(run.invoices.length)} invoice${run.invoices.length === 1 ? '' : 's'}`}
        </button>
      </div>
    </div>
  );
}
