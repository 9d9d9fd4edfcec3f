// What each export holds: the columns and rows of students, payers, invoice lines, payments and
// payer statements, built from the school's documents with the filters the person chose. Every
// figure comes from the same core code the desk shows (deriveLedger, payerStatement, the people
// search), so an export never disagrees with the screen.
import { assertCalendarDate, localDate } from '../calendar-date.ts';
import { buildPeopleIndex, foldText } from '../desk/find-people.ts';
import { paysCharge } from '../desk/payer-account.ts';
import { paymentParticulars } from '../desk/receipt.ts';
import { paymentMethods, type ChequeReturnDoc, type LedgerEntry, type PaymentDoc, type PaymentMethod, type RefundDoc, type VoidDoc } from '../fees/ledger.ts';
import { compareEntries, deriveLedger, type ChargeState, type PaymentStatus } from '../fees/ledger-state.ts';
import { methodNames } from '../fees/ledger-rules.ts';
import { payerKinds, type Payer } from '../fees/payers.ts';
import { parseReceiptNumber } from '../fees/receipts.ts';
import type { ReferenceDoc } from '../fees/reference.ts';
import { payerStatement } from '../fees/statements.ts';
import { studentStatuses, type Student, type StudentStatus } from '../schemas/students.ts';
import { ExportError, type ExportColumn, type ExportKind } from './export.ts';

/** The school's documents an export reads; each kind takes the part it needs. */
export interface ExportSource {
  students: readonly Student[];
  payers: readonly Payer[];
  /** Classes, categories, terms, offices, desks and fee categories, for their names. */
  reference: readonly ReferenceDoc[];
  ledger: readonly LedgerEntry[];
  /** Staff display names by user id, for who took a payment; the id is shown for anyone missing. */
  staffNames?: ReadonlyMap<string, string>;
}

export interface ExportContext {
  /** The school's IANA time zone: payments are filtered and dated by its calendar day. */
  timeZone?: string;
}

/** The worksheet name of each kind. */
export const exportSheetNames: Readonly<Record<ExportKind, string>> = {
  students: 'Students',
  payers: 'Payers',
  invoices: 'Invoice lines',
  payments: 'Payments',
  statements: 'Statements',
};

function badFilter(message: string): ExportError {
  return new ExportError('bad-option', message);
}

function checkDate(date: string | undefined, name: string): void {
  if (date === undefined) return;
  try {
    assertCalendarDate(date);
  } catch (error) {
    if (error instanceof RangeError) throw badFilter(`${name}: ${error.message}`);
    throw error;
  }
}

function checkRange(from: string | undefined, to: string | undefined): void {
  checkDate(from, 'from');
  checkDate(to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw badFilter(`from (${from}) is after to (${to}): give the earlier date as from`);
  }
}

function checkChoice<T extends string>(value: string | undefined, choices: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  const found = choices.find((choice) => choice === value);
  if (found === undefined) throw badFilter(`${name} '${value}' is not one of ${choices.join(', ')}: write one of those`);
  return found;
}

/** Throws unless `id` names one of `docs`; the message lists what exists, so the caller can pick. */
function checkKnown(id: string | undefined, docs: readonly { id: string; name: string }[], what: { one: string; many: string }, filter: string): void {
  if (id === undefined || docs.some((doc) => doc.id === id)) return;
  const known = docs.slice(0, 20).map((doc) => `${doc.name} (${doc.id})`);
  const listed = known.length > 0 ? `the school's ${what.many} are ${known.join(', ')}${docs.length > 20 ? ', …' : ''}` : `the school has no ${what.many} yet`;
  throw badFilter(`${filter}: no ${what.one} has the id '${id}'; ${listed}`);
}

const CLASS = { one: 'class', many: 'classes' };
const CATEGORY = { one: 'student category', many: 'student categories' };
const TERM = { one: 'term', many: 'terms' };
const OFFICE = { one: 'office', many: 'offices' };
const DESK = { one: 'desk', many: 'desks' };
const PAYER = { one: 'payer', many: 'payers' };

/** Names of the school's reference data by id. */
interface SchoolNames {
  of(id: string | undefined): string | null;
  docs(kind: ReferenceDoc['kind']): readonly ReferenceDoc[];
}

