// GET /api/v1/bulk/export-* as a script or a bursar's download uses it: exact CSV for a small
// school, an XLSX that reads back with real dates and numeric amounts, JSON with exact money,
// the filters applied, formulas defused end to end, only the school's own records, refusals for
// roles the permission table leaves out, and a 400 that says what to write for a bad filter.
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import readXlsxFile from 'read-excel-file/universal';
import {
  localDate,
  newId,
  type ClassDoc,
  type DeviceDoc,
  type ErrorBody,
  type InvoiceDoc,
  type OfficeDoc,
  type Payer,
  type PaymentDoc,
  type Role,
  type Student,
  type VoidDoc,
} from '@feemaster/core';
import { auditLog, schoolChangeCounters, schools, syncDocuments, users } from '../db/schema.ts';
import { OWNER, signInAs, startTestServer } from '../../test/fixtures.ts';
import { serverPerTest } from '../../test/server-per-test.ts';
import { schoolDocuments } from './school-documents.ts';

const suite = serverPerTest((database) => startTestServer(database));
const KINDS = ['students', 'payers', 'invoices', 'payments', 'statements'] as const;
const at = '2025-01-01T00:00:00.000Z';
const HYPERLINK = '=HYPERLINK("http://evil.example","Pay here")';

function get(url: string, token = suite.server.token) {
  return suite.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

async function ok(url: string, token = suite.server.token) {
  const res = await get(url, token);
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

async function refused(url: string, status: number) {
  const res = await get(url);
  expect(res.statusCode, res.body).toBe(status);
  return res.json<ErrorBody>().message;
}

let seq = 1_000;
/** Stores documents as a push would have (the export reads the stored feed, not the push path). */
async function store(collection: string, docs: readonly { id: string; schoolId: string }[]): Promise<void> {
  await suite.database.db.insert(syncDocuments).values(docs.map((doc) => ({ collection, id: doc.id, schoolId: doc.schoolId, seq: (seq += 1), deleted: false, data: doc })));
}

/** Hillside's register: two classes, three students (one named like a formula), a family, a term's invoices and payments. */
async function hillside() {
  const schoolId = suite.server.schoolId;
  const [owner] = await suite.database.db.select({ id: users.id }).from(users).where(eq(users.email, OWNER.email));
  const [office] = await schoolDocuments<OfficeDoc>(suite.database.db, schoolId, 'reference', ['office']);
  if (!owner || !office) throw new Error('the test school has no owner or office');
  const envelope = { schoolId, createdAt: at, updatedAt: at };
  const grade4: ClassDoc = { ...envelope, id: newId(), kind: 'class', name: 'Grade 4 East', data: { code: 'G4E' } };
  const grade5: ClassDoc = { ...envelope, id: newId(), kind: 'class', name: 'Grade 5 West', data: { code: 'G5W' } };
  const desk: DeviceDoc = { ...envelope, id: newId(), kind: 'device', name: 'Front desk', data: { officeId: office.id, code: 'D01' } };
  await store('reference', [grade4, grade5, desk]);
  const student = (admissionNumber: string, firstName: string, lastName: string, fields: Partial<Student> = {}): Student => ({ ...envelope, id: newId(), admissionNumber, firstName, lastName, status: 'active', ...fields });
  const amina = student('ADM-001', 'Amina', 'Otieno', { classId: grade4.id, dateOfBirth: '2015-03-09' });
  const brian = student('ADM-002', 'Brian', 'Otieno', { classId: grade5.id });
  const evil = student('ADM-003', HYPERLINK, 'Mallory', { classId: grade4.id, status: 'left' });
  await store('students', [amina, brian, evil]);
  const family: Payer = {
    ...envelope,
    id: newId(),
    kind: 'family',
    name: 'Otieno family',
    contacts: [{ type: 'phone', value: '+254712345678' }, { type: 'email', value: 'otieno@example.org' }],
    preferredChannel: 'sms',
    students: [{ studentId: amina.id, share: 10_000 }, { studentId: brian.id, share: 10_000 }],
  };
  await store('payers', [family]);
  const entry = { schoolId, currency: 'KES', createdBy: owner.id };
  const invoice = (studentId: string, classId: string, amount: number): InvoiceDoc => ({
    ...entry,
    id: newId(),
    createdAt: '2025-01-06T05:00:00.000Z',
    type: 'invoice',
    studentId,
    termId: newId(),
    classId,
    feeStructureId: newId(),
    issuedOn: '2025-01-06',
    charges: [{ id: newId(), feeCategoryId: newId(), description: 'Tuition', instalment: 'Full', dueDate: '2025-01-31', amount }],
  });
  const aminaInvoice = invoice(amina.id, grade4.id, 1_000_000);
  const brianInvoice = invoice(brian.id, grade5.id, 800_000);
  const payment = (n: number, createdAt: string, amount: number, method: PaymentDoc['method'], allocations: PaymentDoc['allocations'], fields: Partial<PaymentDoc> = {}): PaymentDoc => ({
    ...entry,
    id: newId(),
    createdAt,
    type: 'payment',
    payerId: family.id,
    receiptNumber: `MAIN-D01-${String(n).padStart(6, '0')}`,
    deviceId: desk.id,
    officeId: office.id,
    method,
    amount,
    offline: false,
    allocations,
    ...fields,
  });
  const aminaCharge = aminaInvoice.charges[0]?.id ?? '';
  const brianCharge = brianInvoice.charges[0]?.id ?? '';
  const cash = payment(1, '2025-01-10T07:00:00.000Z', 600_000, 'cash', [{ studentId: amina.id, chargeId: aminaCharge, amount: 600_000 }]);
  // 21:30 UTC on 31 January is 00:30 on 1 February in Nairobi.
  const mpesa = payment(2, '2025-01-31T21:30:00.000Z', 800_000, 'mobileMoney', [{ studentId: brian.id, chargeId: brianCharge, amount: 800_000 }], { reference: 'QK45TY7', mobileMoneyProvider: 'M-Pesa', offline: true });
  const transfer = payment(3, '2025-02-03T09:00:00.000Z', 412_550, 'bankTransfer', [{ studentId: amina.id, chargeId: aminaCharge, amount: 400_000 }], { reference: 'FT2412' });
  const voided: VoidDoc = { ...entry, id: newId(), createdAt: '2025-02-01T06:00:00.000Z', type: 'void', paymentId: mpesa.id, payerId: family.id, reason: 'Keyed to the wrong family' };
  await store('ledger', [aminaInvoice, brianInvoice, cash, mpesa, transfer, voided]);
  return { grade4, grade5, office, desk, amina, brian, evil, family, cash, mpesa, transfer };
}

/** A neighbouring school on the same server, with a student and a payment of its own. */
async function neighbour(): Promise<string[]> {
  const schoolId = newId();
  await suite.database.db.insert(schools).values({ id: schoolId, name: 'Lakeview School', currency: 'KES', timezone: 'Africa/Nairobi' });
  await suite.database.db.insert(schoolChangeCounters).values({ schoolId, lastSeq: 0 });
  const envelope = { schoolId, createdAt: at, updatedAt: at };
  const theirs: Student = { ...envelope, id: newId(), admissionNumber: 'LV-001', firstName: 'Zuberi', lastName: 'Kalonzo', status: 'active' };
  const theirPayment: PaymentDoc = { schoolId, currency: 'KES', createdBy: newId(), id: newId(), createdAt: '2025-01-15T08:00:00.000Z', type: 'payment', payerId: newId(), receiptNumber: 'LAKE-D01-000001', deviceId: newId(), officeId: newId(), method: 'cash', amount: 999_900, offline: false, allocations: [] };
  await store('students', [theirs]);
  await store('ledger', [theirPayment]);
  return [theirs.admissionNumber, theirs.firstName, theirPayment.receiptNumber, theirPayment.id];
}

const todayInNairobi = (): string => localDate(new Date().toISOString(), 'Africa/Nairobi');

async function readBack(body: Buffer): Promise<readonly (readonly unknown[])[]> {
  const bytes = new Uint8Array(body.length);
  bytes.set(body);
  const [sheet] = await readXlsxFile(bytes.buffer, { trim: false });
  if (!sheet) throw new Error('the workbook has no sheet');
  return sheet.data;
}

describe('exporting students', () => {
  it('writes the exact CSV, formulas defused, as an attachment named for the day', async () => {
    const s = await hillside();
    const res = await ok('/api/v1/bulk/export-students');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="students-${todayInNairobi()}.csv"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe(
      '\ufeffAdmission number,First name,Last name,Other names,Date of birth,Class,Category,Status,Joined on,Staff child,Payers,Payer phones\r\n' +
        `ADM-003,"'=HYPERLINK(""http://evil.example"",""Pay here"")",Mallory,,,Grade 4 East,,left,,FALSE,,\r\n` +
        "ADM-001,Amina,Otieno,,2015-03-09,Grade 4 East,,active,,FALSE,Otieno family,'+254712345678\r\n" +
        "ADM-002,Brian,Otieno,,,Grade 5 West,,active,,FALSE,Otieno family,'+254712345678\r\n",
    );
    expect(s.evil.firstName).toBe(HYPERLINK);
  });

  it('applies the class, status and search filters', async () => {
    const s = await hillside();
    const numbers = async (query: string) => (await ok(`/api/v1/bulk/export-students?format=json&${query}`)).json<{ admissionNumber: string }[]>().map((r) => r.admissionNumber);
    expect(await numbers(`classId=${s.grade4.id}`)).toEqual(['ADM-003', 'ADM-001']);
    expect(await numbers(`classId=${s.grade4.id}&status=active`)).toEqual(['ADM-001']);
    expect(await numbers('search=brian')).toEqual(['ADM-002']);
    expect(await numbers('search=0712345678')).toEqual(['ADM-001', 'ADM-002']);
  });

  it('keeps a formula-like name as text in XLSX too, and writes the date of birth as a date', async () => {
    await hillside();
    const res = await ok('/api/v1/bulk/export-students?format=xlsx');
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="students-${todayInNairobi()}.xlsx"`);
    const data = await readBack(res.rawPayload);
    expect(data[1]?.slice(0, 3)).toEqual(['ADM-003', `'${HYPERLINK}`, 'Mallory']);
    expect(data[2]?.[4]).toEqual(new Date('2015-03-09T00:00:00.000Z'));
  });
});

describe('exporting payments', () => {
  it('reads back from XLSX with dates, numeric amounts and the school’s clock', async () => {
    const s = await hillside();
    const res = await ok('/api/v1/bulk/export-payments?format=xlsx&includeVoided=true');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="payments-${todayInNairobi()}.xlsx"`);
    const data = await readBack(res.rawPayload);
    expect(data[0]).toEqual(['Receipt number', 'Date', 'Taken at', 'Payer', 'Students', 'Method', 'Reference', 'Particulars', 'Amount', 'Currency', 'Taken offline', 'Cashier', 'Office', 'Desk', 'Status', 'Void/refund reason', 'Payment id']);
    expect(data.slice(1).map((row) => [row[0], row[1], row[8], row[14]])).toEqual([
      ['MAIN-D01-000001', new Date('2025-01-10T00:00:00.000Z'), 6000, 'active'],
      ['MAIN-D01-000002', new Date('2025-02-01T00:00:00.000Z'), 8000, 'voided'],
      ['MAIN-D01-000003', new Date('2025-02-03T00:00:00.000Z'), 4125.5, 'active'],
    ]);
    const voided = data[2] ?? [];
    expect(Math.abs((voided[2] as Date).getTime() - Date.parse('2025-02-01T00:30:00.000Z'))).toBeLessThan(1000);
    expect(voided.slice(3, 8)).toEqual(['Otieno family', 'Brian Otieno (ADM-002)', 'Mobile money', 'QK45TY7', 'M-Pesa QK45TY7']);
    expect(voided.slice(9)).toEqual(['KES', true, 'Grace Wanjiru', 'Main office', 'Front desk', 'voided', 'Keyed to the wrong family', s.mpesa.id]);
  });

  it('filters by the school’s day, method (comma-separated or repeated) and payer, leaving voided payments out unless asked', async () => {
    const s = await hillside();
    const receipts = async (query: string) => (await ok(`/api/v1/bulk/export-payments?format=json&${query}`)).json<{ receiptNumber: string }[]>().map((r) => r.receiptNumber);
    expect(await receipts('')).toEqual(['MAIN-D01-000001', 'MAIN-D01-000003']);
    expect(await receipts('includeVoided=true&from=2025-02-01&to=2025-02-01')).toEqual(['MAIN-D01-000002']);
    expect(await receipts('includeVoided=true&to=2025-01-31')).toEqual(['MAIN-D01-000001']);
    expect(await receipts('includeVoided=true&method=mobileMoney,bankTransfer')).toEqual(['MAIN-D01-000002', 'MAIN-D01-000003']);
    expect(await receipts('includeVoided=true&method=cash&method=bankTransfer')).toEqual(['MAIN-D01-000001', 'MAIN-D01-000003']);
    expect(await receipts(`deviceId=${s.desk.id}&officeId=${s.office.id}&payerId=${s.family.id}`)).toHaveLength(2);
  });

  it('gives scripts JSON with exact decimal amounts and the currency', async () => {
    const s = await hillside();
    const res = await ok('/api/v1/bulk/export-payments?format=json&method=bankTransfer');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual([
      {
        receiptNumber: 'MAIN-D01-000003',
        takenOn: '2025-02-03',
        takenAt: '2025-02-03T09:00:00.000Z',
        payer: 'Otieno family',
        students: 'Amina Otieno (ADM-001)',
        method: 'Bank transfer',
        reference: 'FT2412',
        particulars: 'Ref FT2412',
        amount: '4125.50',
        currency: 'KES',
        offline: false,
        cashier: 'Grace Wanjiru',
        office: 'Main office',
        desk: 'Front desk',
        status: 'active',
        statusReason: null,
        paymentId: s.transfer.id,
      },
    ]);
  });

  it('records the export in the audit trail with its filters', async () => {
    await hillside();
    await ok('/api/v1/bulk/export-payments?format=csv&from=2025-01-01');
    const [entry] = await suite.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'bulk.export'), eq(auditLog.entityType, 'payments')));
    expect(entry?.after).toEqual({ format: 'csv', filters: { from: '2025-01-01' }, rows: 2 });
  });
});

describe('exporting invoices, payers and statements', () => {
  it('lists invoice lines with what is paid and still owed', async () => {
    const s = await hillside();
    const rows = (await ok('/api/v1/bulk/export-invoices?format=json')).json<Record<string, unknown>[]>();
    expect(rows.map((r) => [r.admissionNumber, r.className, r.amount, r.paid, r.open])).toEqual([
      ['ADM-001', 'Grade 4 East', '10000.00', '10000.00', '0.00'],
      ['ADM-002', 'Grade 5 West', '8000.00', '0.00', '8000.00'],
    ]);
    expect((await ok(`/api/v1/bulk/export-invoices?format=json&classId=${s.grade5.id}`)).json<unknown[]>()).toHaveLength(1);
  });

  it('gives each payer’s balance and credit', async () => {
    await hillside();
    const rows = (await ok('/api/v1/bulk/export-payers?format=json')).json<Record<string, unknown>[]>();
    // 10,000 + 8,000 owed; 6,000 + 4,125.50 paid (the M-Pesa payment was voided): 125.50 over on Amina's.
    expect(rows).toEqual([expect.objectContaining({ name: 'Otieno family', admissionNumbers: 'ADM-001; ADM-002', owed: '8000.00', credit: '125.50', currency: 'KES' })]);
  });

  it('writes statements with a running balance and an opening balance from a start date', async () => {
    const s = await hillside();
    const csv = (await ok(`/api/v1/bulk/export-statements?asOf=2025-03-31&from=2025-02-01&payerId=${s.family.id}`)).body;
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('\ufeffPayer,Date,Description,Debit,Credit,Balance,Payer id');
    expect(lines.slice(1, -1).map((l) => l.split(',').slice(1, 6).join(','))).toEqual([
      '2025-02-01,Opening balance,,,12000.00',
      '2025-02-01,Payment MAIN-D01-000002 (mobileMoney),,8000.00,4000.00',
      '2025-02-01,Payment MAIN-D01-000002 voided: Keyed to the wrong family,8000.00,,12000.00',
      '2025-02-03,Payment MAIN-D01-000003 (bankTransfer),,4125.50,7874.50',
    ]);
  });
});

describe('who may export', () => {
  it.each<Role>(['cashier'])('refuses a %s on every export, with the roles that may', async (role) => {
    await hillside();
    const token = await signInAs(suite.server, suite.database, role);
    for (const kind of KINDS) {
      const res = await get(`/api/v1/bulk/export-${kind}`, token);
      expect(res.statusCode, kind).toBe(403);
      expect(res.json<ErrorBody>().message).toBe("A cashier cannot export the school's records; ask someone with one of these roles: owner, admin, bursar, auditor.");
    }
    const exports = await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'bulk.export'));
    expect(exports).toEqual([]);
  });

  it.each<Role>(['admin', 'bursar', 'auditor'])('lets the %s export everything', async (role) => {
    await hillside();
    const token = await signInAs(suite.server, suite.database, role);
    for (const kind of KINDS) expect((await get(`/api/v1/bulk/export-${kind}?format=xlsx`, token)).statusCode, kind).toBe(200);
  });

  it('refuses a request without a valid token', async () => {
    expect((await suite.server.app.inject({ method: 'GET', url: '/api/v1/bulk/export-payments' })).statusCode).toBe(401);
    expect((await get('/api/v1/bulk/export-payments', 'not-a-token')).statusCode).toBe(401);
  });

  it("exports only the caller's school", async () => {
    await hillside();
    const secrets = await neighbour();
    for (const kind of KINDS) {
      for (const format of ['csv', 'json'] as const) {
        const body = (await ok(`/api/v1/bulk/export-${kind}?format=${format}${kind === 'payments' ? '&includeVoided=true' : ''}`)).body;
        for (const secret of secrets) expect(body, `${kind} ${format}`).not.toContain(secret);
      }
    }
  });
});

describe('filters the server cannot use', () => {
  it('answers 400 saying what to write instead', async () => {
    await hillside();
    expect(await refused('/api/v1/bulk/export-payments?format=xls', 400)).toBe("format 'xls' is not one of csv, xlsx, json: write format=xlsx for Excel, format=csv or format=json");
    expect(await refused('/api/v1/bulk/export-students?clas=abc', 400)).toBe("export-students has no filter 'clas': its query parameters are format, classId, categoryId, status, search");
    expect(await refused('/api/v1/bulk/export-payments?from=2025-02-30', 400)).toBe("from: '2025-02-30' is not a calendar date: write it as YYYY-MM-DD, e.g. 2025-01-31");
    expect(await refused('/api/v1/bulk/export-payments?from=2025-03-01&to=2025-02-01', 400)).toBe('from (2025-03-01) is after to (2025-02-01): give the earlier date as from');
    expect(await refused('/api/v1/bulk/export-payments?method=mpesa', 400)).toBe("method 'mpesa' is not one of cash, cheque, bankTransfer, mobileMoney, card, paypal: write one of those");
    expect(await refused('/api/v1/bulk/export-payments?includeVoided=maybe', 400)).toBe('includeVoided=maybe is not understood: write includeVoided=true or includeVoided=false');
    expect(await refused('/api/v1/bulk/export-students?status=expelled', 400)).toBe("status 'expelled' is not one of active, left, graduated: write one of those");
    expect(await refused(`/api/v1/bulk/export-students?classId=${newId()}`, 400)).toContain("the school's classes are Grade 4 East (");
    expect(await refused('/api/v1/bulk/export-statements?asOf=31/03/2025', 400)).toBe("asOf: '31/03/2025' is not a calendar date: write it as YYYY-MM-DD, e.g. 2025-01-31");
    expect(await suite.database.db.select().from(auditLog).where(eq(auditLog.action, 'bulk.export'))).toEqual([]);
  });
});
