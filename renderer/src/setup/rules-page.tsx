// Discount rules (sibling, staff child, scholarship) and late-fee rules (grace days, period,
// fixed or percent, cap, fee categories), applied when invoices are issued and fines accrue.
import { Fragment, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { formatMoney, type DiscountRuleDoc, type FeeCategoryDoc, type LateFeeRuleDoc, type Student } from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import type { FieldProblems } from './field-problems.ts';
import {
  buildDiscountData,
  buildLateFeeData,
  describeDiscount,
  describeLateFee,
  discountDraftOf,
  emptyDiscountDraft,
  emptyLateFeeDraft,
  lateFeeDraftOf,
  type DiscountDraft,
  type DiscountType,
  type LateFeeDraft,
  type ValueMode,
} from './rule-drafts.ts';
import { ArchiveButton, ArchivedMark, Field, FormMessages, ReadOnlyNote, ShowArchived, writeFailure } from './setup-parts.tsx';
import { shown, useStudents, type SetupData } from './setup-data.ts';
import { referenceDoc, refusalForKind, saveReference, setReferenceArchived, type SetupWriter } from './setup-store.ts';

const discountTypes: Readonly<Record<DiscountType, string>> = { sibling: 'Sibling discount', staffChild: 'Staff child', scholarship: 'Scholarship' };
const isDiscountType = (value: string): value is DiscountType => Object.hasOwn(discountTypes, value);

type Rule = DiscountRuleDoc | LateFeeRuleDoc;

export function RulesPage({ desk, writer, data }: { desk: Desk; writer: SetupWriter; data: SetupData }) {
  const students = useStudents(desk);
  const feeCategoryName = useMemo(() => {
    const names = new Map(data.feeCategories.map((c) => [c.id, c.name]));
    return (id: string): string => names.get(id) ?? '(a fee category not on this desk)';
  }, [data.feeCategories]);
  const money = (minor: number): string => formatMoney(minor, data.currency);
  return (
    <>
      <RulePanel
        title="Discount rules"
        kind="discountRule"
        writer={writer}
        rules={data.discountRules}
        describe={(rule) => (rule.kind === 'discountRule' ? describeDiscount(rule.data, feeCategoryName, money) : '')}
        form={(existing, done, cancel) => (
          <DiscountForm writer={writer} data={data} students={students ?? []} existing={existing?.kind === 'discountRule' ? existing : null} onDone={done} onCancel={cancel} />
        )}
      />
      <RulePanel
        title="Late-fee rules"
        kind="lateFeeRule"
        writer={writer}
        rules={data.lateFeeRules}
        describe={(rule) => (rule.kind === 'lateFeeRule' ? describeLateFee(rule.data, feeCategoryName, money) : '')}
        form={(existing, done, cancel) => <LateFeeForm writer={writer} data={data} existing={existing?.kind === 'lateFeeRule' ? existing : null} onDone={done} onCancel={cancel} />}
      />
    </>
  );
}

function RulePanel({ title, kind, writer, rules, describe, form }: {
  title: string;
  kind: 'discountRule' | 'lateFeeRule';
  writer: SetupWriter;
  rules: readonly Rule[];
  describe: (rule: Rule) => string;
  form: (existing: Rule | null, done: (message: string) => void, cancel: () => void) => ReactNode;
}) {
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refusal = refusalForKind(writer, kind);
  const mayWrite = refusal === null;
  const list = shown(rules, showArchived);
  const one = kind === 'discountRule' ? 'discount rule' : 'late-fee rule';

  const done = (message: string): void => {
    setEditing(null);
    setError(null);
    setNotice(message);
  };
  const toggle = async (rule: Rule): Promise<void> => {
    setNotice(null);
    setError(null);
    try {
      await setReferenceArchived(writer, rule, rule.archived !== true);
      setNotice(rule.archived === true ? `${rule.name} is restored: it applies again from now on.` : `${rule.name} is archived: it no longer applies to new invoices${kind === 'lateFeeRule' ? ' or fines' : ''}. Tick “Show archived” to see or restore it.`);
    } catch (caught) {
      setError(writeFailure(caught, rule.name));
    }
  };

  return (
    <div className="card setup-panel" role="region" aria-label={title}>
      <div className="toolbar">
        <h4>{title} <span className="count">{list.length}</span></h4>
        <ShowArchived checked={showArchived} onChange={setShowArchived} count={rules.filter((r) => r.archived === true).length} />
        {mayWrite && <button type="button" onClick={() => { setEditing('new'); setNotice(null); }}>Add {one}</button>}
      </div>
      <ReadOnlyNote refusal={refusal} />
      {editing === 'new' && form(null, done, () => setEditing(null))}
      {notice && <p className="notice" role="status">{notice}</p>}
      <FormMessages error={error} />
      {list.length === 0 ? (
        <p className="muted">No {one} yet.</p>
      ) : (
        <table className="admin-table" aria-label={title}>
          <thead>
            <tr><th>Name</th><th>What it does</th><th /></tr>
          </thead>
          <tbody>
            {list.map((rule) => (
              <Fragment key={rule.id}>
                <tr data-testid={`${kind}-row`} data-name={rule.name} className={rule.archived === true ? 'archived' : undefined}>
                  <td>{rule.name} <ArchivedMark archived={rule.archived} /></td>
                  <td>{describe(rule)}</td>
                  <td>
                    {mayWrite && (
                      <div className="row-actions">
                        {rule.archived !== true && <button type="button" className="link" onClick={() => { setEditing(rule); setNotice(null); }} aria-label={`Edit ${rule.name}`}>Edit</button>}
                        <ArchiveButton name={rule.name} archived={rule.archived === true} onClick={() => void toggle(rule)} />
                      </div>
                    )}
                  </td>
                </tr>
                {editing !== 'new' && editing?.id === rule.id && (
                  <tr className="row-panel">
                    <td colSpan={3}>{form(rule, done, () => setEditing(null))}</td>
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

function FeeCategoryChoice({ categories, selected, onChange, hint }: { categories: readonly FeeCategoryDoc[]; selected: readonly string[]; onChange: (ids: string[]) => void; hint: string }) {
  const offered = categories.filter((c) => c.archived !== true || selected.includes(c.id));
  return (
    <fieldset className="setup-choices">
      <legend>Fee categories</legend>
      {offered.length === 0 && <p className="muted">No fee category is set up yet: the rule applies to every fee.</p>}
      {offered.map((c) => (
        <label key={c.id} className="setup-choice">
          <input type="checkbox" checked={selected.includes(c.id)} onChange={(e) => onChange(e.target.checked ? [...selected, c.id] : selected.filter((id) => id !== c.id))} />
          {c.name}
        </label>
      ))}
      <p className="hint">{hint}</p>
    </fieldset>
  );
}

function ValueModeChoice({ legend, mode, onChange, percentLabel, fixedLabel }: { legend: string; mode: ValueMode; onChange: (mode: ValueMode) => void; percentLabel: string; fixedLabel: string }) {
  return (
    <fieldset className="setup-choices setup-inline-choices">
      <legend>{legend}</legend>
      <label className="setup-choice"><input type="radio" checked={mode === 'percent'} onChange={() => onChange('percent')} />{percentLabel}</label>
      <label className="setup-choice"><input type="radio" checked={mode === 'fixed'} onChange={() => onChange('fixed')} />{fixedLabel}</label>
    </fieldset>
  );
}

function useRuleForm<D>(initial: D) {
  const [draft, setDraft] = useState<D>(initial);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof D>(name: K, value: D[K]): void => setDraft((d) => ({ ...d, [name]: value }));
  return { draft, set, problems, setProblems, error, setError, busy, setBusy };
}

function DiscountForm({ writer, data, students, existing, onDone, onCancel }: {
  writer: SetupWriter;
  data: SetupData;
  students: readonly Student[];
  existing: DiscountRuleDoc | null;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const form = useRuleForm<DiscountDraft>(existing ? discountDraftOf(existing, data.currency) : emptyDiscountDraft);
  const { draft, set, problems } = form;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    form.setError(null);
    const built = buildDiscountData(draft, data.currency);
    form.setProblems('problems' in built ? built.problems : {});
    if ('problems' in built) return;
    form.setBusy(true);
    try {
      const saved = await saveReference(writer, referenceDoc({ kind: 'discountRule', name: draft.name, data: built.data }, existing, writer.schoolId, new Date()));
      onDone(`${saved.name} is saved: it applies to invoices issued from now on.`);
    } catch (caught) {
      form.setError(writeFailure(caught, 'The discount rule'));
      form.setBusy(false);
    }
  };

  return (
    <form className="setup-form" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit discount rule ${existing.name}` : 'Add discount rule'} noValidate>
      <div className="row">
        <Field label="Rule name" error={problems.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => set('name', e.target.value)} autoFocus maxLength={120} />}
        </Field>
        <Field label="Kind of discount">
          {(control) => (
            <select {...control} value={draft.type} onChange={(e) => {
              if (isDiscountType(e.target.value)) set('type', e.target.value);
            }}>
              {(Object.keys(discountTypes) as DiscountType[]).map((t) => <option key={t} value={t}>{discountTypes[t]}</option>)}
            </select>
          )}
        </Field>
      </div>
      {draft.type === 'sibling' ? (
        <div className="row">
          <Field label="From child" error={problems.fromChild} hint="2: the second child of a family and later ones (counted as set in School settings).">
            {(control) => <input {...control} value={draft.fromChild} onChange={(e) => set('fromChild', e.target.value)} inputMode="numeric" className="setup-short" />}
          </Field>
          <Field label="Discount (%)" error={problems.percent} hint="A later tier (say 20 % from the 3rd child) replaces an earlier one for the children it reaches.">
            {(control) => <input {...control} value={draft.percent} onChange={(e) => set('percent', e.target.value)} inputMode="decimal" className="setup-short" />}
          </Field>
        </div>
      ) : (
        <div className="row">
          <ValueModeChoice legend="Discount as" mode={draft.mode} onChange={(mode) => set('mode', mode)} percentLabel="A percentage" fixedLabel="A fixed amount per invoice" />
          {draft.mode === 'percent' ? (
            <Field label="Discount (%)" error={problems.percent}>
              {(control) => <input {...control} value={draft.percent} onChange={(e) => set('percent', e.target.value)} inputMode="decimal" className="setup-short" />}
            </Field>
          ) : (
            <Field label={`Amount per invoice (${data.currency})`} error={problems.amount} hint="Never more than the invoice’s fees it covers.">
              {(control) => <input {...control} value={draft.amount} onChange={(e) => set('amount', e.target.value)} inputMode="decimal" className="setup-amount" />}
            </Field>
          )}
        </div>
      )}
      <FeeCategoryChoice categories={data.feeCategories} selected={draft.feeCategoryIds} onChange={(ids) => set('feeCategoryIds', ids)} hint="None ticked: the discount applies to every fee." />
      {draft.type === 'scholarship' && <StudentChoice students={students} selected={draft.studentIds} onChange={(ids) => set('studentIds', ids)} error={problems.studentIds} />}
      {draft.type === 'staffChild' && <p className="hint">Applies to students marked as a staff member’s child.</p>}
      <FormMessages error={form.error} />
      <div className="actions">
        <button type="submit" disabled={form.busy}>{form.busy ? 'Saving…' : 'Save discount rule'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

const studentName = (s: Student): string => `${s.firstName} ${s.lastName} (${s.admissionNumber})`;

function StudentChoice({ students, selected, onChange, error }: { students: readonly Student[]; selected: readonly string[]; onChange: (ids: string[]) => void; error: string | undefined }) {
  const [search, setSearch] = useState('');
  const byId = useMemo(() => new Map(students.map((s) => [s.id, s])), [students]);
  const needle = search.trim().toLowerCase();
  const matches = needle === '' ? [] : students.filter((s) => s.status === 'active').filter((s) => !selected.includes(s.id) && studentName(s).toLowerCase().includes(needle)).slice(0, 12);
  return (
    <fieldset className="setup-choices">
      <legend>Students with this scholarship</legend>
      <input type="search" aria-label="Find a student to add" placeholder="Name or admission number" value={search} onChange={(e) => setSearch(e.target.value)} />
      {matches.length > 0 && (
        <ul className="setup-matches">
          {matches.map((s) => (
            <li key={s.id}><button type="button" className="link" onClick={() => onChange([...selected, s.id])}>Add {studentName(s)}</button></li>
          ))}
        </ul>
      )}
      {needle !== '' && matches.length === 0 && <p className="muted">No active student matches “{search.trim()}”.</p>}
      {selected.length > 0 && (
        <ul className="setup-chosen" aria-label="Chosen students">
          {selected.map((id) => {
            const student = byId.get(id);
            const name = student ? studentName(student) : 'A student not on this desk';
            return (
              <li key={id}>{name} <button type="button" className="link danger" onClick={() => onChange(selected.filter((s) => s !== id))} aria-label={`Remove ${name}`}>Remove</button></li>
            );
          })}
        </ul>
      )}
      {error && <p className="field-error">{error}</p>}
    </fieldset>
  );
}

function LateFeeForm({ writer, data, existing, onDone, onCancel }: { writer: SetupWriter; data: SetupData; existing: LateFeeRuleDoc | null; onDone: (message: string) => void; onCancel: () => void }) {
  const form = useRuleForm<LateFeeDraft>(existing ? lateFeeDraftOf(existing, data.currency) : emptyLateFeeDraft);
  const { draft, set, problems } = form;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    form.setError(null);
    const built = buildLateFeeData(draft, data.currency);
    form.setProblems('problems' in built ? built.problems : {});
    if ('problems' in built) return;
    form.setBusy(true);
    try {
      const saved = await saveReference(writer, referenceDoc({ kind: 'lateFeeRule', name: draft.name, data: built.data }, existing, writer.schoolId, new Date()));
      onDone(`${saved.name} is saved: overdue fees are fined under it from the next late-fee run.`);
    } catch (caught) {
      form.setError(writeFailure(caught, 'The late-fee rule'));
      form.setBusy(false);
    }
  };

  return (
    <form className="setup-form" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit late-fee rule ${existing.name}` : 'Add late-fee rule'} noValidate>
      <div className="row">
        <Field label="Rule name" error={problems.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => set('name', e.target.value)} autoFocus maxLength={120} />}
        </Field>
        <Field label="Grace days" error={problems.graceDays} hint="Days after the due date before the first fine.">
          {(control) => <input {...control} value={draft.graceDays} onChange={(e) => set('graceDays', e.target.value)} inputMode="numeric" className="setup-short" />}
        </Field>
        <Field label="Fine every (days)" error={problems.periodDays} hint="A fine for each started period: 30 is monthly, 7 weekly.">
          {(control) => <input {...control} value={draft.periodDays} onChange={(e) => set('periodDays', e.target.value)} inputMode="numeric" className="setup-short" />}
        </Field>
      </div>
      <div className="row">
        <ValueModeChoice legend="Fine as" mode={draft.mode} onChange={(mode) => set('mode', mode)} percentLabel="A percentage of what is overdue" fixedLabel="A fixed amount" />
        {draft.mode === 'percent' ? (
          <Field label="Fine (%)" error={problems.percent}>
            {(control) => <input {...control} value={draft.percent} onChange={(e) => set('percent', e.target.value)} inputMode="decimal" className="setup-short" />}
          </Field>
        ) : (
          <Field label={`Fine amount (${data.currency})`} error={problems.amount}>
            {(control) => <input {...control} value={draft.amount} onChange={(e) => set('amount', e.target.value)} inputMode="decimal" className="setup-amount" />}
          </Field>
        )}
        <Field label={`Cap per charge (${data.currency})`} error={problems.cap} hint="The most one overdue charge is ever fined in total under this rule.">
          {(control) => <input {...control} value={draft.cap} onChange={(e) => set('cap', e.target.value)} inputMode="decimal" className="setup-amount" />}
        </Field>
      </div>
      <FeeCategoryChoice categories={data.feeCategories} selected={draft.feeCategoryIds} onChange={(ids) => set('feeCategoryIds', ids)} hint="None ticked: overdue fees of every category are fined." />
      <FormMessages error={form.error} />
      <div className="actions">
        <button type="submit" disabled={form.busy}>{form.busy ? 'Saving…' : 'Save late-fee rule'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
