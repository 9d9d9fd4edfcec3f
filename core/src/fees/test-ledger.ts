// TEST SUPPORT ONLY (not exported from core): terse builders for ledger documents, and random
// ledger histories for property tests. Names like 'amina' or 'tuition-t1' stand in for UUIDs and
// a clock ticks one minute per document, so a scenario test reads like a cashier's day.
import fc from 'fast-check';
import { isUuid, keyedId } from '../ids.ts';
import type {
  ChequeReturnDoc,
  CreditApplicationDoc,
  DiscountDoc,
  FineDoc,
  InvoiceDoc,
  LedgerEntry,
  PaymentDoc,
  PaymentMethod,
  RefundDoc,
  VoidDoc,
  WaiverDoc,
  WriteOffDoc,
  discountSources,
} from './ledger.ts';
import { lateFeeFineId } from './late-fees.ts';
import type { LateFeeRuleDoc } from './reference.ts';

// Widened from a type guard, which would narrow a non-UUID name to never.
const alreadyAnId: (name: string) => boolean = isUuid;

/** A stable UUID for a readable test name; a UUID is returned as it is. */
export function testId(name: string): string {
  return alreadyAnId(name) ? name : keyedId(`test:${name}`);
}

export interface TestLedgerOptions {
  /** ISO instant of the first document; each later one is a minute after the previous. */
  start?: string;
  currency?: string;
  /** Receipt prefix, e.g. 'MAIN-D01'. */
  receiptPrefix?: string;
}

/** `at` overrides the ticking clock; `id` a readable name or a UUID. */
interface Stamp {
  id?: string;
  at?: string;
}

export interface TestChargeInput {
  id: string;
  amount: number;
  dueDate: string;
  category?: string;
  description?: string;
  instalment?: string;
  payer?: string;
}

/** [chargeName, amount], or with the student spelled out for a charge the builder did not make. */
export type TestAllocationInput = readonly [string, number] | { charge: string; amount: number; student?: string };

export const testSchoolId = testId('school');
export const testCashierId = testId('cashier');
export const testDeviceId = testId('desk-1');
export const testOfficeId = testId('main-office');