function schoolNames(reference: readonly ReferenceDoc[]): SchoolNames {
  const byId = new Map(reference.map((doc) => [doc.id, doc]));
  return {
    of: (id) => (id === undefined ? null : (byId.get(id)?.name ?? null)),
    docs: (kind) => reference.filter((doc) => doc.kind === kind),
  };
}

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

const joined = (parts: readonly string[]): string | null => (parts.length > 0 ? parts.join('; ') : null);
const studentLabel = (student: Pick<Student, 'firstName' | 'lastName'>): string => `${student.firstName} ${student.lastName}`;
const compareFolded = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Zero shows as an empty cell on a statement, as on paper. */
const blankIfZero = (amount: number): number | null => (amount === 0 ? null : amount);

function phonesOf(payer: Pick<Payer, 'contacts'>): string[] {
  return [...new Set(payer.contacts.filter((c) => c.type === 'phone' || c.type === 'whatsapp').map((c) => c.value))];
}

/** Ids found by the desk's people search (names in part, admission numbers, phone numbers). */
function searchHits(source: Pick<ExportSource, 'students' | 'payers'>, search: string | undefined, kind: 'student' | 'payer'): ReadonlySet<string> | null {
  const query = search?.trim();
  if (!query) return null;
  const found = buildPeopleIndex({ students: source.students, payers: source.payers }).find(query, Number.POSITIVE_INFINITY);
  return new Set(found.filter((hit) => hit.kind === kind).map((hit) => hit.id));
}

// ── Students ──────────────────────────────────────────────────────────────────────────────────

export interface StudentExportRow {
  admissionNumber: string;
  firstName: string;
  lastName: string;
  otherNames: string | null;
  dateOfBirth: string | null;
  className: string | null;
  categoryName: string | null;
  status: StudentStatus;
  joinedOn: string | null;
  staffChild: boolean;
  /** The payers who pay for the student, "; "-separated. */
  payers: string | null;
  /** Their phone and WhatsApp numbers, "; "-separated. */
  payerPhones: string | null;
}

export const studentExportColumns: readonly ExportColumn<StudentExportRow>[] = [
  { key: 'admissionNumber', header: 'Admission number', type: 'text', width: 16 },
  { key: 'firstName', header: 'First name', type: 'text', width: 16 },
  { key: 'lastName', header: 'Last name', type: 'text', width: 16 },
  { key: 'otherNames', header: 'Other names', type: 'text', width: 16 },
  { key: 'dateOfBirth', header: 'Date of birth', type: 'date' },
  { key: 'className', header: 'Class', type: 'text', width: 14 },
  { key: 'categoryName', header: 'Category', type: 'text', width: 14 },
  { key: 'status', header: 'Status', type: 'text', width: 10 },
  { key: 'joinedOn', header: 'Joined on', type: 'date' },
  { key: 'staffChild', header: 'Staff child', type: 'boolean' },
  { key: 'payers', header: 'Payers', type: 'text', width: 30 },
  { key: 'payerPhones', header: 'Payer phones', type: 'text', width: 30 },
];

export interface StudentExportFilters {
  classId?: string;
  categoryId?: string;
  status?: string;
  /** As typed in the desk's search box: names in part, an admission number, a payer's phone. */
  search?: string;
}

