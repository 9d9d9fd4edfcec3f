// Importing from Excel or CSV (students with their guardians, or fee structures): choose the file,
// check which column feeds what, read every row's problem (row, column, what is wrong, how to fix
// it), then import all of it or nothing. Reading and checking run in a worker; writing goes to
// this desk's replica (offline too) and syncs like any change.
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { columnLetter, countryOfCurrency, localDate, type ColumnMapping, type ReferenceDoc, type TermDoc, type UnmappedColumns } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { saveFile } from '../api/audit-api.ts';
import { markBulkStep } from '../exports/bulk-timings.ts';
import { useObservable } from '../components/use-observable.ts';
import { ImportCancelledError } from './apply-import.ts';
import { importKinds, viewOf, type ImportOptions, type PreviewRow } from './import-kinds.ts';
import type { AnyImportPlan, ImportKind, ImportWorkerReply, ImportWorkerRequest } from './import-messages.ts';

/** Hands the worker's replies and failures to the panel (no longer to startImportWorker's keeper). */
function listen(started: Worker, onReply: (message: ImportWorkerReply) => void, onFailure: (message: string) => void): void {
  started.onmessage = (event: MessageEvent<ImportWorkerReply>) => onReply(event.data);
  started.onerror = (event) => onFailure(event.message);
}

/** Why a worker failed before it was given a file (its code did not load): nobody listened then. */
const failedToStart = new WeakMap<Worker, string>();

function startImportWorker(): Worker {
  const started = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
  started.onerror = (event) => {
    failedToStart.set(started, event.message || 'the import could not start');
  };
  return started;
}

type Step =
  | { kind: 'choose' }
  | { kind: 'reading'; stage: 'reading' | 'checking'; rows?: number }
  | { kind: 'file-error'; message: string; fix: string; unmapped?: UnmappedColumns }
  | { kind: 'preview'; plan: AnyImportPlan }
  | { kind: 'writing'; done: number; total: number; cancellable: boolean; cancelling?: boolean }
  | { kind: 'done'; plan: AnyImportPlan }
  | { kind: 'cancelled'; message: string }
  | { kind: 'write-error'; message: string };

interface ChosenFile {
  name: string;
  bytes: ArrayBuffer;
}

