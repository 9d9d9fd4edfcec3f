// The three imports the desk offers (students with guardians, fee structures, opening balances),
// each as what the import panel needs of it: its words, its columns and template, what its
// worker must know of the school, how its plan reads in the preview and how it is written.
import {
  balanceImportFields,
  balanceImportTemplate,
  feeImportFields,
  feeImportTemplate,
  formatMoney,
  openingBalanceInvoiceId,
  studentImportFields,
  studentImportTemplate,
  type BalanceImportPlan,
  type ClassDoc,
  type CountryCode,
  type FeeCategoryDoc,
  type FeeImportPlan,
  type FeeStructure,
  type ImportField,
  type InvoiceDoc,
  type Payer,
  type ReferenceDoc,
  type Student,
  type StudentCategoryDoc,
  type StudentImportPlan,
  type TemplateFile,
  type TermDoc,
} from '@feemaster/core';
import type { Desk } from '../desk/open-desk.ts';
import { withoutLedgerKeys } from '../db/ledger-keys.ts';
import { applyBalanceImport, applyFeeImport, applyStudentImport, type WriteControl } from './apply-import.ts';
import { replicaQueryOf } from '../db/replica-read.ts';
import type { AnyImportPlan, ImportKind, ImportTask } from './import-messages.ts';

export interface ImportOptions {
  dateOrder: 'dmy' | 'mdy';
  country: string;
  /** Opening balances: the term they are booked in and the day the old books closed. */
  termId: string;
  asOf: string;
}

export interface ImportKindInfo {
  region: string;
  heading: string;
  intro: string;
  noun: string;
  fields: readonly ImportField[];
  template: (format: 'xlsx' | 'csv') => Promise<TemplateFile>;
  /** What the worker must know of the school to plan this import. */
  context: (desk: Desk, options: ImportOptions) => Promise<ImportTask>;
}

const referencesOf = async (desk: Desk, kinds: string[]): Promise<ReferenceDoc[]> =>
  (await desk.db.reference.find({ selector: { kind: { $in: kinds } } }).exec()).map((doc) => doc.toJSON() as ReferenceDoc);
const only = <K extends ReferenceDoc['kind']>(refs: ReferenceDoc[], kind: K) => refs.filter((doc): doc is Extract<ReferenceDoc, { kind: K }> => doc.kind === kind);
const allOf = async <T>(collection: { find: () => { exec: () => Promise<{ toJSON: () => unknown }[]> } }): Promise<T[]> => (await collection.find().exec()).map((doc) => doc.toJSON() as T);

export const importKinds: Readonly<Record<ImportKind, ImportKindInfo>> = {
  students: {
    region: 'Import students',
    heading: 'Import students from Excel or CSV',
    intro: 'One row per student, matched by admission number: importing the same file again changes nothing. Guardians become family accounts; siblings with the same guardian phone share one.',
    noun: 'students',
    fields: studentImportFields,
    template: studentImportTemplate,
    context: async (desk, options) => {
      const refs = await referencesOf(desk, ['class', 'studentCategory']);
      return {
        kind: 'students',
        context: {
          schoolId: desk.session.school.id,
          defaultCountry: (options.country.trim().toUpperCase() || 'US') as CountryCode,
          dateOrder: options.dateOrder,
          classes: only(refs, 'class') satisfies ClassDoc[],
          categories: only(refs, 'studentCategory') satisfies StudentCategoryDoc[],
        },
        // Thousands of documents: read by the worker from IndexedDB in batches, rather than by
        // RxDB here one cursor step each and then copied across to the worker.
        replica: { students: replicaQueryOf(desk.db.students.find()), payers: replicaQueryOf(desk.db.payers.find()) },
      };
    },
  },
  fees: {
    region: 'Import fee structures',
    heading: 'Import fee structures from Excel or CSV',
    intro: 'One row per fee line: the lines of one term, class and student category make one fee structure, matched by those three, so importing the same file again changes nothing. Bills already issued keep their amounts.',
    noun: 'fee structures',
    fields: feeImportFields,
    template: feeImportTemplate,
    context: async (desk, options) => {
      const [structures, refs] = await Promise.all([allOf<FeeStructure>(desk.db.feeStructures), referencesOf(desk, ['term', 'class', 'studentCategory', 'feeCategory'])]);
      return {
        kind: 'fees',
        context: {
          schoolId: desk.session.school.id,
          currency: desk.session.school.currency,
          dateOrder: options.dateOrder,
          terms: only(refs, 'term') satisfies TermDoc[],
          classes: only(refs, 'class'),
          studentCategories: only(refs, 'studentCategory'),
          feeCategories: only(refs, 'feeCategory') satisfies FeeCategoryDoc[],
          structures,
        },
      };
    },
  },
  balances: {
    region: 'Import opening balances',
    heading: 'Import opening balances from Excel or CSV',
    intro: 'One row per student: what they owed in the old books, brought forward as one bill due on the day the books closed and shared by their payers like any bill. A balance is brought forward once; importing the file again changes nothing.',
    noun: 'balances',
    fields: balanceImportFields,
    template: balanceImportTemplate,
    context: async (desk, options) => {
      const [students, payers, refs] = await Promise.all([allOf<Student>(desk.db.students), allOf<Payer>(desk.db.payers), referencesOf(desk, ['term'])]);
      const term = only(refs, 'term').find((t) => t.id === options.termId);
      if (!term) throw new Error('Choose the term the balances are booked in (set it up under Years and terms first).');
      const ids = students.map((s) => openingBalanceInvoiceId(s.id));
      const stored = await desk.db.ledger.findByIds(ids).exec();
      const existing = new Map([...stored.values()].map((doc) => [doc.id, withoutLedgerKeys(doc.toJSON()) as InvoiceDoc]));
      return {
        kind: 'balances',
        context: { schoolId: desk.session.school.id, currency: desk.session.school.currency, term, asOf: options.asOf, students, payers, existing, createdBy: desk.session.user.id, ...(desk.device ? { deviceId: desk.device.id } : {}) },
      };
    },
  },
};