/** The students the filters select, by last name then first name, with their payers. */
export function studentExportRows(source: Pick<ExportSource, 'students' | 'payers' | 'reference'>, filters: StudentExportFilters = {}): StudentExportRow[] {
  const names = schoolNames(source.reference);
  checkKnown(filters.classId, names.docs('class'), CLASS, 'classId');
  checkKnown(filters.categoryId, names.docs('studentCategory'), CATEGORY, 'categoryId');
  const status = checkChoice(filters.status, studentStatuses, 'status');
  const hits = searchHits(source, filters.search, 'student');
  const payersOf = new Map<string, Payer[]>();
  for (const payer of source.payers) {
    if (payer.archived) continue;
    for (const link of payer.students) pushTo(payersOf, link.studentId, payer);
  }
  return source.students
    .filter(
      (s) =>
        (filters.classId === undefined || s.classId === filters.classId) &&
        (filters.categoryId === undefined || s.categoryId === filters.categoryId) &&
        (status === undefined || s.status === status) &&
        (hits === null || hits.has(s.id)),
    )
    .map((s) => ({ student: s, key: foldText(`${s.lastName}\u0000${s.firstName}\u0000${s.admissionNumber}`) }))
    .sort((a, b) => compareFolded(a.key, b.key))
    .map(({ student: s }) => {
      const payers = payersOf.get(s.id) ?? [];
      return {
        admissionNumber: s.admissionNumber,
        firstName: s.firstName,
        lastName: s.lastName,
        otherNames: s.otherNames ?? null,
        dateOfBirth: s.dateOfBirth ?? null,
        className: names.of(s.classId),
        categoryName: names.of(s.categoryId),
        status: s.status,
        joinedOn: s.joinedOn ?? null,
        staffChild: s.staffChild === true,
        payers: joined(payers.map((p) => p.name)),
        payerPhones: joined([...new Set(payers.flatMap(phonesOf))]),
      };
    });
}

// ── Payers ────────────────────────────────────────────────────────────────────────────────────

export interface PayerExportRow {
  name: string;
  kind: Payer['kind'];
  phones: string | null;
  emails: string | null;
  /** Admission numbers of the students the payer pays for, "; "-separated. */
  admissionNumbers: string | null;
  students: string | null;
  /** Still owed on the charges this payer pays (null when the export was made without the ledger). */
  owed: number | null;
  /** Paid in and not yet applied. */
  credit: number | null;
  archived: boolean;
  payerId: string;
}

export const payerExportColumns: readonly ExportColumn<PayerExportRow>[] = [
  { key: 'name', header: 'Name', type: 'text', width: 28 },
  { key: 'kind', header: 'Kind', type: 'text', width: 10 },
  { key: 'phones', header: 'Phones', type: 'text', width: 28 },
  { key: 'emails', header: 'Emails', type: 'text', width: 28 },
  { key: 'admissionNumbers', header: 'Admission numbers', type: 'text', width: 22 },
  { key: 'students', header: 'Students', type: 'text', width: 30 },
  { key: 'owed', header: 'Owed', type: 'money' },
  { key: 'credit', header: 'Credit', type: 'money' },
  { key: 'archived', header: 'Archived', type: 'boolean' },
  { key: 'payerId', header: 'Payer id', type: 'text', width: 38 },
];

export interface PayerExportFilters {
  kind?: string;
  search?: string;
  /** Archived payers too (default: only current ones). */
  includeArchived?: boolean;
}

/**
 * The payers the filters select, by name. With the ledger, each payer's balance as the cashier's
 * account view has it: what is still open on the charges they pay, and their unapplied credit.
 */
export function payerExportRows(source: Pick<ExportSource, 'students' | 'payers'> & { ledger?: readonly LedgerEntry[] }, filters: PayerExportFilters = {}, context: ExportContext = {}): PayerExportRow[] {
  const kind = checkChoice(filters.kind, payerKinds, 'kind');
  const hits = searchHits(source, filters.search, 'payer');
  const studentsById = new Map(source.students.map((s) => [s.id, s]));
  const selected = source.payers
    .filter((p) => (filters.includeArchived === true || p.archived !== true) && (kind === undefined || p.kind === kind) && (hits === null || hits.has(p.id)))
    .map((payer) => ({ payer, key: foldText(payer.name) }))
    .sort((a, b) => compareFolded(a.key, b.key) || compareFolded(a.payer.id, b.payer.id))
    .map(({ payer }) => payer);
  const state = source.ledger === undefined ? null : deriveLedger(source.ledger, context.timeZone === undefined ? {} : { timeZone: context.timeZone });
  const chargesByStudent = new Map<string, ChargeState[]>();
  const chargesByPayer = new Map<string, ChargeState[]>();
  for (const charge of state?.charges.values() ?? []) {
    if (charge.open <= 0) continue;
    if (charge.payerId === undefined) pushTo(chargesByStudent, charge.studentId, charge);
    else pushTo(chargesByPayer, charge.payerId, charge);
  }
  return selected.map((payer) => {
    const linked = payer.students.flatMap((link) => studentsById.get(link.studentId) ?? []);
    const candidates = [...(chargesByPayer.get(payer.id) ?? []), ...payer.students.flatMap((link) => chargesByStudent.get(link.studentId) ?? [])];
    return {
      name: payer.name,
      kind: payer.kind,
      phones: joined(phonesOf(payer)),
      emails: joined(payer.contacts.filter((c) => c.type === 'email').map((c) => c.value)),
      admissionNumbers: joined(linked.map((s) => s.admissionNumber)),
      students: joined(linked.map(studentLabel)),
      owed: state === null ? null : candidates.filter((charge) => paysCharge(payer, charge)).reduce((sum, charge) => sum + charge.open, 0),
      credit: state === null ? null : Math.max(0, state.payerCredit(payer.id)),
      archived: payer.archived === true,
      payerId: payer.id,
    };
  });
}

