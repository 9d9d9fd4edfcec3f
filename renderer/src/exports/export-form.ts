// The export panel's form as the person fills it in (choices, ticks and dates as typed), and what
// it asks of core's row builders: the kind's filters, checked here so that a date that cannot be
// used is named beside its field before any record is read.
import {
  assertCalendarDate,
  type ExportFormat,
  type ExportKind,
  type InvoiceExportFilters,
  type PayerExportFilters,
  type PaymentExportFilters,
  type PaymentMethod,
  type StatementExportFilters,
  type StudentExportFilters,
} from '@feemaster/core';

/** The students screen's value for "No class" in its class filter. */
export const NO_CLASS = 'none';

export interface StudentFilterFields {
  /** A class id, '' for every class, or NO_CLASS for students without one. */
  classId: string;
  categoryId: string;
  status: string;
  search: string;
}

export interface ExportForm {
  kind: ExportKind;
  format: ExportFormat;
  students: StudentFilterFields;
  payers: { search: string; includeArchived: boolean };
  payments: { from: string; to: string; methods: readonly PaymentMethod[]; includeVoided: boolean };
  invoices: { termId: string; classId: string; from: string; to: string };
  statements: { asOf: string };
}

/** One export as the row builders take it. */
export type ExportSelection =
  | { kind: 'students'; filters: StudentExportFilters; /** Only students without a class (core filters by a class id only). */ withoutClass: boolean }
  | { kind: 'payers'; filters: PayerExportFilters }
  | { kind: 'payments'; filters: PaymentExportFilters }
  | { kind: 'invoices'; filters: InvoiceExportFilters }
  | { kind: 'statements'; filters: StatementExportFilters };

/** A field that cannot be used, with what to write instead. `field` is the form's path, e.g. "payments.from". */
export interface FieldProblem {
  field: string;
  message: string;
}

export type SelectionResult = { ok: true; selection: ExportSelection } | { ok: false; problems: FieldProblem[] };

/** A new form: students, Excel, the students screen's filters, statements as of today. */
export function initialExportForm(today: string, students: Partial<StudentFilterFields> = {}): ExportForm {
  return {
    kind: 'students',
    format: 'xlsx',
    students: { classId: '', categoryId: '', status: '', search: '', ...students },
    payers: { search: '', includeArchived: false },
    payments: { from: '', to: '', methods: [], includeVoided: false },
    invoices: { termId: '', classId: '', from: '', to: '' },
    statements: { asOf: today },
  };
}

/** The filters of the chosen kind, or every field that cannot be used. Empty fields filter nothing. */
export function selectionOf(form: ExportForm): SelectionResult {
  const problems: FieldProblem[] = [];
  const text = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim());
  const date = (field: string, value: string, required = false): string | undefined => {
    const typed = value.trim();
    if (typed === '') {
      if (required) problems.push({ field, message: 'Give a date, written YYYY-MM-DD.' });
      return undefined;
    }
    try {
      assertCalendarDate(typed);
      return typed;
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      problems.push({ field, message: `“${typed}” is not a date: write it YYYY-MM-DD, e.g. 2026-01-31.` });
      return undefined;
    }
  };
  const range = (kind: 'payments' | 'invoices', fields: { from: string; to: string }): { from?: string; to?: string } => {
    const from = date(`${kind}.from`, fields.from);
    const to = date(`${kind}.to`, fields.to);
    if (from !== undefined && to !== undefined && from > to) problems.push({ field: `${kind}.to`, message: `The last day (${to}) is before the first day (${from}): swap them.` });
    return given<{ from?: string; to?: string }>({ from, to });
  };

  let selection: ExportSelection;
  switch (form.kind) {
    case 'students': {
      const { classId, categoryId, status, search } = form.students;
      const withoutClass = classId === NO_CLASS;
      selection = { kind: 'students', withoutClass, filters: given<StudentExportFilters>({ classId: withoutClass ? undefined : text(classId), categoryId: text(categoryId), status: text(status), search: text(search) }) };
      break;
    }
    case 'payers':
      selection = { kind: 'payers', filters: given<PayerExportFilters>({ search: text(form.payers.search), includeArchived: form.payers.includeArchived || undefined }) };
      break;
    case 'payments': {
      const { methods, includeVoided } = form.payments;
      selection = { kind: 'payments', filters: given<PaymentExportFilters>({ ...range('payments', form.payments), methods: methods.length > 0 ? [...new Set(methods)] : undefined, includeVoided: includeVoided || undefined }) };
      break;
    }
    case 'invoices':
      selection = { kind: 'invoices', filters: given<InvoiceExportFilters>({ ...range('invoices', form.invoices), termId: text(form.invoices.termId), classId: text(form.invoices.classId) }) };
      break;
    case 'statements':
      selection = { kind: 'statements', filters: { asOf: date('statements.asOf', form.statements.asOf, true) ?? '' } };
      break;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, selection };
}

/** Leaves out the filters not given, so core sees only what was asked (its types are optional, not undefined). */
function given<T extends object>(filters: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as T;
}
