// Exporting students, payers, payments, invoice lines or statements to Excel, CSV or JSON with
// the chosen filters. Made on this desk from its replica, so it works offline: a worker reads the
// documents, builds the rows and writes the file with progress, Cancel ends the worker, and the
// finished file is saved as a download (a save dialog on the desktop app).
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  exportFileName,
  exportMimeTypes,
  localDate,
  methodNames,
  paymentMethods,
  studentStatuses,
  type ClassDoc,
  type ExportFormat,
  type ExportKind,
  type PaymentMethod,
  type StudentCategoryDoc,
  type TermDoc,
} from '@feemaster/core';
import { saveFile } from '../api/audit-api.ts';
import { useObservable } from '../components/use-observable.ts';
import type { Desk } from '../desk/open-desk.ts';
import { markBulkStep } from './bulk-timings.ts';
import { NO_CLASS, initialExportForm, selectionOf, type ExportForm, type FieldProblem, type StudentFilterFields } from './export-form.ts';
import type { ExportWorkerReply, ExportWorkerRequest } from './export-messages.ts';
import type { ReadProgress } from './payments-while-reading.ts';
import { exportNeeds } from './export-build.ts';
import { exportQueries } from './read-replica.ts';
import { staffNames } from './staff-names.ts';

type Work =
  | { step: 'idle' }
  /** With how far the read of the ledger has come, when the kind says (a payment export, whose file is written meanwhile). */
  | { step: 'reading'; progress?: ReadProgress }
  | { step: 'building' }
  | { step: 'writing'; rowsDone: number; total: number }
  | { step: 'saved'; fileName: string; rows: number; bytes: number; note: string | null }
  | { step: 'empty' }
  | { step: 'cancelled' }
  | { step: 'failed'; message: string };

/** One export under way: its worker once started, and whether the person cancelled it. */
interface Run {
  worker: Worker | null;
  cancelled: boolean;
}

const kindLabels: Record<ExportKind, string> = {
  students: 'Students',
  payers: 'Payers (families and sponsors)',
  payments: 'Payments',
  invoices: 'Invoice lines',
  statements: 'Statements',
};

const formatLabels: Record<ExportFormat, string> = { xlsx: 'Excel (.xlsx)', csv: 'CSV (.csv)', json: 'JSON (.json)' };

const capitalised = (text: string): string => text.replace(/^./u, (c) => c.toUpperCase());
const count = (n: number): string => n.toLocaleString();
const megabytes = (bytes: number): string => (bytes < 100_000 ? `${count(Math.max(1, Math.round(bytes / 1000)))} KB` : `${(bytes / 1_000_000).toFixed(1)} MB`);

type ChoiceDoc = ClassDoc | StudentCategoryDoc | TermDoc;