// ── Payments ──────────────────────────────────────────────────────────────────────────────────

export interface PaymentExportRow {
  receiptNumber: string;
  /** The school's calendar day it was taken. */
  takenOn: string;
  takenAt: string;
  payer: string;
  /** The students it was allocated to: "Amani Otieno (ADM-001); …". */
  students: string | null;
  method: string;
  /** The reference as recorded (transaction code, transfer reference, cheque number). */
  reference: string | null;
  /** The receipt's line about it: "Cheque 004512, Equity Bank, dated 2026-12-06", "M-Pesa QK45TY7". */
  particulars: string | null;
  amount: number;
  currency: string;
  offline: boolean;
  cashier: string;
  office: string | null;
  desk: string | null;
  /** active, voided, returned (a cheque the bank returned) or refunded. */
  status: PaymentStatus;
  /** Why it was voided, returned or refunded. */
  statusReason: string | null;
  paymentId: string;
}

export const paymentExportColumns: readonly ExportColumn<PaymentExportRow>[] = [
  { key: 'receiptNumber', header: 'Receipt number', type: 'text', width: 18 },
  { key: 'takenOn', header: 'Date', type: 'date' },
  { key: 'takenAt', header: 'Taken at', type: 'instant' },
  { key: 'payer', header: 'Payer', type: 'text', width: 26 },
  { key: 'students', header: 'Students', type: 'text', width: 34 },
  { key: 'method', header: 'Method', type: 'text', width: 14 },
  { key: 'reference', header: 'Reference', type: 'text', width: 18 },
  { key: 'particulars', header: 'Particulars', type: 'text', width: 30 },
  { key: 'amount', header: 'Amount', type: 'money' },
  { key: 'currency', header: 'Currency', type: 'text', width: 9 },
  { key: 'offline', header: 'Taken offline', type: 'boolean', width: 13 },
  { key: 'cashier', header: 'Cashier', type: 'text', width: 20 },
  { key: 'office', header: 'Office', type: 'text', width: 16 },
  { key: 'desk', header: 'Desk', type: 'text', width: 16 },
  { key: 'status', header: 'Status', type: 'text', width: 10 },
  { key: 'statusReason', header: 'Void/refund reason', type: 'text', width: 30 },
  { key: 'paymentId', header: 'Payment id', type: 'text', width: 38 },
];

export interface PaymentExportFilters {
  /** First school-local day (YYYY-MM-DD), inclusive. */
  from?: string;
  /** Last school-local day, inclusive. */
  to?: string;
  /** Any of these methods (none = all). */
  methods?: readonly string[];
  officeId?: string;
  deviceId?: string;
  payerId?: string;
  /** Voided, refunded and returned-cheque payments too, marked in Status (default: only payments that stand). */
  includeVoided?: boolean;
}

/**
 * Throws an ExportError 'bad-option' saying what to write instead when the dates or methods
 * cannot be used; the ids are checked against the school's documents by paymentExportRows.
 */
export function checkPaymentFilters(filters: PaymentExportFilters): PaymentMethod[] {
  checkRange(filters.from, filters.to);
  return (filters.methods ?? []).map((method) => checkChoice(method, paymentMethods, 'method') as PaymentMethod);
}

