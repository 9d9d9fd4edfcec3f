// Ledger pushes end to end: entries that follow the core ledger rules are stored, and any push
// with one entry that breaks them is refused whole, with a reason a bursar can read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import {
  LEDGER_SCHEMA_VERSION,
  newId,
  type ChequeReturnDoc,
  type CreditApplicationDoc,
  type DiscountDoc,
  type ErrorBody,
  type FineDoc,
  type InvoiceDoc,
  type LedgerEntry,
  type PaymentDoc,
  type PullResponse,
  type RefundDoc,
  type VoidDoc,
  type WaiverDoc,
  type WriteOffDoc,
} from '@feemaster/core';
import { auditLog, schoolChangeCounters, schools, syncDocuments } from '../db/schema.ts';
import { checkLedgerPush } from './ledger-checks.ts';
import { openTestDatabase, type TestDatabase } from '../../test/database.ts';
import { signInAs, startTestServer, type TestServer } from '../../test/fixtures.ts';

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await server.app.close();
  await database.close();
});
beforeEach(async () => {
  await server?.app.close();
  await database.reset();
  server = await startTestServer(database);
});

const PUSH = `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/push`;
const student = newId();
const sibling = newId();
const payer = newId();

type Row = Record<string, unknown>;

async function push(...docs: Row[]) {
  return pushAs(server.token, ...docs);
}
async function pushAs(token: string, ...docs: Row[]) {
  return server.app.inject({
    method: 'POST',
    url: PUSH,
    headers: { authorization: `Bearer ${token}` },
    payload: docs.map((doc) => ({ assumedMasterState: null, newDocumentState: { ...doc, _deleted: false } })),
  });
}
async function pushOk(...docs: Row[]): Promise<void> {
  const res = await push(...docs);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json()).toEqual([]);
}
/** Documents stored by the tests' pushes (setup writes the school's settings and office too). */
async function storedCount(): Promise<number> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(syncDocuments).where(eq(syncDocuments.collection, 'ledger'));
  return Number(row?.n);
}
/** Intl puts a no-break space between currency code and amount; people read a space. */
const readable = (text: string): string => text.replaceAll('\u00a0', ' ');

const common = () => ({ id: newId(), schoolId: server.schoolId, currency: 'KES', createdAt: new Date().toISOString(), createdBy: newId() });

