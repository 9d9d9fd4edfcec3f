// Classes (name, code, level), fee categories and student categories (name, code): add, edit,
// archive. A class shows how many active students sit in it.
import { Fragment, useMemo, useState, type FormEvent } from 'react';
import type { ClassDoc, FeeCategoryDoc, StudentCategoryDoc } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { checkCoded, codedData, codedKindWords, codeRule, type CodedDraft, type CodedKind } from './coded-items.ts';
import type { FieldProblems } from './field-problems.ts';
import { activeByClass } from './promotion.ts';
import { ArchiveButton, ArchivedMark, Field, FormMessages, ReadOnlyNote, ShowArchived, writeFailure } from './setup-parts.tsx';
import { shown, useStudents, type SetupData } from './setup-data.ts';
import { referenceDoc, refusalForKind, saveReference, setReferenceArchived, type SetupWriter } from './setup-store.ts';

type CodedDoc = ClassDoc | FeeCategoryDoc | StudentCategoryDoc;

const panelTitles: Readonly<Record<CodedKind, string>> = { class: 'Classes', feeCategory: 'Fee categories', studentCategory: 'Student categories' };
const capitalised = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

export function CodedItemsPage({ desk, writer, data }: { desk: Desk; writer: SetupWriter; data: SetupData }) {
  const students = useStudents(desk);
  const counts = useMemo(() => new Map([...activeByClass(students ?? [])].map(([id, list]) => [id, list.length])), [students]);
  return (
    <>
      <CodedPanel kind="class" writer={writer} items={data.classes} studentCounts={students === null ? null : counts} />
      <CodedPanel kind="feeCategory" writer={writer} items={data.feeCategories} />
      <CodedPanel kind="studentCategory" writer={writer} items={data.studentCategories} />
    </>
  );
}

function CodedPanel({ kind, writer, items, studentCounts }: { kind: CodedKind; writer: SetupWriter; items: readonly CodedDoc[]; studentCounts?: ReadonlyMap<string, number> | null }) {
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<CodedDoc | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const words = codedKindWords[kind];
  const refusal = refusalForKind(writer, kind);
  const mayWrite = refusal === null;
  const list = shown(items, showArchived);
  const isClass = kind === 'class';
  const columns = 3 + (isClass ? 2 : 0);

  const done = (message: string): void => {
    setEditing(null);
    setError(null);
    setNotice(message);
  };

  const toggle = async (item: CodedDoc): Promise<void> => {
    setNotice(null);
    setError(null);
    if (item.archived === true) {
      const problems = checkCoded(kind, { id: item.id, name: item.name, code: item.data.code ?? '', level: '' }, items);
      const [reason] = Object.values(problems);
      if (reason) {
        setError(`${item.name} cannot be restored: ${reason}`);
        return;
      }
    }
    try {
      await setReferenceArchived(writer, item, item.archived !== true);
      setNotice(item.archived === true ? `${item.name} is restored.` : `${item.name} is archived: it is no longer offered for anything new, and what already uses it keeps it. Tick “Show archived” to see or restore it.`);
    } catch (caught) {
      setError(writeFailure(caught, item.name));
    }
  };

  return (
    <div className="card setup-panel" role="region" aria-label={panelTitles[kind]}>
      <div className="toolbar">
        <h4>{panelTitles[kind]} <span className="count">{list.length}</span></h4>
        <ShowArchived checked={showArchived} onChange={setShowArchived} count={items.filter((i) => i.archived === true).length} />
        {mayWrite && <button type="button" onClick={() => { setEditing('new'); setNotice(null); }}>Add {words.one}</button>}
      </div>
      <ReadOnlyNote refusal={refusal} />
      {editing === 'new' && <CodedForm kind={kind} writer={writer} items={items} existing={null} onDone={done} onCancel={() => setEditing(null)} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      <FormMessages error={error} />
      {list.length === 0 ? (
        <p className="muted">No {words.one} yet.</p>
      ) : (
        <table className="admin-table" aria-label={panelTitles[kind]}>
          <thead>
            <tr><th>Name</th><th>Code</th>{isClass && <th>Level</th>}{isClass && <th>Active students</th>}<th /></tr>
          </thead>
          <tbody>
            {list.map((item) => (
              <Fragment key={item.id}>
                <tr data-testid={`${kind}-row`} data-name={item.name} className={item.archived === true ? 'archived' : undefined}>
                  <td>{item.name} <ArchivedMark archived={item.archived} /></td>
                  <td>{item.data.code ?? '—'}</td>
                  {isClass && <td>{'level' in item.data && item.data.level !== undefined ? item.data.level : '—'}</td>}
                  {isClass && <td data-testid="class-students">{studentCounts ? String(studentCounts.get(item.id) ?? 0) : '…'}</td>}
                  <td>
                    {mayWrite && (
                      <div className="row-actions">
                        {item.archived !== true && <button type="button" className="link" onClick={() => { setEditing(item); setNotice(null); }} aria-label={`Edit ${item.name}`}>Edit</button>}
                        <ArchiveButton name={item.name} archived={item.archived === true} onClick={() => void toggle(item)} />
                      </div>
                    )}
                  </td>
                </tr>
                {editing !== 'new' && editing?.id === item.id && (
                  <tr className="row-panel">
                    <td colSpan={columns}><CodedForm kind={kind} writer={writer} items={items} existing={item} onDone={done} onCancel={() => setEditing(null)} /></td>
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

function CodedForm({ kind, writer, items, existing, onDone, onCancel }: { kind: CodedKind; writer: SetupWriter; items: readonly CodedDoc[]; existing: CodedDoc | null; onDone: (message: string) => void; onCancel: () => void }) {
  const words = codedKindWords[kind];
  const level = existing && 'level' in existing.data && existing.data.level !== undefined ? String(existing.data.level) : '';
  const [draft, setDraft] = useState<CodedDraft>({ name: existing?.name ?? '', code: existing?.data.code ?? '', level });
  const [problems, setProblems] = useState<FieldProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const found = checkCoded(kind, { ...(existing ? { id: existing.id } : {}), ...draft }, items);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const data = codedData(kind, draft);
      const body = kind === 'class' ? { kind, name: draft.name, data } : { kind, name: draft.name, data: { code: data.code ?? '' } };
      const saved = await saveReference(writer, referenceDoc(body, existing, writer.schoolId, new Date()));
      onDone(`${capitalised(words.one)} ${saved.name} is saved.`);
    } catch (caught) {
      setError(writeFailure(caught, `The ${words.one}`));
      setBusy(false);
    }
  };

  return (
    <form className="setup-form" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit ${existing.name}` : `Add ${words.one}`} noValidate>
      <div className="row">
        <Field label={`${capitalised(words.one)} name`} error={problems.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} autoFocus maxLength={120} placeholder={words.example} />}
        </Field>
        <Field label={kind === 'class' ? 'Code (optional)' : 'Code'} error={problems.code} hint={codeRule(kind)}>
          {(control) => <input {...control} value={draft.code} onChange={(e) => setDraft({ ...draft, code: e.target.value })} maxLength={12} autoComplete="off" className="setup-code" />}
        </Field>
        {kind === 'class' && (
          <Field label="Level (optional)" error={problems.level} hint="The year of schooling (Grade 4 is 4): year-end promotion suggests the class a level up.">
            {(control) => <input {...control} value={draft.level} onChange={(e) => setDraft({ ...draft, level: e.target.value })} inputMode="numeric" className="setup-short" />}
          </Field>
        )}
      </div>
      <FormMessages error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : `Save ${words.one}`}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
