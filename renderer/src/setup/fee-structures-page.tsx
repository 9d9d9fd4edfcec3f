// Fee structures: what a class pays in a term (optionally per student category), as fee lines
// and an instalment schedule, with a live preview of each instalment per student. Archived, never
// deleted; issuing invoices copies a structure, so editing one never changes a bill already issued.
import { Fragment, useMemo, useState, type FormEvent } from 'react';
import { formatAmount, formatMoney, type FeeStructure } from '@feemaster/core';
import {
  buildFeeStructure,
  draftOfStructure,
  emptyStructureDraft,
  newInstalment,
  newLine,
  previewStructure,
  type FeeStructureDraft,
  type InstalmentDraft,
  type LineDraft,
} from './fee-structure-draft.ts';
import type { FieldProblems } from './field-problems.ts';
import { ArchiveButton, ArchivedMark, CellError, Field, FormMessages, ReadOnlyNote, ShowArchived, writeFailure } from './setup-parts.tsx';
import { active, shown, type SetupData } from './setup-data.ts';
import { refusalForCollection, saveFeeStructure, setFeeStructureArchived, type SetupWriter } from './setup-store.ts';

/** Names of the things a structure points at, for lists and messages. */
function useNames(data: SetupData) {
  return useMemo(() => {
    const name = (list: readonly { id: string; name: string }[]) => {
      const byId = new Map(list.map((item) => [item.id, item.name]));
      return (id: string | undefined): string => (id === undefined ? '' : (byId.get(id) ?? '(not on this desk)'));
    };
    const yearName = name(data.years);
    const termOnly = name(data.terms);
    const termYear = new Map(data.terms.map((t) => [t.id, t.data.academicYearId]));
    return {
      term: (id: string): string => `${termOnly(id)}${termYear.has(id) ? `, ${yearName(termYear.get(id))}` : ''}`,
      klass: name(data.classes),
      category: name(data.studentCategories),
      feeCategory: name(data.feeCategories),
    };
  }, [data]);
}

const structureTotal = (s: FeeStructure): number => s.lines.reduce((sum, line) => sum + line.amount, 0);

