// The students register: search as you type, add a student, edit one. Works the same offline.
import { useMemo, useState, type FormEvent } from 'react';
import { refusalToWrite, studentStatuses, type Student } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { useObservable } from '../components/use-observable.ts';
import { StudentInvalidError, draftOf, emptyDraft, saveStudent, type StudentDraft } from '../students/student-store.ts';

export function StudentsScreen({ desk }: { desk: Desk }) {
  const students$ = useMemo(() => desk.db.students.find({ sort: [{ lastName: 'asc' }, { firstName: 'asc' }] }).$, [desk]);
  const documents = useObservable(students$, []);
  const students = useMemo(() => documents.map((d) => d.toJSON() as Student), [documents]);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Student | 'new' | null>(null);
  // The same table the server checks every push with: an auditor, say, only reads the register.
  const mayAdd = refusalToWrite(desk.session.user.role, 'students', {}) === null;

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    if (!needle) return students;
    return students.filter((s) => `${s.admissionNumber} ${s.firstName} ${s.lastName} ${s.otherNames ?? ''}`.toLowerCase().includes(needle));
  }, [students, search]);

  return (
    <section className="students">
      <div className="toolbar">
        <h2>Students <span className="count">{students.length}</span></h2>
        <input type="search" placeholder="Search name or admission number" aria-label="Search students" value={search} onChange={(e) => setSearch(e.target.value)} />
        {mayAdd && <button type="button" onClick={() => setEditing('new')}>Add student</button>}
      </div>
      {editing && (
        <StudentForm
          key={editing === 'new' ? 'new' : editing.id}
          desk={desk}
          existing={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      {visible.length === 0 ? (
        <p className="empty">{students.length > 0 ? `No student matches “${search}”.` : mayAdd ? 'No students yet. Add the first one.' : 'No students yet.'}</p>
      ) : (
        <table aria-label="Students">
          <thead>
            <tr><th>Admission no.</th><th>Name</th><th>Date of birth</th><th>Status</th><th /></tr>
          </thead>
          <tbody>
            {visible.map((s) => (
              <tr key={s.id} data-testid="student-row">
                <td>{s.admissionNumber}</td>
                <td>{s.lastName}, {s.firstName}{s.otherNames ? ` ${s.otherNames}` : ''}</td>
                <td>{s.dateOfBirth ?? '—'}</td>
                <td><span className={`status status-${s.status}`}>{s.status}</span></td>
                <td><button type="button" className="link" onClick={() => setEditing(s)} aria-label={`Edit ${s.firstName} ${s.lastName}`}>Edit</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function StudentForm({ desk, existing, onClose }: { desk: Desk; existing: Student | null; onClose: () => void }) {
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
      {error && <p className="error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit">Save student</button>
        <button type="button" className="secondary" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
