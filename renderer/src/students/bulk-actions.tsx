// What a bursar does to many students at once: move them to a class or category, change their
// status (archiving is "left" or "graduated"), or delete them. Every change is previewed first
// and made in one go; deleting is refused for any student with ledger entries, with the reason
// and the archive alternative.
import { useState } from 'react';
import { deletionRefusal, planBulkStudentChange, studentStatuses, type BulkChangePlan, type BulkStudentChange, type ClassDoc, type Student, type StudentCategoryDoc, type StudentStatus } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { applyStudentChanges } from './apply-import.ts';

type What = 'class' | 'category' | 'status';

type Step =
  | { kind: 'choose' }
  | { kind: 'preview'; plan: BulkChangePlan }
  | { kind: 'delete'; refusals: string[]; deletable: Student[] }
  | { kind: 'done'; message: string }
  | { kind: 'failed'; message: string };

export function BulkActions({ desk, selected, classes, categories, onDone }: { desk: Desk; selected: Student[]; classes: ClassDoc[]; categories: StudentCategoryDoc[]; onDone: () => void }) {
  const [what, setWhat] = useState<What>('class');
  const [value, setValue] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const count = selected.length;
  const options: { value: string; label: string }[] =
    what === 'class' ? classes.map((c) => ({ value: c.id, label: c.name })) : what === 'category' ? categories.map((c) => ({ value: c.id, label: c.name })) : studentStatuses.map((s) => ({ value: s, label: s }));

  const change = (): BulkStudentChange => (what === 'class' ? { classId: value } : what === 'category' ? { categoryId: value } : { status: value as StudentStatus });
  const preview = (): void => {
    if (!value) {
      setStep({ kind: 'failed', message: `Choose the ${what} to set first.` });
      return;
    }
    setStep({ kind: 'preview', plan: planBulkStudentChange(selected, change(), { classes, categories, now: new Date().toISOString() }) });
  };
  const apply = async (plan: BulkChangePlan): Promise<void> => {
    try {
      await applyStudentChanges({ db: desk.db, pending: desk.pending, uploadHold: desk.uploadHold }, plan.changes);
      setStep({ kind: 'done', message: `${String(plan.changes.length)} student${plan.changes.length === 1 ? '' : 's'} changed.` });
      onDone();
    } catch (error) {
      setStep({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };
  const checkDelete = async (): Promise<void> => {
    const refusals: string[] = [];
    const deletable: Student[] = [];
    for (const student of selected) {
      // This desk's copy of the ledger; the server refuses too, for entries this desk has not downloaded.
      const entries = await desk.db.ledger.count({ selector: { studentKey: student.id } }).exec();
      const refusal = deletionRefusal(student, entries);
      if (refusal) refusals.push(refusal);
      else deletable.push(student);
    }
    setStep({ kind: 'delete', refusals, deletable });
  };
  const remove = async (students: Student[]): Promise<void> => {
    try {
      const now = new Date().toISOString();
      void desk.pending.students.markMany(students.map((s) => ({ id: s.id, updatedAt: now }))).catch((error: unknown) => console.warn('Deleted, but not counted as waiting to sync:', error));
      // The deletion travels as the student's last version, marked deleted.
      await desk.db.students.bulkUpsert(students.map((s) => ({ ...s, updatedAt: now })));
      await desk.db.students.bulkRemove(students.map((s) => s.id));
      setStep({ kind: 'done', message: `${String(students.length)} student${students.length === 1 ? '' : 's'} deleted.` });
      onDone();
    } catch (error) {
      setStep({ kind: 'failed', message: `The students could not be deleted on this desk: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  return (
    <div className="bulk-actions" role="region" aria-label="Change selected students">
      <strong>{count} selected</strong>
      <label>
        Change
        <select value={what} onChange={(e) => { setWhat(e.target.value as What); setValue(''); setStep({ kind: 'choose' }); }}>
          <option value="class">class</option>
          <option value="category">category</option>
          <option value="status">status (archive: left or graduated)</option>
        </select>
      </label>
      <label>
        to
        <select aria-label="New value" value={value} onChange={(e) => { setValue(e.target.value); setStep({ kind: 'choose' }); }}>
          <option value="">choose…</option>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <button type="button" onClick={preview} disabled={count === 0}>Preview</button>
      <button type="button" className="danger" onClick={() => void checkDelete()} disabled={count === 0}>Delete…</button>
      {step.kind === 'preview' && (
        <div className="bulk-preview" role="status">
          {step.plan.problems.length > 0 ? (
            <p className="error">{step.plan.problems.join(' ')}</p>
          ) : (
            <>
              <p>
                {step.plan.changes.length} student{step.plan.changes.length === 1 ? '' : 's'} will change{step.plan.unchanged.length > 0 ? `; ${String(step.plan.unchanged.length)} already ${step.plan.unchanged.length === 1 ? 'has' : 'have'} it` : ''}.
              </p>
              <ul className="compact">
                {step.plan.changes.slice(0, 10).map(({ after }) => <li key={after.id}>{after.admissionNumber} {after.firstName} {after.lastName}</li>)}
                {step.plan.changes.length > 10 && <li>…and {step.plan.changes.length - 10} more</li>}
              </ul>
              <button type="button" onClick={() => void apply(step.plan)} disabled={step.plan.changes.length === 0}>Apply to {step.plan.changes.length} students</button>
            </>
          )}
        </div>
      )}
      {step.kind === 'delete' && (
        <div className="bulk-preview" role="status">
          {step.refusals.length > 0 && (
            <>
              <p className="error">{step.refusals.length} cannot be deleted:</p>
              <ul className="compact">{step.refusals.map((r) => <li key={r}>{r}</li>)}</ul>
            </>
          )}
          {step.deletable.length > 0 ? (
            <button type="button" className="danger" onClick={() => void remove(step.deletable)}>Delete {step.deletable.length} student{step.deletable.length === 1 ? '' : 's'} with no ledger entries</button>
          ) : (
            <p>Nothing to delete.</p>
          )}
        </div>
      )}
      {step.kind === 'done' && <p className="notice" role="status">{step.message}</p>}
      {step.kind === 'failed' && <p className="error" role="alert">{step.message}</p>}
    </div>
  );
}
