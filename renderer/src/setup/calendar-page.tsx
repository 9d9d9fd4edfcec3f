// Academic years and their terms: add, edit, archive. A term lies inside its year and shares no
// day with another term of the year; years follow one another. Each refusal says why.
import { Fragment, useState, type FormEvent } from 'react';
import type { AcademicYearDoc, TermDoc } from '@feemaster/core';
import { checkTerm, checkYear, type Period } from './calendar-checks.ts';
import type { FieldProblems } from './field-problems.ts';
import { ArchiveButton, ArchivedMark, Field, FormMessages, ReadOnlyNote, ShowArchived, writeFailure } from './setup-parts.tsx';
import { active, shown, type SetupData } from './setup-data.ts';
import { referenceDoc, refusalForKind, saveReference, setReferenceArchived, type SetupWriter } from './setup-store.ts';

const period = (doc: AcademicYearDoc | TermDoc): Period => ({ id: doc.id, name: doc.name, startDate: doc.data.startDate, endDate: doc.data.endDate });

type Editing = { kind: 'year'; year: AcademicYearDoc | null } | { kind: 'term'; term: TermDoc | null; yearId: string };

export function CalendarPage({ writer, data }: { writer: SetupWriter; data: SetupData }) {
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refusal = refusalForKind(writer, 'academicYear') ?? refusalForKind(writer, 'term');
  const mayWrite = refusal === null;
  const years = shown(data.years, showArchived);
  const archivedCount = data.years.filter((y) => y.archived === true).length + data.terms.filter((t) => t.archived === true).length;

  const done = (message: string): void => {
    setEditing(null);
    setError(null);
    setNotice(message);
  };

  const toggleYear = async (year: AcademicYearDoc): Promise<void> => {
    setNotice(null);
    setError(null);
    try {
      if (year.archived === true) {
        const problems = checkYear(period(year), active(data.years).map(period), []);
        const [reason] = Object.values(problems);
        if (reason) {
          setError(`${year.name} cannot be restored: ${reason}`);
          return;
        }
        await setReferenceArchived(writer, year, false);
        setNotice(`Academic year ${year.name} is restored.`);
        return;
      }
      // A term of an archived year is no use on its own: they go together.
      const terms = active(data.terms).filter((t) => t.data.academicYearId === year.id);
      await setReferenceArchived(writer, year, true);
      for (const term of terms) await setReferenceArchived(writer, term, true);
      setNotice(`Academic year ${year.name} is archived${terms.length > 0 ? `, with its ${String(terms.length)} term${terms.length === 1 ? '' : 's'}` : ''}. Tick “Show archived” to see or restore it.`);
    } catch (caught) {
      setError(writeFailure(caught, `Academic year ${year.name}`));
    }
  };

  const toggleTerm = async (term: TermDoc): Promise<void> => {
    setNotice(null);
    setError(null);
    try {
      if (term.archived === true) {
        const year = data.years.find((y) => y.id === term.data.academicYearId);
        const problems = checkTerm(period(term), year && year.archived !== true ? period(year) : undefined, active(data.terms).filter((t) => t.data.academicYearId === term.data.academicYearId).map(period));
        const reason = problems.startDate ?? problems.endDate ?? problems.name ?? (problems.academicYearId ? 'its academic year is archived: restore the year first.' : undefined);
        if (reason) {
          setError(`${term.name} cannot be restored: ${reason}`);
          return;
        }
      }
      await setReferenceArchived(writer, term, term.archived !== true);
      setNotice(term.archived === true ? `${term.name} is restored.` : `${term.name} is archived. Tick “Show archived” to see or restore it.`);
    } catch (caught) {
      setError(writeFailure(caught, term.name));
    }
  };

  return (
    <div className="setup-calendar">
      <div className="toolbar">
        <ShowArchived checked={showArchived} onChange={setShowArchived} count={archivedCount} />
        {mayWrite && (
          <button type="button" onClick={() => { setEditing({ kind: 'year', year: null }); setNotice(null); }}>Add academic year</button>
        )}
      </div>
      <ReadOnlyNote refusal={refusal} />
      {editing?.kind === 'year' && editing.year === null && <YearForm writer={writer} data={data} year={null} onDone={done} onCancel={() => setEditing(null)} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      <FormMessages error={error} />
      {years.length === 0 && <p className="empty">No academic year yet.{mayWrite ? ' Add the first one, then its terms.' : ''}</p>}
      {years.map((year) => {
        const terms = shown(data.terms, showArchived).filter((t) => t.data.academicYearId === year.id);
        return (
          <div key={year.id} className={`card setup-year${year.archived === true ? ' archived' : ''}`} role="group" aria-label={`Academic year ${year.name}`}>
            <div className="setup-year-head">
              <h4>{year.name} <ArchivedMark archived={year.archived} /></h4>
              <span className="muted">{year.data.startDate} to {year.data.endDate}</span>
              {mayWrite && (
                <div className="row-actions">
                  {year.archived !== true && (
                    <>
                      <button type="button" className="link" onClick={() => { setEditing({ kind: 'term', term: null, yearId: year.id }); setNotice(null); }} aria-label={`Add a term to ${year.name}`}>Add term</button>
                      <button type="button" className="link" onClick={() => { setEditing({ kind: 'year', year }); setNotice(null); }} aria-label={`Edit academic year ${year.name}`}>Edit</button>
                    </>
                  )}
                  <ArchiveButton name={`academic year ${year.name}`} archived={year.archived === true} onClick={() => void toggleYear(year)} />
                </div>
              )}
            </div>
            {editing?.kind === 'year' && editing.year?.id === year.id && <YearForm writer={writer} data={data} year={year} onDone={done} onCancel={() => setEditing(null)} />}
            {editing?.kind === 'term' && editing.term === null && editing.yearId === year.id && (
              <TermForm writer={writer} data={data} term={null} yearId={year.id} onDone={done} onCancel={() => setEditing(null)} />
            )}
            {terms.length === 0 ? (
              <p className="muted">No terms yet.</p>
            ) : (
              <table className="admin-table" aria-label={`Terms of ${year.name}`}>
                <thead>
                  <tr><th>Term</th><th>First day</th><th>Last day</th>{mayWrite && <th />}</tr>
                </thead>
                <tbody>
                  {terms.map((term) => (
                    <Fragment key={term.id}>
                      <tr data-testid="term-row" className={term.archived === true ? 'archived' : undefined}>
                        <td>{term.name} <ArchivedMark archived={term.archived} /></td>
                        <td>{term.data.startDate}</td>
                        <td>{term.data.endDate}</td>
                        {mayWrite && (
                          <td>
                            <div className="row-actions">
                              {term.archived !== true && <button type="button" className="link" onClick={() => { setEditing({ kind: 'term', term, yearId: year.id }); setNotice(null); }} aria-label={`Edit ${term.name} of ${year.name}`}>Edit</button>}
                              <ArchiveButton name={`${term.name} of ${year.name}`} archived={term.archived === true} onClick={() => void toggleTerm(term)} />
                            </div>
                          </td>
                        )}
                      </tr>
                      {editing?.kind === 'term' && editing.term?.id === term.id && (
                        <tr className="row-panel">
                          <td colSpan={4}><TermForm writer={writer} data={data} term={term} yearId={year.id} onDone={done} onCancel={() => setEditing(null)} /></td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
    </div>
  );
}

function YearForm({ writer, data, year, onDone, onCancel }: { writer: SetupWriter; data: SetupData; year: AcademicYearDoc | null; onDone: (message: string) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState({ name: year?.name ?? '', startDate: year?.data.startDate ?? '', endDate: year?.data.endDate ?? '' });
  const [problems, setProblems] = useState<FieldProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const terms = active(data.terms).filter((t) => t.data.academicYearId === year?.id).map(period);
    const found = checkYear({ ...(year ? { id: year.id } : {}), ...draft }, active(data.years).map(period), year ? terms : []);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const saved = await saveReference(writer, referenceDoc({ kind: 'academicYear', name: draft.name, data: { startDate: draft.startDate, endDate: draft.endDate } }, year, writer.schoolId, new Date()));
      onDone(`Academic year ${saved.name} is saved.${year ? '' : ' Add its terms next.'}`);
    } catch (caught) {
      setError(writeFailure(caught, 'The academic year'));
      setBusy(false);
    }
  };

  return (
    <form className="card setup-form" onSubmit={(e) => void submit(e)} aria-label={year ? `Edit academic year ${year.name}` : 'Add academic year'} noValidate>
      <div className="row">
        <Field label="Year name" error={problems.name} hint="As the school calls it, like 2026 or 2026/27.">
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} autoFocus maxLength={120} />}
        </Field>
        <Field label="First day" error={problems.startDate}>
          {(control) => <input {...control} type="date" value={draft.startDate} onChange={(e) => setDraft({ ...draft, startDate: e.target.value })} />}
        </Field>
        <Field label="Last day" error={problems.endDate}>
          {(control) => <input {...control} type="date" value={draft.endDate} onChange={(e) => setDraft({ ...draft, endDate: e.target.value })} />}
        </Field>
      </div>
      <FormMessages error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save year'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function TermForm({ writer, data, term, yearId, onDone, onCancel }: { writer: SetupWriter; data: SetupData; term: TermDoc | null; yearId: string; onDone: (message: string) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState({ academicYearId: term?.data.academicYearId ?? yearId, name: term?.name ?? '', startDate: term?.data.startDate ?? '', endDate: term?.data.endDate ?? '' });
  const [problems, setProblems] = useState<FieldProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const years = active(data.years);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const year = years.find((y) => y.id === draft.academicYearId);
    const others = active(data.terms).filter((t) => t.data.academicYearId === draft.academicYearId).map(period);
    const found = checkTerm({ ...(term ? { id: term.id } : {}), ...draft }, year ? period(year) : undefined, others);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const saved = await saveReference(
        writer,
        referenceDoc({ kind: 'term', name: draft.name, data: { academicYearId: draft.academicYearId, startDate: draft.startDate, endDate: draft.endDate } }, term, writer.schoolId, new Date()),
      );
      onDone(`${saved.name} is saved.`);
    } catch (caught) {
      setError(writeFailure(caught, 'The term'));
      setBusy(false);
    }
  };

  return (
    <form className="card setup-form" onSubmit={(e) => void submit(e)} aria-label={term ? `Edit term ${term.name}` : 'Add term'} noValidate>
      <div className="row">
        <Field label="Academic year" error={problems.academicYearId}>
          {(control) => (
            <select {...control} value={draft.academicYearId} onChange={(e) => setDraft({ ...draft, academicYearId: e.target.value })}>
              {years.map((y) => <option key={y.id} value={y.id}>{y.name} ({y.data.startDate} to {y.data.endDate})</option>)}
            </select>
          )}
        </Field>
        <Field label="Term name" error={problems.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} autoFocus maxLength={120} />}
        </Field>
      </div>
      <div className="row">
        <Field label="First day" error={problems.startDate}>
          {(control) => <input {...control} type="date" value={draft.startDate} onChange={(e) => setDraft({ ...draft, startDate: e.target.value })} />}
        </Field>
        <Field label="Last day" error={problems.endDate}>
          {(control) => <input {...control} type="date" value={draft.endDate} onChange={(e) => setDraft({ ...draft, endDate: e.target.value })} />}
        </Field>
      </div>
      <FormMessages error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save term'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
