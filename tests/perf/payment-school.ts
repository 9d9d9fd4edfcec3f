// A large school's term of payments for the export benchmarks (export-bench.ts in Node and on the
// server, import-bench.ts on the desk): families of one or two children, cash, M-Pesa, transfers,
// cheques and cards taken at a few desks, 3% voided. Deterministic, so every run exports the same
// school; and, with the bench's own staff timing the writers, the same rows in Node as on the desk.
import { formatReceiptNumber, idMadeAt, newId, type InvoiceDoc, type Payer, type PaymentDoc, type PaymentMethod, type Student, type VoidDoc } from '@feemaster/core';
import { exportCsv, exportJson, exportXlsx, exportSheetNames, paymentExportColumns, type ExportFormat, type ExportOptions, type PaymentExportRow } from '@feemaster/core';
import { seeded } from './bench-data.ts';

export const GIVEN = ['Amani', 'Jabari', 'Zawadi', 'Imani', 'Baraka', 'Neema', 'Akinyi', 'Kevin', 'Wanjiru', 'Otieno', 'José', 'Zoë', 'Faith', 'Brian', 'Mercy', 'Collins', 'Achieng', 'Hassan', 'Mwajuma', 'Nuru'];
export const FAMILY = ['Otieno', 'Wafula', 'Kamau', 'Mwangi', 'Njoroge', 'Odhiambo', 'Kiprono', 'Chebet', 'Rotich', 'Mutua', 'Wekesa', 'Ouma', 'Nyambura', 'Ndungu', 'Onyango', 'Núñez', 'Achieng', 'Barasa', 'Cheruiyot', 'Kariuki'];
export const CASHIERS = ['Grace Wanjiru', 'Peter Kamau', 'Mercy Achieng', 'Hassan Omar', 'Faith Chebet', 'Collins Mutua'];
const BANKS = ['Equity Bank', 'KCB', 'Co-operative Bank', 'NCBA', 'Absa Kenya'];
const VOID_REASONS = ['Keyed to the wrong family', 'Amount typed wrongly', 'Duplicate of an earlier receipt', 'Parent changed their mind before leaving the window'];

export interface PaymentSchoolOptions {
  schoolId: string;
  officeId: string;
  /** The desks that took the payments, in order: their receipt series are MAIN-D01, MAIN-D02… */
  deviceIds: readonly string[];
  students: number;
  payments: number;
  currency: string;
  /** Who took the payments (user id → name); six made-up cashiers when not given. */
  staff?: ReadonlyMap<string, string>;
  /**
   * A term invoice per student, with each payment allocated to its children's tuition (as a
   * server that checks allocations needs); without, allocations name charges nothing holds,
   * which an export does not read.
   */
  invoices?: boolean;
  /**
   * Card payments among them (2%), as Stripe charges. A server accepts a card payment only after
   * it started the charge itself, so a school pushed through the API takes those in cash instead.
   */
  cardPayments?: boolean;
}

export interface PaymentSchool {
  students: Student[];
  payers: Payer[];
  invoices: InvoiceDoc[];
  payments: PaymentDoc[];
  voids: VoidDoc[];
  /** Cashier user ids and names. */
  staff: Map<string, string>;
}

