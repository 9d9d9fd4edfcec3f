// Issuing a class's term invoices: one invoice per active student from the matching fee
// structure, frozen at issue, with its automatic discounts. Re-running adds nothing, and one
// student's problem becomes a failure entry instead of stopping the batch (design rule 5).
import { keyedId } from '../ids.ts';
import type { Student } from '../schemas/students.ts';
import { dayNumber } from '../calendar-date.ts';
import { FULL_SHARE, splitStructureIntoCharges } from './charge-split.ts';
import { computeInvoiceDiscounts, siblingPosition } from './discounts.ts';
import type { FeeStructure } from './fee-structures.ts';
import type { DiscountDoc, InvoiceDoc } from './ledger.ts';
import type { Payer } from './payers.ts';
import type { DiscountRuleDoc, SettingsDoc, TermDoc } from './reference.ts';

/** The invoice schema's limit on charges per invoice. */
const MAX_CHARGES = 600;

export interface IssueTermInvoicesInput {
  schoolId: string;
  currency: string;
  termId: string;
  classId: string;
  term: TermDoc;
  /** Every student of the school: the class's are invoiced, the others decide sibling order. */
  students: readonly Student[];
  structures: readonly FeeStructure[];
  payers: readonly Payer[];
  discountRules: readonly DiscountRuleDoc[];
  settings: SettingsDoc;
  /**
   * Invoices already in the ledger (any term and class): a student who has one for this term is
   * skipped, under this class's structure or another's (billed before a move of class or category).
   */
  existing: { invoices: readonly ExistingInvoice[] };
  issuedOn: string;
  createdBy: string;
  deviceId?: string;
  /** Device clock, ISO UTC; every document of the run carries it. */
  now: string;
}

/** What the run needs of an invoice already issued. */
export type ExistingInvoice = Pick<InvoiceDoc, 'id' | 'studentId' | 'termId' | 'classId' | 'feeStructureId'>;

export interface IssueTermInvoicesResult {
  invoices: InvoiceDoc[];
  discounts: DiscountDoc[];
  /** Billed for this term already: in this class, or in `classId` (another class) before a move. */
  skipped: { studentId: string; reason: 'already invoiced' | 'invoiced in another class'; classId?: string }[];
  failures: { studentId: string; admissionNumber: string; reason: string }[];
}

/**
 * The share of the term billed to a student who joined after it started: remaining calendar
 * days (joining day included) over the term's days, in basis points rounded half up; undefined
 * when the whole term is billed. Throws when the student joined after the term ended.
 */
export function termProration(term: { startDate: string; endDate: string }, joinedOn: string | undefined): { joinedOn: string; basisPoints: number } | undefined {
  if (joinedOn === undefined) return undefined;
  const start = dayNumber(term.startDate);
  const end = dayNumber(term.endDate);
  const joined = dayNumber(joinedOn);
  if (joined <= start) return undefined;
  if (joined > end) {
    throw new Error(`Joined on ${joinedOn}, after the term ended on ${term.endDate}: there is nothing to bill for this term`);
  }
  const termDays = end - start + 1;
  const remainingDays = end - joined + 1;
  const basisPoints = Math.floor((remainingDays * FULL_SHARE * 2 + termDays) / (termDays * 2));
  // A very long term could round a last-day joiner to 0; the schema needs at least 1.
  return { joinedOn, basisPoints: Math.max(1, basisPoints) };
}

/** The structure for the student's category, else the class's general one; throws if none or two. */
export function structureFor(student: Student, candidates: readonly FeeStructure[], termName: string): FeeStructure {
  const specific = student.categoryId === undefined ? [] : candidates.filter((s) => s.studentCategoryId === student.categoryId);
  const matches = specific.length > 0 ? specific : candidates.filter((s) => s.studentCategoryId === undefined);
  const [first, second] = matches;
  if (first === undefined) {
    const category = student.categoryId === undefined ? '' : ' and this student’s category';
    throw new Error(
      `No fee structure for term "${termName}", this class${category}: add one (or one for all categories of the class), then issue again`,
    );
  }
  if (second !== undefined) {
    throw new Error(`Fee structures "${first.name}" and "${second.name}" both apply to this student: archive one, then issue again`);
  }
  return first;
}

