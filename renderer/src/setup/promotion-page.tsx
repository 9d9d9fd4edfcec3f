// Year-end promotion: choose for each class where its active students go (a class, or leaving
// school), see how many move from each class to which, then move them all in one write.
import { useMemo, useState } from 'react';
import type { ClassDoc } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { activeByClass, LEAVES, planPromotion, STAYS, suggestByLevel, type Destination } from './promotion.ts';
import { FormMessages, ReadOnlyNote, writeFailure } from './setup-parts.tsx';
import { active, useStudents, type SetupData } from './setup-data.ts';
import { refusalForCollection, saveStudents, type SetupWriter } from './setup-store.ts';

const plural = (n: number, one: string, many = `${one}s`): string => `${String(n)} ${n === 1 ? one : many}`;

export function PromotionPage({ desk, writer, data }: { desk: Desk; writer: SetupWriter; data: SetupData }) {
  const students = useStudents(desk);
  const [choices, setChoices] = useState<Record<string, Destination>>({});
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refusal = refusalForCollection(writer, 'students');
  const byClass = useMemo(() => activeByClass(students ?? []), [students]);
  // Every unarchived class, and an archived one still holding active students (so they can move out).
  const sources = data.classes.filter((c) => c.archived !== true || (byClass.get(c.id)?.length ?? 0) > 0);
  const destinations = active(data.classes);
  const className = (id: string): string => data.classes.find((c) => c.id === id)?.name ?? '(a class not on this desk)';
  const plan = useMemo(() => planPromotion(students ?? [], data.classes, choices, new Date().toISOString()), [students, data.classes, choices]);
  const unplaced = (students ?? []).filter((s) => s.status === 'active' && (s.classId === undefined || !data.classes.some((c) => c.id === s.classId))).length;

  const choose = (from: ClassDoc, to: Destination): void => {
    setChoices((c) => ({ ...c, [from.id]: to }));
    setConfirming(false);
    setNotice(null);
  };

  const apply = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    // Planned afresh at the moment of writing, so the stamp is now and the register is current.
    const now = planPromotion(students ?? [], data.classes, choices, new Date().toISOString());
    try {
      const result = await saveStudents(writer, now.changes);
      const moved = now.moves.map((m) => `${plural(m.students.length, 'student')} from ${className(m.fromClassId)} ${m.to === LEAVES ? 'left school' : `to ${className(m.to)}`}`);
      setNotice(`Promoted ${plural(result.saved, 'student')}: ${moved.join('; ')}.`);
      if (result.failed.length > 0) {
        setError(`${plural(result.failed.length, 'student was', 'students were')} not moved: ${result.failed.map((f) => `${f.student.firstName} ${f.student.lastName} (${f.reason})`).join('; ')}.`);
      }
      setChoices({});
      setConfirming(false);
    } catch (caught) {
      setError(writeFailure(caught, 'The promotion'));
    } finally {
      setBusy(false);
    }
  };

  if (students === null) return <p className="muted" role="status">Reading the students register on this desk…</p>;
  const mayWrite = refusal === null;
  const changing = plan.changes.length;

  return (
    <div className="setup-promotion">
      <p className="muted">At the end of the year, choose for each class where its active students go next. Students who left or graduated stay where they are. Nothing changes until you promote.</p>
      <ReadOnlyNote refusal={refusal} />
      {notice && <p className="notice" role="status">{notice}</p>}
      <FormMessages error={error} />
      {sources.length === 0 ? (
        <p className="empty">No class is set up yet: add classes under Classes and categories first.</p>
      ) : (
        <>
          {mayWrite && (
            <div className="toolbar">
              <button type="button" className="secondary" onClick={() => { setChoices(suggestByLevel(data.classes)); setConfirming(false); setNotice(null); }}>Suggest from class levels</button>
              <button type="button" className="secondary" onClick={() => { setChoices({}); setConfirming(false); }}>Everyone stays</button>
            </div>
          )}
          <table className="admin-table" aria-label="Classes at year end">
            <thead>
              <tr><th>Class</th><th>Active students</th><th>Moves to</th></tr>
            </thead>
            <tbody>
              {sources.map((c) => (
                <tr key={c.id} data-testid="promotion-row" data-name={c.name}>
                  <td>{c.name}</td>
                  <td data-testid="promotion-count">{byClass.get(c.id)?.length ?? 0}</td>
                  <td>
                    <select aria-label={`Where ${c.name} moves`} value={choices[c.id] ?? STAYS} onChange={(e) => choose(c, e.target.value)} disabled={!mayWrite || busy}>
                      <option value={STAYS}>Stays in {c.name}</option>
                      {destinations.filter((d) => d.id !== c.id).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
                      <option value={LEAVES}>Leaves school (graduated)</option>
                    </select>
                    {plan.problems[c.id] && <p className="field-error">{plan.problems[c.id]}</p>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {unplaced > 0 && <p className="muted">{plural(unplaced, 'active student has', 'active students have')} no class and will not move: give them a class on the Students screen.</p>}
          <div className="card setup-preview" role="region" aria-label="Promotion preview">
            <h4>Preview</h4>
            {changing === 0 ? (
              <p className="muted" role="status">No student moves yet: choose where a class goes.</p>
            ) : (
              <>
                <ul>
                  {plan.moves.map((m) => (
                    <li key={m.fromClassId} data-testid="promotion-move">
                      {className(m.fromClassId)} → {m.to === LEAVES ? 'leaves school (graduated)' : className(m.to)}: {plural(m.students.length, 'student')}
                    </li>
                  ))}
                </ul>
                <p role="status">{plural(changing, 'student')} will change.</p>
                {mayWrite && !confirming && <button type="button" onClick={() => setConfirming(true)} disabled={busy}>Promote {plural(changing, 'student')}…</button>}
                {mayWrite && confirming && (
                  <div className="confirm" role="group" aria-label="Confirm the promotion">
                    <p>Move {plural(changing, 'student')} now, on this desk and then on every other desk? Each can still be changed one by one on the Students screen.</p>
                    <div className="actions">
                      <button type="button" onClick={() => void apply()} disabled={busy}>{busy ? 'Promoting…' : `Yes, promote ${plural(changing, 'student')}`}</button>
                      <button type="button" className="secondary" onClick={() => setConfirming(false)} disabled={busy}>Cancel</button>
                    </div>
                  </div>
                )}
              </>
            )}
          </div>
        </>
      )}
    </div>
  );
}