export function ExportPanel({ desk, studentFilters, onClose }: { desk: Desk; studentFilters?: Partial<StudentFilterFields>; onClose: () => void }) {
  const timeZone = desk.session.school.timezone;
  const [form, setForm] = useState<ExportForm>(() => initialExportForm(localDate(new Date().toISOString(), timeZone), studentFilters));
  const [problems, setProblems] = useState<readonly FieldProblem[]>([]);
  const [work, setWork] = useState<Work>({ step: 'idle' });
  const run = useRef<Run | null>(null);
  useEffect(
    () => () => {
      if (run.current) {
        run.current.cancelled = true;
        run.current.worker?.terminate();
      }
    },
    [],
  );

  const choices$ = useMemo(() => desk.db.reference.find({ selector: { kind: { $in: ['class', 'studentCategory', 'term'] } } }).$, [desk]);
  const choiceDocs = useObservable(choices$, []);
  const choices = useMemo(() => {
    const docs = choiceDocs.map((d) => d.toJSON() as ChoiceDoc).sort((a, b) => a.name.localeCompare(b.name));
    return {
      classes: docs.filter((d): d is ClassDoc => d.kind === 'class'),
      categories: docs.filter((d): d is StudentCategoryDoc => d.kind === 'studentCategory'),
      terms: docs.filter((d): d is TermDoc => d.kind === 'term'),
    };
  }, [choiceDocs]);

  const busy = work.step === 'reading' || work.step === 'building' || work.step === 'writing';
  const problemOf = (field: string): ReactNode => {
    const problem = problems.find((p) => p.field === field);
    return problem ? <span className="field-error">{problem.message}</span> : null;
  };
  const set = <K extends 'students' | 'payers' | 'payments' | 'invoices' | 'statements'>(kind: K, fields: Partial<ExportForm[K]>): void => setForm((f) => ({ ...f, [kind]: { ...f[kind], ...fields } }));

  const start = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const chosen = selectionOf(form);
    if (!chosen.ok) {
      setProblems(chosen.problems);
      return;
    }
    setProblems([]);
    markBulkStep('export:start');
    const current: Run = { worker: null, cancelled: false };
    run.current = current;
    const { kind, format } = form;
    setWork({ step: 'reading' });
    const fileName = exportFileName(kind, format, localDate(new Date().toISOString(), timeZone));
    const worker = new Worker(new URL('./export-worker.ts', import.meta.url), { type: 'module' });
    current.worker = worker;
    const chunks: ArrayBuffer[] = [];
    let staffNote: string | null = null;
    const stop = (next: Work): void => {
      worker.terminate();
      if (run.current === current) run.current = null;
      setWork(next);
    };
    worker.onmessage = (message: MessageEvent<ExportWorkerReply>) => {
      const reply = message.data;
      switch (reply.type) {
        case 'reading':
          setWork({ step: 'reading', progress: { entries: reply.entries, upTo: reply.upTo, share: reply.share } });
          break;
        case 'read':
          markBulkStep('export:rows', { queryMs: reply.queryMs, plainMs: reply.plainMs });
          setWork({ step: 'building' });
          break;
        case 'rows':
          markBulkStep('export:built', { buildMs: reply.buildMs });
          if (reply.total === 0) stop({ step: 'empty' });
          else setWork({ step: 'writing', rowsDone: 0, total: reply.total });
          break;
        case 'progress':
          setWork({ step: 'writing', rowsDone: reply.rowsDone, total: reply.total });
          break;
        case 'chunk':
          chunks.push(reply.bytes);
          break;
        case 'done':
          markBulkStep('export:written', { writeMs: reply.writeMs, writtenAgain: reply.writtenAgain === true ? 1 : 0 });
          saveFile({ filename: fileName, blob: new Blob(chunks, { type: exportMimeTypes[format] }) });
          markBulkStep('export:saved');
          stop({ step: 'saved', fileName, rows: reply.rows, bytes: reply.bytes, note: staffNote });
          break;
        case 'failed':
          stop({ step: 'failed', message: reply.message });
          break;
      }
    };
    worker.onerror = (error) => stop({ step: 'failed', message: `The export stopped (${error.message}). Reload the desk and export again.` });
    const request: ExportWorkerRequest = { type: 'export', selection: chosen.selection, format, queries: exportQueries(desk.db, kind), currency: desk.session.school.currency, timeZone };
    worker.postMessage(request);
    // The worker reads the replica meanwhile, and builds the rows once the names are here.
    const staff = exportNeeds[kind].staffNames ? await staffNames(desk) : { names: new Map<string, string>(), note: null };
    if (current.cancelled) return;
    staffNote = staff.note;
    worker.postMessage({ type: 'staff', names: staff.names } satisfies ExportWorkerRequest);
  };

  const cancel = (): void => {
    if (run.current) {
      run.current.cancelled = true;
      run.current.worker?.terminate();
      run.current = null;
    }
    setWork({ step: 'cancelled' });
  };

  return (
    <section className="import-panel export-panel" aria-label="Export">
      <div className="toolbar">
        <h3>Export to Excel, CSV or JSON</h3>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
      <p className="muted">Made on this desk from its own copy of the school’s records, so it works offline too; what other desks have not synced yet is not in it.</p>
      <form aria-label="Export options" onSubmit={(e) => void start(e)} noValidate>
        <fieldset className="setup-fieldset" disabled={busy}>
          <div className="import-options">
            <label>
              What to export
              <select value={form.kind} onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value as ExportKind }))}>
                {(Object.keys(kindLabels) as ExportKind[]).map((kind) => <option key={kind} value={kind}>{kindLabels[kind]}</option>)}
              </select>
            </label>
            <label>
              Format
              <select value={form.format} onChange={(e) => setForm((f) => ({ ...f, format: e.target.value as ExportFormat }))}>
                {(Object.keys(formatLabels) as ExportFormat[]).map((format) => <option key={format} value={format}>{formatLabels[format]}</option>)}
              </select>
            </label>
          </div>
          <div className="import-options" role="group" aria-label={`Filters for ${kindLabels[form.kind].toLowerCase()}`}>
            {form.kind === 'students' && (
              <>
                <label>
                  Class
                  <select value={form.students.classId} onChange={(e) => set('students', { classId: e.target.value })}>
                    <option value="">All classes</option>
                    {choices.classes.map((c) => <option key={c.id} value={c.id}>{c.name}{c.archived ? ' (archived)' : ''}</option>)}
                    <option value={NO_CLASS}>No class</option>
                  </select>
                </label>
                <label>
                  Status
                  <select value={form.students.status} onChange={(e) => set('students', { status: e.target.value })}>
                    <option value="">Any status</option>
                    {studentStatuses.map((status) => <option key={status} value={status}>{status}</option>)}
                  </select>
                </label>
                <label>
                  Category
                  <select value={form.students.categoryId} onChange={(e) => set('students', { categoryId: e.target.value })}>
                    <option value="">Any category</option>
                    {choices.categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                </label>
                <label>
                  Search
                  <input type="search" value={form.students.search} placeholder="Name, admission number or payer’s phone" onChange={(e) => set('students', { search: e.target.value })} />
                </label>
              </>
            )}
            {form.kind === 'payers' && (
              <>
                <label>
                  Search
                  <input type="search" value={form.payers.search} placeholder="Name or phone number" onChange={(e) => set('payers', { search: e.target.value })} />
                </label>
                <div className="setup-check">
                  <label>
                    <input type="checkbox" checked={form.payers.includeArchived} onChange={(e) => set('payers', { includeArchived: e.target.checked })} />
                    Include archived payers
                  </label>
                </div>
              </>
            )}
            {form.kind === 'payments' && (
              <>
                <label>
                  From
                  <input type="date" value={form.payments.from} onChange={(e) => set('payments', { from: e.target.value })} />
                  {problemOf('payments.from')}
                </label>
                <label>
                  To
                  <input type="date" value={form.payments.to} onChange={(e) => set('payments', { to: e.target.value })} />
                  {problemOf('payments.to')}
                </label>
                <fieldset className="setup-fieldset setup-check">
                  <legend>Methods (none ticked: all)</legend>
                  {paymentMethods.map((method) => (
                    <label key={method}>
                      <input type="checkbox" checked={form.payments.methods.includes(method)} onChange={(e) => set('payments', { methods: toggled(form.payments.methods, method, e.target.checked) })} />
                      {capitalised(methodNames[method])}
                    </label>
                  ))}
                </fieldset>
                <div className="setup-check">
                  <label>
                    <input type="checkbox" checked={form.payments.includeVoided} onChange={(e) => set('payments', { includeVoided: e.target.checked })} />
                    Include voided, refunded and returned payments
                  </label>
                </div>
              </>
            )}
            {form.kind === 'invoices' && (
              <>
                <label>
                  Term
                  <select value={form.invoices.termId} onChange={(e) => set('invoices', { termId: e.target.value })}>
                    <option value="">All terms</option>
                    {choices.terms.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
                  </select>
                </label>
                <label>
                  Class
                  <select value={form.invoices.classId} onChange={(e) => set('invoices', { classId: e.target.value })}>
                    <option value="">All classes</option>
                    {choices.classes.map((c) => <option key={c.id} value={c.id}>{c.name}{c.archived ? ' (archived)' : ''}</option>)}
                  </select>
                </label>
                <label>
                  Issued from
                  <input type="date" value={form.invoices.from} onChange={(e) => set('invoices', { from: e.target.value })} />
                  {problemOf('invoices.from')}
                </label>
                <label>
                  Issued to
                  <input type="date" value={form.invoices.to} onChange={(e) => set('invoices', { to: e.target.value })} />
                  {problemOf('invoices.to')}
                </label>
              </>
            )}
            {form.kind === 'statements' && (
              <label>
                Statement date
                <input type="date" value={form.statements.asOf} onChange={(e) => set('statements', { asOf: e.target.value })} />
                {problemOf('statements.asOf')}
              </label>
            )}
          </div>
          <div className="actions">
            <button type="submit">Export</button>
          </div>
        </fieldset>
      </form>
      <ExportProgress work={work} timeZone={timeZone} onCancel={cancel} />
    </section>
  );
}

