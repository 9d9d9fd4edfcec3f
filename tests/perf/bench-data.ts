// The documents every part of the sync benchmark moves: a school's term invoices (set-up, not
// timed) and N payments taken at a few desks, each desk numbering its own receipt series.
// Generated once per size from a seeded generator; only the school's own ids (school, office,
// desks, people) are stamped in per server, so every backend and the peer get the same documents.
import { formatReceiptNumber, newId, offlinePaymentMethods, type InvoiceDoc, type PaymentDoc, type PaymentMethod } from '@feemaster/core';

export const BENCH_CURRENCY = 'KES';
export const OFFICE_CODE = 'MAIN';

/** One desk's place in the generated data: its receipt series code and the payments it takes. */
export interface DeskIdentity {
  code: string;
  deviceId: string;
  /** The cashier signed in on the desk (createdBy). */
  userId: string;
}

/** Ids that belong to one server's school; everything else in the documents is fixed per size. */
export interface SchoolIdentity {
  schoolId: string;
  officeId: string;
  bursarId: string;
  desks: readonly DeskIdentity[];
}

interface InvoiceTemplate {
  id: string;
  studentId: string;
  charges: { id: string; amount: number; description: string; feeCategoryId: string }[];
}

interface PaymentTemplate {
  id: string;
  desk: number;
  seq: number;
  payerId: string;
  studentId: string;
  chargeId: string;
  amount: number;
  allocated: number;
  method: PaymentMethod;
  reference?: string;
  offline: boolean;
  createdAt: string;
}

export interface BenchDataSet {
  payments: number;
  desks: number;
  invoices: readonly InvoiceTemplate[];
  paymentTemplates: readonly PaymentTemplate[];
  termId: string;
  classId: string;
  feeStructureId: string;
}

/** A small deterministic generator (mulberry32): the same seed gives the same amounts and choices. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function deskCode(index: number): string {
  return `D${String(index + 1).padStart(2, '0')}`;
}

/**
 * `students` term invoices (tuition and transport) and `payments` payments spread round-robin over
 * `desks` desks, each paying part of one student's tuition (in integer cents) with any rest kept as credit.
 */
export function generateDataSet(options: { payments: number; students: number; desks: number; seed?: number }): BenchDataSet {
  const random = seeded(options.seed ?? 20_250_106);
  const tuitionCategory = newId();
  const transportCategory = newId();
  const invoices: InvoiceTemplate[] = Array.from({ length: options.students }, () => ({
    id: newId(),
    studentId: newId(),
    charges: [
      { id: newId(), amount: 1_500_000, description: 'Tuition', feeCategoryId: tuitionCategory },
      { id: newId(), amount: 400_000, description: 'Transport', feeCategoryId: transportCategory },
    ],
  }));
  const payerOf = invoices.map(() => newId());
  const seqs = Array.from({ length: options.desks }, () => 0);
  const start = Date.parse('2025-01-13T06:00:00.000Z');
  const paymentTemplates: PaymentTemplate[] = Array.from({ length: options.payments }, (_, index) => {
    const desk = index % options.desks;
    seqs[desk] = (seqs[desk] ?? 0) + 1;
    const student = Math.floor(random() * invoices.length);
    const invoice = invoices[student];
    const charge = invoice?.charges[0];
    const payerId = payerOf[student];
    if (!invoice || !charge || !payerId) throw new Error(`student ${String(student)} has no invoice`);
    // 100.00 to 5,000.00 in whole shillings; one payment in ten leaves credit on the payer account.
    const amount = (100 + Math.floor(random() * 4_901)) * 100;
    const allocated = random() < 0.1 ? Math.max(100, amount - 5_000) : amount;
    const method = offlinePaymentMethods[Math.floor(random() * offlinePaymentMethods.length)] ?? 'cash';
    return {
      id: newId(),
      desk,
      seq: seqs[desk] ?? 1,
      payerId,
      studentId: invoice.studentId,
      chargeId: charge.id,
      amount,
      allocated,
      method,
      ...(method === 'cash' ? {} : { reference: `REF${String(index).padStart(8, '0')}` }),
      offline: random() < 0.2,
      createdAt: new Date(start + index * 1_000).toISOString(),
    };
  });
  return { payments: options.payments, desks: options.desks, invoices, paymentTemplates, termId: newId(), classId: newId(), feeStructureId: newId() };
}

