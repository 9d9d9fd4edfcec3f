// The notifications the server sends by itself: a payment taken at one office, for the managers
// elsewhere; a desk revoked, for that desk and the admins.
import { formatMoney, newId, type DeviceSummary, type RealtimeEvent, type Role } from '@feemaster/core';
import type { Notifier } from './notifier.ts';

/** Who hears of payments taken at other offices: the people who look after the school's money. */
const PAYMENT_WATCHERS: readonly Role[] = ['owner', 'admin', 'bursar'];

const methodNames: Readonly<Record<string, string>> = {
  cash: 'in cash',
  cheque: 'by cheque',
  bankTransfer: 'by bank transfer',
  mobileMoney: 'by mobile money',
  card: 'by card',
  paypal: 'by PayPal',
};

/** A desk coming back online may upload hundreds of payments: beyond this many, one summary per office. */
const SEPARATE_NOTICES = 3;

interface Taken {
  id: string;
  amount: number;
  currency: string;
  receipt: string;
  method: string;
  offline: boolean;
  officeId: string | undefined;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function paymentsIn(written: readonly Record<string, unknown>[]): Taken[] {
  return written.flatMap((doc) =>
    doc.type === 'payment' && typeof doc.amount === 'number' && typeof doc.currency === 'string' && typeof doc.id === 'string'
      ? [
          {
            id: doc.id,
            amount: doc.amount,
            currency: doc.currency,
            receipt: typeof doc.receiptNumber === 'string' ? doc.receiptNumber : '',
            method: typeof doc.method === 'string' ? (methodNames[doc.method] ?? `by ${doc.method}`) : '',
            offline: doc.offline === true,
            officeId: typeof doc.officeId === 'string' ? doc.officeId : undefined,
          },
        ]
      : [],
  );
}

export async function announcePayments(notifier: Notifier, schoolId: string, written: readonly Record<string, unknown>[]): Promise<void> {
  const payments = paymentsIn(written);
  const audienceFor = (officeId: string | undefined) => ({ roles: PAYMENT_WATCHERS, ...(officeId ? { exceptOfficeId: officeId } : {}) });
  if (payments.length <= SEPARATE_NOTICES) {
    for (const p of payments) {
      const event: RealtimeEvent = {
        id: newId(),
        kind: 'payment-received',
        at: new Date().toISOString(),
        title: `Payment received: ${formatMoney(p.amount, p.currency)}`,
        body: `Receipt ${p.receipt}, ${p.method}${p.offline ? ', taken while the desk was offline' : ''}.`,
        from: null,
        subject: { type: 'payment', id: p.id },
      };
      await notifier.notify(schoolId, audienceFor(p.officeId), event);
    }
    return;
  }
  const byOffice = groupBy(payments, (p) => p.officeId);
  for (const [officeId, taken] of byOffice) {
    // Totals per currency, in integer minor units.
    const totals = [...groupBy(taken, (p) => p.currency)].map(([currency, list]) => formatMoney(list.reduce((sum, p) => sum + p.amount, 0), currency));
    const offline = taken.filter((p) => p.offline).length;
    const receipts = taken.map((p) => p.receipt).filter(Boolean).sort();
    const event: RealtimeEvent = {
      id: newId(),
      kind: 'payment-received',
      at: new Date().toISOString(),
      title: `${taken.length} payments received: ${totals.join(' + ')}`,
      body: `Receipts ${receipts[0] ?? ''} to ${receipts.at(-1) ?? ''}${offline > 0 ? `, ${offline} taken while the desk was offline` : ''}.`,
      from: null,
      subject: null,
    };
    await notifier.notify(schoolId, audienceFor(officeId), event);
  }
}

export function deviceRevokedEvent(device: DeviceSummary, now: Date): RealtimeEvent {
  return {
    id: newId(),
    kind: 'device-revoked',
    at: now.toISOString(),
    title: `Desk ${device.code} was revoked`,
    body: `${device.name}: ${device.revokedReason ?? 'no reason given'}. It can no longer sign in or sync; an admin can register it again.`,
    from: null,
    subject: { type: 'device', id: device.id },
  };
}
