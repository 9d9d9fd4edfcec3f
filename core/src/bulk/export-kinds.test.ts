// What each export holds for a small school: the students, families, invoice lines, payments and
// statements the filters pick, with the names, balances and statuses the desk shows.
import { describe, expect, it } from 'vitest';
import type { Payer } from '../fees/payers.ts';
import type { ReferenceDoc } from '../fees/reference.ts';
import { payerStatement } from '../fees/statements.ts';
import { testCashierId, testDeviceId, testId, testLedger, testOfficeId, testSchoolId } from '../fees/test-ledger.ts';
import type { Student } from '../schemas/students.ts';
import { collectExport, exportCsv, ExportError } from './export.ts';
import { invoiceExportRows, payerExportRows, paymentExportColumns, paymentExportRows, statementExportRows, studentExportRows } from './export-kinds.ts';

const id = testId;
const NAIROBI = { timeZone: 'Africa/Nairobi' };
const at = '2025-01-01T00:00:00.000Z';

function ref<K extends ReferenceDoc['kind']>(kind: K, name: string, data: Extract<ReferenceDoc, { kind: K }>['data']): ReferenceDoc {
  return { id: id(name), schoolId: testSchoolId, kind, name, data, createdAt: at, updatedAt: at } as ReferenceDoc;
}

const reference: ReferenceDoc[] = [
  // The test ledger files every invoice under the class 'grade-4'.
  { ...ref('class', 'Grade 4 East', {}), id: id('grade-4') },
  ref('class', 'Grade 5 West', {}),
  ref('studentCategory', 'Boarder', { code: 'BOARD' }),
  ref('studentCategory', 'Day scholar', { code: 'DAY' }),
  ref('term', 'Term 1 2025', { academicYearId: id('2025'), startDate: '2025-01-06', endDate: '2025-04-04' }),
  ref('term', 'Term 2 2025', { academicYearId: id('2025'), startDate: '2025-05-05', endDate: '2025-08-01' }),
  ref('feeCategory', 'Tuition', { code: 'TUI' }),
  { ...ref('office', 'Main office', { code: 'MAIN' }), id: testOfficeId },
  { ...ref('device', 'Front desk', { officeId: testOfficeId, code: 'D01' }), id: testDeviceId },
];

function student(name: string, fields: Partial<Student>): Student {
  const [firstName = '', lastName = ''] = name.split(' ');
  return { id: id(firstName.toLowerCase()), schoolId: testSchoolId, admissionNumber: 'X', firstName, lastName, status: 'active', createdAt: at, updatedAt: at, ...fields };
}

const students: Student[] = [
  student('Amina Otieno', { admissionNumber: 'ADM-002', classId: id('grade-4'), categoryId: id('Boarder'), dateOfBirth: '2015-03-09', joinedOn: '2024-01-08' }),
  student('Brian Otieno', { admissionNumber: 'ADM-001', classId: id('Grade 5 West'), categoryId: id('Day scholar'), staffChild: true }),
  student('Zoë Núñez', { admissionNumber: 'ADM-003', classId: id('grade-4'), status: 'left', otherNames: 'Wanjiru' }),
  student('Kevin Kamau', { admissionNumber: 'ADM-004' }),
];