export function generatePaymentSchool(options: PaymentSchoolOptions): PaymentSchool {
  const { schoolId, officeId, deviceIds, currency } = options;
  const next = seeded(2025);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const now = '2025-01-02T06:00:00.000Z';
  const students: Student[] = Array.from({ length: options.students }, (_, i) => ({
    id: newId(),
    schoolId,
    admissionNumber: `ADM-${String(i + 1).padStart(5, '0')}`,
    firstName: pick(GIVEN),
    lastName: FAMILY[Math.floor(i / 2) % FAMILY.length] ?? 'Otieno',
    status: 'active',
    createdAt: now,
    updatedAt: now,
  }));
  const payers: Payer[] = [];
  for (let i = 0; i < options.students; ) {
    const children = students.slice(i, i + (next() < 0.4 ? 2 : 1));
    i += children.length;
    payers.push({
      id: newId(),
      schoolId,
      kind: 'family',
      name: `${children[0]?.lastName ?? 'Otieno'} family ${String(payers.length + 1)}`,
      contacts: [{ type: 'phone', value: `+2547${String(10_000_000 + payers.length).padStart(8, '0')}` }],
      preferredChannel: 'sms',
      students: children.map((s) => ({ studentId: s.id, share: 10_000 })),
      createdAt: now,
      updatedAt: now,
    });
  }
  // Made without drawing random numbers, so the payments are the same with or without them.
  const [termId, classId, feeStructureId, tuition] = [newId(), newId(), newId(), newId()];
  const invoices: InvoiceDoc[] = options.invoices
    ? students.map((s) => ({
        id: idMadeAt(Date.parse('2025-01-05T07:00:00.000Z')),
        schoolId,
        currency,
        createdAt: '2025-01-05T07:00:00.000Z',
        createdBy: options.staff?.keys().next().value ?? newId(),
        type: 'invoice',
        studentId: s.id,
        termId,
        classId,
        feeStructureId,
        issuedOn: '2025-01-05',
        charges: [{ id: newId(), feeCategoryId: tuition, description: 'Tuition', instalment: 'Term 1', dueDate: '2025-01-31', amount: 6_000_000 }],
      }))
    : [];
  const tuitionOf = new Map(invoices.map((invoice) => [invoice.studentId, invoice.charges[0]?.id ?? '']));
  const staff = new Map(options.staff ?? CASHIERS.map((name) => [newId(), name]));
  const cashierIds = [...staff.keys()];
  const cards = options.cardPayments ?? true;
  const seqs = deviceIds.map(() => 0);
  const termStart = Date.parse('2025-01-06T05:00:00.000Z');
  const termMs = 88 * 86_400_000;
  const payments: PaymentDoc[] = [];
  const voids: VoidDoc[] = [];
  for (let i = 0; i < options.payments; i += 1) {
    const desk = Math.floor(next() * deviceIds.length);
    seqs[desk] = (seqs[desk] ?? 0) + 1;
    const payer = pick(payers);
    const roll = next();
    const method: PaymentMethod = roll < 0.4 ? 'cash' : roll < 0.75 ? 'mobileMoney' : roll < 0.9 ? 'bankTransfer' : roll < 0.98 ? 'cheque' : cards ? 'card' : 'cash';
    // Whole shillings mostly (500 to 60,000), now and then with cents.
    const amount = (500 + Math.floor(next() * 59_500)) * 100 + (next() < 0.1 ? Math.floor(next() * 100) : 0);
    const createdAt = new Date(termStart + Math.floor((i / options.payments) * termMs) + Math.floor(next() * 600_000)).toISOString();
    const share = payer.students.length === 2 ? [Math.floor(amount / 2), amount - Math.floor(amount / 2)] : [amount];
    // Its id made when it was taken, as on the desk (on the clock that wrote createdAt).
    const payment: PaymentDoc = {
      id: idMadeAt(Date.parse(createdAt)),
      schoolId,
      currency,
      createdAt,
      createdBy: pick(cashierIds),
      type: 'payment',
      payerId: payer.id,
      receiptNumber: formatReceiptNumber('MAIN', `D0${String(desk + 1)}`, seqs[desk] ?? 1),
      deviceId: deviceIds[desk] ?? '',
      officeId,
      method,
      amount,
      offline: next() < 0.1,
      allocations: payer.students.map((s, k) => ({ studentId: s.studentId, chargeId: tuitionOf.get(s.studentId) ?? newId(), amount: share[k] ?? 0 })),
      ...(method === 'mobileMoney' ? { mobileMoneyProvider: 'M-Pesa', reference: `Q${Math.floor(next() * 36 ** 9).toString(36).toUpperCase()}` } : {}),
      ...(method === 'bankTransfer' ? { reference: `FT${String(Math.floor(next() * 1e10))}` } : {}),
      ...(method === 'card' ? { reference: `pi_${newId().replaceAll('-', '').slice(0, 24)}` } : {}),
      ...(method === 'cheque' ? { cheque: { number: String(Math.floor(next() * 1e6)).padStart(6, '0'), bank: pick(BANKS), date: createdAt.slice(0, 10) } } : {}),
    };
    payments.push(payment);
    if (next() < 0.03) {
      const voidedAt = Date.parse(createdAt) + 300_000;
      voids.push({ id: idMadeAt(voidedAt), schoolId, currency, createdAt: new Date(voidedAt).toISOString(), createdBy: payment.createdBy, type: 'void', paymentId: payment.id, payerId: payer.id, reason: pick(VOID_REASONS) });
    }
  }
  return { students, payers, invoices, payments, voids, staff };
}

export interface TimedWrite {
  seconds: number;
  bytes: number;
}

const WRITERS = { xlsx: exportXlsx, csv: exportCsv, json: exportJson } as const;

/** One payments export written by core's streaming writer in this process, every chunk counted and dropped. */
export async function timePaymentWriter(format: ExportFormat, rows: readonly PaymentExportRow[], options: Pick<ExportOptions, 'currency' | 'timeZone'>): Promise<TimedWrite> {
  const begin = performance.now();
  let bytes = 0;
  for await (const chunk of WRITERS[format](paymentExportColumns, rows, { ...options, sheetName: exportSheetNames.payments, onProgress: () => undefined })) bytes += chunk.length;
  return { seconds: (performance.now() - begin) / 1000, bytes };
}