function checkBatch(input: IssueTermInvoicesInput): void {
  if (input.term.id !== input.termId) throw new Error('The term given does not match termId: choose the term again');
  if (input.term.schoolId !== input.schoolId) throw new Error(`Term "${input.term.name}" belongs to another school`);
  if (input.settings.data.currency !== input.currency) {
    throw new Error(`The school's currency is ${input.settings.data.currency}, not ${input.currency}: reload the settings and issue again`);
  }
  if (dayNumber(input.term.data.startDate) > dayNumber(input.term.data.endDate)) {
    throw new Error(`Term "${input.term.name}" ends before it starts: correct its dates, then issue again`);
  }
  dayNumber(input.issuedOn);
}

/**
 * Issues the term invoices of one class. Problems with the whole batch (wrong term, currency,
 * dates) throw before anything is issued; a problem with one student is reported in `failures`
 * and the others are still invoiced.
 */
export function issueTermInvoices(input: IssueTermInvoicesInput): IssueTermInvoicesResult {
  checkBatch(input);
  const result: IssueTermInvoicesResult = { invoices: [], discounts: [], skipped: [], failures: [] };
  const candidates = input.structures.filter(
    (s) => s.schoolId === input.schoolId && s.termId === input.termId && s.classId === input.classId && s.archived !== true,
  );
  const schoolStudents = input.students.filter((student) => student.schoolId === input.schoolId);
  const payers = input.payers.filter((payer) => payer.schoolId === input.schoolId);
  const siblingContext = { students: schoolStudents, payers, siblingOrder: input.settings.data.siblingOrder };
  const issued = new Set(input.existing.invoices.map((invoice) => invoice.id));
  // The class each student was billed in for this term, by any of the term's fee structures (an
  // opening balance booked in the term is no term bill).
  const termStructures = new Set(input.structures.filter((s) => s.schoolId === input.schoolId && s.termId === input.termId).map((s) => s.id));
  const billedIn = new Map(input.existing.invoices.filter((invoice) => invoice.termId === input.termId && termStructures.has(invoice.feeStructureId)).map((invoice) => [invoice.studentId, invoice.classId]));
  const classStudents = schoolStudents
    .filter((student) => student.classId === input.classId && student.status === 'active')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  for (const student of classStudents) {
    try {
      const structure = structureFor(student, candidates, input.term.name);
      const invoiceId = keyedId(`invoice:${student.id}:${input.termId}:${structure.id}`);
      if (issued.has(invoiceId)) {
        result.skipped.push({ studentId: student.id, reason: 'already invoiced' });
        continue;
      }
      // Billed for the term before a move of class or category: never billed twice (the bursar
      // adjusts that bill by hand, a fine or a waiver, if the move changes the fees).
      const billedClass = billedIn.get(student.id);
      if (billedClass !== undefined) {
        result.skipped.push(billedClass === input.classId ? { studentId: student.id, reason: 'already invoiced' } : { studentId: student.id, reason: 'invoiced in another class', classId: billedClass });
        continue;
      }
      const proration = termProration(input.term.data, student.joinedOn);
      const charges = splitStructureIntoCharges(structure, {
        invoiceId,
        studentId: student.id,
        payers,
        ...(proration === undefined ? {} : { prorationBasisPoints: proration.basisPoints }),
      });
      if (charges.length === 0) throw new Error(`Fee structure "${structure.name}" bills nothing for this student: check its amounts`);
      if (charges.length > MAX_CHARGES) {
        throw new Error(
          `Fee structure "${structure.name}" makes ${String(charges.length)} charges for this student, more than ${String(MAX_CHARGES)}: use fewer lines or instalments`,
        );
      }
      const invoice: InvoiceDoc = {
        id: invoiceId,
        schoolId: input.schoolId,
        currency: input.currency,
        createdAt: input.now,
        createdBy: input.createdBy,
        ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
        type: 'invoice',
        studentId: student.id,
        termId: input.termId,
        classId: input.classId,
        feeStructureId: structure.id,
        issuedOn: input.issuedOn,
        ...(proration === undefined ? {} : { proration }),
        charges,
      };
      const discounts = computeInvoiceDiscounts({
        invoice,
        siblingPosition: siblingPosition(student, siblingContext),
        staffChild: student.staffChild === true,
        rules: input.discountRules,
        createdBy: input.createdBy,
        ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
        now: input.now,
      });
      // Only a fully built invoice is issued, so a failure never leaves half a bill behind.
      issued.add(invoiceId);
      result.invoices.push(invoice);
      result.discounts.push(...discounts);
    } catch (error) {
      result.failures.push({
        studentId: student.id,
        admissionNumber: student.admissionNumber,
        reason: error instanceof Error ? error.message : `Unexpected problem: ${String(error)}`,
      });
    }
  }
  return result;
}