export function ImportPanel({ desk, kind = 'students', onClose }: { desk: Desk; kind?: ImportKind; onClose: () => void }) {
  const title = importKinds[kind];
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [dateOrder, setDateOrder] = useState<'dmy' | 'mdy'>('dmy');
  const [country, setCountry] = useState(() => countryOfCurrency(desk.session.school.currency) ?? '');
  const terms$ = useMemo(() => desk.db.reference.find({ selector: { kind: 'term' } }).$, [desk]);
  const termDocs = useObservable(terms$, []);
  const terms = useMemo(() => termDocs.map((d) => d.toJSON() as ReferenceDoc).filter((t): t is TermDoc => t.kind === 'term' && t.archived !== true).sort((a, b) => a.data.startDate.localeCompare(b.data.startDate)), [termDocs]);
  const [termId, setTermId] = useState('');
  const [asOf, setAsOf] = useState(() => localDate(new Date().toISOString()));
  const currency = desk.session.school.currency;
  const worker = useRef<Worker | null>(null);
  // A worker started with the panel, before any file is chosen: its code (the spreadsheet reader,
  // the phone numbering rules) loads while the person looks for the file, not after.
  const spare = useRef<Worker | null>(null);
  const writing = useRef<AbortController | null>(null);
  useEffect(() => {
    spare.current = startImportWorker();
    return () => {
      spare.current?.terminate();
      spare.current = null;
      worker.current?.terminate();
    };
  }, []);
  // Marked once React has put the preview (or the result) on screen, for `npm run bench:import`.
  useEffect(() => {
    if (step.kind === 'preview') markBulkStep('import:planned');
    else if (step.kind === 'done') markBulkStep('import:written');
  }, [step]);

  const plan = async (chosen: ChosenFile, mapping?: ColumnMapping): Promise<void> => {
    worker.current?.terminate();
    // The spare one for the first file; later checks (Check again, another column) start their own.
    const started = spare.current ?? startImportWorker();
    spare.current = null;
    worker.current = started;
    setStep({ kind: 'reading', stage: 'reading' });
    const failed = (message: string): void => {
      started.terminate();
      if (worker.current === started) worker.current = null;
      setStep({ kind: 'file-error', message: `The file could not be read (${message}).`, fix: 'Reload the desk and try again.' });
    };
    listen(started, (message) => {
      if (message.type === 'progress') setStep({ kind: 'reading', stage: message.stage, ...(message.rows !== undefined ? { rows: message.rows } : {}) });
      else {
        started.terminate();
        if (message.type === 'plan') {
          markBulkStep('import:received', message.timings);
          const { type: _type, timings: _timings, ...ready } = message;
          setStep({ kind: 'preview', plan: ready });
        }
        else setStep({ kind: 'file-error', message: message.message, fix: message.fix, ...(message.unmapped ? { unmapped: message.unmapped } : {}) });
      }
    }, failed);
    const early = failedToStart.get(started);
    if (early !== undefined) {
      failed(early);
      return;
    }
    const options: ImportOptions = { dateOrder, country, termId: termId || terms[0]?.id || '', asOf };
    let request: ImportWorkerRequest;
    try {
      request = { bytes: chosen.bytes.slice(0), fileName: chosen.name, ...(mapping ? { mapping } : {}), ...(await title.context(desk, options)) };
    } catch (error) {
      started.terminate();
      if (worker.current === started) worker.current = null;
      setStep({ kind: 'file-error', message: error instanceof Error ? error.message : String(error), fix: '' });
      return;
    }
    // Cancelled, another file chosen, or the worker failed while the school was gathered: this worker is ended.
    if (worker.current !== started) return;
    started.postMessage(request, [request.bytes]);
    markBulkStep('import:posted');
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const picked = event.target.files?.[0];
    event.target.value = '';
    if (!picked) return;
    markBulkStep('import:chosen');
    const chosen = { name: picked.name, bytes: await picked.arrayBuffer() };
    setFile(chosen);
    await plan(chosen);
  };

  const cancel = (): void => {
    worker.current?.terminate();
    worker.current = null;
    setStep({ kind: 'choose' });
  };

  const commit = async (ready: AnyImportPlan): Promise<void> => {
    markBulkStep('import:commit');
    const view = viewOf(ready, currency);
    const { cancellableWrite: cancellable } = view;
    const controller = new AbortController();
    writing.current = controller;
    setStep({ kind: 'writing', done: 0, total: view.changes, cancellable });
    try {
      await view.apply(desk, { signal: controller.signal, onProgress: (done, total) => setStep({ kind: 'writing', done, total, cancellable, ...(controller.signal.aborted ? { cancelling: true } : {}) }) });
      setStep({ kind: 'done', plan: ready });
    } catch (error) {
      if (error instanceof ImportCancelledError) setStep({ kind: 'cancelled', message: error.message });
      else setStep({ kind: 'write-error', message: error instanceof Error ? error.message : String(error) });
    } finally {
      writing.current = null;
    }
  };

  /** Stops the write after the batch being written and undoes it (the write says when it is done). */
  const cancelWrite = (): void => {
    writing.current?.abort();
    setStep((current) => (current.kind === 'writing' ? { ...current, cancelling: true } : current));
  };

  const template = (format: 'xlsx' | 'csv'): void => {
    void title.template(format).then((file) => saveFile({ filename: file.fileName, blob: new Blob([file.bytes.slice()], { type: file.mimeType }) }));
  };

  return (
    <section className="import-panel" aria-label={title.region}>
      <div className="toolbar">
        <h3>{title.heading}</h3>
        <button type="button" className="secondary" onClick={() => template('xlsx')}>Excel template</button>
        <button type="button" className="secondary" onClick={() => template('csv')}>CSV template</button>
        <button type="button" className="secondary" onClick={onClose}>Close</button>
      </div>
      <p className="muted">{title.intro} The import is all or nothing: any row with a problem and nothing is written.</p>
      <div className="import-options">
        <label>
          Spreadsheet (.xlsx or .csv)
          <input type="file" accept=".xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" onChange={(e) => void choose(e)} disabled={step.kind === 'reading' || step.kind === 'writing'} />
        </label>
        <label>
          Dates like 03/04/2015 are
          <select value={dateOrder} onChange={(e) => setDateOrder(e.target.value as 'dmy' | 'mdy')}>
            <option value="dmy">day/month/year</option>
            <option value="mdy">month/day/year</option>
          </select>
        </label>
        {kind === 'balances' && (
          <>
            <label>
              Booked in term
              <select value={termId || terms[0]?.id || ''} onChange={(e) => setTermId(e.target.value)}>
                {terms.length === 0 && <option value="">No term set up</option>}
                {terms.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            </label>
            <label>
              The old books closed on
              <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
            </label>
          </>
        )}
        {kind === 'students' && (
          <label>
            Phone numbers without a country code are from
            <input value={country} maxLength={2} size={3} onChange={(e) => setCountry(e.target.value.toUpperCase())} aria-label="Country of phone numbers" />
          </label>
        )}
        {file && (step.kind === 'preview' || step.kind === 'file-error' || step.kind === 'cancelled') && (
          <button type="button" className="secondary" onClick={() => void plan(file)}>Check again</button>
        )}
      </div>
      <ImportStep step={step} kind={kind} noun={title.noun} currency={currency} fileName={file?.name ?? ''} onCancel={cancel} onCancelWrite={cancelWrite} onCommit={(ready) => void commit(ready)} onMapping={(mapping) => file && void plan(file, mapping)} />
    </section>
  );
}

function ImportStep({ step, kind, noun, currency, fileName, onCancel, onCancelWrite, onCommit, onMapping }: { step: Step; kind: ImportKind; noun: string; currency: string; fileName: string; onCancel: () => void; onCancelWrite: () => void; onCommit: (plan: AnyImportPlan) => void; onMapping: (mapping: ColumnMapping) => void }) {
  switch (step.kind) {
    case 'choose':
      return null;
    case 'reading':
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Import progress" />
          <span>{step.stage === 'reading' ? `Reading ${fileName}…` : `Checking ${String(step.rows ?? 0)} rows…`}</span>
          <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
        </div>
      );
    case 'file-error':
      return (
        <>
          <p className="error" role="alert">
            {step.message} {step.fix}
          </p>
          {step.unmapped && (
            <div className="import-preview">
              <p>Choose the column that holds each field marked *; the file is then checked again.</p>
              <ColumnChooser kind={kind} headers={step.unmapped.headers} mapping={step.unmapped.mapping} onMapping={onMapping} />
            </div>
          )}
        </>
      );
    case 'writing':
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Import progress" max={step.total} value={step.done} />
          {step.cancelling ? (
            <span>Cancelling: taking back what was saved…</span>
          ) : (
            <span>Saving {step.done} of {step.total}…</span>
          )}
          {step.cancellable ? (
            <button type="button" className="secondary" onClick={onCancelWrite} disabled={step.cancelling === true}>Cancel</button>
          ) : (
            <span className="muted">Balances go into the ledger, which is never taken back, so they are saved in one step that cannot be cancelled once it has started.</span>
          )}
        </div>
      );
    case 'cancelled':
      return <p className="notice" role="status">{step.message}</p>;
    case 'write-error':
      return <p className="error" role="alert">{step.message}</p>;
    case 'done':
      return (
        <p className="notice" role="status">
          Imported from {fileName}: {viewOf(step.plan, currency).summary}. The changes sync to the server {navigator.onLine ? 'now' : 'when the desk is back online'}.
        </p>
      );
    case 'preview':
      return <Preview ready={step.plan} noun={noun} currency={currency} onCommit={onCommit} onMapping={onMapping} />;
  }
}

