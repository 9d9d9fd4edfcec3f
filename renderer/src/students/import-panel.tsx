// Importing from Excel or CSV (students with their guardians, or fee structures): choose the file,
// check which column feeds what, read every row's problem (row, column, what is wrong, how to fix
// it), then import all of it or nothing. Reading and checking run in a worker; writing goes to
// this desk's replica (offline too) and syncs like any change.
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import {
  columnLetter,
  countryOfCurrency,
  feeImportFields,
  feeImportTemplate,
  studentImportFields,
  studentImportTemplate,
  type ClassDoc,
  type ColumnMapping,
  type FeeCategoryDoc,
  type FeeStructure,
  type ImportField,
  type Payer,
  type ReferenceDoc,
  type Student,
  type StudentCategoryDoc,
  type StudentImportPlan,
  type TermDoc,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { saveFile } from '../api/audit-api.ts';
import { applyFeeImport, applyStudentImport } from './apply-import.ts';
import type { AnyImportPlan, ImportKind, ImportWorkerReply, ImportWorkerRequest } from './import-messages.ts';

type Step =
  | { kind: 'choose' }
  | { kind: 'reading'; stage: 'reading' | 'checking'; rows?: number }
  | { kind: 'file-error'; message: string; fix: string }
  | { kind: 'preview'; plan: AnyImportPlan }
  | { kind: 'writing'; done: number; total: number }
  | { kind: 'done'; plan: AnyImportPlan }
  | { kind: 'write-error'; message: string };

interface ChosenFile {
  name: string;
  bytes: ArrayBuffer;
}

const titles: Record<ImportKind, { region: string; heading: string; intro: string; noun: string }> = {
  students: {
    region: 'Import students',
    heading: 'Import students from Excel or CSV',
    intro: 'One row per student, matched by admission number: importing the same file again changes nothing. Guardians become family accounts; siblings with the same guardian phone share one.',
    noun: 'students',
  },
  fees: {
    region: 'Import fee structures',
    heading: 'Import fee structures from Excel or CSV',
    intro: 'One row per fee line: the lines of one term, class and student category make one fee structure, matched by those three, so importing the same file again changes nothing. Bills already issued keep their amounts.',
    noun: 'fee structures',
  },
};

export function ImportPanel({ desk, kind = 'students', onClose }: { desk: Desk; kind?: ImportKind; onClose: () => void }) {
  const title = titles[kind];
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [dateOrder, setDateOrder] = useState<'dmy' | 'mdy'>('dmy');
  const [country, setCountry] = useState(() => countryOfCurrency(desk.session.school.currency) ?? '');
  const worker = useRef<Worker | null>(null);
  useEffect(() => () => worker.current?.terminate(), []);

  const plan = async (chosen: ChosenFile, mapping?: ColumnMapping): Promise<void> => {
    worker.current?.terminate();
    setStep({ kind: 'reading', stage: 'reading' });
    const common = { bytes: chosen.bytes.slice(0), fileName: chosen.name, ...(mapping ? { mapping } : {}) };
    const schoolId = desk.session.school.id;
    let request: ImportWorkerRequest;
    if (kind === 'students') {
      const [students, payers, references] = await Promise.all([
        desk.db.students.find().exec(),
        desk.db.payers.find().exec(),
        desk.db.reference.find({ selector: { kind: { $in: ['class', 'studentCategory'] } } }).exec(),
      ]);
      const refs = references.map((doc) => doc.toJSON() as ReferenceDoc);
      request = {
        ...common,
        kind,
        context: {
          schoolId,
          defaultCountry: (country.trim().toUpperCase() || 'US') as Extract<ImportWorkerRequest, { kind: 'students' }>['context']['defaultCountry'],
          dateOrder,
          students: students.map((doc) => doc.toJSON() as Student),
          payers: payers.map((doc) => doc.toJSON() as Payer),
          classes: refs.filter((doc): doc is ClassDoc => doc.kind === 'class'),
          categories: refs.filter((doc): doc is StudentCategoryDoc => doc.kind === 'studentCategory'),
        },
      };
    } else {
      const [structures, references] = await Promise.all([
        desk.db.feeStructures.find().exec(),
        desk.db.reference.find({ selector: { kind: { $in: ['term', 'class', 'studentCategory', 'feeCategory'] } } }).exec(),
      ]);
      const refs = references.map((doc) => doc.toJSON() as ReferenceDoc);
      request = {
        ...common,
        kind,
        context: {
          schoolId,
          currency: desk.session.school.currency,
          dateOrder,
          terms: refs.filter((doc): doc is TermDoc => doc.kind === 'term'),
          classes: refs.filter((doc): doc is ClassDoc => doc.kind === 'class'),
          studentCategories: refs.filter((doc): doc is StudentCategoryDoc => doc.kind === 'studentCategory'),
          feeCategories: refs.filter((doc): doc is FeeCategoryDoc => doc.kind === 'feeCategory'),
          structures: structures.map((doc) => doc.toJSON() as FeeStructure),
        },
      };
    }
    const started = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module' });
    worker.current = started;
    started.onmessage = (event: MessageEvent<ImportWorkerReply>) => {
      const message = event.data;
      if (message.type === 'progress') setStep({ kind: 'reading', stage: message.stage, ...(message.rows !== undefined ? { rows: message.rows } : {}) });
      else {
        started.terminate();
        if (message.type === 'plan') setStep({ kind: 'preview', plan: message.kind === 'students' ? { kind: 'students', plan: message.plan } : { kind: 'fees', plan: message.plan } });
        else setStep({ kind: 'file-error', message: message.message, fix: message.fix });
      }
    };
    started.onerror = (event) => {
      started.terminate();
      setStep({ kind: 'file-error', message: `The file could not be read (${event.message}).`, fix: 'Reload the desk and try again.' });
    };
    started.postMessage(request, [request.bytes]);
  };

  const choose = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const picked = event.target.files?.[0];
    event.target.value = '';
    if (!picked) return;
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
    const total = changeCount(ready);
    setStep({ kind: 'writing', done: 0, total });
    const progress = (done: number): void => setStep({ kind: 'writing', done, total });
    try {
      const target = { db: desk.db, pending: desk.pending };
      if (ready.kind === 'students') await applyStudentImport(target, ready.plan, progress);
      else await applyFeeImport(target, ready.plan, progress);
      setStep({ kind: 'done', plan: ready });
    } catch (error) {
      setStep({ kind: 'write-error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const template = (format: 'xlsx' | 'csv'): void => {
    void (kind === 'students' ? studentImportTemplate(format) : feeImportTemplate(format)).then((file) => saveFile({ filename: file.fileName, blob: new Blob([file.bytes.slice()], { type: file.mimeType }) }));
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
        {kind === 'students' && (
          <label>
            Phone numbers without a country code are from
            <input value={country} maxLength={2} size={3} onChange={(e) => setCountry(e.target.value.toUpperCase())} aria-label="Country of phone numbers" />
          </label>
        )}
        {file && (step.kind === 'preview' || step.kind === 'file-error') && (
          <button type="button" className="secondary" onClick={() => void plan(file)}>Check again</button>
        )}
      </div>
      <ImportStep step={step} noun={title.noun} fileName={file?.name ?? ''} onCancel={cancel} onCommit={(ready) => void commit(ready)} onMapping={(mapping) => file && void plan(file, mapping)} />
    </section>
  );
}

function ImportStep({ step, noun, fileName, onCancel, onCommit, onMapping }: { step: Step; noun: string; fileName: string; onCancel: () => void; onCommit: (plan: AnyImportPlan) => void; onMapping: (mapping: ColumnMapping) => void }) {
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
        <p className="error" role="alert">
          {step.message} {step.fix}
        </p>
      );
    case 'writing':
      return (
        <div className="import-progress" role="status">
          <progress aria-label="Import progress" max={step.total} value={step.done} />
          <span>Saving {step.done} of {step.total}…</span>
        </div>
      );
    case 'write-error':
      return <p className="error" role="alert">{step.message}</p>;
    case 'done':
      return (
        <p className="notice" role="status">
          Imported from {fileName}: {describeSummary(step.plan)}. The changes sync to the server {navigator.onLine ? 'now' : 'when the desk is back online'}.
        </p>
      );
    case 'preview':
      return <Preview ready={step.plan} noun={noun} onCommit={onCommit} onMapping={onMapping} />;
  }
}

const plural = (n: number, one: string, many: string): string => `${String(n)} ${n === 1 ? one : many}`;

function describeSummary(ready: AnyImportPlan): string {
  if (ready.kind === 'fees') {
    const s = ready.plan.summary;
    return [plural(s.create, 'new fee structure', 'new fee structures'), `${String(s.update)} changed`, `${String(s.unchanged)} unchanged`, plural(s.lines, 'fee line', 'fee lines')].join(', ');
  }
  const s = ready.plan.summary;
  const parts = [plural(s.create, 'new student', 'new students'), `${String(s.update)} changed`, `${String(s.unchanged)} unchanged`];
  if (s.duplicate > 0) parts.push(`${plural(s.duplicate, 'repeated row', 'repeated rows')} read once`);
  parts.push(plural(s.payersCreated, 'new family', 'new families'), `${plural(s.payersUpdated, 'family', 'families')} updated`);
  return parts.join(', ');
}

function changeCount(ready: AnyImportPlan): number {
  return ready.kind === 'students'
    ? ready.plan.students.create.length + ready.plan.students.update.length + ready.plan.payers.create.length + ready.plan.payers.update.length
    : ready.plan.structures.create.length + ready.plan.structures.update.length;
}

const PREVIEW_ROWS = 200;

function Preview({ ready, noun, onCommit, onMapping }: { ready: AnyImportPlan; noun: string; onCommit: (plan: AnyImportPlan) => void; onMapping: (mapping: ColumnMapping) => void }) {
  const { plan } = ready;
  const fields: readonly ImportField[] = ready.kind === 'students' ? studentImportFields : feeImportFields;
  const changes = changeCount(ready);
  const mapping: ColumnMapping = plan.mapping;
  const columns = useMemo(() => plan.headers.map((header, index) => ({ index, label: `${columnLetter(index)}${header ? ` "${header}"` : ''}` })), [plan.headers]);
  const setColumn = (key: string, value: string): void => {
    const next: ColumnMapping = { ...mapping };
    if (value === '') delete next[key];
    else next[key] = Number(value);
    onMapping(next);
  };
  const imported = ready.kind === 'students' ? ready.plan.summary.create + ready.plan.summary.update : ready.plan.summary.create + ready.plan.summary.update;
  return (
    <div className="import-preview">
      <p>
        Sheet “{plan.sheetName}”, header in row {plan.headerRow}: {describeSummary(ready)}.
      </p>
      <details>
        <summary>Columns read ({Object.keys(mapping).length} of {fields.length})</summary>
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
      </details>
      {plan.errors.length > 0 ? (
        <>
          <p className="error" role="alert">
            {plan.errors.length} problem{plan.errors.length === 1 ? '' : 's'} in {new Set(plan.errors.map((e) => e.row)).size} row{new Set(plan.errors.map((e) => e.row)).size === 1 ? '' : 's'}. Nothing will be imported until every row is right: fix the file, save it, and choose it again.
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
          <button type="button" onClick={() => onCommit(ready)} disabled={changes === 0}>
            {changes === 0 ? 'Nothing to import: the school has all of it' : `Import ${String(imported)} ${noun}`}
          </button>
        </div>
      )}
      <table aria-label="Rows to import" className="admin-table">
        <thead>
          {ready.kind === 'students' ? (
            <tr><th>Row</th><th>Admission no.</th><th>Name</th><th>What happens</th></tr>
          ) : (
            <tr><th>Row</th><th>Fee structure</th><th>What happens</th></tr>
          )}
        </thead>
        <tbody>
          {ready.kind === 'students'
            ? ready.plan.rows.slice(0, PREVIEW_ROWS).map((row) => (
                <tr key={row.row} data-testid="import-row" className={row.action === 'error' ? 'row-error' : undefined}>
                  <td>{row.row}</td>
                  <td>{row.admissionNumber}</td>
                  <td>{row.name}</td>
                  <td>{actionText(row.action)}{row.changes ? `: ${row.changes.join(', ')}` : ''}</td>
                </tr>
              ))
            : ready.plan.rows.slice(0, PREVIEW_ROWS).map((row) => (
                <tr key={row.row} data-testid="import-row" className={row.action === 'error' ? 'row-error' : undefined}>
                  <td>{row.row}</td>
                  <td>{row.structure}</td>
                  <td>{actionText(row.action)}</td>
                </tr>
              ))}
        </tbody>
      </table>
      {plan.rows.length > PREVIEW_ROWS && <p className="muted">The first {PREVIEW_ROWS} of {plan.rows.length} rows.</p>}
    </div>
  );
}

function actionText(action: StudentImportPlan['rows'][number]['action']): string {
  return { create: 'new', update: 'changes', unchanged: 'no change', duplicate: 'repeated row, read once', error: 'has a problem' }[action];
}