/**
 * The first `count` payments (the warm-up) and the rest, over the same invoices: each desk's
 * receipt series runs on from its warm-up payments into the rest.
 */
export function splitDataSet(data: BenchDataSet, count: number): [BenchDataSet, BenchDataSet] {
  const head = data.paymentTemplates.slice(0, count);
  const tail = data.paymentTemplates.slice(count);
  return [
    { ...data, payments: head.length, paymentTemplates: head },
    { ...data, payments: tail.length, paymentTemplates: tail },
  ];
}

/** The term invoices as the bursar issues them at this school. */
export function invoicesFor(data: BenchDataSet, school: SchoolIdentity): InvoiceDoc[] {
  return data.invoices.map((invoice) => ({
    id: invoice.id,
    schoolId: school.schoolId,
    currency: BENCH_CURRENCY,
    createdAt: '2025-01-06T07:00:00.000Z',
    createdBy: school.bursarId,
    type: 'invoice',
    studentId: invoice.studentId,
    termId: data.termId,
    classId: data.classId,
    feeStructureId: data.feeStructureId,
    issuedOn: '2025-01-06',
    charges: invoice.charges.map((charge) => ({ ...charge, instalment: 'Term 1', dueDate: '2025-01-31' })),
  }));
}

/** The payments, per desk in the order that desk took them (its receipt series ascending). */
export function paymentsByDesk(data: BenchDataSet, school: SchoolIdentity): PaymentDoc[][] {
  const byDesk: PaymentDoc[][] = school.desks.map(() => []);
  for (const payment of data.paymentTemplates) {
    const desk = school.desks[payment.desk];
    const list = byDesk[payment.desk];
    if (!desk || !list) throw new Error(`the data set names desk ${String(payment.desk)}, but the school has ${String(school.desks.length)} desks`);
    list.push({
      id: payment.id,
      schoolId: school.schoolId,
      currency: BENCH_CURRENCY,
      createdAt: payment.createdAt,
      createdBy: desk.userId,
      type: 'payment',
      payerId: payment.payerId,
      receiptNumber: formatReceiptNumber(OFFICE_CODE, desk.code, payment.seq),
      deviceId: desk.deviceId,
      officeId: school.officeId,
      method: payment.method,
      ...(payment.reference ? { reference: payment.reference } : {}),
      amount: payment.amount,
      offline: payment.offline,
      allocations: [{ studentId: payment.studentId, chargeId: payment.chargeId, amount: payment.allocated }],
    });
  }
  return byDesk;
}

/** One more payment at a desk, for the live-propagation measurement (after the data set's own). */
export function livePayment(data: BenchDataSet, school: SchoolIdentity, desk: DeskIdentity, seq: number): PaymentDoc {
  const invoice = data.invoices[seq % data.invoices.length];
  const charge = invoice?.charges[1];
  if (!invoice || !charge) throw new Error('the data set has no invoices to pay');
  return {
    id: newId(),
    schoolId: school.schoolId,
    currency: BENCH_CURRENCY,
    createdAt: new Date().toISOString(),
    createdBy: desk.userId,
    type: 'payment',
    payerId: newId(),
    receiptNumber: formatReceiptNumber(OFFICE_CODE, desk.code, seq),
    deviceId: desk.deviceId,
    officeId: school.officeId,
    method: 'cash',
    amount: 50_000,
    offline: false,
    allocations: [{ studentId: invoice.studentId, chargeId: charge.id, amount: 50_000 }],
  };
}
