// The students register: search and filter as you type, add a student, edit one, import many,
// change or delete a selection. Works the same offline.
import { useMemo, useState, type FormEvent } from 'react';
import { mayPerform, refusalToWrite, studentStatuses, type ClassDoc, type Student, type StudentCategoryDoc } from '@feemaster/core';
import { BulkActions } from '../students/bulk-actions.tsx';
import { isOfflineSession } from '../api/session.ts';
import { ImportPanel } from '../students/import-panel.tsx';
import { ExportPanel } from '../exports/export-panel.tsx';
import type { Desk } from '../desk/open-desk.ts';
import { useObservable } from '../components/use-observable.ts';
import { StudentInvalidError, draftOf, emptyDraft, saveStudent, type StudentDraft } from '../students/student-store.ts';

/** Rows drawn at once: a school of 10,000 is searched, not scrolled. */
const SHOWN = 500;

export function StudentsScreen({ desk }: { desk: Desk }) {
  const students$ = useMemo(() => desk.db.students.find({ sort: [{ lastName: 'asc' }, { firstName: 'asc' }] }).$, [desk]);
  const documents = useObservable(students$, []);
  const students = useMemo(() => documents.map((d) => d.toJSON() as Student), [documents]);
  const references$ = useMemo(() => desk.db.reference.find({ selector: { kind: { $in: ['class', 'studentCategory'] } } }).$, [desk]);
  const referenceDocs = useObservable(references$, []);
  const { classes, categories } = useMemo(() => {
    const refs = referenceDocs.map((d) => d.toJSON() as ClassDoc | StudentCategoryDoc).filter((r) => r.archived !== true).sort((a, b) => a.name.localeCompare(b.name));
    return { classes: refs.filter((r): r is ClassDoc => r.kind === 'class'), categories: refs.filter((r): r is StudentCategoryDoc => r.kind === 'studentCategory') };
  }, [referenceDocs]);
  const classNames = useMemo(() => new Map(classes.map((c) => [c.id, c.name])), [classes]);
  const [search, setSearch] = useState('');
  const [classFilter, setClassFilter] = useState('');
  const [statusFilter, setStatusFilter] = useState('');
  const [editing, setEditing] = useState<Student | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const session = isOfflineSession(desk.session) ? 'offline' : 'online';
  const mayImport = mayPerform(desk.session.user.role, 'bulk.import', session);
  const mayExport = mayPerform(desk.session.user.role, 'bulk.export', session);
  const mayChangeMany = mayPerform(desk.session.user.role, 'bulk.update', session);
  // The same table the server checks every push with: an auditor, say, only reads the register.
  const mayAdd = refusalToWrite(desk.session.user.role, 'students', {}) === null;

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return students.filter(
      (s) =>
        (!classFilter || (classFilter === 'none' ? !s.classId : s.classId === classFilter)) &&
        (!statusFilter || s.status === statusFilter) &&
        (!needle || `${s.admissionNumber} ${s.firstName} ${s.lastName} ${s.otherNames ?? ''}`.toLowerCase().includes(needle)),
    );
  }, [students, search, classFilter, statusFilter]);
  const chosen = useMemo(() => visible.filter((s) => selected.has(s.id)), [visible, selected]);
  const allChosen = visible.length > 0 && chosen.length === visible.length;
  const toggle = (id: string): void => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    setSelected(next);
  };
  const filtered = Boolean(search.trim() || classFilter || statusFilter);

  return (
    <section className="students">
      <div className="toolbar">
        <h2>Students <span className="count">{filtered ? `${String(visible.length)} of ${String(students.length)}` : students.length}</span></h2>
        <input type="search" placeholder="Search name or admission number" aria-label="Search students" value={search} onChange={(e) => setSearch(e.target.value)} />
        <select aria-label="Class filter" value={classFilter} onChange={(e) => setClassFilter(e.target.value)}>
          <option value="">All classes</option>
          {classes.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          <option value="none">No class</option>
        </select>
        <select aria-label="Status filter" value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)}>
          <option value="">Any status</option>
          {studentStatuses.map((st) => <option key={st} value={st}>{st}</option>)}
        </select>
        {mayAdd && <button type="button" onClick={() => setEditing('new')}>Add student</button>}
        {mayImport && !importing && <button type="button" className="secondary" onClick={() => setImporting(true)}>Import from Excel or CSV</button>}
        {mayExport && !exporting && <button type="button" className="secondary" onClick={() => setExporting(true)}>Export…</button>}
      </div>
      {importing && <ImportPanel desk={desk} onClose={() => setImporting(false)} />}
      {exporting && <ExportPanel desk={desk} studentFilters={{ classId: classFilter, status: statusFilter, search }} onClose={() => setExporting(false)} />}
      {editing && (
        <StudentForm
          key={editing === 'new' ? 'new' : editing.id}
          desk={desk}
          existing={editing === 'new' ? null : editing}
          classes={classes}
          categories={categories}
          onClose={() => setEditing(null)}
        />
      )}
      {mayChangeMany && chosen.length > 0 && <BulkActions desk={desk} selected={chosen} classes={classes} categories={categories} onDone={() => setSelected(new Set())} />}
      {visible.length === 0 ? (
        <p className="empty">{students.length > 0 ? `No student matches${search.trim() ? ` “${search}”` : ' these filters'}.` : mayAdd ? 'No students yet. Add the first one.' : 'No students yet.'}</p>
      ) : (
        <table aria-label="Students">
          <thead>
            <tr>
              {mayChangeMany && (
                <th>
                  <input type="checkbox" aria-label="Select all shown" checked={allChosen} onChange={() => setSelected(allChosen ? new Set() : new Set(visible.map((s) => s.id)))} />
                </th>
              )}
              <th>Admission no.</th><th>Name</th><th>Class</th><th>Date of birth</th><th>Status</th><th />
            </tr>
          </thead>
          <tbody>
            {visible.slice(0, SHOWN).map((s) => (
              <tr key={s.id} data-testid="student-row">
                {mayChangeMany && (
                  <td><input type="checkbox" aria-label={`Select ${s.firstName} ${s.lastName}`} checked={selected.has(s.id)} onChange={() => toggle(s.id)} /></td>
                )}
                <td>{s.admissionNumber}</td>
                <td>{s.lastName}, {s.firstName}{s.otherNames ? ` ${s.otherNames}` : ''}</td>
                <td>{s.classId ? (classNames.get(s.classId) ?? '—') : '—'}</td>
                <td>{s.dateOfBirth ?? '—'}</td>
                <td><span className={`status status-${s.status}`}>{s.status}</span></td>
                <td><button type="button" className="link" onClick={() => setEditing(s)} aria-label={`Edit ${s.firstName} ${s.lastName}`}>Edit</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {visible.length > SHOWN && <p className="muted">The first {SHOWN} of {visible.length}: search or filter to find the others.</p>}
    </section>
  );
}

function StudentForm({ desk, existing, classes, categories, onClose }: { desk: Desk; existing: Student | null; classes: ClassDoc[]; categories: StudentCategoryDoc[]; onClose: () => void }) {
  const [draft, setDraft] = useState<StudentDraft>(existing ? draftOf(existing) : emptyDraft);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const set = (name: keyof StudentDraft) => (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setProblems({});
    setError(null);
    try {
      await saveStudent(desk.db.students, desk.pendingStudents, draft, existing, desk.session.school.id);
      onClose();
    } catch (caught) {
      if (caught instanceof StudentInvalidError) {
        setProblems(Object.fromEntries(caught.problems.map((p) => [p.path.replace(/^\//, ''), p.message])));
        setError('Please correct the highlighted fields.');
      } else {
        setError(`The student could not be saved on this desk: ${caught instanceof Error ? caught.message : String(caught)}`);
      }
    }
  };

  const fieldError = (name: string) => problems[name] && <span className="field-error">{problems[name]}</span>;
  return (
    <form className="card student-form" onSubmit={(e) => void submit(e)} aria-label={existing ? 'Edit student' : 'Add student'}>
      <h3>{existing ? `Edit ${existing.firstName} ${existing.lastName}` : 'New student'}</h3>
      <div className="row">
        <label>Admission number<input value={draft.admissionNumber} onChange={set('admissionNumber')} required autoFocus />{fieldError('admissionNumber')}</label>
        <label>Status
          <select value={draft.status} onChange={set('status')}>
            {studentStatuses.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
      </div>
      <div className="row">
        <label>First name<input value={draft.firstName} onChange={set('firstName')} required />{fieldError('firstName')}</label>
        <label>Last name<input value={draft.lastName} onChange={set('lastName')} required />{fieldError('lastName')}</label>
      </div>
      <div className="row">
        <label>Other names<input value={draft.otherNames} onChange={set('otherNames')} />{fieldError('otherNames')}</label>
        <label>Date of birth<input type="date" value={draft.dateOfBirth} onChange={set('dateOfBirth')} />{fieldError('dateOfBirth')}</label>
      </div>
      <div className="row">
        <label>Class
          <select value={draft.classId} onChange={set('classId')}>
            <option value="">No class yet</option>
            {classes.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            {draft.classId && !classes.some((c) => c.id === draft.classId) && <option value={draft.classId}>(an archived class)</option>}
          </select>
        </label>
        <label>Category
          <select value={draft.categoryId} onChange={set('categoryId')}>
            <option value="">None</option>
            {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            {draft.categoryId && !categories.some((c) => c.id === draft.categoryId) && <option value={draft.categoryId}>(an archived category)</option>}
          </select>
        </label>
      </div>
      <div className="row">
        <label>Joined on<input type="date" value={draft.joinedOn} onChange={set('joinedOn')} />{fieldError('joinedOn')}</label>
        <label className="inline"><input type="checkbox" checked={draft.staffChild} onChange={(e) => setDraft({ ...draft, staffChild: e.target.checked })} />Child of a staff member</label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit">Save student</button>
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
