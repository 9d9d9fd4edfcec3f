// Receipts and Z-reports from the replica to paper: the receipt as it stood when the payment was
// taken (a reprint says COPY), printed through the platform or saved as a PDF.
import { firstValueFrom } from 'rxjs';
import { buildReceipt, methodNames, type Payer, type PaymentDoc, type Receipt, type ReferenceDoc, type SchoolLogo, type Student, type TillSummary, type TillVarianceLine } from '@feemaster/core';
import { platform } from '#platform';
import type { Desk } from '../desk/open-desk.ts';
import { familyAccount$ } from './cashier-data.ts';
import { loadReceiptFonts } from './receipt-fonts.ts';
import { receiptPrinter } from './receipt-printer.tsx';
import type { ReceiptLayout, ZReport } from './receipt-pdf.ts';

/** Who took it, as far as this desk knows its staff: the person signed in, else the desk's series. */
function cashierName(desk: Desk, userId: string, series: string): string {
  return userId === desk.session.user.id ? desk.session.user.displayName : `Cashier at desk ${series}`;
}

/** The receipt texts and the logo, from the settings in the replica (so receipts print offline). */
async function schoolTexts(desk: Desk): Promise<{ header: string; footer: string; logo: SchoolLogo | null }> {
  const settings = await desk.db.reference.findOne({ selector: { kind: 'settings' } }).exec();
  const doc = settings?.toJSON() as ReferenceDoc | undefined;
  return doc?.kind === 'settings' ? { header: doc.data.receiptHeader, footer: doc.data.receiptFooter, logo: doc.data.logo ?? null } : { header: '', footer: '', logo: null };
}

/** The school's logo from the replica's settings, for the reports that carry the school's name. */
export async function schoolLogo(desk: Desk): Promise<SchoolLogo | null> {
  return (await schoolTexts(desk)).logo;
}

export async function receiptOf(desk: Desk, payment: PaymentDoc, series: string): Promise<Receipt> {
  const payerDoc = await desk.db.payers.findOne(payment.payerId).exec();
  const payer = (payerDoc?.toJSON() as Payer | undefined) ?? null;
  const studentIds = [...new Set([...payment.allocations.map((a) => a.studentId), ...(payer?.students.map((s) => s.studentId) ?? [])])];
  const students = (await desk.db.students.findByIds(studentIds).exec()).values();
  const names = new Map([...students].map((doc) => {
    const s = doc.toJSON() as Student;
    return [s.id, { name: `${s.firstName} ${s.lastName}`, admissionNumber: s.admissionNumber }] as const;
  }));
  const family: Pick<Payer, 'id' | 'name' | 'students'> = payer ?? { id: payment.payerId, name: 'Payer', students: [] };
  const { entries } = await firstValueFrom(familyAccount$(desk, family));
  const texts = await schoolTexts(desk);
  return buildReceipt({
    payment,
    payer: family,
    students: names,
    entries,
    school: { name: desk.session.school.name, currency: desk.session.school.currency, timezone: desk.session.school.timezone, ...texts },
    cashierName: cashierName(desk, payment.createdBy, series),
  });
}

export interface PrintChoice {
  layout: ReceiptLayout;
  copy: boolean;
  /** Save a PDF instead of opening the print dialog. */
  save?: boolean;
}

export async function printReceipt(desk: Desk, payment: PaymentDoc, series: string, choice: PrintChoice): Promise<void> {
  const [receipt, fonts, { receiptPdf }] = await Promise.all([receiptOf(desk, payment, series), loadReceiptFonts(), import('./receipt-pdf.ts')]);
  const pdf = receiptPdf(receipt, { layout: choice.layout, copy: choice.copy }, fonts);
  const name = `Receipt ${payment.receiptNumber}${choice.copy ? ' (copy)' : ''}`;
  if (choice.save) await platform.savePdf(pdf, `${name}.pdf`);
  else await platform.printPdf(pdf, name, receiptPrinter());
}

const methodLabel = (method: keyof typeof methodNames): string => methodNames[method].replace(/^./, (c) => c.toUpperCase());

export function zReportOf(desk: Desk, summary: TillSummary, lines: readonly TillVarianceLine[], series: string, varianceReason: string | null, closedAt: string): ZReport {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: desk.session.school.timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return {
    schoolName: desk.session.school.name,
    currency: desk.session.school.currency,
    series,
    cashierName: cashierName(desk, summary.openedBy, series),
    openedAt: time.format(new Date(summary.openedAt)),
    closedAt: time.format(new Date(closedAt)),
    float: summary.float,
    receipts: summary.receipts,
    byMethod: summary.byMethod.map((line) => ({ ...line, method: methodLabel(line.method) })),
    taken: summary.taken,
    voids: summary.voids.map((v) => ({ receiptNumber: v.receiptNumber, amount: v.amount, reason: v.voided?.reason ?? '' })),
    refunds: summary.refunds.map((r) => ({ receiptNumber: r.receiptNumber ?? 'credit', method: methodLabel(r.method), amount: r.amount, reason: r.reason })),
    lines: lines.map((line) => ({ ...line, method: methodLabel(line.method) })),
    varianceReason,
  };
}

export async function printZReport(desk: Desk, report: ZReport, choice: { layout: ReceiptLayout; save?: boolean }): Promise<void> {
  const [fonts, { zReportPdf }, logo] = await Promise.all([loadReceiptFonts(), import('./receipt-pdf.ts'), schoolLogo(desk)]);
  const pdf = zReportPdf({ ...report, logo }, choice.layout, fonts);
  const name = `Z-report ${report.series} ${report.closedAt}`;
  if (choice.save) await platform.savePdf(pdf, `${name.replaceAll(/[^\w -]+/g, '')}.pdf`);
  else await platform.printPdf(pdf, name, receiptPrinter());
}