export function FeeStructuresPage({ writer, data }: { writer: SetupWriter; data: SetupData }) {
  const [showArchived, setShowArchived] = useState(false);
  const [termFilter, setTermFilter] = useState('');
  const [editing, setEditing] = useState<FeeStructure | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useNames(data);
  const refusal = refusalForCollection(writer, 'feeStructures');
  const mayWrite = refusal === null;
  const list = shown(data.structures, showArchived).filter((s) => termFilter === '' || s.termId === termFilter);
  const missing = active(data.terms).length === 0 || active(data.classes).length === 0 || active(data.feeCategories).length === 0;

  const done = (message: string): void => {
    setEditing(null);
    setError(null);
    setNotice(message);
  };

  const toggle = async (structure: FeeStructure): Promise<void> => {
    setNotice(null);
    setError(null);
    const twin = structure.archived === true
      ? data.structures.find((s) => s.id !== structure.id && s.archived !== true && s.termId === structure.termId && s.classId === structure.classId && s.studentCategoryId === structure.studentCategoryId)
      : undefined;
    if (twin) {
      setError(`“${structure.name}” cannot be restored: “${twin.name}” bills the same class, term and category, and a student can have only one structure per term. Archive that one first.`);
      return;
    }
    try {
      await setFeeStructureArchived(writer, structure, structure.archived !== true);
      setNotice(structure.archived === true ? `“${structure.name}” is restored.` : `“${structure.name}” is archived: invoices issued from now on no longer use it; bills already issued keep their lines.`);
    } catch (caught) {
      setError(writeFailure(caught, `Fee structure “${structure.name}”`));
    }
  };

  return (
    <div className="setup-structures">
      <div className="toolbar">
        <label className="setup-inline-label">
          Term
          <select value={termFilter} onChange={(e) => setTermFilter(e.target.value)} aria-label="Show fee structures of term">
            <option value="">All terms</option>
            {data.terms.map((t) => <option key={t.id} value={t.id}>{names.term(t.id)}</option>)}
          </select>
        </label>
        <ShowArchived checked={showArchived} onChange={setShowArchived} count={data.structures.filter((s) => s.archived === true).length} />
        {mayWrite && <button type="button" onClick={() => { setEditing('new'); setNotice(null); }} disabled={missing}>Add fee structure</button>}
      </div>
      <ReadOnlyNote refusal={refusal} />
      {mayWrite && missing && <p className="muted">A fee structure needs a term (Years and terms), a class and a fee category (Classes and categories): set those up first.</p>}
      {editing === 'new' && <StructureForm writer={writer} data={data} existing={null} initialTerm={termFilter} onDone={done} onCancel={() => setEditing(null)} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      <FormMessages error={error} />
      {list.length === 0 ? (
        <p className="empty">No fee structure{termFilter ? ' for this term' : ''} yet.</p>
      ) : (
        <table className="admin-table" aria-label="Fee structures">
          <thead>
            <tr><th>Name</th><th>Term</th><th>Class</th><th>Student category</th><th>Per student</th><th>Instalments</th><th /></tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <Fragment key={s.id}>
                <tr data-testid="structure-row" data-name={s.name} className={s.archived === true ? 'archived' : undefined}>
                  <td>{s.name} <ArchivedMark archived={s.archived} /></td>
                  <td>{names.term(s.termId)}</td>
                  <td>{names.klass(s.classId)}</td>
                  <td>{s.studentCategoryId ? names.category(s.studentCategoryId) : 'Any'}</td>
                  <td>{formatMoney(structureTotal(s), data.currency)}</td>
                  <td>{s.instalments.map((i) => `${i.label} (due ${i.dueDate})`).join(', ')}</td>
                  <td>
                    {mayWrite && (
                      <div className="row-actions">
                        {s.archived !== true && <button type="button" className="link" onClick={() => { setEditing(s); setNotice(null); }} aria-label={`Edit ${s.name}`}>Edit</button>}
                        <ArchiveButton name={s.name} archived={s.archived === true} onClick={() => void toggle(s)} />
                      </div>
                    )}
                  </td>
                </tr>
                {editing !== 'new' && editing?.id === s.id && (
                  <tr className="row-panel">
                    <td colSpan={7}><StructureForm writer={writer} data={data} existing={s} initialTerm="" onDone={done} onCancel={() => setEditing(null)} /></td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function StructureForm({ writer, data, existing, initialTerm, onDone, onCancel }: {
  writer: SetupWriter;
  data: SetupData;
  existing: FeeStructure | null;
  initialTerm: string;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const currency = data.currency;
  const [draft, setDraft] = useState<FeeStructureDraft>(() => (existing ? draftOfStructure(existing, (minor) => formatAmount(minor, currency)) : emptyStructureDraft(initialTerm)));
  const [problems, setProblems] = useState<FieldProblems>({});
  const [other, setOther] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const names = useNames(data);
  const preview = useMemo(() => previewStructure(draft, currency), [draft, currency]);
  // What is offered: unarchived items, plus whatever the structure already points at.
  const offered = <T extends { id: string; archived?: boolean }>(items: readonly T[], keep: readonly string[]): T[] => items.filter((i) => i.archived !== true || keep.includes(i.id));
  const terms = offered(data.terms, [draft.termId]);
  const classes = offered(data.classes, [draft.classId]);
  const categories = offered(data.studentCategories, [draft.studentCategoryId]);
  const feeCategories = offered(data.feeCategories, draft.lines.map((l) => l.feeCategoryId));

  const setLine = (index: number, change: Partial<LineDraft>): void =>
    setDraft((d) => ({ ...d, lines: d.lines.map((line, i) => (i === index ? { ...line, ...change } : line)) }));
  const setInstalment = (index: number, change: Partial<InstalmentDraft>): void =>
    setDraft((d) => ({ ...d, instalments: d.instalments.map((instalment, i) => (i === index ? { ...instalment, ...change } : instalment)) }));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const exists = (items: readonly { id: string }[]) => (id: string) => items.some((i) => i.id === id);
    const built = buildFeeStructure(draft, {
      currency,
      schoolId: writer.schoolId,
      existing,
      structures: data.structures,
      termExists: exists(terms),
      classExists: exists(classes),
      categoryExists: exists(categories),
      feeCategoryExists: exists(feeCategories),
      describe: (termId, classId, categoryId) => `${names.klass(classId)} in ${names.term(termId)} for ${categoryId ? `${names.category(categoryId)} students` : 'students of any category'}`,
      now: new Date(),
    });
    if ('problems' in built) {
      setProblems(built.problems);
      setOther(built.other);
      return;
    }
    setProblems({});
    setOther([]);
    setBusy(true);
    try {
      const saved = await saveFeeStructure(writer, built.structure);
      onDone(`Fee structure “${saved.name}” is saved: ${formatMoney(structureTotal(saved), currency)} per student.`);
    } catch (caught) {
      setError(writeFailure(caught, 'The fee structure'));
      setBusy(false);
    }
  };

  const cellId = (field: string): string => `structure-${existing?.id ?? 'new'}-${field.replace(/\./g, '-')}`;
  const cell = (field: string) => ({ 'aria-invalid': problems[field] ? (true as const) : undefined, 'aria-describedby': problems[field] ? cellId(field) : undefined });

  return (
    <form className="card setup-form setup-structure-form" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit fee structure ${existing.name}` : 'Add fee structure'} noValidate>
      <div className="row">
        <Field label="Structure name" error={problems.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} autoFocus maxLength={120} placeholder="Grade 4 — Term 1" />}
        </Field>
        <Field label="Term" error={problems.termId}>
          {(control) => (
            <select {...control} value={draft.termId} onChange={(e) => setDraft({ ...draft, termId: e.target.value })}>
              <option value="">Choose a term…</option>
              {terms.map((t) => <option key={t.id} value={t.id}>{names.term(t.id)}</option>)}
            </select>
          )}
        </Field>
        <Field label="Class" error={problems.classId}>
          {(control) => (
            <select {...control} value={draft.classId} onChange={(e) => setDraft({ ...draft, classId: e.target.value })}>
              <option value="">Choose a class…</option>
              {classes.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          )}
        </Field>
        <Field label="Student category" error={problems.studentCategoryId} hint="Any: for students without a structure of their own category.">
          {(control) => (
            <select {...control} value={draft.studentCategoryId} onChange={(e) => setDraft({ ...draft, studentCategoryId: e.target.value })}>
              <option value="">Any category</option>
              {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          )}
        </Field>
      </div>

      <table className="setup-grid" aria-label="Fee lines">
        <thead>
          <tr><th>Fee category</th><th>Description</th><th>Amount ({currency})</th><th /></tr>
        </thead>
        <tbody>
          {draft.lines.map((line, index) => {
            const row = `lines.${String(index)}`;
            const n = String(index + 1);
            return (
              <tr key={line.key}>
                <td>
                  <select aria-label={`Fee category, line ${n}`} {...cell(`${row}.feeCategoryId`)} value={line.feeCategoryId}
                    onChange={(e) => {
                      const category = feeCategories.find((c) => c.id === e.target.value);
                      setLine(index, { feeCategoryId: e.target.value, ...(line.description.trim() === '' && category ? { description: category.name } : {}) });
                    }}>
                    <option value="">Choose…</option>
                    {feeCategories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                  <CellError id={cellId(`${row}.feeCategoryId`)} error={problems[`${row}.feeCategoryId`]} />
                </td>
                <td>
                  <input aria-label={`Description, line ${n}`} {...cell(`${row}.description`)} value={line.description} onChange={(e) => setLine(index, { description: e.target.value })} maxLength={120} />
                  <CellError id={cellId(`${row}.description`)} error={problems[`${row}.description`]} />
                </td>
                <td>
                  <input aria-label={`Amount, line ${n}`} {...cell(`${row}.amount`)} value={line.amount} onChange={(e) => setLine(index, { amount: e.target.value })} inputMode="decimal" className="setup-amount" />
                  <CellError id={cellId(`${row}.amount`)} error={problems[`${row}.amount`]} />
                </td>
                <td>
                  {draft.lines.length > 1 && (
                    <button type="button" className="link danger" onClick={() => setDraft((d) => ({ ...d, lines: d.lines.filter((_, i) => i !== index) }))} aria-label={`Remove line ${n}`}>Remove</button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {problems.lines && <p className="field-error">{problems.lines}</p>}
      <button type="button" className="secondary setup-add-row" onClick={() => setDraft((d) => ({ ...d, lines: [...d.lines, newLine()] }))} disabled={draft.lines.length >= 50}>Add a fee line</button>

      <table className="setup-grid" aria-label="Instalments">
        <thead>
          <tr><th>Instalment</th><th>Due date</th><th>Weight</th><th>Comes to, per student</th><th /></tr>
        </thead>
        <tbody>
          {draft.instalments.map((instalment, index) => {
            const row = `instalments.${String(index)}`;
            const n = String(index + 1);
            const amount = preview.instalments?.[index];
            return (
              <tr key={instalment.key}>
                <td>
                  <input aria-label={`Label, instalment ${n}`} {...cell(`${row}.label`)} value={instalment.label} onChange={(e) => setInstalment(index, { label: e.target.value })} maxLength={120} />
                  <CellError id={cellId(`${row}.label`)} error={problems[`${row}.label`]} />
                </td>
                <td>
                  <input type="date" aria-label={`Due date, instalment ${n}`} {...cell(`${row}.dueDate`)} value={instalment.dueDate} onChange={(e) => setInstalment(index, { dueDate: e.target.value })} />
                  <CellError id={cellId(`${row}.dueDate`)} error={problems[`${row}.dueDate`]} />
                </td>
                <td>
                  <input aria-label={`Weight, instalment ${n}`} {...cell(`${row}.weight`)} value={instalment.weight} onChange={(e) => setInstalment(index, { weight: e.target.value })} inputMode="numeric" className="setup-short" />
                  <CellError id={cellId(`${row}.weight`)} error={problems[`${row}.weight`]} />
                </td>
                <td data-testid="instalment-amount" className="setup-money">{amount === undefined ? '—' : formatMoney(amount, currency)}</td>
                <td>
                  {draft.instalments.length > 1 && (
                    <button type="button" className="link danger" onClick={() => setDraft((d) => ({ ...d, instalments: d.instalments.filter((_, i) => i !== index) }))} aria-label={`Remove instalment ${n}`}>Remove</button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {problems.instalments && <p className="field-error">{problems.instalments}</p>}
      <button type="button" className="secondary setup-add-row" onClick={() => setDraft((d) => ({ ...d, instalments: [...d.instalments, newInstalment(`Instalment ${String(d.instalments.length + 1)}`)] }))} disabled={draft.instalments.length >= 24}>
        Add an instalment
      </button>

      <p className="setup-total" aria-live="polite">
        Total per student: <strong data-testid="structure-total">{Number.isSafeInteger(preview.total) ? formatMoney(preview.total, currency) : 'too large to bill'}</strong>
        {preview.unreadLines > 0 && <span className="muted"> ({String(preview.unreadLines)} line{preview.unreadLines === 1 ? '' : 's'} left out until the amount reads)</span>}
        {preview.instalments === null && <span className="muted"> — give every instalment a whole-number weight to see what each comes to</span>}
      </p>
      <p className="hint">Each fee is shared over the instalments in proportion to their weights, to the cent, exactly as invoices will bill it. A student who joins after the term starts is billed a share of the total by days.</p>
      <FormMessages error={error} other={other} />
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save fee structure'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
