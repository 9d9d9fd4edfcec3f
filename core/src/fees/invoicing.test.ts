// Issuing a class's term invoices: the right structure per student, pro-rating for late joiners,
// discounts, frozen lines, re-runs that add nothing, and failures that stay with one student.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedId } from '../ids.ts';
import type { Student } from '../schemas/students.ts';
import { validateAgainst } from '../validation.ts';
import { applyBasisPoints } from './charge-split.ts';
import type { FeeStructure } from './fee-structures.ts';
import { issueTermInvoices, termProration, type IssueTermInvoicesInput, type IssueTermInvoicesResult } from './invoicing.ts';
import { DiscountEntry, InvoiceEntry, type InvoiceDoc } from './ledger.ts';
import type { Payer } from './payers.ts';
import type { DiscountRuleDoc, SettingsDoc, TermDoc } from './reference.ts';

const NOW = '2025-01-03T07:30:00.000Z';
const SCHOOL = keyedId('test:school');
const BURSAR = keyedId('test:bursar');
const G4 = keyedId('test:class:g4');
const G6 = keyedId('test:class:g6');
const DAY = keyedId('test:student-category:day');
const BOARDER = keyedId('test:student-category:boarder');
const EXCHANGE = keyedId('test:student-category:exchange');
const TUITION = keyedId('test:fee-category:tuition');
const BOARDING = keyedId('test:fee-category:boarding');
const MEALS = keyedId('test:fee-category:meals');

// 6 January to 6 April 2025 inclusive: 91 days.
const term: TermDoc = {
  id: keyedId('test:term:2025-1'),
  schoolId: SCHOOL,
  kind: 'term',
  name: 'Term 1 2025',
  data: { academicYearId: keyedId('test:year:2025'), startDate: '2025-01-06', endDate: '2025-04-06' },
  createdAt: NOW,
  updatedAt: NOW,
};

const settings: SettingsDoc = {
  id: keyedId('test:settings'),
  schoolId: SCHOOL,
  kind: 'settings',
  name: 'Settings',
  data: { currency: 'UGX', timezone: 'Africa/Kampala', receiptHeader: '', receiptFooter: '', siblingOrder: 'eldest-first', voidOnlyInSameSession: true },
  createdAt: NOW,
  updatedAt: NOW,
};

const halves: FeeStructure['instalments'] = [
  { label: 'First half', dueDate: '2025-01-20', weight: 1 },
  { label: 'Second half', dueDate: '2025-03-01', weight: 1 },
];