/** Which column of the file feeds each field: the file is checked again when one is changed. */
function ColumnChooser({ kind, headers, mapping, onMapping }: { kind: ImportKind; headers: readonly string[]; mapping: ColumnMapping; onMapping: (mapping: ColumnMapping) => void }) {
  const fields = importKinds[kind].fields;
  const columns = useMemo(() => headers.map((header, index) => ({ index, label: `${columnLetter(index)}${header ? ` "${header}"` : ''}` })), [headers]);
  const setColumn = (key: string, value: string): void => {
    const next: ColumnMapping = { ...mapping };
    if (value === '') delete next[key];
    else next[key] = Number(value);
    onMapping(next);
  };
  return (
    <table aria-label="Column mapping" className="admin-table">
      <thead>
        <tr><th>Field</th><th>Column in the file</th></tr>
      </thead>
      <tbody>
        {fields.map((field) => (
          <tr key={field.key}>
            <td>{field.header}{field.required ? ' *' : ''}</td>
            <td>
              <select aria-label={`Column for ${field.header}`} value={mapping[field.key] ?? ''} onChange={(e) => setColumn(field.key, e.target.value)}>
                <option value="">(not in the file)</option>
                {columns.map((c) => <option key={c.index} value={c.index}>{c.label}</option>)}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const PREVIEW_ROWS = 200;

function Preview({ ready, noun, currency, onCommit, onMapping }: { ready: AnyImportPlan; noun: string; currency: string; onCommit: (plan: AnyImportPlan) => void; onMapping: (mapping: ColumnMapping) => void }) {
  const { plan } = ready;
  const view = useMemo(() => viewOf(ready, currency), [ready, currency]);
  const fields = importKinds[ready.kind].fields;
  const mapping: ColumnMapping = plan.mapping;
  const badRows = new Set(plan.errors.map((e) => e.row)).size;
  return (
    <div className="import-preview">
      <p>
        Sheet “{plan.sheetName}”, header in row {plan.headerRow}: {view.summary}.
      </p>
      <details>
        <summary>Columns read ({Object.keys(mapping).length} of {fields.length})</summary>
        <ColumnChooser kind={ready.kind} headers={plan.headers} mapping={mapping} onMapping={onMapping} />
      </details>
      {plan.errors.length > 0 ? (
        <>
          <p className="error" role="alert">
            {plan.errors.length} problem{plan.errors.length === 1 ? '' : 's'} in {badRows} row{badRows === 1 ? '' : 's'}. Nothing will be imported until every row is right: fix the file, save it, and choose it again.
          </p>
          <table aria-label="Import problems" className="admin-table import-errors">
            <thead>
              <tr><th>Row</th><th>Column</th><th>Problem</th><th>How to fix it</th></tr>
            </thead>
            <tbody>
              {plan.errors.slice(0, 500).map((error, i) => (
                <tr key={i} data-testid="import-error">
                  <td>{error.row}</td>
                  <td>{error.column ?? ''}</td>
                  <td>{error.problem}</td>
                  <td>{error.fix}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.errors.length > 500 && <p className="muted">…and {plan.errors.length - 500} more.</p>}
        </>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => onCommit(ready)} disabled={view.changes === 0}>
            {view.changes === 0 ? 'Nothing to import: the school has all of it' : `Import ${String(view.imported)} ${noun}`}
          </button>
          {!view.cancellableWrite && view.changes > 0 && <span className="muted">Saved in one step into the ledger, which is never taken back: it cannot be cancelled once it has started.</span>}
        </div>
      )}
      <table aria-label="Rows to import" className="admin-table">
        <thead>
          <tr><th>Row</th>{view.rowHeaders.map((h) => <th key={h}>{h}</th>)}<th>What happens</th></tr>
        </thead>
        <tbody>
          {view.rows.slice(0, PREVIEW_ROWS).map((row) => (
            <tr key={row.row} data-testid="import-row" className={row.action === 'error' ? 'row-error' : undefined}>
              <td>{row.row}</td>
              {row.cells.map((cell, i) => <td key={i}>{cell}</td>)}
              <td>{actionText[row.action]}{row.changes ? `: ${row.changes.join(', ')}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.rows.length > PREVIEW_ROWS && <p className="muted">The first {PREVIEW_ROWS} of {view.rows.length} rows.</p>}
    </div>
  );
}

const actionText: Readonly<Record<PreviewRow['action'], string>> = { create: 'new', update: 'changes', unchanged: 'no change', duplicate: 'repeated row, read once', error: 'has a problem' };