function invoice(overrides: Partial<InvoiceDoc> = {}): InvoiceDoc {
  return {
    ...common(),
    type: 'invoice',
    studentId: student,
    termId: newId(),
    classId: newId(),
    feeStructureId: newId(),
    issuedOn: '2025-01-06',
    charges: [
      { id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Term 1', dueDate: '2025-01-31', amount: 1_500_000 },
      { id: newId(), feeCategoryId: newId(), description: 'Transport', instalment: 'Term 1', dueDate: '2025-01-31', amount: 400_000 },
    ],
    ...overrides,
  };
}
function chargeId(inv: InvoiceDoc, index = 0): string {
  const charge = inv.charges[index];
  if (!charge) throw new Error(`the test invoice has no charge ${String(index)}`);
  return charge.id;
}
let receiptSeq = 0;
function payment(overrides: Partial<PaymentDoc> = {}): PaymentDoc {
  receiptSeq += 1;
  return {
    ...common(),
    type: 'payment',
    payerId: payer,
    receiptNumber: `MAIN-D02-${String(receiptSeq).padStart(6, '0')}`,
    deviceId: newId(),
    officeId: newId(),
    method: 'cash',
    amount: 100_000,
    offline: true,
    allocations: [],
    ...overrides,
  };
}
function fine(inv: InvoiceDoc, overrides: Partial<FineDoc> = {}): FineDoc {
  return { ...common(), type: 'fine', studentId: student, chargeId: chargeId(inv), ruleId: newId(), period: 1, accruedOn: '2025-02-01', amount: 50_000, ...overrides };
}
function discount(inv: InvoiceDoc, overrides: Partial<DiscountDoc> = {}): DiscountDoc {
  return { ...common(), type: 'discount', studentId: student, invoiceId: inv.id, chargeId: chargeId(inv), source: 'sibling', amount: 150_000, ...overrides };
}
function waiver(of: FineDoc, overrides: Partial<WaiverDoc> = {}): WaiverDoc {
  return { ...common(), type: 'waiver', studentId: student, fineId: of.id, amount: 20_000, reason: 'Parent was in hospital', ...overrides };
}
function writeOff(inv: InvoiceDoc, overrides: Partial<WriteOffDoc> = {}): WriteOffDoc {
  return { ...common(), type: 'writeOff', studentId: student, chargeId: chargeId(inv, 1), amount: 100_000, reason: 'Bus route cancelled mid-term', ...overrides };
}
function voidOf(paymentId: string, overrides: Partial<VoidDoc> = {}): VoidDoc {
  return { ...common(), type: 'void', paymentId, payerId: payer, reason: 'Typed the wrong amount', ...overrides };
}
function chequeReturnOf(paymentId: string, overrides: Partial<ChequeReturnDoc> = {}): ChequeReturnDoc {
  return { ...common(), type: 'chequeReturn', paymentId, payerId: payer, returnedOn: '2025-01-20', reason: 'Refer to drawer', ...overrides };
}
function creditApplication(allocations: CreditApplicationDoc['allocations']): CreditApplicationDoc {
  return { ...common(), type: 'creditApplication', payerId: payer, allocations };
}
function refund(overrides: Partial<RefundDoc> = {}): RefundDoc {
  return { ...common(), type: 'refund', payerId: payer, amount: 20_000, method: 'mobileMoney', reference: 'QJK4H7T2LP', reason: 'Left the school', ...overrides };
}

describe('valid ledger pushes', () => {
  it('stores a term of entries pushed as a desk records them, and pulls them back', async () => {
    const inv = invoice();
    const lateFee = fine(inv);
    const cash = payment({
      amount: 1_000_000,
      allocations: [
        { studentId: student, chargeId: chargeId(inv), amount: 900_000 },
        { studentId: student, chargeId: lateFee.id, amount: 50_000 },
      ],
    });
    const cheque = payment({ method: 'cheque', reference: 'CHQ 004512', amount: 200_000, allocations: [{ studentId: student, chargeId: chargeId(inv, 1), amount: 200_000 }] });
    const entries: LedgerEntry[] = [inv, lateFee, discount(inv), waiver(lateFee), writeOff(inv)];
    await pushOk(...entries);
    const later: LedgerEntry[] = [
      cash,
      voidOf(cash.id),
      cheque,
      chequeReturnOf(cheque.id),
      creditApplication([{ studentId: student, chargeId: chargeId(inv), amount: 10_000 }]),
      refund(),
    ];
    await pushOk(...later);
    expect(await storedCount()).toBe(entries.length + later.length);
    const pulled = await server.app.inject({ method: 'GET', url: `/api/v1/sync/ledger/${LEDGER_SCHEMA_VERSION}/pull?limit=100`, headers: { authorization: `Bearer ${server.token}` } });
    expect(pulled.json<PullResponse<LedgerEntry>>().documents.map((d) => d.id)).toEqual([...entries, ...later].map((e) => e.id));
    // Every column of the stored rows, as the pusher and the feed order say.
    const stored = await database.db.select().from(syncDocuments).where(eq(syncDocuments.collection, 'ledger')).orderBy(syncDocuments.seq);
    const [actor] = await database.db.select({ id: auditLog.actorUserId }).from(auditLog).where(eq(auditLog.entityId, cash.id));
    expect(actor?.id).toMatch(/^[0-9a-f-]{36}$/);
    const seqs = stored.map((row) => row.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(stored.map(({ seq: _seq, serverUpdatedAt: _at, ...row }) => row)).toEqual(
      [...entries, ...later].map((entry) => ({ collection: 'ledger', id: entry.id, schoolId: server.schoolId, deleted: false, data: entry, updatedBy: actor?.id })),
    );
    for (const row of stored) expect(Math.abs(Date.parse(row.serverUpdatedAt) - Date.now())).toBeLessThan(60_000);
  });

  it('accepts a void pushed in the same upload as its payment', async () => {
    const cash = payment();
    await pushOk(cash, voidOf(cash.id));
    expect(await storedCount()).toBe(2);
  });

  it('accepts an allocation to a charge on an invoice in the same upload', async () => {
    const inv = invoice();
    await pushOk(inv, payment({ allocations: [{ studentId: student, chargeId: chargeId(inv, 1), amount: 100_000 }] }));
    expect(await storedCount()).toBe(2);
  });

  it('accepts two payments that each pay the same charge in full (two offline desks)', async () => {
    const inv = invoice();
    await pushOk(inv);
    const full = { studentId: student, chargeId: chargeId(inv, 1), amount: 400_000 };
    await pushOk(payment({ amount: 400_000, allocations: [full] }));
    await pushOk(payment({ amount: 400_000, allocations: [full] }));
    expect(await storedCount()).toBe(3);
  });

  it('stores a repeated upload once, even with entries that refer to each other', async () => {
    const cash = payment();
    const voided = voidOf(cash.id);
    await pushOk(cash, voided);
    await pushOk(cash, voided);
    await pushOk(voided);
    expect(await storedCount()).toBe(2);
  });

  it('does not judge a stored entry again when it is uploaded again, only the new ones beside it', async () => {
    const cash = payment();
    await pushOk(cash);
    // The school's currency changed since (a correction by the owner): the stored payment's KES
    // now breaks a rule, but it is recorded and its repeated upload is accepted.
    await database.db.update(schools).set({ currency: 'UGX' }).where(eq(schools.id, server.schoolId));
    try {
      await pushOk(cash);
      const res = await push(cash, payment());
      expect(res.statusCode).toBe(422);
      const body = res.json<ErrorBody>();
      expect(body.problems?.map((p) => p.index)).toEqual([1]);
      expect(await storedCount()).toBe(1);
    } finally {
      await database.db.update(schools).set({ currency: 'KES' }).where(eq(schools.id, server.schoolId));
    }
  });
});

describe('tills', () => {
  it('a cashier opens a till, takes a cash, a cheque and a mobile-money payment in it, and closes it; one upload', async () => {
    const cashier = await signInAs(server, database, 'cashier');
    const deviceId = newId();
    const officeId = newId();
    const till = { ...common(), type: 'cashSessionOpen', deviceId, officeId, float: 200_000 } satisfies LedgerEntry;
    const inTill = { deviceId, officeId, cashSessionId: till.id };
    const taken = [
      payment({ ...inTill, amount: 150_000, tendered: 200_000 }),
      payment({ ...inTill, method: 'cheque', amount: 300_000, cheque: { number: '004512', bank: 'Equity Bank', date: '2025-01-10' } }),
      payment({ ...inTill, method: 'mobileMoney', amount: 50_000, mobileMoneyProvider: 'M-Pesa', reference: 'QK45TY7' }),
    ];
    const close = {
      ...common(),
      type: 'cashSessionClose',
      cashSessionId: till.id,
      deviceId,
      officeId,
      expected: [{ method: 'cash', amount: 350_000 }, { method: 'cheque', amount: 300_000 }, { method: 'mobileMoney', amount: 50_000 }],
      counted: [{ method: 'cash', amount: 345_000 }, { method: 'cheque', amount: 300_000 }, { method: 'mobileMoney', amount: 50_000 }],
      varianceReason: 'KES 50 short: change given twice',
    } satisfies LedgerEntry;
    const res = await pushAs(cashier, till, ...taken, close);
    expect(res.statusCode, res.body).toBe(200);
    expect(await storedCount()).toBe(5);
  });

  it('refuses a payment in a till never opened, one opened on another desk, and a closing whose shortfall has no reason', async () => {
    const deviceId = newId();
    const till = { ...common(), type: 'cashSessionOpen', deviceId, officeId: newId(), float: 0 } satisfies LedgerEntry;
    await pushOk(till);
    const nowhere = newId();
    const unknown = await push(payment({ deviceId, cashSessionId: nowhere }));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<ErrorBody>().message).toContain(`the till it names (${nowhere}) was never opened at this school`);
    const elsewhere = await push(payment({ cashSessionId: till.id }));
    expect(elsewhere.json<ErrorBody>().message).toContain(`the till ${till.id} was opened on another desk`);
    const short = await push({ ...common(), type: 'cashSessionClose', cashSessionId: till.id, deviceId, officeId: till.officeId, expected: [{ method: 'cash', amount: 100 }], counted: [{ method: 'cash', amount: 0 }] });
    expect(short.statusCode).toBe(422);
    expect(short.json<ErrorBody>().message).toContain('give the reason for the difference');
    expect(await storedCount()).toBe(1);
  });
});

describe('refused ledger pushes write nothing', () => {
  let inv: InvoiceDoc;
  let lateFee: FineDoc;
  let cash: PaymentDoc;
  let before: number;

  beforeEach(async () => {
    inv = invoice();
    lateFee = fine(inv);
    cash = payment();
    await pushOk(inv, lateFee, cash);
    before = await storedCount();
  });

  /** Pushes a valid new entry and then `bad`, expects the whole upload refused, and returns the error. */
  async function expectRefused(bad: Row, error: ErrorBody['error']): Promise<ErrorBody> {
    const res = await push(refund(), bad);
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json<ErrorBody>();
    expect(body.error).toBe(error);
    expect(body.message).toContain('Nothing from this upload was saved');
    // The immutability refusal comes from the write loop, which reports no row index.
    expect(body.problems?.[0]).toMatchObject(error === 'immutable-document' ? { id: bad.id } : { index: 1, id: bad.id });
    expect(await storedCount()).toBe(before);
    return { ...body, message: readable(body.message) };
  }

  it.each([
    ['a zero amount', () => ({ ...payment(), amount: 0 }), 'amount'],
    ['a negative amount', () => ({ ...discount(inv), amount: -15_000 }), 'amount'],
    ['a missing field', () => ({ ...refund(), reason: undefined }), 'reason is required'],
  ])('refuses %s by the entry schema', async (_what, bad, expected) => {
    const body = await expectRefused(JSON.parse(JSON.stringify(bad())) as Row, 'invalid-document');
    expect(body.message).toContain(expected);
  });

  it.each<[string, () => LedgerEntry, string]>([
    ['a currency other than the school’s', () => ({ ...payment(), currency: 'UGX' }), 'the currency is UGX but this school keeps its accounts in KES'],
    [
      'allocations that exceed the payment',
      () =>
        payment({
          amount: 100_000,
          allocations: [
            { studentId: student, chargeId: chargeId(inv), amount: 70_000 },
            { studentId: student, chargeId: chargeId(inv, 1), amount: 50_000 },
          ],
        }),
      'allocations total KES 1,200.00 but the payment is KES 1,000.00',
    ],
    [
      'the same charge twice in one payment',
      () =>
        payment({
          allocations: [
            { studentId: student, chargeId: chargeId(inv), amount: 10_000 },
            { studentId: student, chargeId: chargeId(inv), amount: 10_000 },
          ],
        }),
      'is allocated more than once in this payment',
    ],
    ['an allocation to an unknown charge', () => payment({ allocations: [{ studentId: student, chargeId: newId(), amount: 10_000 }] }), 'which is not on any invoice or late fee of this school'],
    ['an allocation for another student', () => payment({ allocations: [{ studentId: sibling, chargeId: chargeId(inv), amount: 10_000 }] }), `is for student ${sibling} but charge`],
    ['credit applied to an unknown charge', () => creditApplication([{ studentId: student, chargeId: newId(), amount: 10_000 }]), 'which is not on any invoice or late fee of this school'],
    ['a void of an unknown payment', () => voidOf(newId()), 'is not recorded for this school'],
    ['a void of an invoice', () => voidOf(inv.id), 'is an invoice, not a payment'],
    ['a void for another payer', () => voidOf(cash.id, { payerId: newId() }), `was made by payer ${payer}, not payer`],
    ['a cheque return of a cash payment', () => chequeReturnOf(cash.id), 'was taken by cash, not by cheque'],
    ['a waiver of an unknown late fee', () => ({ ...waiver(lateFee), fineId: newId() }), 'is not recorded for this school'],
    ['a waiver of more than the late fee', () => waiver(lateFee, { amount: 50_001 }), 'the waiver of KES 500.01 is more than the late fee of KES 500.00'],
    ['a discount on an unknown invoice', () => discount(inv, { invoiceId: newId() }), 'is not recorded for this school'],
    ['a discount on a charge not on the invoice', () => discount(inv, { chargeId: newId() }), 'is not on invoice'],
    ['a discount of more than the charge', () => discount(inv, { amount: 1_500_001 }), 'the discount of KES 15,000.01 is more than the charge of KES 15,000.00 (Tuition)'],
    ['a discount for another student', () => discount(inv, { studentId: sibling }), `is for student ${student}, not student ${sibling}`],
    ['a write-off of an unknown charge', () => writeOff(inv, { chargeId: newId() }), 'is not on any invoice or late fee of this school'],
    ['a write-off of more than the charge', () => writeOff(inv, { amount: 400_001 }), 'the write-off of KES 4,000.01 is more than the charge of KES 4,000.00 (Transport)'],
    [
      'an invoice with one charge id twice',
      () => {
        const twice = invoice();
        return { ...twice, charges: twice.charges.map((charge) => ({ ...charge, id: chargeId(twice) })) };
      },
      'appears more than once on the invoice',
    ],
    ['a late fee on an unknown charge', () => fine(inv, { chargeId: newId() }), 'which is not on any invoice of this school'],
  ])('refuses %s with the reason', async (_what, bad, reason) => {
    const entry = bad();
    const body = await expectRefused(entry, 'ledger-rule');
    expect(body.message).toMatch(new RegExp(`^(Payment|Void|Cheque return|Waiver|Discount|Write-off|Invoice|Late fee|Credit application) ${entry.id} was refused: `));
    expect(body.message).toContain(reason);
  });

  it('refuses a change to an already-stored payment', async () => {
    const body = await expectRefused({ ...cash, amount: 90_000 }, 'immutable-document');
    expect(body.message).toContain('is already recorded and cannot be changed');
  });

  it('refuses a void that comes before its payment in the upload', async () => {
    const later = payment();
    const res = await push(voidOf(later.id), later);
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().problems?.[0]).toMatchObject({ index: 0, path: '/paymentId' });
    expect(await storedCount()).toBe(before);
  });

  it('reports every refused entry of the upload, and names the first in the message', async () => {
    const first = voidOf(newId());
    const second = payment({ currency: 'USD' });
    const res = await push(first, refund(), second);
    const body = res.json<ErrorBody>();
    expect(body.message).toMatch(new RegExp(`^Void ${first.id} was refused: the payment it voids \\(${first.paymentId}\\) is not recorded for this school\\.`));
    expect(body.problems?.map((p) => [p.index, p.path])).toEqual([
      [0, '/paymentId'],
      [2, '/currency'],
    ]);
    expect(await storedCount()).toBe(before);
  });
});

