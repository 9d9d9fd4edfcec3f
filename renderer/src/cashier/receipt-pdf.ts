// Receipts and till reports as PDF (jsPDF), in two layouts: an 80 mm thermal roll and A5 paper.
// DejaVu Sans is embedded so that ₹, ₦, ₵ and accented names print on any printer; the school's
// logo, when its settings have one, heads each document above the school's name.
import { jsPDF } from 'jspdf';
import { decodeSchoolLogo, formatMoney, type Receipt, type SchoolLogo } from '@feemaster/core';

export type ReceiptLayout = '80mm' | 'A5';

/** The TrueType fonts as base64, regular and bold (loadReceiptFonts in the app, a file in tests). */
export interface ReceiptFonts {
  regular: string;
  bold: string;
}

interface PageGeometry {
  width: number;
  margin: number;
  /** Base font size in points. */
  size: number;
}

const GEOMETRY: Record<ReceiptLayout, PageGeometry> = {
  '80mm': { width: 80, margin: 4, size: 8.5 },
  A5: { width: 148, margin: 12, size: 10.5 },
};
/** The box the logo is scaled into (mm), its proportions kept. */
const LOGO_BOX: Record<ReceiptLayout, { width: number; height: number }> = {
  '80mm': { width: 40, height: 16 },
  A5: { width: 60, height: 22 },
};
const A5_HEIGHT = 210;
const PT_TO_MM = 0.3528;

/** One line of the document: text on the left, optionally an amount on the right. */
type Row =
  | { kind: 'text'; text: string; bold?: boolean; scale?: number; align?: 'left' | 'center'; gapBefore?: number }
  | { kind: 'pair'; left: string; right: string; bold?: boolean; scale?: number; indent?: number }
  | { kind: 'rule' }
  | { kind: 'stamp'; text: string }
  | { kind: 'logo'; image: PrintedLogo };

/** A logo ready for jsPDF: its bytes, format and size in pixels. */
interface PrintedLogo {
  bytes: Uint8Array;
  format: 'PNG' | 'JPEG';
  width: number;
  height: number;
}

/** The last logo tried and whether jsPDF embeds it: every receipt of the day carries the same one. */
let lastLogo: { base64: string; printed: PrintedLogo | null } | undefined;

function decodedLogo(logo: SchoolLogo): PrintedLogo | null {
  const decoded = decodeSchoolLogo(logo);
  if ('problem' in decoded) return null;
  return { bytes: decoded.bytes, format: decoded.image.mediaType === 'image/png' ? 'PNG' : 'JPEG', width: decoded.image.width, height: decoded.image.height };
}