/** A builder that remembers what it made, so payments can find a charge's student and voids a payment's payer. */
export function testLedger(options: TestLedgerOptions = {}) {
  const entries: LedgerEntry[] = [];
  const studentOfCharge = new Map<string, string>();
  const currency = options.currency ?? 'KES';
  const startMs = Date.parse(options.start ?? '2025-01-06T08:00:00.000Z');
  let tick = 0;
  let receipt = 0;
  let serial = 0;

  const common = (stamp: Stamp, kind: string) => ({
    id: testId(stamp.id ?? `${kind}-${String((serial += 1))}`),
    schoolId: testSchoolId,
    currency,
    createdAt: stamp.at ?? new Date(startMs + (tick += 1) * 60_000).toISOString(),
    createdBy: testCashierId,
  });
  const record = <T extends LedgerEntry>(entry: T): T => {
    entries.push(entry);
    return entry;
  };
  const allocationsOf = (inputs: readonly TestAllocationInput[]) =>
    inputs.map((input) => {
      const { charge, amount, student } = 'charge' in input ? input : { charge: input[0], amount: input[1], student: undefined };
      const chargeId = testId(charge);
      const studentId = student === undefined ? studentOfCharge.get(chargeId) : testId(student);
      if (studentId === undefined) throw new Error(`test ledger: charge '${charge}' was not built here; give its student`);
      return { studentId, chargeId, amount };
    });
  const paymentOf = (payment: string): PaymentDoc => {
    const id = testId(payment);
    const found = entries.find((entry): entry is PaymentDoc => entry.type === 'payment' && entry.id === id);
    if (found === undefined) throw new Error(`test ledger: payment '${payment}' was not built here`);
    return found;
  };
  const reasonOf = (reason: string | undefined) => reason ?? 'Test correction';

  return {
    /** Everything built so far, in the order built. */
    entries: (): LedgerEntry[] => [...entries],

    invoice(input: Stamp & { student: string; term?: string; issuedOn?: string; charges: readonly TestChargeInput[] }): InvoiceDoc {
      const studentId = testId(input.student);
      return record({
        ...common(input, 'invoice'),
        type: 'invoice',
        studentId,
        termId: testId(input.term ?? 'term-1'),
        classId: testId('grade-4'),
        feeStructureId: testId('structure-grade-4'),
        issuedOn: input.issuedOn ?? '2025-01-06',
        charges: input.charges.map((charge) => {
          studentOfCharge.set(testId(charge.id), studentId);
          return {
            id: testId(charge.id),
            feeCategoryId: testId(charge.category ?? 'tuition'),
            description: charge.description ?? charge.category ?? 'Tuition',
            instalment: charge.instalment ?? 'Full',
            dueDate: charge.dueDate,
            amount: charge.amount,
            ...(charge.payer === undefined ? {} : { payerId: testId(charge.payer) }),
          };
        }),
      });
    },

    payment(
      input: Stamp & { payer: string; amount: number; allocations?: readonly TestAllocationInput[]; method?: PaymentMethod; cashSession?: string; offline?: boolean },
    ): PaymentDoc {
      receipt += 1;
      return record({
        ...common(input, 'payment'),
        type: 'payment',
        payerId: testId(input.payer),
        receiptNumber: `${options.receiptPrefix ?? 'MAIN-D01'}-${String(receipt).padStart(6, '0')}`,
        deviceId: testDeviceId,
        officeId: testOfficeId,
        ...(input.cashSession === undefined ? {} : { cashSessionId: testId(input.cashSession) }),
        method: input.method ?? 'cash',
        amount: input.amount,
        offline: input.offline ?? false,
        allocations: allocationsOf(input.allocations ?? []),
      });
    },

    discount(input: Stamp & { charge: string; amount: number; source?: (typeof discountSources)[number]; reason?: string; invoice?: string }): DiscountDoc {
      const chargeId = testId(input.charge);
      const invoice = entries.find((entry): entry is InvoiceDoc => entry.type === 'invoice' && entry.charges.some((c) => c.id === chargeId));
      return record({
        ...common(input, 'discount'),
        type: 'discount',
        studentId: studentOfCharge.get(chargeId) ?? testId('unknown-student'),
        invoiceId: input.invoice === undefined ? (invoice?.id ?? testId('unknown-invoice')) : testId(input.invoice),
        chargeId,
        source: input.source ?? 'scholarship',
        amount: input.amount,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
      });
    },

    /** Id defaults to the late-fee key, as accrueLateFees would make it. */
    fine(input: Stamp & { charge: string; rule: string; period: number; accruedOn: string; amount: number; payer?: string }): FineDoc {
      const chargeId = testId(input.charge);
      const ruleId = testId(input.rule);
      const fine = record({
        ...common({ ...input, id: input.id ?? lateFeeFineId(chargeId, ruleId, input.period) }, 'fine'),
        type: 'fine',
        studentId: studentOfCharge.get(chargeId) ?? testId('unknown-student'),
        chargeId,
        ruleId,
        period: input.period,
        accruedOn: input.accruedOn,
        amount: input.amount,
        ...(input.payer === undefined ? {} : { payerId: testId(input.payer) }),
      } satisfies FineDoc);
      studentOfCharge.set(fine.id, fine.studentId);
      return fine;
    },

    waiver(input: Stamp & { fine: string; amount: number; reason?: string }): WaiverDoc {
      const fineId = testId(input.fine);
      return record({ ...common(input, 'waiver'), type: 'waiver', studentId: studentOfCharge.get(fineId) ?? testId('unknown-student'), fineId, amount: input.amount, reason: reasonOf(input.reason) });
    },

    writeOff(input: Stamp & { charge: string; amount: number; reason?: string }): WriteOffDoc {
      const chargeId = testId(input.charge);
      return record({ ...common(input, 'writeOff'), type: 'writeOff', studentId: studentOfCharge.get(chargeId) ?? testId('unknown-student'), chargeId, amount: input.amount, reason: reasonOf(input.reason) });
    },

    voidPayment(input: Stamp & { payment: string; payer?: string; reason?: string; cashSession?: string }): VoidDoc {
      const payerId = input.payer === undefined ? paymentOf(input.payment).payerId : testId(input.payer);
      return record({
        ...common(input, 'void'),
        type: 'void',
        paymentId: testId(input.payment),
        payerId,
        ...(input.cashSession === undefined ? {} : { cashSessionId: testId(input.cashSession) }),
        reason: reasonOf(input.reason),
      });
    },

    chequeReturn(input: Stamp & { payment: string; payer?: string; returnedOn: string; reason?: string }): ChequeReturnDoc {
      const payerId = input.payer === undefined ? paymentOf(input.payment).payerId : testId(input.payer);
      return record({ ...common(input, 'chequeReturn'), type: 'chequeReturn', paymentId: testId(input.payment), payerId, returnedOn: input.returnedOn, reason: reasonOf(input.reason) });
    },

    creditApplication(input: Stamp & { payer: string; allocations: readonly TestAllocationInput[] }): CreditApplicationDoc {
      return record({ ...common(input, 'credit'), type: 'creditApplication', payerId: testId(input.payer), allocations: allocationsOf(input.allocations) });
    },

    /** A refund of credit, or with `payment` the refund of that whole payment. */
    refund(input: Stamp & { payer: string; amount: number; method?: PaymentMethod; reason?: string; payment?: string }): RefundDoc {
      return record({
        ...common(input, 'refund'),
        type: 'refund',
        payerId: testId(input.payer),
        amount: input.amount,
        method: input.method ?? 'cash',
        reason: reasonOf(input.reason),
        ...(input.payment === undefined ? {} : { paymentId: testId(input.payment) }),
      });
    },
  };
}

