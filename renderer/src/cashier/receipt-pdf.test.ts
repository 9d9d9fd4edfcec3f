// The printed receipt and Z-report, read back out of the PDF as a person would read the paper.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { encodeBase64, type Receipt } from '@feemaster/core';
import { CREST_JPEG_BASE64, pngImage } from '../../../core/src/fees/test-images.ts';
import { pdfImages, pdfText } from '../../test/pdf-text.ts';
import { logoPrintProblem, receiptPdf, statementPdf, voidRegisterPdf, zReportPdf, type ReceiptFonts, type StatementPrint, type ZReport } from './receipt-pdf.ts';

const require = createRequire(import.meta.url);
const fontFile = (name: string): string => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}`)).toString('base64');
const fonts: ReceiptFonts = { regular: fontFile('DejaVuSans.ttf'), bold: fontFile('DejaVuSans-Bold.ttf') };

const receipt: Receipt = {
  schoolName: 'Riverside Academy',
  header: 'P.O. Box 1, Kisumu',
  footer: 'Fees once paid are not refundable.',
  currency: 'KES',
  receiptNumber: 'MAIN-D01-000007',
  takenAt: '6 Dec 2026, 09:41',
  payerName: 'Grace Otieno',
  students: [{ name: 'Baraka Otieno', admissionNumber: 'ADM-105' }, { name: 'Amani Otieno', admissionNumber: 'ADM-104' }],
  lines: [
    { studentName: 'Baraka Otieno', description: 'Tuition (Term 1)', amount: 1_200_000 },
    { studentName: 'Amani Otieno', description: 'Tuition (Term 1)', amount: 800_000 },
  ],
  toCredit: 100_000,
  method: 'Cash',
  particulars: null,
  amount: 2_100_000,
  tendered: 2_200_000,
  change: 100_000,
  balanceAfter: 1_100_000,
  cashierName: 'Jane Wanjiru',
  offline: true,
  verificationCode: 'K7QM-4TXP',
  voided: null,
  refunded: null,
};

const zReportFigures: ZReport = {
  schoolName: 'Riverside Academy',
  currency: 'KES',
  series: 'MAIN-D01',
  cashierName: 'Jane Wanjiru',
  openedAt: '6 Dec 2026, 07:30',
  closedAt: '6 Dec 2026, 17:05',
  float: 200_000,
  receipts: { first: 'MAIN-D01-000001', last: 'MAIN-D01-000005', count: 5 },
  byMethod: [{ method: 'Cash', count: 3, amount: 450_000 }],
  taken: 450_000,
  voids: [{ receiptNumber: 'MAIN-D01-000004', amount: 80_000, reason: 'Wrong family' }],
  refunds: [{ receiptNumber: 'MAIN-D01-000002', method: 'Cash', amount: 30_000, reason: 'Left the school' }],
  lines: [{ method: 'Cash', expected: 650_000, counted: 645_000, variance: -5_000 }],
  varianceReason: 'Change given twice',
};

const statementFigures: StatementPrint = {
  schoolName: 'Riverside Academy',
  currency: 'KES',
  payerName: 'Wafula family',
  students: ['Kevin Wafula'],
  asOf: '2026-12-06',
  lines: [
    { date: '2026-01-05', description: 'Tuition (Term 1), due 2026-01-31', debit: 900_000, credit: 0, balance: 900_000 },
    { date: '2026-12-06', description: 'Payment MAIN-D41-000001 (cash)', debit: 0, credit: 500_000, balance: 400_000 },
  ],
  closingBalance: 400_000,
  credit: 0,
  ageing: { current: 0, d0_30: 0, d31_60: 0, d61_90: 0, d90plus: 400_000 },
};

describe('the receipt PDF', () => {
  it('carries the number, the items per child, the amounts, the balance after, the cashier, the offline mark and the code (80 mm)', async () => {
    const text = await pdfText(receiptPdf(receipt, { layout: '80mm', copy: false }, fonts));
    for (const expected of ['Riverside Academy', 'RECEIPT MAIN-D01-000007', 'Received from: Grace Otieno', 'Baraka Otieno', 'Tuition (Term 1)', 'KES 12,000.00', 'KES 8,000.00', 'KES 21,000.00', 'KES 22,000.00', 'KES 11,000.00', 'Cashier: Jane Wanjiru', 'Verification code: K7QM-4TXP']) {
      expect(text, expected).toContain(expected);
    }
    expect(text.join(' ')).toContain('OFFLINE: taken while this desk had no connection');
    expect(text).not.toContain('COPY');
    expect(text).not.toContain('VOID');
  });

  it('marks a reprint COPY and a voided payment VOID with its reason (A5)', async () => {
    const text = await pdfText(receiptPdf({ ...receipt, offline: false, voided: { reason: 'Wrong family' } }, { layout: 'A5', copy: true }, fonts));
    expect(text).toEqual(expect.arrayContaining(['VOID', 'COPY', 'Voided: Wrong family']));
    expect(text.join(' ')).not.toContain('OFFLINE');
  });

  it('marks a refunded payment REFUNDED with how the money went back and why', async () => {
    const text = await pdfText(receiptPdf({ ...receipt, offline: false, refunded: { reason: 'Left the school', method: 'mobile money' } }, { layout: '80mm', copy: true }, fonts));
    expect(text).toEqual(expect.arrayContaining(['REFUNDED', 'COPY', 'Refunded by mobile money: Left the school']));
    expect(text).not.toContain('VOID');
  });

  it('prints rupee, naira and cedi signs and accented names', async () => {
    for (const [currency, sign] of [['INR', '₹1,500.00'], ['NGN', '₦12,000.00'], ['GHS', 'GH₵21,000.00']] as const) {
      const text = (await pdfText(receiptPdf({ ...receipt, currency, lines: [...receipt.lines, { studentName: 'Baraka Otieno', description: 'Books', amount: 150_000 }], payerName: 'Zoë Nakalema-Ódùá' }, { layout: '80mm', copy: false }, fonts))).join(' ');
      expect(text, currency).toContain(sign);
      expect(text).toContain('Zoë Nakalema-Ódùá');
    }
  });
});

describe('the Z-report PDF', () => {
  it('shows the float, the takings per method, expected against counted with the variance, and the voids', async () => {
    const text = (
      await pdfText(
        zReportPdf(
          zReportFigures,
          '80mm',
          fonts,
        ),
      )
    );
    const all = text.join(' ');
    expect(all).toContain('Receipts (5): MAIN-D01-000001 to MAIN-D01-000005');
    expect(all).toContain('Cash Expected KES 6,500.00 Counted KES 6,450.00 Variance -KES 50.00');
    for (const expected of ['Z-REPORT MAIN-D01', 'KES 2,000.00', 'Cash (3)', 'KES 4,500.00', 'Reason: Change given twice', 'MAIN-D01-000004', 'Reason: Wrong family', 'Refunds paid out (1)', 'MAIN-D01-000002 (Cash)', 'Reason: Left the school']) {
      expect(text, expected).toContain(expected);
    }
  });
});

describe('the statement PDF', () => {
  it('lists the dated lines with the running balance, the balance and the dues by days past due', async () => {
    const text = (
      await pdfText(
        statementPdf(
          statementFigures,
          fonts,
        ),
      )
    ).join(' ');
    for (const part of ['STATEMENT OF ACCOUNT', 'Wafula family', 'For: Kevin Wafula', '2026-12-06 Payment MAIN-D41-000001 (cash) −KES 5,000.00', 'balance KES 4,000.00', 'Balance KES 4,000.00', 'Over 90 days KES 4,000.00']) {
      expect(text, part).toContain(part);
    }
  });
});

describe('the school logo on paper', () => {
  const png = { mediaType: 'image/png', base64: encodeBase64(pngImage(120, 80)) } as const;
  const jpeg = { mediaType: 'image/jpeg', base64: CREST_JPEG_BASE64 } as const;
  // A PNG's signature and header (what the replica's schema checks) over image data that is not
  // deflate: the settings screen refuses it, the server's API does not read that far.
  const brokenPng = (() => {
    const good = pngImage(120, 80);
    const bytes = new Uint8Array(good);
    bytes.fill(0x5a, 41, good.length - 16);
    return { mediaType: 'image/png', base64: encodeBase64(bytes) } as const;
  })();
  /** The PDF's image objects as its dictionaries declare them. */
  const imageObjects = (pdf: Uint8Array): string[] => new TextDecoder('latin1').decode(pdf).match(/\/Subtype \/Image[^>]*/g) ?? [];

  it('heads the 80 mm receipt, scaled into 40 × 16 mm with its proportions kept, above the school name', async () => {
    const plain = receiptPdf(receipt, { layout: '80mm', copy: false }, fonts);
    const withLogo = receiptPdf({ ...receipt, logo: png }, { layout: '80mm', copy: false }, fonts);
    expect(imageObjects(plain)).toEqual([]);
    expect(imageObjects(withLogo)).toEqual([expect.stringMatching(/\/Width 120\s+\/Height 80\s/) as unknown]);
    const { images, pageHeights } = await pdfImages(withLogo);
    expect(images).toHaveLength(1);
    const [image] = images;
    // 120 × 80 pixels into 40 × 16 mm: 24 × 16 mm, centred on the 80 mm roll, at the top margin.
    expect(image?.width).toBeCloseTo(24, 1);
    expect(image?.height).toBeCloseTo(16, 1);
    expect(image?.x).toBeCloseTo(28, 1);
    expect(image?.top).toBeCloseTo(4, 1);
    // The roll grows by the logo: nothing below it is pushed off or drawn over it.
    const [plainHeight = 0] = (await pdfImages(plain)).pageHeights;
    expect((pageHeights[0] ?? 0) - plainHeight).toBeCloseTo(17.5, 0);
    expect(await pdfText(withLogo)).toEqual(await pdfText(plain));
  });

  it('heads the A5 receipt with a JPEG logo (embedded as a JPEG, not re-encoded)', async () => {
    const pdf = receiptPdf({ ...receipt, logo: jpeg }, { layout: 'A5', copy: true }, fonts);
    expect(imageObjects(pdf)).toEqual([expect.stringMatching(/\/Width 96\s+\/Height 64\s[^]*\/Filter \/DCTDecode/) as unknown]);
    const [image] = (await pdfImages(pdf)).images;
    // 96 × 64 pixels into 60 × 22 mm: 33 × 22 mm, centred on 148 mm.
    expect(image?.height).toBeCloseTo(22, 1);
    expect(image?.width).toBeCloseTo(33, 1);
    expect(image?.x).toBeCloseTo(57.5, 1);
    expect(await pdfText(pdf)).toContain('Riverside Academy');
  });

  it('heads the Z-report, the statement and the void register too', async () => {
    const zReport = zReportPdf({ ...zReportFigures, logo: png }, '80mm', fonts);
    const statement = statementPdf({ ...statementFigures, logo: jpeg }, fonts);
    const register = voidRegisterPdf({ schoolName: 'Riverside Academy', logo: png, currency: 'KES', from: '2026-12-01', to: '2026-12-06', lines: [], total: 0 }, fonts);
    for (const [name, pdf] of [['Z-report', zReport], ['statement', statement], ['void register', register]] as const) {
      expect((await pdfImages(pdf)).images.map((i) => i.page), name).toEqual([1]);
    }
    expect((await pdfImages(zReportPdf(zReportFigures, '80mm', fonts))).images).toEqual([]);
  }, 30_000);

  it('knows a logo it can print from one it cannot', () => {
    expect(logoPrintProblem(png)).toBeNull();
    expect(logoPrintProblem(jpeg)).toBeNull();
    expect(logoPrintProblem({ mediaType: 'image/png', base64: encodeBase64(new Uint8Array([1, 2, 3])) })).toBe('This picture cannot be read as a PNG or JPEG. Save it again as PNG or JPEG and choose that file.');
    expect(logoPrintProblem(brokenPng)).toMatch(/^The receipt printer cannot use this picture \(.+\)\. Open it in an image editor, save it again as PNG or JPEG, and choose that file\.$/);
  });

  it('prints the receipt without a logo it cannot embed (one pushed through the API), and says why once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const plain = receiptPdf(receipt, { layout: '80mm', copy: false }, fonts);
      const first = receiptPdf({ ...receipt, logo: brokenPng }, { layout: '80mm', copy: false }, fonts);
      const second = receiptPdf({ ...receipt, logo: brokenPng }, { layout: 'A5', copy: true }, fonts);
      expect(imageObjects(first)).toEqual([]);
      expect(imageObjects(second)).toEqual([]);
      expect(await pdfText(first)).toEqual(await pdfText(plain));
      expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([expect.stringMatching(/^The school's logo is left off printed documents: .+\. Choose it again in Settings as a PNG or JPEG\.$/) as unknown]);
      // A good logo chosen again prints at once.
      expect(imageObjects(receiptPdf({ ...receipt, logo: png }, { layout: '80mm', copy: false }, fonts))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});
