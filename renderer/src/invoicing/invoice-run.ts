// A run of term invoices for one or more classes, planned before anything is issued: what each
// student would be billed (less automatic discounts), totals per class, who is skipped (already
// invoiced) and who cannot be invoiced and why. Core's issueTermInvoices does the billing; this
// gathers its results per class for the bursar's preview.
import { issueTermInvoices, type ClassDoc, type ExistingInvoice, type DiscountDoc, type DiscountRuleDoc, type FeeStructure, type InvoiceDoc, type Payer, type SettingsDoc, type Student, type TermDoc } from '@feemaster/core';

export interface InvoiceRunInput {
  schoolId: string;
  currency: string;
  term: TermDoc;
  classes: readonly ClassDoc[];
  students: readonly Student[];
  structures: readonly FeeStructure[];
  payers: readonly Payer[];
  discountRules: readonly DiscountRuleDoc[];
  settings: SettingsDoc;
  /** Invoices this desk holds already: students billed for the term are skipped. */
  existingInvoices: readonly ExistingInvoice[];
  /** Every class's name, for students billed in a class not in this run. */
  allClassNames?: ReadonlyMap<string, string>;
  issuedOn: string;
  createdBy: string;
  deviceId?: string;
  now: string;
}

export interface StudentBill {
  studentId: string;
  admissionNumber: string;
  name: string;
  billed: number;
  discounts: number;
  net: number;
}

export interface ClassRun {
  classId: string;
  className: string;
  bills: StudentBill[];
  /** Billed for the term already; `billedIn` names the other class a student was billed in before a move. */
  skipped: { studentId: string; name: string; billedIn?: string }[];
  failures: { studentId: string; admissionNumber: string; name: string; reason: string }[];
  /** The batch as a whole could not be planned (the term's dates, the currency). */
  problem?: string;
  totals: { billed: number; discounts: number; net: number };
}

export interface InvoiceRun {
  classes: ClassRun[];
  invoices: InvoiceDoc[];
  discounts: DiscountDoc[];
  totals: { students: number; billed: number; discounts: number; net: number; failures: number; skipped: number };
}

export function planInvoiceRun(input: InvoiceRunInput): InvoiceRun {
  const students = new Map(input.students.map((s) => [s.id, s]));
  const nameOf = (id: string): string => {
    const s = students.get(id);
    return s ? `${s.firstName} ${s.lastName}` : id;
  };
  const run: InvoiceRun = { classes: [], invoices: [], discounts: [], totals: { students: 0, billed: 0, discounts: 0, net: 0, failures: 0, skipped: 0 } };
  for (const klass of input.classes) {
    const classRun: ClassRun = { classId: klass.id, className: klass.name, bills: [], skipped: [], failures: [], totals: { billed: 0, discounts: 0, net: 0 } };
    run.classes.push(classRun);
    let result;
    try {
      result = issueTermInvoices({
        schoolId: input.schoolId,
        currency: input.currency,
        termId: input.term.id,
        classId: klass.id,
        term: input.term,
        students: input.students,
        structures: input.structures,
        payers: input.payers,
        discountRules: input.discountRules,
        settings: input.settings,
        existing: { invoices: input.existingInvoices },
        issuedOn: input.issuedOn,
        createdBy: input.createdBy,
        ...(input.deviceId ? { deviceId: input.deviceId } : {}),
        now: input.now,
      });
    } catch (error) {
      classRun.problem = error instanceof Error ? error.message : String(error);
      continue;
    }
    const discountsByInvoice = new Map<string, number>();
    for (const discount of result.discounts) discountsByInvoice.set(discount.invoiceId, (discountsByInvoice.get(discount.invoiceId) ?? 0) + discount.amount);
    for (const invoice of result.invoices) {
      const billed = invoice.charges.reduce((sum, charge) => sum + charge.amount, 0);
      const discounts = discountsByInvoice.get(invoice.id) ?? 0;
      const student = students.get(invoice.studentId);
      classRun.bills.push({ studentId: invoice.studentId, admissionNumber: student?.admissionNumber ?? '', name: nameOf(invoice.studentId), billed, discounts, net: billed - discounts });
      classRun.totals.billed += billed;
      classRun.totals.discounts += discounts;
    }
    classRun.totals.net = classRun.totals.billed - classRun.totals.discounts;
    classRun.bills.sort((a, b) => a.name.localeCompare(b.name));
    const classNames = new Map(input.classes.map((c) => [c.id, c.name]));
    classRun.skipped = result.skipped.map((s) => ({ studentId: s.studentId, name: nameOf(s.studentId), ...(s.classId === undefined ? {} : { billedIn: input.allClassNames?.get(s.classId) ?? classNames.get(s.classId) ?? 'another class' }) }));
    classRun.failures = result.failures.map((f) => ({ ...f, name: nameOf(f.studentId) }));
    run.invoices.push(...result.invoices);
    run.discounts.push(...result.discounts);
    run.totals.students += classRun.bills.length;
    run.totals.billed += classRun.totals.billed;
    run.totals.discounts += classRun.totals.discounts;
    run.totals.failures += classRun.failures.length;
    run.totals.skipped += classRun.skipped.length;
  }
  run.totals.net = run.totals.billed - run.totals.discounts;
  return run;
}