/** The entries a payment export reads: payments, and what reverses them. Charges are not needed. */
export const paymentExportEntryTypes = ['payment', 'void', 'chequeReturn', 'refund'] as const satisfies readonly LedgerEntry['type'][];

/**
 * The payments the filters select, oldest first. `ledger` needs the payments and every void,
 * cheque return and refund (other entries are ignored); a payment's status is the one the
 * ledger derives, so a payment voided on two desks is voided once.
 */
export function paymentExportRows(source: Pick<ExportSource, 'students' | 'payers' | 'reference' | 'ledger' | 'staffNames'>, filters: PaymentExportFilters = {}, context: ExportContext = {}): PaymentExportRow[] {
  const rowOf = paymentRowMaker(source, source.ledger, filters, context);
  const chosen: { payment: PaymentDoc; row: PaymentExportRow }[] = [];
  for (const entry of source.ledger) {
    if (entry.type !== 'payment') continue;
    const row = rowOf(entry);
    if (row !== null) chosen.push({ payment: entry, row });
  }
  return chosen.sort((a, b) => paymentLedgerOrder(a.payment, b.payment)).map(({ row }) => row);
}

/** The entries that can reverse a payment: voids, cheque returns, and refunds of a payment. */
export function reversesPayment(entry: LedgerEntry): entry is VoidDoc | ChequeReturnDoc | RefundDoc {
  return entry.type === 'void' || entry.type === 'chequeReturn' || (entry.type === 'refund' && entry.paymentId !== undefined);
}

/**
 * A payment export's row of one payment, or null when the filters leave it out. A row depends
 * only on its payment, what reverses it and the school's names, so a reader can make the rows
 * while the payments are still coming in (the desk's export worker does) and put them in ledger
 * order (paymentLedgerOrder) itself. `reversals`: every void, cheque return and refund (any other
 * entries are skipped). Throws an ExportError 'bad-option' for filters that cannot be used.
 */
export function paymentRowMaker(
  source: Pick<ExportSource, 'students' | 'payers' | 'reference' | 'staffNames'>,
  reversals: readonly LedgerEntry[],
  filters: PaymentExportFilters = {},
  context: ExportContext = {},
): (payment: PaymentDoc) => PaymentExportRow | null {
  const methods = checkPaymentFilters(filters);
  const names = schoolNames(source.reference);
  checkKnown(filters.officeId, names.docs('office'), OFFICE, 'officeId');
  checkKnown(filters.deviceId, names.docs('device'), DESK, 'deviceId');
  checkKnown(filters.payerId, source.payers, PAYER, 'payerId');
  const dayOf = schoolDay(context.timeZone);
  const reversing = new Map<string, (VoidDoc | ChequeReturnDoc | RefundDoc)[]>();
  const reversalsById = new Map<string, VoidDoc | ChequeReturnDoc | RefundDoc>();
  for (const entry of reversals) {
    if (!reversesPayment(entry)) continue;
    reversalsById.set(entry.id, entry);
    if (entry.paymentId !== undefined) pushTo(reversing, entry.paymentId, entry);
  }
  const studentsById = new Map(source.students.map((s) => [s.id, s]));
  const payersById = new Map(source.payers.map((p) => [p.id, p]));
  const methodLabels = new Map(paymentMethods.map((method) => [method, methodNames[method].replace(/^./u, (c) => c.toUpperCase())]));
  return (payment) => {
    if (filters.payerId !== undefined && payment.payerId !== filters.payerId) return null;
    if (filters.officeId !== undefined && payment.officeId !== filters.officeId) return null;
    if (filters.deviceId !== undefined && payment.deviceId !== filters.deviceId) return null;
    if (methods.length > 0 && !methods.includes(payment.method)) return null;
    const takenOn = dayOf(payment.createdAt);
    if ((filters.from !== undefined && takenOn < filters.from) || (filters.to !== undefined && takenOn > filters.to)) return null;
    // A payment nothing reverses stands; for the others the ledger decides (the first reversal
    // counts, a payment voided on two desks is voided once). The status rule reads only a
    // payment and its reversals, so only those are derived (and without the time zone, which
    // only dates them).
    const reversedBy = reversing.get(payment.id);
    const derived = reversedBy === undefined ? undefined : deriveLedger([payment, ...reversedBy]).payments.get(payment.id);
    const status = derived?.status ?? 'active';
    if (status !== 'active' && filters.includeVoided !== true) return null;
    const reversal = derived?.reversedBy === undefined ? undefined : reversalsById.get(derived.reversedBy);
    const office = names.of(payment.officeId);
    const desk = names.of(payment.deviceId);
    const receipt = office === null || desk === null ? parseReceiptNumber(payment.receiptNumber) : undefined;
    const students: string[] = [];
    for (const allocation of payment.allocations) {
      const student = studentsById.get(allocation.studentId);
      const label = student ? `${studentLabel(student)} (${student.admissionNumber})` : allocation.studentId;
      if (!students.includes(label)) students.push(label);
    }
    return {
      receiptNumber: payment.receiptNumber,
      takenOn,
      takenAt: payment.createdAt,
      payer: payersById.get(payment.payerId)?.name ?? payment.payerId,
      students: joined(students),
      method: methodLabels.get(payment.method) ?? payment.method,
      reference: payment.reference ?? payment.cheque?.number ?? null,
      particulars: paymentParticulars(payment),
      amount: payment.amount,
      currency: payment.currency,
      offline: payment.offline,
      cashier: source.staffNames?.get(payment.createdBy) ?? payment.createdBy,
      office: office ?? receipt?.officeCode ?? null,
      desk: desk ?? receipt?.deviceCode ?? null,
      status,
      statusReason: reversal?.reason ?? null,
      paymentId: payment.id,
    };
  };
}