export type TestLedger = ReturnType<typeof testLedger>;

/** A late-fee rule with readable names for its id and fee categories. */
export function testLateFeeRule(input: {
  id: string;
  graceDays: number;
  periodDays: number;
  value: LateFeeRuleDoc['data']['value'];
  cap: number;
  categories?: readonly string[];
  archived?: boolean;
}): LateFeeRuleDoc {
  return {
    id: testId(input.id),
    schoolId: testSchoolId,
    kind: 'lateFeeRule',
    name: input.id,
    ...(input.archived === undefined ? {} : { archived: input.archived }),
    data: {
      graceDays: input.graceDays,
      periodDays: input.periodDays,
      value: input.value,
      cap: input.cap,
      feeCategoryIds: (input.categories ?? []).map(testId),
    },
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A random ledger and the readable names of its payers and students (as ids). */
export interface TestHistory {
  entries: LedgerEntry[];
  payerIds: string[];
  studentIds: string[];
}

const HISTORY_START = Date.parse('2025-01-06T08:00:00.000Z');
const minuteArb = fc.integer({ min: 0, max: 30 });
const amountArb = fc.integer({ min: 1, max: 6_000 });
/** An index into whatever list it is used with; absent = a charge or payment not in the ledger. */
const targetArb = fc.option(fc.nat(), { nil: undefined, freq: 8 });
const allocationsArb = (minLength: number) => fc.array(fc.record({ target: targetArb, amount: amountArb }), { minLength, maxLength: 3 });

/**
 * Random histories of 3 payers and 4 students: invoices with random charges (some billed to no
 * payer), fines, discounts, waivers, write-offs, payments with random and over-allocations,
 * voids, cheque returns (some of unknown payments), credit applications, refunds and exact
 * duplicates, with clashing timestamps. Amounts and reductions may exceed what is open.
 */
export function arbitraryLedgerHistory(): fc.Arbitrary<TestHistory> {
  const spec = fc.record({
    invoices: fc.array(
      fc.record({
        student: fc.nat({ max: 3 }),
        minute: minuteArb,
        charges: fc.array(fc.record({ amount: amountArb, due: fc.nat({ max: 120 }), payer: fc.option(fc.nat({ max: 2 }), { nil: undefined, freq: 5 }) }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    fines: fc.array(fc.record({ charge: fc.nat(), amount: amountArb, minute: minuteArb }), { maxLength: 3 }),
    discounts: fc.array(fc.record({ charge: fc.nat(), amount: amountArb, minute: minuteArb }), { maxLength: 3 }),
    waivers: fc.array(fc.record({ fine: fc.nat(), amount: amountArb, minute: minuteArb }), { maxLength: 2 }),
    writeOffs: fc.array(fc.record({ target: fc.nat(), amount: amountArb, minute: minuteArb }), { maxLength: 2 }),
    payments: fc.array(
      fc.record({ payer: fc.nat({ max: 2 }), amount: fc.integer({ min: 1, max: 9_000 }), cheque: fc.boolean(), allocations: allocationsArb(0), minute: minuteArb }),
      { maxLength: 6 },
    ),
    reversals: fc.array(fc.record({ payment: targetArb, cheque: fc.boolean(), minute: minuteArb }), { maxLength: 3 }),
    creditApplications: fc.array(fc.record({ payer: fc.nat({ max: 2 }), allocations: allocationsArb(1), minute: minuteArb }), { maxLength: 3 }),
    refunds: fc.array(fc.record({ payer: fc.nat({ max: 2 }), amount: amountArb, minute: minuteArb }), { maxLength: 2 }),
    duplicates: fc.array(fc.nat(), { maxLength: 3 }),
  });

  return spec.map((h) => {
    const t = testLedger();
    const at = (minute: number) => ({ at: new Date(HISTORY_START + minute * 60_000).toISOString() });
    const payer = (index: number) => `payer-${String(index)}`;
    const charges: { name: string; student: string; payer?: string }[] = [];
    h.invoices.forEach((invoice, i) => {
      const student = `student-${String(invoice.student)}`;
      const lines = invoice.charges.map((c, j) => ({
        id: `charge-${String(i)}-${String(j)}`,
        amount: c.amount,
        dueDate: new Date(Date.UTC(2025, 0, 6 + c.due)).toISOString().slice(0, 10),
        ...(c.payer === undefined ? {} : { payer: payer(c.payer) }),
      }));
      t.invoice({ ...at(invoice.minute), id: `invoice-${String(i)}`, student, term: `term-${String(i % 2)}`, charges: lines });
      for (const line of lines) charges.push({ name: line.id, student, ...(line.payer === undefined ? {} : { payer: line.payer }) });
    });
    const fines = h.fines.map((fine, i) => {
      const on = charges[fine.charge % charges.length] ?? { name: 'none', student: 'none' };
      const name = `fine-${String(i)}`;
      t.fine({ ...at(fine.minute), id: name, charge: on.name, rule: 'late', period: i + 1, accruedOn: '2025-03-01', amount: fine.amount, ...(on.payer === undefined ? {} : { payer: on.payer }) });
      return { name, student: on.student, ...(on.payer === undefined ? {} : { payer: on.payer }) };
    });
    const targets = [...charges, ...fines];
    const allocations = (list: readonly { target: number | undefined; amount: number }[]) =>
      list.map(({ target, amount }) => {
        const to = target === undefined ? undefined : targets[target % targets.length];
        return to === undefined ? { charge: 'not-in-ledger', student: 'student-0', amount } : { charge: to.name, student: to.student, amount };
      });

    for (const d of h.discounts) t.discount({ ...at(d.minute), charge: (charges[d.charge % charges.length] ?? { name: 'none' }).name, amount: d.amount });
    for (const w of h.waivers) {
      const fine = fines[w.fine % Math.max(fines.length, 1)];
      if (fine !== undefined) t.waiver({ ...at(w.minute), fine: fine.name, amount: w.amount });
    }
    for (const w of h.writeOffs) t.writeOff({ ...at(w.minute), charge: (targets[w.target % targets.length] ?? { name: 'none' }).name, amount: w.amount });
    const payments = h.payments.map((p, i) => {
      const name = `payment-${String(i)}`;
      t.payment({ ...at(p.minute), id: name, payer: payer(p.payer), amount: p.amount, method: p.cheque ? 'cheque' : 'cash', allocations: allocations(p.allocations) });
      return name;
    });
    for (const r of h.reversals) {
      const known = r.payment === undefined ? undefined : payments[r.payment % Math.max(payments.length, 1)];
      const target = known === undefined ? { payment: 'not-in-ledger', payer: payer(0) } : { payment: known };
      if (r.cheque) t.chequeReturn({ ...at(r.minute), ...target, returnedOn: '2025-01-06' });
      else t.voidPayment({ ...at(r.minute), ...target });
    }
    for (const c of h.creditApplications) t.creditApplication({ ...at(c.minute), payer: payer(c.payer), allocations: allocations(c.allocations) });
    for (const r of h.refunds) t.refund({ ...at(r.minute), payer: payer(r.payer), amount: r.amount });

    const entries = t.entries();
    for (const index of h.duplicates) {
      const copy = entries[index % entries.length];
      if (copy !== undefined) entries.push({ ...copy });
    }
    return {
      entries,
      payerIds: [0, 1, 2].map((i) => testId(payer(i))),
      studentIds: [0, 1, 2, 3].map((i) => testId(`student-${String(i)}`)),
    };
  });
}