function structure(name: string, classId: string, studentCategoryId: string | undefined, lines: FeeStructure['lines'], extra: Partial<FeeStructure> = {}): FeeStructure {
  return {
    id: keyedId(`test:structure:${name}`),
    schoolId: SCHOOL,
    name,
    termId: term.id,
    classId,
    ...(studentCategoryId === undefined ? {} : { studentCategoryId }),
    lines,
    instalments: halves,
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

const tuition = { feeCategoryId: TUITION, description: 'Tuition', amount: 300_000 };
const meals = { feeCategoryId: MEALS, description: 'Meals', amount: 90_000 };
const boarding = { feeCategoryId: BOARDING, description: 'Boarding', amount: 200_000 };
const dayFees = structure('G4 day', G4, DAY, [tuition, meals]);
const boarderFees = structure('G4 boarder', G4, BOARDER, [tuition, boarding, meals]);
const g6Fees = structure('G6', G6, undefined, [{ ...tuition, amount: 350_000 }]);
const oldG4Fees = structure('G4 old', G4, undefined, [{ ...tuition, amount: 1 }], { archived: true });

function student(name: string, extra: Partial<Student>): Student {
  return {
    id: keyedId(`test:student:${name}`),
    schoolId: SCHOOL,
    admissionNumber: `ADM/${name.toUpperCase()}`,
    firstName: name,
    lastName: 'Test',
    classId: G4,
    categoryId: DAY,
    status: 'active',
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

const amina = student('amina', { classId: G6, categoryId: undefined, dateOfBirth: '2012-03-01' });
const brian = student('brian', { dateOfBirth: '2014-06-10' });
const chloe = student('chloe', { dateOfBirth: '2015-09-09', categoryId: BOARDER });
const stella = student('stella', { staffChild: true });
const sam = student('sam', {});
const sipho = student('sipho', { categoryId: BOARDER });
const jane = student('jane', { joinedOn: '2025-02-05' });
const xavier = student('xavier', { categoryId: EXCHANGE });
const lola = student('lola', { joinedOn: '2025-05-01' });
const leo = student('leo', { status: 'left' });
const students = [amina, brian, chloe, stella, sam, sipho, jane, xavier, lola, leo];

function payer(name: string, kind: Payer['kind'], links: Payer['students']): Payer {
  return { id: keyedId(`test:payer:${name}`), schoolId: SCHOOL, kind, name, contacts: [], preferredChannel: 'sms', students: links, createdAt: NOW, updatedAt: NOW };
}

const family = payer('Okello family', 'family', [amina, brian, chloe].map((s) => ({ studentId: s.id, share: 10_000 })));
const sponsor = payer('Hope Foundation', 'sponsor', [{ studentId: sipho.id, share: 10_000, feeCategoryIds: [TUITION] }]);
const siphoGuardian = payer('Mr Dube', 'guardian', [{ studentId: sipho.id, share: 10_000 }]);
const payers = [family, sponsor, siphoGuardian];

function rule(name: string, data: DiscountRuleDoc['data']): DiscountRuleDoc {
  return { id: keyedId(`test:rule:${name}`), schoolId: SCHOOL, kind: 'discountRule', name, data, createdAt: NOW, updatedAt: NOW };
}

const siblingRule = rule('sibling', { type: 'sibling', fromChild: 2, basisPoints: 1000, feeCategoryIds: [] });
const staffRule = rule('staff', { type: 'staffChild', value: { mode: 'percent', basisPoints: 5000 }, feeCategoryIds: [TUITION] });
const scholarshipFor = (studentIds: string[]): DiscountRuleDoc =>
  rule('bursary', { type: 'scholarship', value: { mode: 'fixed', amount: 100_000 }, feeCategoryIds: [TUITION], studentIds });
const scholarshipRule = scholarshipFor([sam.id]);

function input(overrides: Partial<IssueTermInvoicesInput> = {}): IssueTermInvoicesInput {
  return {
    schoolId: SCHOOL,
    currency: 'UGX',
    termId: term.id,
    classId: G4,
    term,
    students,
    structures: [dayFees, boarderFees, g6Fees, oldG4Fees],
    payers,
    discountRules: [siblingRule, staffRule, scholarshipRule],
    settings,
    existing: { invoices: [] },
    issuedOn: '2025-01-03',
    createdBy: BURSAR,
    now: NOW,
    ...overrides,
  };
}

function invoiceOf(result: IssueTermInvoicesResult, who: Student): InvoiceDoc {
  const invoice = result.invoices.find((i) => i.studentId === who.id);
  if (invoice === undefined) throw new Error(`no invoice for ${who.firstName}`);
  return invoice;
}

const chargeRows = (invoice: InvoiceDoc) => invoice.charges.map((c) => [c.description, c.instalment, c.payerId ?? 'student', c.amount]);
const discountRows = (result: IssueTermInvoicesResult, who: Student) =>
  result.discounts.filter((d) => d.studentId === who.id).map((d) => [d.source, invoiceOf(result, who).charges.find((c) => c.id === d.chargeId)?.description, d.amount]);

describe('termProration', () => {
  it('bills a day-31 joiner of a 91-day term 61/91 = 67.03 %', () => {
    expect(termProration(term.data, '2025-02-05')).toEqual({ joinedOn: '2025-02-05', basisPoints: 6703 });
  });

  it('bills the whole term to a student who joined on or before its first day', () => {
    expect(termProration(term.data, '2025-01-06')).toBeUndefined();
    expect(termProration(term.data, '2019-09-01')).toBeUndefined();
    expect(termProration(term.data, undefined)).toBeUndefined();
  });

  it('bills the last day alone as 1/91 and rounds half up', () => {
    expect(termProration(term.data, '2025-04-06')).toEqual({ joinedOn: '2025-04-06', basisPoints: 110 });
    // 3 of 8 days = 3750 exactly; 1 of 16 days = 625; 1 of 3 days = 3333.3 → 3333; 2 of 3 = 6666.7 → 6667.
    expect(termProration({ startDate: '2025-01-01', endDate: '2025-01-08' }, '2025-01-06')?.basisPoints).toBe(3750);
    expect(termProration({ startDate: '2025-01-01', endDate: '2025-01-03' }, '2025-01-03')?.basisPoints).toBe(3333);
    expect(termProration({ startDate: '2025-01-01', endDate: '2025-01-03' }, '2025-01-02')?.basisPoints).toBe(6667);
  });

  it('refuses a joiner after the term and dates that do not exist', () => {
    expect(() => termProration(term.data, '2025-04-07')).toThrow(/after the term ended/);
    expect(() => termProration(term.data, '2025-02-30')).toThrow(/not a calendar date: write it as YYYY-MM-DD/);
  });
});

describe('issueTermInvoices', () => {
  const result = issueTermInvoices(input());

  it('issues one valid invoice per active student of the class and reports the others', () => {
    expect(result.invoices.map((i) => i.studentId).sort()).toEqual([brian, chloe, stella, sam, sipho, jane].map((s) => s.id).sort());
    expect(result.failures.map((f) => f.admissionNumber).sort()).toEqual(['ADM/LOLA', 'ADM/XAVIER']);
    expect(result.skipped).toEqual([]);
    for (const invoice of result.invoices) expect(validateAgainst(InvoiceEntry, invoice)).toEqual([]);
    for (const discount of result.discounts) expect(validateAgainst(DiscountEntry, discount)).toEqual([]);
  });

  it('keys the invoice by student, term and structure and records who issued it', () => {
    const invoice = invoiceOf(result, brian);
    expect(invoice).toMatchObject({
      id: keyedId(`invoice:${brian.id}:${term.id}:${dayFees.id}`),
      schoolId: SCHOOL,
      currency: 'UGX',
      type: 'invoice',
      termId: term.id,
      classId: G4,
      feeStructureId: dayFees.id,
      issuedOn: '2025-01-03',
      createdAt: NOW,
      createdBy: BURSAR,
    });
    expect(invoice.proration).toBeUndefined();
    expect(invoice.deviceId).toBeUndefined();
  });

  it('bills the second and third child of a family 10 % less, on the family account', () => {
    expect(chargeRows(invoiceOf(result, brian))).toEqual([
      ['Tuition', 'First half', family.id, 150_000],
      ['Tuition', 'Second half', family.id, 150_000],
      ['Meals', 'First half', family.id, 45_000],
      ['Meals', 'Second half', family.id, 45_000],
    ]);
    expect(discountRows(result, brian)).toEqual([
      ['sibling', 'Tuition', 15_000],
      ['sibling', 'Tuition', 15_000],
      ['sibling', 'Meals', 4500],
      ['sibling', 'Meals', 4500],
    ]);
    // Chloe boards: 590 000, 10 % = 59 000.
    expect(discountRows(result, chloe).reduce((sum, [, , amount]) => sum + Number(amount), 0)).toBe(59_000);
    expect(invoiceOf(result, chloe).feeStructureId).toBe(boarderFees.id);
  });

  it('gives a staff child half of tuition and a scholar a fixed 100 000 over tuition', () => {
    expect(discountRows(result, stella)).toEqual([
      ['staffChild', 'Tuition', 75_000],
      ['staffChild', 'Tuition', 75_000],
    ]);
    expect(discountRows(result, sam)).toEqual([
      ['scholarship', 'Tuition', 50_000],
      ['scholarship', 'Tuition', 50_000],
    ]);
    expect(invoiceOf(result, stella).charges.every((c) => c.payerId === undefined)).toBe(true);
  });

  it('puts tuition on the sponsor and the rest on the guardian', () => {
    expect(chargeRows(invoiceOf(result, sipho))).toEqual([
      ['Tuition', 'First half', sponsor.id, 150_000],
      ['Tuition', 'Second half', sponsor.id, 150_000],
      ['Boarding', 'First half', siphoGuardian.id, 100_000],
      ['Boarding', 'Second half', siphoGuardian.id, 100_000],
      ['Meals', 'First half', siphoGuardian.id, 45_000],
      ['Meals', 'Second half', siphoGuardian.id, 45_000],
    ]);
    expect(discountRows(result, sipho)).toEqual([]);
  });

  it('pro-rates a student who joined on day 31 of the 91-day term', () => {
    const invoice = invoiceOf(result, jane);
    expect(invoice.proration).toEqual({ joinedOn: '2025-02-05', basisPoints: 6703 });
    // 390 000 × 67.03 % = 261 417: tuition 261 417 × 300/390 = 201 090, meals 60 327.
    expect(chargeRows(invoice)).toEqual([
      ['Tuition', 'First half', 'student', 100_545],
      ['Tuition', 'Second half', 'student', 100_545],
      ['Meals', 'First half', 'student', 30_164],
      ['Meals', 'Second half', 'student', 30_163],
    ]);
  });

  it('fails a student with no matching structure, or who joined after the term, alone', () => {
    const noStructure = result.failures.find((f) => f.studentId === xavier.id);
    expect(noStructure?.admissionNumber).toBe('ADM/XAVIER');
    expect(noStructure?.reason).toMatch(/^No fee structure for term "Term 1 2025", this class and this student’s category: add one/);
    expect(result.failures).toContainEqual({
      studentId: lola.id,
      admissionNumber: 'ADM/LOLA',
      reason: 'Joined on 2025-05-01, after the term ended on 2025-04-06: there is nothing to bill for this term',
    });
  });

  it('turns an error thrown for one student into a failure and issues the rest', () => {
    const doubled = { ...family, students: [...family.students, { studentId: brian.id, share: 5000 }] };
    const broken = issueTermInvoices(input({ payers: [doubled, sponsor, siphoGuardian] }));
    expect(broken.failures.find((f) => f.studentId === brian.id)?.reason).toMatch(/linked to this student more than once/);
    expect(broken.invoices).toHaveLength(5);
    expect(broken.discounts.some((d) => d.studentId === brian.id)).toBe(false);
  });

  it('fails every student when two structures match instead of guessing', () => {
    const twin = structure('G4 day copy', G4, DAY, [tuition]);
    const ambiguous = issueTermInvoices(input({ structures: [dayFees, twin, boarderFees] }));
    const reasons = ambiguous.failures.filter((f) => f.reason.includes('both apply')).map((f) => f.studentId);
    expect(reasons.sort()).toEqual([brian, stella, sam, jane, lola].map((s) => s.id).sort());
    expect(ambiguous.invoices.map((i) => i.studentId).sort()).toEqual([chloe, sipho].map((s) => s.id).sort());
  });

  it('adds nothing when run again with the invoices already issued', () => {
    const again = issueTermInvoices(input({ existing: { invoices: result.invoices } }));
    expect(again.invoices).toEqual([]);
    expect(again.discounts).toEqual([]);
    expect(again.skipped.map((s) => s.studentId).sort()).toEqual(result.invoices.map((i) => i.studentId).sort());
    expect(again.skipped.every((s) => s.reason === 'already invoiced')).toBe(true);
    expect(again.failures).toEqual(result.failures);
  });

  it('keeps issued lines frozen when the fee structure is edited later', () => {
    const editable: FeeStructure = { ...dayFees, lines: dayFees.lines.map((line) => ({ ...line })), instalments: dayFees.instalments.map((i) => ({ ...i })) };
    const first = issueTermInvoices(input({ structures: [editable, boarderFees], students: [brian] }));
    const issued = JSON.stringify(first.invoices);
    const firstLine = editable.lines[0];
    const firstInstalment = editable.instalments[0];
    if (firstLine === undefined || firstInstalment === undefined) throw new Error('fixture has lines and instalments');
    firstLine.amount = 999_999;
    firstLine.description = 'Tuition (revised)';
    firstInstalment.dueDate = '2025-02-28';
    editable.lines.push({ feeCategoryId: BOARDING, description: 'Trip', amount: 5000 });
    expect(JSON.stringify(first.invoices)).toBe(issued);
    // A newcomer is billed from the edited structure; the issued invoice stays as it was.
    const newcomer = student('nora', {});
    const later = issueTermInvoices(input({ structures: [editable], students: [brian, newcomer], existing: { invoices: first.invoices } }));
    expect(later.invoices.map((i) => i.studentId)).toEqual([newcomer.id]);
    expect(later.invoices[0]?.charges[0]).toMatchObject({ description: 'Tuition (revised)', amount: 500_000, dueDate: '2025-02-28' });
    expect(JSON.stringify(first.invoices)).toBe(issued);
  });

  it('never bills a student twice for a term after a move of class or category: skipped, with the class billed in', () => {
    const first = issueTermInvoices(input({ structures: [dayFees, boarderFees], students: [brian, sam] }));
    expect(first.invoices.map((i) => i.studentId).sort()).toEqual([brian.id, sam.id].sort());
    // Brian moves up to G6 (its own structure), Sam becomes a boarder in G4; both runs again.
    const g6Fees = structure('G6 general', G6, undefined, [tuition]);
    const movedBrian = { ...brian, classId: G6 };
    const boardingSam = { ...sam, categoryId: BOARDER };
    const g6 = issueTermInvoices(input({ classId: G6, structures: [dayFees, boarderFees, g6Fees], students: [movedBrian, boardingSam], existing: { invoices: first.invoices } }));
    expect(g6.invoices).toEqual([]);
    expect(g6.skipped).toEqual([{ studentId: brian.id, reason: 'invoiced in another class', classId: G4 }]);
    const g4 = issueTermInvoices(input({ structures: [dayFees, boarderFees], students: [movedBrian, boardingSam], existing: { invoices: first.invoices } }));
    expect(g4.invoices).toEqual([]);
    expect(g4.skipped).toEqual([{ studentId: sam.id, reason: 'already invoiced' }]);
    // An opening balance booked in the term (its own structure, not one of the term's) is no term bill.
    const balance = { id: keyedId('test:opening-balance:sam'), studentId: sam.id, termId: term.id, classId: G4, feeStructureId: keyedId('test:opening-balance:structure') };
    const withBalance = issueTermInvoices(input({ structures: [dayFees, boarderFees], students: [sam], existing: { invoices: [balance] } }));
    expect(withBalance.invoices.map((i) => i.studentId)).toEqual([sam.id]);
    // Another term's invoice does not count: next term bills them as they are now.
    const nextTerm = { ...term, id: keyedId('test:term:next') };
    const next = issueTermInvoices(input({ classId: G6, termId: nextTerm.id, term: nextTerm, structures: [{ ...g6Fees, termId: nextTerm.id }], students: [movedBrian], existing: { invoices: first.invoices } }));
    expect(next.invoices.map((i) => [i.studentId, i.classId])).toEqual([[brian.id, G6]]);
  });

  it('refuses a batch whose term, currency or dates are wrong before issuing anything', () => {
    expect(() => issueTermInvoices(input({ termId: keyedId('test:term:other') }))).toThrow(/does not match/);
    expect(() => issueTermInvoices(input({ currency: 'KES' }))).toThrow(/currency is UGX/);
    expect(() => issueTermInvoices(input({ term: { ...term, data: { ...term.data, endDate: '2024-12-31' } } }))).toThrow(/ends before it starts/);
  });

  it('records the device that issued the documents', () => {
    const device = keyedId('test:device');
    const withDevice = issueTermInvoices(input({ deviceId: device }));
    expect(withDevice.invoices.every((i) => i.deviceId === device)).toBe(true);
    expect(withDevice.discounts.every((d) => d.deviceId === device)).toBe(true);
  });
});

describe('issueTermInvoices properties', () => {
  const categories = [DAY, BOARDER, EXCHANGE, undefined];
  const classArb = fc
    .array(
      fc.record({
        category: fc.constantFrom(...categories),
        classId: fc.constantFrom(G4, G4, G4, G6),
        status: fc.constantFrom<Student['status']>('active', 'active', 'active', 'left'),
        joinedOffset: fc.option(fc.integer({ min: -30, max: 100 }), { nil: undefined }),
        birthYear: fc.option(fc.integer({ min: 2008, max: 2020 }), { nil: undefined }),
        staffChild: fc.boolean(),
        family: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        guardianShare: fc.integer({ min: 0, max: 10_000 }),
        sponsored: fc.boolean(),
        scholar: fc.boolean(),
      }),
      { maxLength: 14 },
    )
    .map((rows) => {
      const made = rows.map((row, index) =>
        student(`s${String(index)}`, {
          classId: row.classId,
          categoryId: row.category,
          status: row.status,
          staffChild: row.staffChild,
          ...(row.birthYear === undefined ? {} : { dateOfBirth: `${String(row.birthYear)}-05-01` }),
          ...(row.joinedOffset === undefined ? {} : { joinedOn: new Date(Date.UTC(2025, 0, 6 + row.joinedOffset)).toISOString().slice(0, 10) }),
        }),
      );
      const families = [0, 1, 2].map((f) =>
        payer(`family ${String(f)}`, 'family', rows.flatMap((row, i) => (row.family === f && made[i] !== undefined ? [{ studentId: made[i].id, share: row.guardianShare }] : []))),
      );
      const sponsors = [payer('sponsor', 'sponsor', rows.flatMap((row, i) => (row.sponsored && made[i] !== undefined ? [{ studentId: made[i].id, share: 10_000, feeCategoryIds: [TUITION] }] : [])))];
      const scholars = made.filter((_, i) => rows[i]?.scholar === true).map((s) => s.id);
      return { students: made, payers: [...families, ...sponsors], scholars };
    });
  const generalFees = structure('G4 general', G4, undefined, [{ ...tuition, amount: 300_001 }, { ...meals, amount: 90_017 }], {
    instalments: [
      { label: 'A', dueDate: '2025-01-20', weight: 3 },
      { label: 'B', dueDate: '2025-02-20', weight: 2 },
      { label: 'C', dueDate: '2025-03-20', weight: 2 },
    ],
  });
  const structures = [dayFees, boarderFees, generalFees];
  const runFor = (school: { students: Student[]; payers: Payer[]; scholars: string[] }, overrides: Partial<IssueTermInvoicesInput> = {}) =>
    issueTermInvoices(
      input({
        students: school.students,
        payers: school.payers,
        structures,
        discountRules: [siblingRule, staffRule, scholarshipFor(school.scholars)],
        ...overrides,
      }),
    );

  it('accounts for every active student of the class exactly once and bills exactly the pro-rated structure total', () => {
    fc.assert(
      fc.property(classArb, (school) => {
        const result = runFor(school);
        const expected = school.students.filter((s) => s.classId === G4 && s.status === 'active').map((s) => s.id);
        const seen = [...result.invoices.map((i) => i.studentId), ...result.failures.map((f) => f.studentId)];
        expect(seen.sort()).toEqual(expected.sort());
        for (const invoice of result.invoices) {
          const fees = structures.find((s) => s.id === invoice.feeStructureId);
          if (fees === undefined) throw new Error('invoice from an unknown structure');
          const total = fees.lines.reduce((sum, line) => sum + line.amount, 0);
          const billed = invoice.charges.reduce((sum, c) => sum + c.amount, 0);
          expect(billed).toBe(applyBasisPoints(total, invoice.proration?.basisPoints ?? 10_000));
          for (const charge of invoice.charges) {
            const discounted = result.discounts.filter((d) => d.chargeId === charge.id).reduce((sum, d) => sum + d.amount, 0);
            expect(discounted).toBeLessThanOrEqual(charge.amount);
          }
          expect(validateAgainst(InvoiceEntry, invoice)).toEqual([]);
        }
      }),
    );
  });

  it('produces identical documents on two runs, whatever the input order, and nothing new on a re-run', () => {
    fc.assert(
      fc.property(classArb, (school) => {
        const first = runFor(school);
        const second = runFor({ ...school, students: [...school.students].reverse(), payers: [...school.payers].reverse() });
        expect(second).toEqual(first);
        const rerun = runFor(school, { existing: { invoices: first.invoices } });
        expect(rerun.invoices).toEqual([]);
        expect(rerun.discounts).toEqual([]);
        expect(rerun.skipped).toHaveLength(first.invoices.length);
      }),
    );
  });
});