/**
 * The ledger's canonical order (compareEntries), the order of a payment export's rows, quick for
 * the usual case: two instants written by toISOString have the same width, so their text sorts
 * as they do.
 */
export function paymentLedgerOrder(a: Pick<LedgerEntry, 'createdAt' | 'id'>, b: Pick<LedgerEntry, 'createdAt' | 'id'>): number {
  if (a.createdAt.length === 24 && b.createdAt.length === 24) return compareFolded(a.createdAt, b.createdAt) || compareFolded(a.id, b.id);
  return compareEntries(a, b);
}

/**
 * The school's calendar day of an instant (localDate), looked up once per quarter hour of UTC:
 * every zone's offset is a whole number of quarter hours and changes on one, so all instants of
 * a quarter hour fall on the same local day. A term of payments needs a few thousand lookups, not
 * one per payment.
 */
function schoolDay(timeZone: string | undefined): (instant: string) => string {
  if (timeZone === undefined || timeZone === 'UTC') return (instant) => localDate(instant);
  const QUARTER_HOUR = 900_000;
  const days = new Map<number, string>();
  return (instant) => {
    const ms = Date.parse(instant);
    if (Number.isNaN(ms)) return localDate(instant, timeZone);
    const bucket = Math.floor(ms / QUARTER_HOUR);
    let day = days.get(bucket);
    if (day === undefined) {
      day = localDate(new Date(bucket * QUARTER_HOUR).toISOString(), timeZone);
      days.set(bucket, day);
    }
    return day;
  };
}

// ── Invoice lines ─────────────────────────────────────────────────────────────────────────────

export interface InvoiceExportRow {
  issuedOn: string;
  admissionNumber: string | null;
  student: string;
  className: string | null;
  term: string | null;
  feeCategory: string | null;
  description: string;
  instalment: string;
  dueDate: string;
  amount: number;
  /** Discounts, waivers and write-offs on the line. */
  reduced: number;
  paid: number;
  /** Still owed on the line. */
  open: number;
  /** The payer the line is billed to; empty = the student's own account. */
  billedTo: string | null;
  invoiceId: string;
  chargeId: string;
}