function toggled(methods: readonly PaymentMethod[], method: PaymentMethod, on: boolean): PaymentMethod[] {
  const others = methods.filter((m) => m !== method);
  return on ? [...others, method] : others;
}

function ExportProgress({ work, timeZone, onCancel }: { work: Work; timeZone: string; onCancel: () => void }) {
  const cancelButton = <button type="button" className="secondary" onClick={onCancel}>Cancel</button>;
  switch (work.step) {
    case 'idle':
      return null;
    case 'reading':
      if (work.progress !== undefined) {
        const { entries, upTo, share } = work.progress;
        return (
          <div className="import-progress" role="status">
            <progress aria-label="Export progress" max={1} value={share} />
            <span data-testid="export-read">
              Reading and writing: {count(entries)} ledger entries{upTo === null ? '' : `, up to ${localDate(upTo, timeZone)}`}
            </span>
            {cancelButton}
          </div>
        );
      }
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Export progress" />
          <span>Reading this desk’s records…</span>
          {cancelButton}
        </div>
      );
    case 'building':
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Export progress" />
          <span>Preparing the rows…</span>
          {cancelButton}
        </div>
      );
    case 'writing':
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Export progress" max={work.total} value={work.rowsDone} />
          <span data-testid="export-rows">{count(work.rowsDone)} of {count(work.total)} rows</span>
          {cancelButton}
        </div>
      );
    case 'saved':
      return (
        <p className="notice" role="status">
          Saved {work.fileName}: {count(work.rows)} {work.rows === 1 ? 'row' : 'rows'}, {megabytes(work.bytes)}.{work.note ? ` ${work.note}` : ''}
        </p>
      );
    case 'empty':
      return <p className="notice" role="status">Nothing matches these filters, so no file was saved. Widen the filters and export again.</p>;
    case 'cancelled':
      return <p className="notice" role="status">Export cancelled; no file was saved.</p>;
    case 'failed':
      return <p className="error" role="alert">{work.message}</p>;
  }
}
