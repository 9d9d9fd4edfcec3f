// The export form as the person fills it in, turned into the filters core's row builders take:
// what is left empty filters nothing, and a date that cannot be used is named beside its field.
import { describe, expect, it } from 'vitest';
import { initialExportForm, selectionOf, type ExportForm } from './export-form.ts';

const TODAY = '2026-03-14';
const form = (change: (form: ExportForm) => ExportForm): ExportForm => change(initialExportForm(TODAY));

describe('the export form', () => {
  it('starts from the students screen’s filters, as Excel, with statements as of today', () => {
    const start = initialExportForm(TODAY, { classId: 'class-1', status: 'active', search: 'Otieno' });
    expect(start).toMatchObject({ kind: 'students', format: 'xlsx', students: { classId: 'class-1', status: 'active', search: 'Otieno', categoryId: '' }, statements: { asOf: TODAY } });
    expect(selectionOf(start)).toEqual({ ok: true, selection: { kind: 'students', withoutClass: false, filters: { classId: 'class-1', status: 'active', search: 'Otieno' } } });
  });

  it('asks for students without a class when the screen showed "No class", and drops blank fields', () => {
    const start = initialExportForm(TODAY, { classId: 'none', search: '   ' });
    expect(selectionOf(start)).toEqual({ ok: true, selection: { kind: 'students', withoutClass: true, filters: {} } });
  });

  it('reads a payments range, each method once, and voided payments only when ticked', () => {
    const payments = form((f) => ({ ...f, kind: 'payments', payments: { from: ' 2026-01-01 ', to: '2026-01-31', methods: ['cash', 'mobileMoney', 'cash'], includeVoided: false } }));
    expect(selectionOf(payments)).toEqual({ ok: true, selection: { kind: 'payments', filters: { from: '2026-01-01', to: '2026-01-31', methods: ['cash', 'mobileMoney'] } } });
    const all = form((f) => ({ ...f, kind: 'payments', payments: { ...f.payments, includeVoided: true } }));
    expect(selectionOf(all)).toEqual({ ok: true, selection: { kind: 'payments', filters: { includeVoided: true } } });
  });

  it('names a date that is not one, and a range given backwards, beside their fields', () => {
    const wrong = form((f) => ({ ...f, kind: 'payments', payments: { ...f.payments, from: '2026-02-30', to: '31/01/2026' } }));
    expect(selectionOf(wrong)).toEqual({
      ok: false,
      problems: [
        { field: 'payments.from', message: '“2026-02-30” is not a date: write it YYYY-MM-DD, e.g. 2026-01-31.' },
        { field: 'payments.to', message: '“31/01/2026” is not a date: write it YYYY-MM-DD, e.g. 2026-01-31.' },
      ],
    });
    const backwards = form((f) => ({ ...f, kind: 'invoices', invoices: { ...f.invoices, from: '2026-03-01', to: '2026-01-31' } }));
    expect(selectionOf(backwards)).toEqual({ ok: false, problems: [{ field: 'invoices.to', message: 'The last day (2026-01-31) is before the first day (2026-03-01): swap them.' }] });
  });

  it('checks only the chosen kind: a bad payments date does not stop a students export', () => {
    const students = form((f) => ({ ...f, payments: { ...f.payments, from: 'yesterday' } }));
    expect(selectionOf(students).ok).toBe(true);
  });

  it('reads invoices by term and class, payers with archived ones, statements as of a day it requires', () => {
    expect(selectionOf(form((f) => ({ ...f, kind: 'invoices', invoices: { termId: 'term-1', classId: '', from: '', to: '2026-04-04' } })))).toEqual({
      ok: true,
      selection: { kind: 'invoices', filters: { termId: 'term-1', to: '2026-04-04' } },
    });
    expect(selectionOf(form((f) => ({ ...f, kind: 'payers', payers: { search: ' 0712 ', includeArchived: true } })))).toEqual({
      ok: true,
      selection: { kind: 'payers', filters: { search: '0712', includeArchived: true } },
    });
    expect(selectionOf(form((f) => ({ ...f, kind: 'statements' })))).toEqual({ ok: true, selection: { kind: 'statements', filters: { asOf: TODAY } } });
    expect(selectionOf(form((f) => ({ ...f, kind: 'statements', statements: { asOf: '' } })))).toEqual({ ok: false, problems: [{ field: 'statements.asOf', message: 'Give a date, written YYYY-MM-DD.' }] });
  });
});
