// Small pieces every Setup page uses: a labelled field with its problem beside it, the "Show
// archived" switch, the read-only note and the archive/restore button.
import { useId, type ReactNode } from 'react';
import { SetupWriteError } from './setup-store.ts';

export interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** A label, its control, a hint and the field's problem, tied together for screen readers. */
export function Field({ label, error, hint, className, children }: { label: ReactNode; error?: string | undefined; hint?: ReactNode; className?: string; children: (control: ControlProps) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className={`setup-field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy || undefined })}
      {hint && <p className="hint" id={hintId}>{hint}</p>}
      {error && <p className="field-error" id={errorId}>{error}</p>}
    </div>
  );
}

/** A problem in a table cell, tied to the cell's control by id. */
export function CellError({ id, error }: { id: string; error: string | undefined }) {
  return error ? <span className="field-error" id={id}>{error}</span> : null;
}

export function ShowArchived({ checked, onChange, count }: { checked: boolean; onChange: (checked: boolean) => void; count: number }) {
  return (
    <label className="setup-show-archived">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      Show archived{count > 0 ? ` (${String(count)})` : ''}
    </label>
  );
}

export function ReadOnlyNote({ refusal }: { refusal: string | null }) {
  return refusal === null ? null : <p className="notice setup-read-only">Read only. {refusal}</p>;
}

export function ArchiveButton({ name, archived, disabled, onClick }: { name: string; archived: boolean; disabled?: boolean; onClick: () => void }) {
  return (
    <button type="button" className={archived ? 'link' : 'link danger'} onClick={onClick} disabled={disabled} aria-label={`${archived ? 'Restore' : 'Archive'} ${name}`}>
      {archived ? 'Restore' : 'Archive'}
    </button>
  );
}

export function ArchivedMark({ archived }: { archived: boolean | undefined }) {
  return archived === true ? <span className="status setup-archived">archived</span> : null;
}

/** What to tell the person when a write fails. */
export function writeFailure(error: unknown, what: string): string {
  if (error instanceof SetupWriteError) return error.message;
  return `${what} could not be saved on this desk: ${error instanceof Error ? error.message : String(error)}. Try again; if it fails again, reload the desk.`;
}

/** Form-wide messages: a failure to save, or problems no field explains. */
export function FormMessages({ error, other }: { error: string | null; other?: readonly string[] }) {
  if (!error && (!other || other.length === 0)) return null;
  return (
    <div className="error" role="alert">
      {error && <p>{error}</p>}
      {other && other.length > 0 && (
        <ul>
          {other.map((message) => <li key={message}>{message}</li>)}
        </ul>
      )}
    </div>
  );
}