export const invoiceExportColumns: readonly ExportColumn<InvoiceExportRow>[] = [
  { key: 'issuedOn', header: 'Issued on', type: 'date' },
  { key: 'admissionNumber', header: 'Admission number', type: 'text', width: 16 },
  { key: 'student', header: 'Student', type: 'text', width: 24 },
  { key: 'className', header: 'Class', type: 'text', width: 14 },
  { key: 'term', header: 'Term', type: 'text', width: 16 },
  { key: 'feeCategory', header: 'Fee category', type: 'text', width: 16 },
  { key: 'description', header: 'Fee item', type: 'text', width: 24 },
  { key: 'instalment', header: 'Instalment', type: 'text', width: 14 },
  { key: 'dueDate', header: 'Due date', type: 'date' },
  { key: 'amount', header: 'Amount', type: 'money' },
  { key: 'reduced', header: 'Discounts and waivers', type: 'money', width: 20 },
  { key: 'paid', header: 'Paid', type: 'money' },
  { key: 'open', header: 'Still owed', type: 'money' },
  { key: 'billedTo', header: 'Billed to', type: 'text', width: 24 },
  { key: 'invoiceId', header: 'Invoice id', type: 'text', width: 38 },
  { key: 'chargeId', header: 'Line id', type: 'text', width: 38 },
];

export interface InvoiceExportFilters {
  termId?: string;
  classId?: string;
  /** Issued on or after this school-local day. */
  from?: string;
  /** Issued on or before this day. */
  to?: string;
}

/**
 * One row per invoice line the filters select (by issue date, then student, then due date), with
 * what has been paid and is still owed on it as the ledger derives it. `ledger`: the whole ledger.
 */
export function invoiceExportRows(source: Pick<ExportSource, 'students' | 'payers' | 'reference' | 'ledger'>, filters: InvoiceExportFilters = {}, context: ExportContext = {}): InvoiceExportRow[] {
  checkRange(filters.from, filters.to);
  const names = schoolNames(source.reference);
  checkKnown(filters.termId, names.docs('term'), TERM, 'termId');
  checkKnown(filters.classId, names.docs('class'), CLASS, 'classId');
  const state = deriveLedger(source.ledger, context.timeZone === undefined ? {} : { timeZone: context.timeZone });
  const studentsById = new Map(source.students.map((s) => [s.id, s]));
  const payersById = new Map(source.payers.map((p) => [p.id, p]));
  const rows: InvoiceExportRow[] = [];
  for (const invoice of source.ledger) {
    if (invoice.type !== 'invoice') continue;
    if ((filters.termId !== undefined && invoice.termId !== filters.termId) || (filters.classId !== undefined && invoice.classId !== filters.classId)) continue;
    if ((filters.from !== undefined && invoice.issuedOn < filters.from) || (filters.to !== undefined && invoice.issuedOn > filters.to)) continue;
    const student = studentsById.get(invoice.studentId);
    for (const line of invoice.charges) {
      // A line whose id an earlier document already used is not counted by the ledger, so not listed.
      const charge = state.charges.get(line.id);
      if (charge?.invoiceId !== invoice.id) continue;
      rows.push({
        issuedOn: invoice.issuedOn,
        admissionNumber: student?.admissionNumber ?? null,
        student: student ? studentLabel(student) : invoice.studentId,
        className: names.of(invoice.classId),
        term: names.of(invoice.termId),
        feeCategory: names.of(line.feeCategoryId),
        description: line.description,
        instalment: line.instalment,
        dueDate: line.dueDate,
        amount: line.amount,
        reduced: charge.discounted + charge.waived + charge.writtenOff,
        paid: charge.paid,
        open: charge.open,
        billedTo: line.payerId === undefined ? null : (payersById.get(line.payerId)?.name ?? line.payerId),
        invoiceId: invoice.id,
        chargeId: line.id,
      });
    }
  }
  return rows.sort(
    (a, b) =>
      compareFolded(a.issuedOn, b.issuedOn) ||
      compareFolded(a.admissionNumber ?? a.student, b.admissionNumber ?? b.student) ||
      compareFolded(a.dueDate, b.dueDate) ||
      compareFolded(a.invoiceId, b.invoiceId) ||
      compareFolded(a.chargeId, b.chargeId),
  );
}

// ── Statements ────────────────────────────────────────────────────────────────────────────────

export interface StatementExportRow {
  payer: string;
  date: string;
  description: string;
  /** Empty when zero, as on the printed statement. */
  debit: number | null;
  credit: number | null;
  /** Running balance after the line: positive = owed to the school. */
  balance: number;
  payerId: string;
}

