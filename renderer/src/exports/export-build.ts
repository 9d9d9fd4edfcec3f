// What each export reads from the desk's replica, and its rows built from those documents by
// core's row builders (the same the server's export routes use), ready for a writer. Runs in the
// export worker; kept apart from it so it can be tested without one.
import {
  exportRows,
  exportSheetNames,
  invoiceExportColumns,
  invoiceExportRows,
  payerExportColumns,
  payerExportRows,
  paymentExportColumns,
  paymentExportEntryTypes,
  paymentExportRows,
  statementExportColumns,
  statementExportRows,
  studentExportColumns,
  studentExportRows,
  type ExportColumn,
  type ExportFormat,
  type ExportKind,
  type ExportOptions,
  type ExportSource,
  type LedgerEntry,
  type ReferenceDoc,
} from '@feemaster/core';
import type { ExportSelection } from './export-form.ts';

/** The documents one kind of export reads; whatever it does not need stays in the replica. */
export interface ExportNeeds {
  students: boolean;
  payers: boolean;
  /** Reference kinds named in the rows (classes, terms, desks…). */
  reference: readonly ReferenceDoc['kind'][];
  /** The whole ledger, only payments and what reverses them, or none of it. */
  ledger: 'all' | readonly LedgerEntry['type'][] | 'none';
  /** Who took each payment, by name. */
  staffNames: boolean;
}

export const exportNeeds: Readonly<Record<ExportKind, ExportNeeds>> = {
  students: { students: true, payers: true, reference: ['class', 'studentCategory'], ledger: 'none', staffNames: false },
  // Balances: what is still open on the charges each payer pays, and their credit.
  payers: { students: true, payers: true, reference: [], ledger: 'all', staffNames: false },
  payments: { students: true, payers: true, reference: ['office', 'device'], ledger: paymentExportEntryTypes, staffNames: true },
  invoices: { students: true, payers: true, reference: ['class', 'term', 'feeCategory'], ledger: 'all', staffNames: false },
  statements: { students: false, payers: true, reference: [], ledger: 'all', staffNames: false },
};

/** An export's rows, ready to be written in any format. */
export interface BuiltExport {
  rows: number;
  write(format: ExportFormat, options: Omit<ExportOptions, 'sheetName' | 'total'>): AsyncGenerator<Uint8Array>;
}

function built<Row extends object>(kind: ExportKind, columns: readonly ExportColumn<Row>[], rows: readonly Row[]): BuiltExport {
  return { rows: rows.length, write: (format, options) => exportRows(format, columns, rows, { ...options, sheetName: exportSheetNames[kind] }) };
}

/**
 * The rows of the selected export from the school's documents. Throws core's ExportError
 * 'bad-option' when a filter names something the replica does not hold (a class deleted meanwhile).
 */
export function buildExport(selection: ExportSelection, source: ExportSource, timeZone: string): BuiltExport {
  const context = { timeZone };
  switch (selection.kind) {
    case 'students': {
      const students = selection.withoutClass ? source.students.filter((s) => s.classId === undefined || s.classId === '') : source.students;
      return built('students', studentExportColumns, studentExportRows({ ...source, students }, selection.filters));
    }
    case 'payers':
      return built('payers', payerExportColumns, payerExportRows(source, selection.filters, context));
    case 'payments':
      return built('payments', paymentExportColumns, paymentExportRows(source, selection.filters, context));
    case 'invoices':
      return built('invoices', invoiceExportColumns, invoiceExportRows(source, selection.filters, context));
    case 'statements':
      return built('statements', statementExportColumns, statementExportRows(source, selection.filters, context));
  }
}
