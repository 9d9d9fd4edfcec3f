// Receipt numbers that survive being offline (design rule 4): each device numbers its own
// series `{OFFICE}-{DEVICE}-{seq}`, gap-free and never reused; a voided payment keeps its number.
import type { PaymentDoc } from './ledger.ts';

const CODE = /^[A-Z0-9]{1,12}$/;
const RECEIPT_NUMBER = /^([A-Z0-9]+)-([A-Z0-9]+)-(\d{6,})$/;
const SEQ_DIGITS = 6;
/** More missing numbers than this means a mistyped number, not a gap worth listing one by one. */
const MAX_LISTED_GAPS = 100_000;

export interface ReceiptNumberParts {
  officeCode: string;
  deviceCode: string;
  seq: number;
  /** `OFFICE-DEVICE`, the series the number belongs to. */
  series: string;
}

function assertCode(code: string, what: string): void {
  if (!CODE.test(code)) {
    throw new Error(`${what} "${code}" cannot go on a receipt: use 1 to 12 upper-case letters or digits, like MAIN or D02`);
  }
}

/** `MAIN`, `D02`, 153 → `MAIN-D02-000153` (at least six digits, more once the series passes 999 999). */
export function formatReceiptNumber(officeCode: string, deviceCode: string, seq: number): string {
  assertCode(officeCode, 'Office code');
  assertCode(deviceCode, 'Device code');
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new Error(`Receipt sequence ${String(seq)} is not valid: receipts are numbered 1, 2, 3, …`);
  }
  return `${officeCode}-${deviceCode}-${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/** The parts of a receipt number, or undefined when the text is not one. */
export function parseReceiptNumber(receiptNumber: string): ReceiptNumberParts | undefined {
  const [, officeCode, deviceCode, digits] = RECEIPT_NUMBER.exec(receiptNumber) ?? [];
  if (officeCode === undefined || deviceCode === undefined || digits === undefined) return undefined;
  const seq = Number(digits);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { officeCode, deviceCode, seq, series: `${officeCode}-${deviceCode}` };
}

/** The sequence numbers used in one series (`MAIN-D02`, with or without a trailing dash), ascending and distinct. */
export function seriesNumbers(payments: readonly Pick<PaymentDoc, 'receiptNumber'>[], series: string): number[] {
  const wanted = series.endsWith('-') ? series.slice(0, -1) : series;
  const seqs = new Set<number>();
  for (const payment of payments) {
    const parts = parseReceiptNumber(payment.receiptNumber);
    if (parts?.series === wanted) seqs.add(parts.seq);
  }
  return [...seqs].sort((a, b) => a - b);
}

export interface NextReceiptInput {
  officeCode: string;
  deviceCode: string;
  /** Payments already on this device, voided ones included: a void keeps its number. */
  payments: readonly Pick<PaymentDoc, 'receiptNumber'>[];
}

/**
 * The next number of this device's series: one more than the highest used, so a number is
 * never handed out twice even if an earlier one is missing. The first receipt is 000001.
 */
export function nextReceiptNumber(input: NextReceiptInput): string {
  assertCode(input.officeCode, 'Office code');
  assertCode(input.deviceCode, 'Device code');
  const used = seriesNumbers(input.payments, `${input.officeCode}-${input.deviceCode}`);
  return formatReceiptNumber(input.officeCode, input.deviceCode, (used.at(-1) ?? 0) + 1);
}

/**
 * Numbers missing from a series between 1 and its highest number, for the audit of the void
 * register: a gap means a payment that was lost or deleted, since voids keep their numbers.
 */
export function findSeriesGaps(payments: readonly Pick<PaymentDoc, 'receiptNumber'>[], series: string): number[] {
  const used = seriesNumbers(payments, series);
  const highest = used.at(-1) ?? 0;
  if (highest - used.length > MAX_LISTED_GAPS) {
    throw new Error(
      `Receipt series ${series} jumps to number ${String(highest)} with ${String(highest - used.length)} numbers missing: ` +
        'look for a mistyped receipt number before auditing the series',
    );
  }
  const gaps: number[] = [];
  let expected = 1;
  for (const seq of used) {
    for (; expected < seq; expected++) gaps.push(expected);
    expected = seq + 1;
  }
  return gaps;
}