/** Why jsPDF cannot embed this picture, or null when it can. */
function embedProblem(image: PrintedLogo): string | null {
  try {
    const doc = new jsPDF({ unit: 'mm', format: 'a5' });
    doc.addImage(image.bytes, image.format, 10, 10, 40, 20);
    doc.output('arraybuffer');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The logo as it will be printed, or null to leave it off the paper. The settings screen refuses a
 * picture that cannot be printed, but one pushed through the server's API, or read by another
 * version of jsPDF, may still be one: a receipt is printed without it rather than not at all.
 */
function printedLogo(logo: SchoolLogo | null | undefined): PrintedLogo | null {
  if (!logo) return null;
  if (lastLogo?.base64 !== logo.base64) {
    const image = decodedLogo(logo);
    const problem = image ? embedProblem(image) : 'it is not a PNG or JPEG the desk can read';
    if (problem !== null) console.warn(`The school's logo is left off printed documents: ${problem}. Choose it again in Settings as a PNG or JPEG.`);
    lastLogo = { base64: logo.base64, printed: problem === null ? image : null };
  }
  return lastLogo.printed;
}

/** The logo row at the top of a document, or none. */
function logoRows(logo: SchoolLogo | null | undefined): Row[] {
  const image = printedLogo(logo);
  return image ? [{ kind: 'logo', image }] : [];
}

/**
 * Why this logo cannot be printed, or null when it can: jsPDF embeds it once here, as it will on
 * every receipt, so a picture it cannot read is refused when it is chosen, not at the till.
 */
/** Why jsPDF cannot print this logo, in its own words (a logo that is no PNG or JPEG, too), or null when it can. */
export function logoEmbedProblem(logo: SchoolLogo): string | null {
  const image = decodedLogo(logo);
  return image ? embedProblem(image) : 'it is not a PNG or JPEG the desk can read';
}

export function logoPrintProblem(logo: SchoolLogo): string | null {
  const image = decodedLogo(logo);
  if (!image) return 'This picture cannot be read as a PNG or JPEG. Save it again as PNG or JPEG and choose that file.';
  const problem = embedProblem(image);
  return problem === null ? null : `The receipt printer cannot use this picture (${problem}). Open it in an image editor, save it again as PNG or JPEG, and choose that file.`;
}

function newDocument(layout: ReceiptLayout, fonts: ReceiptFonts, height: number): jsPDF {
  const { width } = GEOMETRY[layout];
  const doc = new jsPDF({ unit: 'mm', format: layout === 'A5' ? 'a5' : [width, Math.max(height, 60)], compress: true });
  doc.addFileToVFS('DejaVuSans.ttf', fonts.regular);
  doc.addFont('DejaVuSans.ttf', 'DejaVuSans', 'normal');
  doc.addFileToVFS('DejaVuSans-Bold.ttf', fonts.bold);
  doc.addFont('DejaVuSans-Bold.ttf', 'DejaVuSans', 'bold');
  doc.setFont('DejaVuSans', 'normal');
  return doc;
}

/** Lays the rows out; with `doc` it draws them, without it only measures. Returns the height used. */
function layOut(rows: readonly Row[], layout: ReceiptLayout, doc: jsPDF, draw: boolean): number {
  const { width, margin, size } = GEOMETRY[layout];
  const inner = width - 2 * margin;
  let y = margin;
  const lineHeight = (scale = 1): number => size * scale * PT_TO_MM * 1.35;
  const pageBottom = A5_HEIGHT - margin;
  const advance = (height: number): void => {
    if (draw && layout === 'A5' && y + height > pageBottom) {
      doc.addPage();
      y = margin;
    }
  };
  for (const row of rows) {
    switch (row.kind) {
      case 'logo': {
        const box = LOGO_BOX[layout];
        const scale = Math.min(box.width / row.image.width, box.height / row.image.height);
        const w = row.image.width * scale;
        const h = row.image.height * scale;
        advance(h);
        if (draw) doc.addImage(row.image.bytes, row.image.format, (width - w) / 2, y, w, h, 'school-logo');
        y += h + 1.5;
        break;
      }
      case 'rule': {
        advance(2);
        if (draw) {
          doc.setLineWidth(0.2);
          doc.setLineDashPattern([0.8, 0.8], 0);
          doc.line(margin, y + 1, width - margin, y + 1);
          doc.setLineDashPattern([], 0);
        }
        y += 2.5;
        break;
      }
      case 'stamp': {
        const scale = 1.6;
        doc.setFont('DejaVuSans', 'bold');
        doc.setFontSize(size * scale);
        advance(lineHeight(scale) + 2);
        if (draw) {
          const textWidth = doc.getTextWidth(row.text);
          doc.setLineWidth(0.5);
          doc.rect((width - textWidth) / 2 - 2, y, textWidth + 4, lineHeight(scale) + 1);
          doc.text(row.text, width / 2, y + lineHeight(scale) * 0.8, { align: 'center' });
        }
        y += lineHeight(scale) + 2.5;
        break;
      }
      case 'text': {
        doc.setFont('DejaVuSans', row.bold ? 'bold' : 'normal');
        doc.setFontSize(size * (row.scale ?? 1));
        y += row.gapBefore ?? 0;
        const lines = doc.splitTextToSize(row.text, inner) as string[];
        for (const line of lines) {
          advance(lineHeight(row.scale));
          if (draw) {
            if (row.align === 'center') doc.text(line, width / 2, y + lineHeight(row.scale) * 0.75, { align: 'center' });
            else doc.text(line, margin, y + lineHeight(row.scale) * 0.75);
          }
          y += lineHeight(row.scale);
        }
        break;
      }
      case 'pair': {
        doc.setFont('DejaVuSans', row.bold ? 'bold' : 'normal');
        doc.setFontSize(size * (row.scale ?? 1));
        const rightWidth = doc.getTextWidth(row.right);
        const indent = row.indent ?? 0;
        const lines = doc.splitTextToSize(row.left, Math.max(10, inner - indent - rightWidth - 2)) as string[];
        lines.forEach((line, index) => {
          advance(lineHeight(row.scale));
          if (draw) {
            doc.text(line, margin + indent, y + lineHeight(row.scale) * 0.75);
            if (index === 0) doc.text(row.right, width - margin, y + lineHeight(row.scale) * 0.75, { align: 'right' });
          }
          y += lineHeight(row.scale);
        });
        break;
      }
    }
  }
  return y + margin;
}

function render(rows: readonly Row[], layout: ReceiptLayout, fonts: ReceiptFonts, title: string): Uint8Array {
  const measure = newDocument(layout, fonts, 200);
  const height = layOut(rows, layout, measure, false);
  const doc = newDocument(layout, fonts, height);
  doc.setProperties({ title, creator: 'Fee Master' });
  layOut(rows, layout, doc, true);
  return new Uint8Array(doc.output('arraybuffer'));
}

export interface ReceiptPrint {
  layout: ReceiptLayout;
  /** A reprint: marked COPY. */
  copy: boolean;
}

/** Amounts as printed: with the sign people use at home (₦, GH₵, ₹), where Intl knows one. */
const printedMoney = (currency: string) => (amount: number): string => formatMoney(amount, currency, 'en-US', 'narrowSymbol');

export function receiptRows(receipt: Receipt, options: ReceiptPrint): Row[] {
  const money = printedMoney(receipt.currency);
  const rows: Row[] = [...logoRows(receipt.logo), { kind: 'text', text: receipt.schoolName, bold: true, scale: 1.3, align: 'center' }];
  for (const line of receipt.header.split('\n').filter((l) => l.trim() && l.trim() !== receipt.schoolName)) rows.push({ kind: 'text', text: line, align: 'center', scale: 0.9 });
  rows.push({ kind: 'text', text: `RECEIPT ${receipt.receiptNumber}`, bold: true, scale: 1.15, align: 'center', gapBefore: 1.5 });
  if (receipt.voided) rows.push({ kind: 'stamp', text: 'VOID' }, { kind: 'text', text: `Voided: ${receipt.voided.reason}`, align: 'center' });
  if (receipt.refunded) rows.push({ kind: 'stamp', text: 'REFUNDED' }, { kind: 'text', text: `Refunded by ${receipt.refunded.method}: ${receipt.refunded.reason}`, align: 'center' });
  if (options.copy) rows.push({ kind: 'stamp', text: 'COPY' });
  rows.push(
    { kind: 'text', text: `Date: ${receipt.takenAt}` },
    { kind: 'text', text: `Received from: ${receipt.payerName}` },
  );
  if (receipt.students.length > 0) rows.push({ kind: 'text', text: `For: ${receipt.students.map((s) => `${s.name} (${s.admissionNumber})`).join(', ')}` });
  rows.push({ kind: 'rule' });
  let student: string | null = null;
  for (const line of receipt.lines) {
    if (line.studentName !== student) {
      student = line.studentName;
      rows.push({ kind: 'text', text: student, bold: true });
    }
    rows.push({ kind: 'pair', left: line.description, right: money(line.amount), indent: 2 });
  }
  if (receipt.toCredit > 0) rows.push({ kind: 'pair', left: 'To the family’s credit', right: money(receipt.toCredit) });
  rows.push({ kind: 'rule' }, { kind: 'pair', left: 'Amount paid', right: money(receipt.amount), bold: true, scale: 1.15 }, { kind: 'pair', left: 'Method', right: receipt.method });
  if (receipt.particulars) rows.push({ kind: 'text', text: receipt.particulars });
  if (receipt.tendered !== null) rows.push({ kind: 'pair', left: 'Cash tendered', right: money(receipt.tendered) }, { kind: 'pair', left: 'Change', right: money(receipt.change ?? 0) });
  rows.push({ kind: 'pair', left: 'Balance after this payment', right: money(receipt.balanceAfter), bold: true }, { kind: 'rule' }, { kind: 'text', text: `Cashier: ${receipt.cashierName}` });
  if (receipt.offline) rows.push({ kind: 'text', text: 'OFFLINE: taken while this desk had no connection; recorded on the server when it synced.', bold: true, scale: 0.9 });
  rows.push({ kind: 'text', text: `Verification code: ${receipt.verificationCode}`, scale: 0.9 });
  for (const line of receipt.footer.split('\n').filter((l) => l.trim())) rows.push({ kind: 'text', text: line, align: 'center', scale: 0.9, gapBefore: 1 });
  return rows;
}

export function receiptPdf(receipt: Receipt, options: ReceiptPrint, fonts: ReceiptFonts): Uint8Array {
  return render(receiptRows(receipt, options), options.layout, fonts, `Receipt ${receipt.receiptNumber}`);
}

/** The figures of a till's Z-report, already formatted where only the screen knows how. */
export interface ZReport {
  schoolName: string;
  /** The school's logo, printed above its name. */
  logo?: SchoolLogo | null;
  currency: string;
  series: string;
  cashierName: string;
  openedAt: string;
  closedAt: string;
  float: number;
  receipts: { first: string; last: string; count: number } | null;
  byMethod: readonly { method: string; count: number; amount: number }[];
  taken: number;
  voids: readonly { receiptNumber: string; amount: number; reason: string }[];
  /** Money paid back out of the till (a refunded receipt, or 'credit'). */
  refunds: readonly { receiptNumber: string; method: string; amount: number; reason: string }[];
  lines: readonly { method: string; expected: number; counted: number; variance: number }[];
  varianceReason: string | null;
}

export function zReportPdf(report: ZReport, layout: ReceiptLayout, fonts: ReceiptFonts): Uint8Array {
  const money = printedMoney(report.currency);
  const signed = (amount: number): string => (amount > 0 ? `+${money(amount)}` : money(amount));
  const rows: Row[] = [
    ...logoRows(report.logo),
    { kind: 'text', text: report.schoolName, bold: true, scale: 1.3, align: 'center' },
    { kind: 'text', text: `Z-REPORT ${report.series}`, bold: true, scale: 1.15, align: 'center', gapBefore: 1 },
    { kind: 'text', text: `Cashier: ${report.cashierName}` },
    { kind: 'text', text: `Opened: ${report.openedAt}` },
    { kind: 'text', text: `Closed: ${report.closedAt}` },
    { kind: 'text', text: report.receipts ? `Receipts (${String(report.receipts.count)}): ${report.receipts.first} to ${report.receipts.last}` : 'No receipts issued' },
    { kind: 'rule' },
    { kind: 'pair', left: 'Float', right: money(report.float) },
    ...report.byMethod.map((line): Row => ({ kind: 'pair', left: `${line.method} (${String(line.count)})`, right: money(line.amount) })),
    { kind: 'pair', left: 'Taken in all', right: money(report.taken), bold: true },
    { kind: 'rule' },
    { kind: 'text', text: 'The count', bold: true },
  ];
  for (const line of report.lines) {
    rows.push(
      { kind: 'text', text: line.method, bold: true },
      { kind: 'pair', left: 'Expected', right: money(line.expected), indent: 2 },
      { kind: 'pair', left: 'Counted', right: money(line.counted), indent: 2 },
      { kind: 'pair', left: 'Variance', right: signed(line.variance), indent: 2, bold: line.variance !== 0 },
    );
  }
  if (report.varianceReason) rows.push({ kind: 'text', text: `Reason: ${report.varianceReason}` });
  rows.push({ kind: 'rule' }, { kind: 'text', text: `Voids (${String(report.voids.length)})`, bold: true });
  for (const v of report.voids) rows.push({ kind: 'pair', left: v.receiptNumber, right: money(v.amount), indent: 2 }, { kind: 'text', text: `Reason: ${v.reason}`, scale: 0.9 });
  if (report.refunds.length > 0) {
    rows.push({ kind: 'rule' }, { kind: 'text', text: `Refunds paid out (${String(report.refunds.length)})`, bold: true });
    for (const r of report.refunds) rows.push({ kind: 'pair', left: `${r.receiptNumber} (${r.method})`, right: money(r.amount), indent: 2 }, { kind: 'text', text: `Reason: ${r.reason}`, scale: 0.9 });
  }
  return render(rows, layout, fonts, `Z-report ${report.series}`);
}

/** A family's statement as printed (A5): dated lines with the running balance, dues aged. */
export interface StatementPrint {
  schoolName: string;
  logo?: SchoolLogo | null;
  currency: string;
  payerName: string;
  students: readonly string[];
  asOf: string;
  lines: readonly { date: string; description: string; debit: number; credit: number; balance: number }[];
  closingBalance: number;
  credit: number;
  ageing: { current: number; d0_30: number; d31_60: number; d61_90: number; d90plus: number };
}

export function statementPdf(statement: StatementPrint, fonts: ReceiptFonts): Uint8Array {
  const money = printedMoney(statement.currency);
  const rows: Row[] = [
    ...logoRows(statement.logo),
    { kind: 'text', text: statement.schoolName, bold: true, scale: 1.3, align: 'center' },
    { kind: 'text', text: 'STATEMENT OF ACCOUNT', bold: true, scale: 1.15, align: 'center', gapBefore: 1 },
    { kind: 'text', text: statement.payerName, bold: true },
    ...(statement.students.length > 0 ? [{ kind: 'text', text: `For: ${statement.students.join(', ')}` } satisfies Row] : []),
    { kind: 'text', text: `As of ${statement.asOf}` },
    { kind: 'rule' },
  ];
  for (const line of statement.lines) {
    const amount = line.debit > 0 ? money(line.debit) : `−${money(line.credit)}`;
    rows.push({ kind: 'pair', left: `${line.date}  ${line.description}`, right: amount }, { kind: 'pair', left: '', right: `balance ${money(line.balance)}`, scale: 0.85 });
  }
  rows.push(
    { kind: 'rule' },
    { kind: 'pair', left: 'Balance', right: money(statement.closingBalance), bold: true, scale: 1.15 },
    ...(statement.credit > 0 ? [{ kind: 'pair', left: 'Of which unapplied credit', right: money(statement.credit) } satisfies Row] : []),
    { kind: 'text', text: 'Owed by days past due', bold: true, gapBefore: 1 },
    { kind: 'pair', left: 'Not yet due', right: money(statement.ageing.current) },
    { kind: 'pair', left: '0–30 days', right: money(statement.ageing.d0_30) },
    { kind: 'pair', left: '31–60 days', right: money(statement.ageing.d31_60) },
    { kind: 'pair', left: '61–90 days', right: money(statement.ageing.d61_90) },
    { kind: 'pair', left: 'Over 90 days', right: money(statement.ageing.d90plus) },
  );
  return render(rows, 'A5', fonts, `Statement ${statement.payerName} ${statement.asOf}`);
}

/** The void register as printed (A5). */
export interface VoidRegisterPrint {
  schoolName: string;
  logo?: SchoolLogo | null;
  currency: string;
  from: string;
  to: string;
  lines: readonly { kind: 'void' | 'refund'; receiptNumber: string; voidedAt: string; payerName: string; method: string; amount: number; reason: string; voidedBy: string; refundMethod?: string; approvedBy?: string }[];
  total: number;
}

export function voidRegisterPdf(register: VoidRegisterPrint, fonts: ReceiptFonts): Uint8Array {
  const money = printedMoney(register.currency);
  const rows: Row[] = [
    ...logoRows(register.logo),
    { kind: 'text', text: register.schoolName, bold: true, scale: 1.3, align: 'center' },
    { kind: 'text', text: 'VOID AND REFUND REGISTER', bold: true, scale: 1.15, align: 'center', gapBefore: 1 },
    { kind: 'text', text: register.from === register.to ? register.from : `${register.from} to ${register.to}`, align: 'center' },
    { kind: 'rule' },
  ];
  if (register.lines.length === 0) rows.push({ kind: 'text', text: 'No payment was voided or refunded in these days.' });
  for (const line of register.lines) {
    const what =
      line.kind === 'void'
        ? `${line.method}, voided ${line.voidedAt} by ${line.voidedBy}`
        : `${line.method}, REFUNDED by ${line.refundMethod ?? line.method} ${line.voidedAt} by ${line.voidedBy}${line.approvedBy ? `, approved by ${line.approvedBy}` : ''}`;
    rows.push(
      { kind: 'pair', left: `${line.receiptNumber}  ${line.payerName}`, right: money(line.amount), bold: true },
      { kind: 'text', text: what, scale: 0.9 },
      { kind: 'text', text: `Reason: ${line.reason}`, scale: 0.9 },
    );
  }
  rows.push({ kind: 'rule' }, { kind: 'pair', left: `Voided or refunded in all (${String(register.lines.length)})`, right: money(register.total), bold: true });
  return render(rows, 'A5', fonts, `Void register ${register.from} ${register.to}`);
}