const plural = (n: number, one: string, many: string): string => `${String(n)} ${n === 1 ? one : many}`;

export interface PreviewRow {
  row: number;
  cells: string[];
  action: StudentImportPlan['rows'][number]['action'];
  changes?: string[];
}

/** How a plan reads in the preview and how it is written, whatever its kind. */
export interface PlanView {
  summary: string;
  /** Documents the import writes. */
  changes: number;
  /** What the Import button counts. */
  imported: number;
  rowHeaders: string[];
  rows: PreviewRow[];
  apply: (desk: Desk, control: WriteControl) => Promise<void>;
  /** Whether Cancel can stop the write once it has started (opening balances: one write, never taken back). */
  cancellableWrite: boolean;
}

export function viewOf(ready: AnyImportPlan, currency: string): PlanView {
  const target = (desk: Desk) => ({ db: desk.db, pending: desk.pending, uploadHold: desk.uploadHold });
  switch (ready.kind) {
    case 'students': {
      const { plan } = ready;
      const s = plan.summary;
      const parts = [plural(s.create, 'new student', 'new students'), `${String(s.update)} changed`, `${String(s.unchanged)} unchanged`];
      if (s.duplicate > 0) parts.push(`${plural(s.duplicate, 'repeated row', 'repeated rows')} read once`);
      parts.push(plural(s.payersCreated, 'new family', 'new families'), `${plural(s.payersUpdated, 'family', 'families')} updated`);
      return {
        summary: parts.join(', '),
        changes: plan.students.create.length + plan.students.update.length + plan.payers.create.length + plan.payers.update.length,
        imported: s.create + s.update,
        rowHeaders: ['Admission no.', 'Name'],
        rows: plan.rows.map((r) => ({ row: r.row, cells: [r.admissionNumber, r.name], action: r.action, ...(r.changes ? { changes: r.changes } : {}) })),
        apply: (desk, control) => applyStudentImport(target(desk), plan, control),
        cancellableWrite: true,
      };
    }
    case 'fees': {
      const { plan } = ready;
      const s = plan.summary;
      return {
        summary: [plural(s.create, 'new fee structure', 'new fee structures'), `${String(s.update)} changed`, `${String(s.unchanged)} unchanged`, plural(s.lines, 'fee line', 'fee lines')].join(', '),
        changes: plan.structures.create.length + plan.structures.update.length,
        imported: s.create + s.update,
        rowHeaders: ['Fee structure'],
        rows: plan.rows.map((r) => ({ row: r.row, cells: [r.structure], action: r.action })),
        apply: (desk, control) => applyFeeImport(target(desk), plan, control),
        cancellableWrite: true,
      };
    }
    case 'balances': {
      const { plan } = ready;
      const s = plan.summary;
      return {
        summary: `${plural(s.create, 'balance', 'balances')} to bring forward (${formatMoney(s.total, currency)} in all), ${String(s.unchanged)} unchanged or nothing owed`,
        changes: plan.invoices.length,
        imported: s.create,
        rowHeaders: ['Admission no.', 'Name', 'Balance'],
        rows: plan.rows.map((r) => ({ row: r.row, cells: [r.admissionNumber, r.name, formatMoney(r.amount, currency)], action: r.action })),
        apply: (desk, control) => applyBalanceImport(target(desk), plan, control),
        cancellableWrite: false,
      };
    }
  }
}

export type { BalanceImportPlan, FeeImportPlan, StudentImportPlan };