function payer(name: string, kind: Payer['kind'], studentNames: string[], phones: string[], fields: Partial<Payer> = {}): Payer {
  return {
    id: id(name),
    schoolId: testSchoolId,
    kind,
    name,
    contacts: [...phones.map((value) => ({ type: 'phone' as const, value })), { type: 'email' as const, value: `${name.split(' ')[0]?.toLowerCase() ?? 'x'}@example.org` }],
    preferredChannel: 'sms',
    students: studentNames.map((s) => ({ studentId: id(s), share: 10_000 })),
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

const payers: Payer[] = [
  payer('Otieno family', 'family', ['amina', 'brian'], ['+254712345678', '0733 000 111']),
  payer('Núñez Trust', 'sponsor', ['zoë'], ['+254700999888']),
  payer('Old Kamau account', 'guardian', ['kevin'], [], { archived: true }),
];

/** A term of the Otieno children: invoiced, part paid in cash, a voided M-Pesa payment, an overpayment. */
function school() {
  const t = testLedger({ start: '2025-01-06T08:00:00.000Z' });
  t.invoice({ id: 'inv-amina', student: 'amina', term: 'Term 1 2025', charges: [{ id: 'amina-tuition', category: 'Tuition', description: 'Tuition', amount: 1_000_000, dueDate: '2025-01-31' }] });
  t.invoice({ id: 'inv-brian', student: 'brian', term: 'Term 1 2025', issuedOn: '2025-01-07', charges: [{ id: 'brian-tuition', category: 'Tuition', description: 'Tuition', instalment: 'First half', amount: 800_000, dueDate: '2025-01-31', payer: 'Otieno family' }] });
  t.invoice({ id: 'inv-zoe', student: 'zoë', term: 'Term 2 2025', issuedOn: '2025-05-05', charges: [{ id: 'zoe-tuition', category: 'Tuition', amount: 500_000, dueDate: '2025-05-31' }] });
  t.discount({ id: 'sibling', charge: 'brian-tuition', amount: 80_000, source: 'sibling' });
  t.payment({ id: 'cash', at: '2025-01-10T07:00:00.000Z', payer: 'Otieno family', amount: 600_000, allocations: [['amina-tuition', 600_000]] });
  t.payment({ id: 'mpesa', at: '2025-01-31T21:30:00.000Z', payer: 'Otieno family', method: 'mobileMoney', amount: 720_000, allocations: [['brian-tuition', 720_000]] });
  t.voidPayment({ id: 'void-mpesa', at: '2025-02-01T06:00:00.000Z', payment: 'mpesa', reason: 'Wrong family keyed in' });
  t.payment({ id: 'over', at: '2025-02-03T09:00:00.000Z', payer: 'Otieno family', method: 'bankTransfer', amount: 1_250_000, allocations: [['amina-tuition', 400_000], ['brian-tuition', 720_000]] });
  const entries = t.entries();
  const mpesa = entries.find((e) => e.id === id('mpesa'));
  if (mpesa?.type === 'payment') Object.assign(mpesa, { reference: 'QK45TY7', mobileMoneyProvider: 'M-Pesa' });
  return { ledger: entries, students, payers, reference, staffNames: new Map([[testCashierId, 'Grace Wanjiru']]) };
}

function badOption(work: () => unknown): ExportError {
  try {
    work();
  } catch (error) {
    if (error instanceof ExportError && error.code === 'bad-option') return error;
    throw error;
  }
  throw new Error('expected the filters to be refused');
}

describe('students', () => {
  it('lists every student by name with class, category, payers and their phones', () => {
    const rows = studentExportRows(school());
    expect(rows.map((r) => r.admissionNumber)).toEqual(['ADM-004', 'ADM-003', 'ADM-002', 'ADM-001']);
    expect(rows.find((r) => r.admissionNumber === 'ADM-002')).toEqual({
      admissionNumber: 'ADM-002',
      firstName: 'Amina',
      lastName: 'Otieno',
      otherNames: null,
      dateOfBirth: '2015-03-09',
      className: 'Grade 4 East',
      categoryName: 'Boarder',
      status: 'active',
      joinedOn: '2024-01-08',
      staffChild: false,
      payers: 'Otieno family',
      payerPhones: '+254712345678; 0733 000 111',
    });
    // An archived account no longer speaks for the student.
    expect(rows.find((r) => r.admissionNumber === 'ADM-004')?.payers).toBeNull();
  });

  it('filters by class, status, category and the desk search (name, admission number, a payer’s phone)', () => {
    const numbers = (filters: Parameters<typeof studentExportRows>[1]) => studentExportRows(school(), filters).map((r) => r.admissionNumber);
    expect(numbers({ classId: id('grade-4') })).toEqual(['ADM-003', 'ADM-002']);
    expect(numbers({ classId: id('grade-4'), status: 'active' })).toEqual(['ADM-002']);
    expect(numbers({ categoryId: id('Day scholar') })).toEqual(['ADM-001']);
    expect(numbers({ search: 'nunez' })).toEqual(['ADM-003']);
    expect(numbers({ search: 'ADM-001' })).toEqual(['ADM-001']);
    expect(numbers({ search: '0712 345 678' })).toEqual(['ADM-002', 'ADM-001']);
    expect(numbers({ search: '   ' })).toHaveLength(4);
  });

  it('refuses a filter that names nothing, saying what to write instead', () => {
    expect(badOption(() => studentExportRows(school(), { status: 'expelled' })).message).toBe("status 'expelled' is not one of active, left, graduated: write one of those");
    const error = badOption(() => studentExportRows(school(), { classId: id('Grade 9') }));
    expect(error.message).toContain(`classId: no class has the id '${id('Grade 9')}'`);
    expect(error.message).toContain(`Grade 4 East (${id('grade-4')})`);
  });
});

describe('payers', () => {
  it('gives each current payer’s contacts, students, what is still owed and their credit', () => {
    const rows = payerExportRows(school(), {}, NAIROBI);
    expect(rows.map((r) => r.name)).toEqual(['Núñez Trust', 'Otieno family']);
    // Amina 10,000 − 6,000 − 4,000; Brian 8,000 − 800 − 7,200 = 0; 12,500 − 11,200 = 1,300 to credit.
    expect(rows[1]).toEqual({
      name: 'Otieno family',
      kind: 'family',
      phones: '+254712345678; 0733 000 111',
      emails: 'otieno@example.org',
      admissionNumbers: 'ADM-002; ADM-001',
      students: 'Amina Otieno; Brian Otieno',
      owed: 0,
      credit: 130_000,
      archived: false,
      payerId: id('Otieno family'),
    });
    expect(rows[0]).toMatchObject({ owed: 500_000, credit: 0, admissionNumbers: 'ADM-003' });
  });

  it('filters by kind and search, shows archived payers when asked, and leaves balances empty without the ledger', () => {
    const { ledger: _ledger, ...withoutLedger } = school();
    expect(payerExportRows(withoutLedger, { kind: 'sponsor' }).map((r) => [r.name, r.owed, r.credit])).toEqual([['Núñez Trust', null, null]]);
    expect(payerExportRows(withoutLedger, { search: 'otieno' }).map((r) => r.name)).toEqual(['Otieno family']);
    expect(payerExportRows(withoutLedger, { includeArchived: true }).map((r) => [r.name, r.archived])).toContainEqual(['Old Kamau account', true]);
    expect(badOption(() => payerExportRows(withoutLedger, { kind: 'parent' })).message).toContain('is not one of guardian, family, sponsor');
  });
});

describe('payments', () => {
  it('lists the payments that stand, oldest first, with names, the school’s day and the desk', () => {
    const rows = paymentExportRows(school(), {}, NAIROBI);
    expect(rows.map((r) => r.receiptNumber)).toEqual(['MAIN-D01-000001', 'MAIN-D01-000003']);
    expect(rows[0]).toEqual({
      receiptNumber: 'MAIN-D01-000001',
      takenOn: '2025-01-10',
      takenAt: '2025-01-10T07:00:00.000Z',
      payer: 'Otieno family',
      students: 'Amina Otieno (ADM-002)',
      method: 'Cash',
      reference: null,
      particulars: null,
      amount: 600_000,
      currency: 'KES',
      offline: false,
      cashier: 'Grace Wanjiru',
      office: 'Main office',
      desk: 'Front desk',
      status: 'active',
      statusReason: null,
      paymentId: id('cash'),
    });
    expect(rows[1]?.students).toBe('Amina Otieno (ADM-002); Brian Otieno (ADM-001)');
  });

  it('includes voided payments when asked, with their status and reason', () => {
    const voided = paymentExportRows(school(), { includeVoided: true }, NAIROBI).find((r) => r.paymentId === id('mpesa'));
    expect(voided).toMatchObject({ status: 'voided', statusReason: 'Wrong family keyed in', method: 'Mobile money', reference: 'QK45TY7', particulars: 'M-Pesa QK45TY7' });
  });

  it('filters by the school’s calendar day, method, desk, office and payer', () => {
    const receipts = (filters: Parameters<typeof paymentExportRows>[1]) => paymentExportRows(school(), { includeVoided: true, ...filters }, NAIROBI).map((r) => r.receiptNumber);
    // 21:30 UTC on 31 January is already 1 February in Nairobi.
    expect(receipts({ from: '2025-02-01', to: '2025-02-01' })).toEqual(['MAIN-D01-000002']);
    expect(paymentExportRows(school(), { includeVoided: true, from: '2025-01-31', to: '2025-01-31' }).map((r) => r.receiptNumber)).toEqual(['MAIN-D01-000002']);
    expect(receipts({ to: '2025-01-31' })).toEqual(['MAIN-D01-000001']);
    expect(receipts({ methods: ['mobileMoney', 'bankTransfer'] })).toEqual(['MAIN-D01-000002', 'MAIN-D01-000003']);
    expect(receipts({ deviceId: testDeviceId, officeId: testOfficeId })).toHaveLength(3);
    expect(receipts({ payerId: id('Núñez Trust') })).toEqual([]);
  });

  it('refuses dates, methods and ids it cannot use, saying what to write', () => {
    expect(badOption(() => paymentExportRows(school(), { from: '2025-02-30' })).message).toBe("from: '2025-02-30' is not a calendar date: write it as YYYY-MM-DD, e.g. 2025-01-31");
    expect(badOption(() => paymentExportRows(school(), { from: '2025-02-02', to: '2025-02-01' })).message).toBe('from (2025-02-02) is after to (2025-02-01): give the earlier date as from');
    expect(badOption(() => paymentExportRows(school(), { methods: ['mpesa'] })).message).toBe("method 'mpesa' is not one of cash, cheque, bankTransfer, mobileMoney, card, paypal: write one of those");
    expect(badOption(() => paymentExportRows(school(), { deviceId: id('desk-9') })).message).toContain(`the school's desks are Front desk (${testDeviceId})`);
  });

  it('writes the rows a bursar opens in Excel, amounts as numbers', async () => {
    const rows = paymentExportRows(school(), {}, NAIROBI);
    const csv = new TextDecoder().decode(await collectExport(exportCsv(paymentExportColumns, rows, { currency: 'KES' })));
    expect(csv.split('\r\n')[0]).toBe('Receipt number,Date,Taken at,Payer,Students,Method,Reference,Particulars,Amount,Currency,Taken offline,Cashier,Office,Desk,Status,Void/refund reason,Payment id');
    expect(csv.split('\r\n')[1]).toBe(`MAIN-D01-000001,2025-01-10,2025-01-10T07:00:00.000Z,Otieno family,Amina Otieno (ADM-002),Cash,,,6000.00,KES,FALSE,Grace Wanjiru,Main office,Front desk,active,,${id('cash')}`);
  });
});

describe('invoice lines', () => {
  it('lists each line with what was discounted, paid and is still owed', () => {
    const rows = invoiceExportRows(school(), {}, NAIROBI);
    expect(rows.map((r) => [r.issuedOn, r.admissionNumber, r.term, r.feeCategory, r.instalment, r.amount, r.reduced, r.paid, r.open, r.billedTo])).toEqual([
      ['2025-01-06', 'ADM-002', 'Term 1 2025', 'Tuition', 'Full', 1_000_000, 0, 1_000_000, 0, null],
      ['2025-01-07', 'ADM-001', 'Term 1 2025', 'Tuition', 'First half', 800_000, 80_000, 720_000, 0, 'Otieno family'],
      ['2025-05-05', 'ADM-003', 'Term 2 2025', 'Tuition', 'Full', 500_000, 0, 0, 500_000, null],
    ]);
    expect(rows[0]).toMatchObject({ student: 'Amina Otieno', className: 'Grade 4 East', dueDate: '2025-01-31', invoiceId: id('inv-amina'), chargeId: id('amina-tuition') });
  });

  it('filters by term, class and issue date', () => {
    const numbers = (filters: Parameters<typeof invoiceExportRows>[1]) => invoiceExportRows(school(), filters).map((r) => r.admissionNumber);
    expect(numbers({ termId: id('Term 2 2025') })).toEqual(['ADM-003']);
    expect(numbers({ from: '2025-01-07', to: '2025-01-31' })).toEqual(['ADM-001']);
    expect(numbers({ classId: id('grade-4') })).toHaveLength(3);
    expect(numbers({ classId: id('Grade 5 West') })).toEqual([]);
    expect(badOption(() => invoiceExportRows(school(), { termId: id('Term 3') })).message).toContain('no term has the id');
  });
});

describe('statements', () => {
  it('gives each payer’s statement as the desk shows it, payers by name', () => {
    const data = school();
    const rows = statementExportRows(data, { asOf: '2025-06-30' }, NAIROBI);
    const family = rows.filter((r) => r.payer === 'Otieno family');
    const onScreen = payerStatement(data.ledger, id('Otieno family'), { asOf: '2025-06-30', timeZone: 'Africa/Nairobi', studentIds: [id('amina'), id('brian')] });
    expect(family.map((r) => [r.date, r.description, r.debit ?? 0, r.credit ?? 0, r.balance])).toEqual(onScreen.lines.map((l) => [l.date, l.description, l.debit, l.credit, l.balance]));
    expect(family.at(-1)?.balance).toBe(-130_000);
    expect(rows[0]?.payer).toBe('Núñez Trust');
    expect(rows.filter((r) => r.payer === 'Núñez Trust').map((r) => [r.date, r.debit, r.credit, r.balance])).toEqual([['2025-05-05', 500_000, null, 500_000]]);
  });

  it('opens with the balance brought forward when given a start date, for the payers asked for', () => {
    const rows = statementExportRows(school(), { asOf: '2025-06-30', from: '2025-02-01', payerIds: [id('Otieno family')] }, NAIROBI);
    expect(rows[0]).toEqual({ payer: 'Otieno family', date: '2025-02-01', description: 'Opening balance', debit: null, credit: null, balance: 400_000 + 720_000, payerId: id('Otieno family') });
    expect(rows.slice(1).map((r) => r.date)).toEqual(['2025-02-01', '2025-02-01', '2025-02-03']);
    expect(new Set(rows.map((r) => r.payer))).toEqual(new Set(['Otieno family']));
  });

  it('refuses an unknown payer and a start after the statement date', () => {
    expect(badOption(() => statementExportRows(school(), { asOf: '2025-06-30', payerIds: [id('nobody')] })).message).toContain('payerId: no payer has the id');
    expect(badOption(() => statementExportRows(school(), { asOf: '2025-01-31', from: '2025-02-01' })).message).toBe('from (2025-02-01) is after asOf (2025-01-31): give the earlier date as from');
  });
});