export const statementExportColumns: readonly ExportColumn<StatementExportRow>[] = [
  { key: 'payer', header: 'Payer', type: 'text', width: 26 },
  { key: 'date', header: 'Date', type: 'date' },
  { key: 'description', header: 'Description', type: 'text', width: 50 },
  { key: 'debit', header: 'Debit', type: 'money' },
  { key: 'credit', header: 'Credit', type: 'money' },
  { key: 'balance', header: 'Balance', type: 'money' },
  { key: 'payerId', header: 'Payer id', type: 'text', width: 38 },
];

export interface StatementExportFilters {
  /** The statement date (YYYY-MM-DD): nothing later is shown. */
  asOf: string;
  /** Earlier lines are summed into an opening-balance line on this day. */
  from?: string;
  /** These payers (none = every current payer with something on their account). */
  payerIds?: readonly string[];
}

/**
 * Each selected payer's statement as the desk shows it (payerStatement with the payer's
 * students, so their own-account charges count), payers by name. Each statement is derived from
 * the entries about the payer's students and the payments of everyone who pays for them, so a
 * school-wide export costs about one pass over the ledger, not one per payer.
 */
export function statementExportRows(source: Pick<ExportSource, 'payers' | 'ledger'>, filters: StatementExportFilters, context: ExportContext = {}): StatementExportRow[] {
  checkDate(filters.asOf, 'asOf');
  checkDate(filters.from, 'from');
  if (filters.from !== undefined && filters.from > filters.asOf) throw badFilter(`from (${filters.from}) is after asOf (${filters.asOf}): give the earlier date as from`);
  for (const id of filters.payerIds ?? []) checkKnown(id, source.payers, PAYER, 'payerId');
  const wanted = filters.payerIds === undefined || filters.payerIds.length === 0 ? null : new Set(filters.payerIds);
  const payers = source.payers
    .filter((p) => (wanted === null ? p.archived !== true : wanted.has(p.id)))
    .map((payer) => ({ payer, key: foldText(payer.name) }))
    .sort((a, b) => compareFolded(a.key, b.key) || compareFolded(a.payer.id, b.payer.id))
    .map(({ payer }) => payer);

  const byStudent = new Map<string, LedgerEntry[]>();
  const byPayer = new Map<string, LedgerEntry[]>();
  for (const entry of source.ledger) {
    if ('studentId' in entry) pushTo(byStudent, entry.studentId, entry);
    if ('payerId' in entry && entry.payerId !== undefined) pushTo(byPayer, entry.payerId, entry);
  }
  const payersOfStudent = new Map<string, string[]>();
  for (const payer of source.payers) for (const link of payer.students) pushTo(payersOfStudent, link.studentId, payer.id);

  const rows: StatementExportRow[] = [];
  for (const payer of payers) {
    const studentIds = payer.students.map((s) => s.studentId);
    // As the desk's family account: entries about the students, and those of every payer who pays for them.
    const payerIds = new Set([payer.id, ...studentIds.flatMap((id) => payersOfStudent.get(id) ?? [])]);
    const entries = new Map<string, LedgerEntry>();
    for (const id of studentIds) for (const entry of byStudent.get(id) ?? []) entries.set(entry.id, entry);
    for (const id of payerIds) for (const entry of byPayer.get(id) ?? []) entries.set(entry.id, entry);
    if (entries.size === 0) continue;
    const statement = payerStatement([...entries.values()], payer.id, {
      asOf: filters.asOf,
      studentIds,
      ...(filters.from === undefined ? {} : { from: filters.from }),
      ...(context.timeZone === undefined ? {} : { timeZone: context.timeZone }),
    });
    if (filters.from !== undefined && (statement.openingBalance !== 0 || statement.lines.length > 0)) {
      rows.push({ payer: payer.name, date: filters.from, description: 'Opening balance', debit: null, credit: null, balance: statement.openingBalance, payerId: payer.id });
    }
    for (const line of statement.lines) {
      rows.push({ payer: payer.name, date: line.date, description: line.description, debit: blankIfZero(line.debit), credit: blankIfZero(line.credit), balance: line.balance, payerId: payer.id });
    }
  }
  return rows;
}