describe('tenancy', () => {
  const otherSchoolId = newId();
  let theirPayment: PaymentDoc;
  let theirInvoice: InvoiceDoc;

  beforeEach(async () => {
    // initSchool allows one school per server, so the neighbour is written directly.
    await database.db.insert(schools).values({ id: otherSchoolId, name: 'Lakeview School', currency: 'KES', timezone: 'Africa/Nairobi' });
    await database.db.insert(schoolChangeCounters).values({ schoolId: otherSchoolId, lastSeq: 2 });
    theirPayment = { ...payment(), schoolId: otherSchoolId };
    theirInvoice = { ...invoice(), schoolId: otherSchoolId };
    const now = new Date().toISOString();
    await database.db.insert(syncDocuments).values([
      { collection: 'ledger', id: theirPayment.id, schoolId: otherSchoolId, seq: 1, deleted: false, data: theirPayment, serverUpdatedAt: now },
      { collection: 'ledger', id: theirInvoice.id, schoolId: otherSchoolId, seq: 2, deleted: false, data: theirInvoice, serverUpdatedAt: now },
    ]);
  });

  it('treats another school’s payment as unknown', async () => {
    const res = await push(voidOf(theirPayment.id, { payerId: theirPayment.payerId }));
    expect(res.statusCode).toBe(422);
    const body = res.json<ErrorBody>();
    expect(body.error).toBe('ledger-rule');
    expect(body.message).toContain(`the payment it voids (${theirPayment.id}) is not recorded for this school`);
    expect(await storedCount()).toBe(2);
  });

  it('treats another school’s payment as unknown after the server has read it for that school', async () => {
    // The server keeps entries it has read (they never change); a kept one is still the other school's.
    await database.db.transaction((tx) => checkLedgerPush(tx, otherSchoolId, [{ ...voidOf(theirPayment.id, { payerId: theirPayment.payerId }), schoolId: otherSchoolId }], () => Promise.resolve(new Set<string>())));
    const res = await push(voidOf(theirPayment.id, { payerId: theirPayment.payerId }));
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().message).toContain(`the payment it voids (${theirPayment.id}) is not recorded for this school`);
  });

  it('treats another school’s invoice charges as unknown', async () => {
    const res = await push(payment({ allocations: [{ studentId: student, chargeId: chargeId(theirInvoice), amount: 10_000 }] }));
    expect(res.statusCode).toBe(422);
    expect(res.json<ErrorBody>().message).toContain('which is not on any invoice or late fee of this school');
    expect(await storedCount()).toBe(2);
  });
});

describe('who may record what', () => {
  it('a cashier takes a payment but cannot refund, write off or waive; nothing of a refused push is kept', async () => {
    const inv = invoice();
    const lateFee = fine(inv);
    await pushOk(inv, lateFee);
    const cashier = await signInAs(server, database, 'cashier');
    const before = await storedCount();
    for (const doc of [refund(), writeOff(inv), waiver(lateFee)]) {
      const res = await pushAs(cashier, payment(), doc);
      expect(res.statusCode).toBe(403);
      expect(res.json<ErrorBody>().message).toMatch(/a cashier cannot (record refunds|write off fees|waive late fees); ask someone with one of these roles/);
      expect(await storedCount()).toBe(before);
    }
    const ok = await pushAs(cashier, payment({ allocations: [{ studentId: student, chargeId: chargeId(inv), amount: 100_000 }] }));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await storedCount()).toBe(before + 1);
  });

  it('a bursar may refund and waive, but only an owner or admin writes off', async () => {
    const inv = invoice();
    const lateFee = fine(inv);
    await pushOk(inv, lateFee, payment({ amount: 500_000 }));
    const bursar = await signInAs(server, database, 'bursar');
    expect((await pushAs(bursar, waiver(lateFee))).statusCode).toBe(200);
    expect((await pushAs(bursar, writeOff(inv))).statusCode).toBe(403);
    const admin = await signInAs(server, database, 'admin');
    expect((await pushAs(admin, writeOff(inv))).statusCode).toBe(200);
  });
});
